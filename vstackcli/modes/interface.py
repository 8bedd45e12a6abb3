"""``Switch(config-if)#``: the interface lines the guide's examples use, plus shadows."""

from __future__ import annotations

import ipaddress

from vstackcli.engine.model import Interface
from vstackcli.grammar.graph import Command
from vstackcli.modes.base import Call, CommandError, Mode, config_mode_commands
from vstackcli.modes.shadows import config_shadows, store_verbatim

__all__ = ["interface_mode"]

_ROUTED_KINDS = ("Vlan", "Loopback", "Tunnel", "Port-channel")


def _intf(call: Call) -> Interface:
    return call.target


def _description(call: Call) -> None:
    _intf(call).description = "" if call.negated else call.arg("text")
    call.changed()


def _ip_address(call: Call) -> None:
    intf = _intf(call)
    subnets = call.config.subnets
    owner = str(intf.name)
    if call.negated:
        if call.arg("secondary"):
            addr = ipaddress.IPv4Interface(f"{call.arg('address')}/{call.arg('mask')}")
            if addr in intf.secondary:
                intf.secondary.remove(addr)
                subnets.remove(addr, owner)
        else:
            for addr in ([intf.address] if intf.address else []) + intf.secondary:
                subnets.remove(addr, owner)
            intf.address, intf.secondary = None, []
        call.changed()
        return
    if intf.name.kind not in _ROUTED_KINDS and not any(b.line == "no switchport" for b in intf.extra):
        raise CommandError("% IP addresses may not be configured on L2 links.")
    mask = int(call.arg("mask"))
    inverted = ~mask & 0xFFFFFFFF
    if inverted & (inverted + 1):
        raise CommandError(f"Bad mask 0x{mask:X} for address {call.arg('address')}")
    addr = ipaddress.IPv4Interface(f"{call.arg('address')}/{call.arg('mask')}")
    clash = subnets.overlapping(addr, ignore=owner)
    if clash is not None:
        raise CommandError(f"% {addr.network.network_address} overlaps with {clash}")
    if call.arg("secondary"):
        if addr not in intf.secondary:
            intf.secondary.append(addr)
    else:
        if intf.address is not None:
            subnets.remove(intf.address, owner)
        intf.address = addr
    subnets.add(addr, owner)
    call.changed()


def _helper(call: Call) -> None:
    helpers = _intf(call).helpers
    ip = call.arg("helper")
    if call.negated:
        if ip is None:
            helpers.clear()
        elif ip in helpers:
            helpers.remove(ip)
    elif ip not in helpers:
        helpers.append(ip)
    call.changed()


def _snooping(call: Call) -> None:
    intf = _intf(call)
    if call.arg("trust"):
        intf.snooping_trust = not call.negated
    else:
        line = f"ip dhcp snooping limit rate {call.arg('rate')}" if call.arg("rate") else "ip dhcp snooping limit rate"
        store_verbatim(intf.extra, ("no " if call.negated else "") + line)
    call.changed()


def _shutdown(call: Call) -> None:
    _intf(call).shutdown = not call.negated
    call.changed()


_HELP = {
    "description": "Interface specific description",
    "$text": "Up to 240 characters describing this interface",
    "ip": "Interface Internet Protocol config commands",
    "address": "Set the IP address of an interface",
    "$address": "IP address",
    "$mask": "IP subnet mask",
    "secondary": "Make this IP address a secondary address",
    "helper-address": "Specify a destination address for UDP broadcasts",
    "$helper": "IP destination address",
    "dhcp": "Configure DHCP parameters for this interface",
    "snooping": "DHCP Snooping",
    "trust": "DHCP Snooping trust config",
    "limit": "DHCP Snooping limit",
    "rate": "DHCP Snooping limit rate",
    "$rate": "DHCP snooping rate limit",
    "shutdown": "Shutdown the selected interface",
}


def interface_mode() -> Mode:
    commands = [
        *config_mode_commands("Exit from interface configuration mode"),
        Command("description ![LINE$text]", _description, help=_HELP, negatable=True),
        Command("ip address ![A.B.C.D$address A.B.C.D$mask [secondary]]", _ip_address, help=_HELP,
                negatable=True),
        Command("ip helper-address ![A.B.C.D$helper]", _helper, help=_HELP, negatable=True),
        Command("ip dhcp snooping <trust|limit rate ![<1-2048>$rate]>", _snooping, help=_HELP, negatable=True),
        Command("shutdown", _shutdown, help=_HELP, negatable=True),
        *config_shadows("interface", {"ip": _HELP["ip"], "dhcp": _HELP["dhcp"]}),
    ]
    return Mode("config-if", "(config-if)", "Interface configuration commands:", "config", commands)
