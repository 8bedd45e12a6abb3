"""``Director(config-vstack-dhcp)#``: the Smart Install DHCP pool."""

from __future__ import annotations

import ipaddress

from vstackcli.engine.model import VstackDhcpPool
from vstackcli.grammar.graph import Command
from vstackcli.modes.base import Call, CommandError, Mode, config_mode_commands

__all__ = ["vstack_dhcp_mode"]


def network_from(address: ipaddress.IPv4Address, mask: ipaddress.IPv4Address | None,
                 prefix: int | None) -> ipaddress.IPv4Network:
    """The network of ``address`` with a dotted mask or a ``/nn`` prefix; IOS-style errors."""
    try:
        if prefix is not None:
            return ipaddress.IPv4Network(f"{address}/{prefix}", strict=False)
        return ipaddress.IPv4Network(f"{address}/{mask}", strict=False)
    except ValueError:
        raise CommandError(f"% Bad mask {mask} for address {address}") from None


def _pool(call: Call) -> VstackDhcpPool:
    return call.target


def _address_pool(call: Call) -> None:
    pool = _pool(call)
    if call.negated:
        pool.network = None
    else:
        pool.network = network_from(call.arg("network"), call.arg("mask"), call.arg("prefix"))
    call.changed()


def _default_router(call: Call) -> None:
    _pool(call).default_router = None if call.negated else call.arg("router")
    call.changed()


def _file_server(call: Call) -> None:
    _pool(call).file_server = None if call.negated else call.arg("server")
    call.changed()


_HELP = {
    "address-pool": "Configure the address pool of the Smart Install DHCP server",
    "$network": "Network number in dotted-decimal notation",
    "$mask": "Network mask or prefix length",
    "$prefix": "Prefix length",
    "default-router": "Configure the default router for the pool",
    "$router": "Router's IP address",
    "file-server": "Configure the TFTP file server for the pool",
    "$server": "File server's IP address",
}


def vstack_dhcp_mode() -> Mode:
    commands = [
        *config_mode_commands("Exit from vstack-dhcp config mode"),
        Command("address-pool ![A.B.C.D$network <A.B.C.D$mask|/nn$prefix>]", _address_pool, help=_HELP,
                negatable=True),
        Command("default-router ![A.B.C.D$router]", _default_router, help=_HELP, negatable=True),
        Command("file-server ![A.B.C.D$server]", _file_server, help=_HELP, negatable=True),
    ]
    return Mode("config-vstack-dhcp", "(config-vstack-dhcp)", "Vstack DHCP configuration commands:", "config",
                commands, list_default=False)
