"""``show ip interface brief`` and the IOS DHCP server's show commands."""

from __future__ import annotations

from vstackcli.modes.base import Call, CommandError

__all__ = ["show_ip_dhcp_binding", "show_ip_dhcp_pool", "show_ip_interface_brief"]


def show_ip_interface_brief(call: Call) -> None:
    call.print("Interface              IP-Address      OK? Method Status                Protocol")
    for name, intf in sorted(call.config.interfaces.items(), key=lambda kv: str(kv[0])):
        ip = str(intf.address.ip) if intf.address else "unassigned"
        method = "manual" if intf.address else "unset"
        if intf.shutdown:
            status, proto = "administratively down", "down"
        elif name.kind in ("Vlan", "Loopback"):
            status, proto = "up", "up"
        else:
            status, proto = "down", "down"
        call.print(f"{name!s:<22} {ip:<15} YES {method:<6} {status:<21} {proto}")


def show_ip_dhcp_binding(call: Call) -> None:
    call.print("Bindings from all pools not associated with VRF:")
    call.print("IP address          Client-ID/              Lease expiration        Type")
    call.print("                    Hardware address/")
    call.print("                    User name")


def show_ip_dhcp_pool(call: Call) -> None:
    pools = call.config.dhcp_pools
    name = call.arg("name")
    chosen = [pools[name]] if name in pools else ([] if name else list(pools.values()))
    if name and not chosen:
        raise CommandError(f"% Pool {name} is not configured")
    for pool in chosen:
        size = pool.network.num_addresses - 2 if pool.network else 0
        call.print("")
        call.print(f"Pool {pool.name} :")
        call.print(" Utilization mark (high/low)    : 100 / 0")
        call.print(" Subnet size (first/next)       : 0 / 0 ")
        call.print(f" Total addresses                : {max(size, 0)}")
        call.print(" Leased addresses               : 0")
        call.print(" Pending event                  : none")
        if pool.network:
            first = pool.network.network_address + 1
            last = pool.network.broadcast_address - 1
            call.print(" 1 subnet is currently in the pool :")
            call.print(" Current index        IP address range                    Leased addresses")
            call.print(f" {first!s:<20} {first} - {last!s:<20} 0")
