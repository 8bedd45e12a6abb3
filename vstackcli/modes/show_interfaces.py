"""``show interfaces status``: one line per switch port, as a Catalyst prints it.

A port is ``connected`` while an active client of the director database reports it as the director's
port it hangs off (its upstream neighbour is the director: a simulated fleet plugs its first hop there);
the other ports are ``notconnect``, or ``disabled`` when shut down. The VLAN column is the access VLAN,
``trunk`` or ``routed``; duplex and speed are the configured ones, else ``auto`` (``a-full``/``a-1000``
once connected). Copper ports are ``10/100/1000BaseTX``; the uplink slots are ``Not Present`` until
something is connected.
"""

from __future__ import annotations

from vstackcli.engine.device import Device
from vstackcli.engine.director import ClientEntry
from vstackcli.engine.model import Interface
from vstackcli.grammar.graph import Command
from vstackcli.grammar.values import InterfaceName
from vstackcli.modes.base import Call

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


def _vlan(intf: Interface) -> str:
    vlan = "1"
    for block in intf.extra:
        words = block.line.split()
        if block.line == "no switchport":
            return "routed"
        if words[:3] == ["switchport", "mode", "trunk"]:
            return "trunk"
        if words[:3] == ["switchport", "access", "vlan"] and len(words) == 4:
            vlan = words[3]
    return vlan


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
    return (f"{name.short:<9} {intf.description[:18]:<18} {status:<12} {_vlan(intf):<10} "
            f"{duplex or 'auto':>6} {speed or 'auto':>6} {_type(name, connected)}").rstrip()


def _order(item: tuple[InterfaceName, Interface]) -> tuple[int, tuple[int, ...]]:
    name = item[0]
    return (_PORT_KINDS.index(name.kind), tuple(int(x) for x in name.number.split("/") if x.isdigit()))


def _show_interfaces_status(call: Call) -> None:
    attached = attached_ports(call.device)
    call.print("")
    call.print(HEADER)
    ports = [(n, i) for n, i in call.config.interfaces.items() if n.kind in _PORT_KINDS]
    for name, intf in sorted(ports, key=_order):
        call.print(_row(name, intf, name in attached))


SHOW_INTERFACES_COMMANDS = [
    Command("show interfaces status", _show_interfaces_status, pipe=True,
            help={"show": "Show running system information", "interfaces": "Interface status and configuration",
                  "status": "Show interface line status"}),
]
