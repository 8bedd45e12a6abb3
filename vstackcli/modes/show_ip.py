"""``show ip interface brief`` and the IOS DHCP server's show commands."""

from __future__ import annotations

from datetime import UTC, datetime

from vstackcli.modes.base import Call, CommandError
from vstackcli.modes.show_interfaces import attached_ports

__all__ = ["clear_ip_dhcp_binding", "show_dhcp_server", "show_ip_dhcp_binding", "show_ip_dhcp_pool",
           "show_ip_interface_brief"]


def show_ip_interface_brief(call: Call) -> None:
    attached = attached_ports(call.device)
    call.print("Interface              IP-Address      OK? Method Status                Protocol")
    for name, intf in sorted(call.config.interfaces.items(), key=lambda kv: str(kv[0])):
        ip = str(intf.address.ip) if intf.address else "unassigned"
        method = "manual" if intf.address else "unset"
        if intf.shutdown:
            status, proto = "administratively down", "down"
        elif name.kind in ("Vlan", "Loopback") or name in attached:
            status, proto = "up", "up"
        else:
            status, proto = "down", "down"
        call.print(f"{name!s:<22} {ip:<15} YES {method:<6} {status:<21} {proto}")


def _dotted(raw: bytes) -> str:
    """IOS prints a client-id or hardware address as dotted 4-hex-digit groups: 0100.2413.c6b5.80."""
    text = raw.hex()
    return ".".join(text[i:i + 4] for i in range(0, len(text), 4))


def show_ip_dhcp_binding(call: Call) -> None:
    call.print("Bindings from all pools not associated with VRF:")
    call.print("IP address          Client-ID/              Lease expiration        Type")
    call.print("                    Hardware address/")
    call.print("                    User name")
    dhcp = call.device.dhcp
    for _pool, lease in sorted(dhcp.bindings() if dhcp is not None else [], key=lambda pl: int(pl[1].ip)):
        ident = _dotted(lease.client_id) if lease.client_id else _dotted(b"\x01" + lease.mac)
        when = datetime.fromtimestamp(lease.expires, UTC)
        expires = f"{when:%b} {when.day:02d} {when.year} {when:%I:%M %p}"
        call.print(f"{lease.ip!s:<19} {ident:<23} {expires:<23} Automatic")


def clear_ip_dhcp_binding(call: Call) -> None:
    dhcp = call.device.dhcp
    address = call.arg("address")
    if dhcp is None:
        raise CommandError("% The DHCP server is not running")
    if dhcp.clear(address) == 0 and address is not None:
        raise CommandError(f"%% Address {address} not in the binding database".replace("%%", "%"))


def show_dhcp_server(call: Call) -> None:
    dhcp = call.device.dhcp
    counts = dhcp.counters() if dhcp is not None else {}
    leases = len(dhcp.bindings()) if dhcp is not None else 0
    call.print("   DHCP server: ANY (255.255.255.255)")
    call.print(f"    Leases:   {leases}")
    call.print(f"    Offers:   {counts.get('offers', 0):<6} Requests: {counts.get('received', 0):<6} "
               f"Acks : {counts.get('acks', 0):<6} Naks: {counts.get('naks', 0)}")
    call.print(f"    Declines: {counts.get('declines', 0):<6} Releases: {counts.get('releases', 0):<6} "
               f"Bad:  {counts.get('errors', 0)}")


def show_ip_dhcp_pool(call: Call) -> None:
    pools = call.config.dhcp_pools
    name = call.arg("name")
    chosen = [pools[name]] if name in pools else ([] if name else list(pools.values()))
    if name and not chosen:
        raise CommandError(f"% Pool {name} is not configured")
    dhcp = call.device.dhcp
    leased: dict[str, int] = {}
    for pool_name, _lease in dhcp.bindings() if dhcp is not None else []:
        leased[pool_name] = leased.get(pool_name, 0) + 1
    for pool in chosen:
        size = pool.network.num_addresses - 2 if pool.network else 0
        call.print("")
        call.print(f"Pool {pool.name} :")
        call.print(" Utilization mark (high/low)    : 100 / 0")
        call.print(" Subnet size (first/next)       : 0 / 0 ")
        call.print(f" Total addresses                : {max(size, 0)}")
        call.print(f" Leased addresses               : {leased.get(pool.name, 0)}")
        call.print(" Pending event                  : none")
        if pool.network:
            first = pool.network.network_address + 1
            last = pool.network.broadcast_address - 1
            call.print(" 1 subnet is currently in the pool :")
            call.print(" Current index        IP address range                    Leased addresses")
            call.print(f" {first!s:<20} {first} - {last!s:<20} {leased.get(pool.name, 0)}")
