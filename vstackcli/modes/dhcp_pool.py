"""``Switch(dhcp-config)#``: an IOS DHCP server pool (``ip dhcp pool NAME``)."""

from __future__ import annotations

from vstackcli.engine.model import DhcpPool
from vstackcli.grammar.graph import Command
from vstackcli.modes.base import Call, Mode, config_mode_commands
from vstackcli.modes.shadows import config_shadows, store_verbatim
from vstackcli.modes.vstack_dhcp import network_from

__all__ = ["dhcp_pool_mode"]


def _pool(call: Call) -> DhcpPool:
    return call.target


def _network(call: Call) -> None:
    pool = _pool(call)
    pool.network = None if call.negated else network_from(call.arg("network"), call.arg("mask"),
                                                          call.arg("prefix"))
    call.changed()


def _addresses(call: Call) -> list:
    return [call.arg(f"a{i}") for i in range(1, 9) if call.arg(f"a{i}") is not None]


def _default_router(call: Call) -> None:
    _pool(call).default_routers = [] if call.negated else _addresses(call)
    call.changed()


def _option150(call: Call) -> None:
    _pool(call).option150 = [] if call.negated else _addresses(call)
    call.changed()


def _option_other(call: Call) -> None:
    line = f"option {call.arg('code')} {call.arg('rest_str') or ''}".strip()
    store_verbatim(_pool(call).extra, ("no " if call.negated else "") + line)
    call.changed()


def _bootfile(call: Call) -> None:
    _pool(call).bootfile = "" if call.negated else call.arg("file")
    call.changed()


def _remember(call: Call) -> None:
    _pool(call).remember = not call.negated
    call.changed()


_ADDRS = "A.B.C.D$a1 [A.B.C.D$a2 [A.B.C.D$a3 [A.B.C.D$a4 [A.B.C.D$a5 [A.B.C.D$a6 [A.B.C.D$a7 [A.B.C.D$a8]]]]]]]"

_HELP = {
    "network": "Network number and mask",
    "$network": "Network number in dotted-decimal notation",
    "$mask": "Network mask or prefix length",
    "$prefix": "Prefix length",
    "default-router": "Default routers",
    "$a1": "Router's IP address",
    "option": "Raw DHCP options",
    "150": "TFTP server address",
    "ip": "Data is one or more IP addresses",
    "$code": "DHCP option code",
    "$rest": "Option data",
    "bootfile": "Boot file name",
    "$file": "Boot file name",
    "remember": "Remember IP bindings of a device across reloads",
}


def dhcp_pool_mode() -> Mode:
    commands = [
        *config_mode_commands("Exit from DHCP pool configuration mode"),
        Command("network ![A.B.C.D$network <A.B.C.D$mask|/nn$prefix>]", _network, help=_HELP, negatable=True),
        Command(f"default-router ![{_ADDRS}]", _default_router, help=_HELP, negatable=True),
        Command(f"option 150 ![[ip] {_ADDRS}]", _option150, help={**_HELP, "$a1": "TFTP server's IP address"},
                negatable=True),
        Command("option <0-254>$code ![LINE$rest]", _option_other, help=_HELP, negatable=True),
        Command("bootfile ![WORD$file]", _bootfile, help=_HELP, negatable=True),
        Command("remember", _remember, help=_HELP, negatable=True),
        *config_shadows("dhcp_pool", {}),
    ]
    return Mode("dhcp-config", "(dhcp-config)", "DHCP pool configuration commands:", "config", commands)
