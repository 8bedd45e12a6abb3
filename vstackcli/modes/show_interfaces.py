"""``show interfaces status`` (one line per switch port), ``show interfaces [NAME]`` (the full blocks) and
``show ip interface [NAME]`` (addresses and IP settings), as a Catalyst prints them.

A port is ``connected`` while an active client of the director database reports it as the director's
port it hangs off (its upstream neighbour is the director: a simulated fleet plugs its first hop there);
the other ports are ``notconnect``, or ``disabled`` when shut down. The VLAN column is the access VLAN,
``trunk`` or ``routed``; duplex and speed are the configured ones, else ``auto`` (``a-full``/``a-1000``
once connected). Copper ports are ``10/100/1000BaseTX``; the uplink slots are ``Not Present`` until
something is connected. The full blocks carry the same state, the interface's MAC (a port: the base MAC
plus its index; an SVI: base + 0x40, as a Catalyst), its address, MTU and bandwidth; the counters are
zero, as the emulated ports carry no traffic. napalm's ``get_interfaces`` and ``get_interfaces_ip`` read
them.
"""

from __future__ import annotations

from vstackcli.engine.device import Device
from vstackcli.engine.director import ClientEntry
from vstackcli.engine.hostnames import vlan_mac
from vstackcli.engine.model import Interface
from vstackcli.engine.render import interface_order
from vstackcli.grammar.graph import Command
from vstackcli.grammar.values import InterfaceName, MacAddress
from vstackcli.modes.base import Call, CommandError
from vstackcli.modes.fragments import interface_from, interface_help, interface_spec
from vstackcli.modes.show_vlan import port_vlan

__all__ = ["SHOW_INTERFACES_COMMANDS", "attached_ports"]

_PORT_KINDS = ("FastEthernet", "GigabitEthernet", "TenGigabitEthernet", "Port-channel")
HEADER = "Port      Name               Status       Vlan       Duplex  Speed Type"


def attached_ports(device: Device) -> dict[InterfaceName, ClientEntry]:
    """The director's ports an active client reports as its upstream neighbour's (the director's)."""
    director = device.config.vstack.director
    if director is None:
        return {}
    found: dict[InterfaceName, ClientEntry] = {}
    for client in device.director_db.clients:
        up = client.upstream
        if client.is_director or client.health != "A" or up is None or up.host != director:
            continue
        found.setdefault(up.interface, client)
    return found


def _setting(intf: Interface, keyword: str) -> str | None:
    for block in intf.extra:
        words = block.line.split()
        if len(words) == 2 and words[0] == keyword:
            return words[1]
    return None


def _type(name: InterfaceName, connected: bool) -> str:
    if name.kind == "Port-channel":
        return ""
    if name.kind == "TenGigabitEthernet":
        return "SFP-10GBase-SR" if connected else "Not Present"
    if name.kind == "GigabitEthernet" and name.number.split("/")[1:2] == ["1"]:  # Gi1/1/x: SFP slots
        return "1000BaseSX SFP" if connected else "Not Present"
    return "10/100/1000BaseTX" if name.kind == "GigabitEthernet" else "10/100BaseTX"


def _row(name: InterfaceName, intf: Interface, connected: bool) -> str:
    status = "disabled" if intf.shutdown else ("connected" if connected else "notconnect")
    duplex = _setting(intf, "duplex")
    speed = _setting(intf, "speed")
    if connected and not intf.shutdown:
        duplex = duplex or "a-full"
        speed = speed or ("a-10G" if name.kind == "TenGigabitEthernet" else "a-1000")
    return (f"{name.short:<9} {intf.description[:18]:<18} {status:<12} {port_vlan(intf):<10} "
            f"{duplex or 'auto':>6} {speed or 'auto':>6} {_type(name, connected)}").rstrip()


def _show_interfaces_status(call: Call) -> None:
    attached = attached_ports(call.device)
    call.print("")
    call.print(HEADER)
    ports = [(n, i) for n, i in call.config.interfaces.items() if n.kind in _PORT_KINDS]
    for name, intf in sorted(ports, key=lambda kv: interface_order(kv[0])):
        call.print(_row(name, intf, name in attached))


_COUNTERS = [
    "  Last input never, output never, output hang never",
    '  Last clearing of "show interface" counters never',
    "  Input queue: 0/75/0/0 (size/max/drops/flushes); Total output drops: 0",
    "  Queueing strategy: fifo",
    "  Output queue: 0/40 (size/max)",
    "  5 minute input rate 0 bits/sec, 0 packets/sec",
    "  5 minute output rate 0 bits/sec, 0 packets/sec",
    "     0 packets input, 0 bytes, 0 no buffer",
    "     Received 0 broadcasts (0 multicasts)",
    "     0 runts, 0 giants, 0 throttles",
    "     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored",
    "     0 packets output, 0 bytes, 0 underruns",
    "     0 output errors, 0 interface resets",
    "     0 unknown protocol drops",
    "     0 output buffer failures, 0 output buffers swapped out",
]


def _mac(device: Device, name: InterfaceName, index: int) -> MacAddress:
    if name.kind in ("Vlan", "Loopback", "Tunnel"):
        return vlan_mac(device.platform.base_mac)
    return MacAddress(device.platform.base_mac.value + index + 1)


def _state(name: InterfaceName, intf: Interface, connected: bool) -> tuple[str, str, str]:
    """(status, protocol, the port's reason) as the first line of the block says them."""
    if intf.shutdown:
        return "administratively down", "down", " (disabled)" if name.kind in _PORT_KINDS else ""
    if name.kind in ("Vlan", "Loopback") or connected:
        return "up", "up", " (connected)" if name.kind in _PORT_KINDS else ""
    return "down", "down", " (notconnect)" if name.kind in _PORT_KINDS else ""


def _block(device: Device, name: InterfaceName, intf: Interface, index: int, connected: bool) -> list[str]:
    status, protocol, reason = _state(name, intf, connected)
    mac = _mac(device, name, index)
    hardware = {"Vlan": "EtherSVI", "Loopback": "Loopback", "Tunnel": "Tunnel",
                "Port-channel": "EtherChannel", "TenGigabitEthernet": "Ten Gigabit Ethernet",
                "FastEthernet": "Fast Ethernet"}.get(name.kind, "Gigabit Ethernet")
    out = [f"{name} is {status}, line protocol is {protocol}{reason} ",
           f"  Hardware is {hardware}, address is {mac} (bia {mac})"]
    if intf.description:
        out.append(f"  Description: {intf.description}")
    if intf.address is not None:
        out.append(f"  Internet address is {intf.address.ip}/{intf.address.network.prefixlen}")
    bandwidth = {"TenGigabitEthernet": 10000000, "FastEthernet": 100000}.get(name.kind, 1000000)
    if name.kind in _PORT_KINDS and not connected:
        bandwidth = 10000 if name.kind != "TenGigabitEthernet" else bandwidth  # IOS shows 10 Mb until linked
    delay = 10 if name.kind in ("Vlan", "Loopback") else 10 if connected else 1000
    out += [f"  MTU 1500 bytes, BW {bandwidth} Kbit/sec, DLY {delay} usec, ",
            "     reliability 255/255, txload 1/255, rxload 1/255",
            "  Encapsulation ARPA, loopback not set"]
    if name.kind in _PORT_KINDS:
        duplex, speed = _setting(intf, "duplex"), _setting(intf, "speed")
        link = (f"{(duplex or 'full').capitalize()}-duplex, {speed or '1000'}Mb/s" if connected
                else f"{'Auto' if duplex is None else duplex.capitalize()}-duplex, "
                     f"{'Auto' if speed is None else speed + 'Mb/s'}-speed")
        out += ["  Keepalive set (10 sec)", f"  {link}, media type is {_type(name, connected) or 'unknown'}",
                "  input flow-control is off, output flow-control is unsupported "]
    out.append("  ARP type: ARPA, ARP Timeout 04:00:00")
    return out + _COUNTERS


_IP_SETTINGS = [
    "  Directed broadcast forwarding is disabled",
    "  Outgoing access list is not set",
    "  Inbound  access list is not set",
    "  Proxy ARP is enabled",
    "  Local Proxy ARP is disabled",
    "  Security level is default",
    "  Split horizon is enabled",
    "  ICMP redirects are always sent",
    "  ICMP unreachables are always sent",
    "  ICMP mask replies are never sent",
    "  IP fast switching is enabled",
    "  IP CEF switching is enabled",
    "  Router Discovery is disabled",
    "  IP output packet accounting is disabled",
    "  IP access violation accounting is disabled",
    "  TCP/IP header compression is disabled",
    "  Probe proxy name replies are disabled",
    "  Policy routing is disabled",
    "  Network address translation is disabled",
    "  WCCP Redirect outbound is disabled",
    "  WCCP Redirect inbound is disabled",
    "  WCCP Redirect exclude is disabled",
    "  BGP Policy Mapping is disabled",
]  # IOS's standing IP settings of an interface, as `show ip interface` lists them


def _ip_block(name: InterfaceName, intf: Interface, connected: bool) -> list[str]:
    """``show ip interface`` for one interface: its addresses, helpers and IOS's standing IP settings."""
    status, protocol, _reason = _state(name, intf, connected)
    out = [f"{name} is {status}, line protocol is {protocol}"]
    if intf.address is None:
        return [*out, "  Internet protocol processing disabled"]
    out += [f"  Internet address is {intf.address.ip}/{intf.address.network.prefixlen}",
            "  Broadcast address is 255.255.255.255",
            "  Address determined by non-volatile memory",
            "  MTU is 1500 bytes"]
    if not intf.helpers:
        out.append("  Helper address is not set")
    else:
        head = "  Helper address is " if len(intf.helpers) == 1 else "  Helper addresses are "
        out.append(head + str(intf.helpers[0]))
        out += [" " * len(head) + str(helper) for helper in intf.helpers[1:]]
    out.append(_IP_SETTINGS[0])  # directed broadcast, then the secondary addresses, as IOS orders them
    out += [f"  Secondary address {a.ip}/{a.network.prefixlen}" for a in intf.secondary]
    return [*out, *_IP_SETTINGS[1:]]


def _show_ip_interface(call: Call) -> None:
    attached = attached_ports(call.device)
    for name, intf in _selected(call):
        call.out.extend(_ip_block(name, intf, name in attached))


def _selected(call: Call) -> list[tuple[InterfaceName, Interface]]:
    """The interfaces a ``show interfaces``/``show ip interface`` lists: the one named, or all (SVIs first)."""
    cfg = call.config
    wanted = interface_from(call.args, "if")
    if wanted is not None:
        if wanted not in cfg.interfaces:
            raise CommandError("%Invalid interface type and number\n")
        return [(wanted, cfg.interfaces[wanted])]
    ports = sorted(((n, i) for n, i in cfg.interfaces.items() if n.kind in _PORT_KINDS),
                   key=lambda kv: interface_order(kv[0]))
    others = sorted(((n, i) for n, i in cfg.interfaces.items() if n.kind not in _PORT_KINDS),
                    key=lambda kv: (kv[0].kind != "Vlan", interface_order(kv[0])))
    return [*others, *ports]


def _show_interfaces(call: Call) -> None:
    """Every interface (the SVIs first, then the ports, as a Catalyst lists them), or the one named."""
    attached = attached_ports(call.device)
    ports = sorted((n for n in call.config.interfaces if n.kind in _PORT_KINDS), key=interface_order)
    index = {name: i for i, name in enumerate(ports)}  # a port's MAC: the base MAC + its place + 1
    for name, intf in _selected(call):
        call.out.extend(_block(call.device, name, intf, index.get(name, 0), name in attached))


SHOW_INTERFACES_COMMANDS = [
    Command(f"show ip interface [{interface_spec('if')}]", _show_ip_interface, pipe=True,
            help={"show": "Show running system information", "ip": "IP information",
                  "interface": "IP interface status and configuration", **interface_help("if")}),
    Command(f"show interfaces [{interface_spec('if')}]", _show_interfaces, pipe=True,
            help={"show": "Show running system information", "interfaces": "Interface status and configuration",
                  **interface_help("if")}),
    Command("show interfaces status", _show_interfaces_status, pipe=True,
            help={"show": "Show running system information", "interfaces": "Interface status and configuration",
                  "status": "Show interface line status"}),
]
