"""``show vlan [brief]``: the VLAN table a Catalyst derives from its configuration.

VLANs are VLAN 1 (``default``), every ``vlan N`` block of the running-config (its ``name``, else
``VLAN00NN``; ``shutdown`` makes it ``act/lshut``) and the four legacy VLANs 1002-1005. A physical port
belongs to its ``switchport access vlan`` (VLAN 1 by default) unless it trunks (``switchport mode trunk``)
or is routed (``no switchport``); a port whose access VLAN does not exist is listed nowhere, as on IOS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vstackcli.engine.model import Interface, RunningConfig
from vstackcli.engine.render import interface_order
from vstackcli.grammar.graph import Command
from vstackcli.grammar.values import VlanList
from vstackcli.modes.base import Call

__all__ = ["SHOW_VLAN_COMMANDS", "Vlan", "port_vlan", "vlan_table"]

_LEGACY = ((1002, "fddi-default", "fddi", 101002), (1003, "token-ring-default", "tr", 101003),
           (1004, "fddinet-default", "fdnet", 101004), (1005, "trnet-default", "trnet", 101005))
_VLAN_LINE = re.compile(r"^vlan (\d[\d,\-]*)$")
_PHYSICAL = ("FastEthernet", "GigabitEthernet", "TenGigabitEthernet")
_PORTS_WIDTH = 31  # the Ports column; longer lists continue on the next line under it


@dataclass
class Vlan:
    number: int
    name: str
    status: str = "active"
    kind: str = "enet"
    ports: list[str] = field(default_factory=list)


def _defined(cfg: RunningConfig) -> dict[int, Vlan]:
    vlans: dict[int, Vlan] = {1: Vlan(1, "default")}
    for block in cfg.extra:
        m = _VLAN_LINE.match(block.line)
        if m is None:
            continue
        try:
            numbers = VlanList.parse(m.group(1), 1, 4094)
        except ValueError:
            continue
        name = next((c.split(None, 1)[1] for c in block.children if c.startswith("name ") and " " in c), None)
        shut = "shutdown" in block.children
        for n in numbers:
            if 1002 <= n <= 1005:
                continue
            vlan = vlans.setdefault(n, Vlan(n, f"VLAN{n:04d}"))
            if name and n != 1:
                vlan.name = name
            if shut:
                vlan.status = "act/lshut"
    for number, name, kind, _said in _LEGACY:
        vlans[number] = Vlan(number, name, "act/unsup", kind)
    return vlans


def port_vlan(intf: Interface) -> str:
    """What a switch port carries: its access VLAN (``"1"`` by default), ``"trunk"`` or ``"routed"``."""
    vlan = "1"
    for block in intf.extra:
        words = block.line.split()
        if block.line == "no switchport":
            return "routed"
        if words[:3] == ["switchport", "mode", "trunk"]:
            return "trunk"
        if words[:3] == ["switchport", "access", "vlan"] and len(words) == 4 and words[3].isdigit():
            vlan = words[3]
    return vlan


def _access_vlan(intf: Interface) -> int | None:
    """The VLAN a switch port carries untagged, or None when it trunks or routes."""
    vlan = port_vlan(intf)
    return int(vlan) if vlan.isdigit() else None


def vlan_table(cfg: RunningConfig) -> list[Vlan]:
    """The VLANs in number order, each with its access ports (short names, in interface order)."""
    vlans = _defined(cfg)
    for name, intf in sorted(cfg.interfaces.items(), key=lambda kv: interface_order(kv[0])):
        if name.kind not in _PHYSICAL:
            continue
        vlan = _access_vlan(intf)
        if vlan is not None and vlan in vlans:
            vlans[vlan].ports.append(name.short)
    return [vlans[n] for n in sorted(vlans)]


def _port_lines(ports: list[str]) -> list[str]:
    lines: list[str] = []
    current = ""
    for port in ports:
        candidate = f"{current}, {port}" if current else port
        if current and len(candidate) > _PORTS_WIDTH:
            lines.append(current)
            candidate = port
        current = candidate
    return [*lines, current] if current else [""]


def _brief(vlans: list[Vlan]) -> list[str]:
    out = ["", "VLAN Name                             Status    Ports",
           "---- -------------------------------- --------- -------------------------------"]
    for vlan in vlans:
        ports = _port_lines(vlan.ports)
        out.append(f"{vlan.number:<4} {vlan.name[:32]:<32} {vlan.status:<9} {ports[0]}".rstrip())
        out += [" " * 48 + more for more in ports[1:]]
    return out


def _full(vlans: list[Vlan]) -> list[str]:
    out = _brief(vlans)
    out += ["", "VLAN Type  SAID       MTU   Parent RingNo BridgeNo Stp  BrdgMode Trans1 Trans2",
            "---- ----- ---------- ----- ------ ------ -------- ---- -------- ------ ------"]
    legacy = {number: (kind, said) for number, _name, kind, said in _LEGACY}
    for vlan in vlans:
        kind, said = legacy.get(vlan.number, ("enet", 100000 + vlan.number))
        stp = {"fdnet": "ieee", "trnet": "ibm"}.get(kind, "-")
        out.append(f"{vlan.number:<4} {kind:<5} {said:<10} 1500  -      -      -        {stp:<4} -        0      0")
    out += ["", "Remote SPAN VLANs", "------------------------------------------------------------------------------",
            "", "", "Primary Secondary Type              Ports",
            "------- --------- ----------------- ------------------------------------------", ""]
    return out


def _show_vlan(call: Call) -> None:
    vlans = vlan_table(call.config)
    call.out.extend(_brief(vlans) if call.arg("brief") else _full(vlans))


def _show_vlan_id(call: Call) -> None:
    number = call.arg("id")
    vlans = [v for v in vlan_table(call.config) if v.number == number]
    if not vlans:
        call.print(f"VLAN id {number} not found in current VLAN database")
        return
    call.out.extend(_full(vlans)[:-8])  # no Remote SPAN / private VLAN sections for one VLAN


_HELP = {"show": "Show running system information", "vlan": "VTP VLAN status", "brief": "VTP all VLAN status in brief",
         "id": "VTP VLAN status by VLAN id", "$id": "VLAN id"}

SHOW_VLAN_COMMANDS = [
    Command("show vlan [brief]", _show_vlan, help=_HELP, pipe=True),
    Command("show vlan id <1-4094>$id", _show_vlan_id, help=_HELP, pipe=True),
]
