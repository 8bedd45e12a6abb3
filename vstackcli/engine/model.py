"""The running-config as typed data: no behaviour beyond simple validation.

Every field's default is what a factory-fresh Catalyst has, so the renderer
prints only what differs from it. Lines that vstackcli does not model (shadow
keywords) are kept verbatim, in order, where they were typed.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from vstackcli.engine.subnets import SubnetIndex
from vstackcli.grammar.values import FileUrl, InterfaceName, MacAddress, VlanList

__all__ = [
    "VTY_LINES",
    "BuiltinGroup",
    "CustomGroup",
    "DhcpPool",
    "Interface",
    "JoinWindow",
    "JoinWindowStart",
    "LineSettings",
    "OpaqueBlock",
    "ProxyConfig",
    "RunningConfig",
    "StackMatch",
    "User",
    "VstackConfig",
    "VstackDhcpPool",
]

IPv4 = ipaddress.IPv4Address


@dataclass
class OpaqueBlock:
    """A verbatim line and, when it opened a submode, its verbatim child lines."""

    line: str
    children: list[str] = field(default_factory=list)
    tail: bool = False  # rendered near the end (line, banner...) rather than before interfaces


@dataclass
class User:
    name: str
    privilege: int = 1
    secret: str = ""  # stored form: "5 $1$...", or "" when a password is used
    password: str = ""  # stored form: "0 text" / "7 0822..."


@dataclass
class LineSettings:
    """The settings of one terminal line (``line con 0``, ``line vty N``); defaults are IOS's."""

    login: str = ""  # "": no login; "line": `login` (the line password); "local": `login local`
    password: str = ""  # stored form: "text" or "7 0822..."
    transport_input: str = "all"  # "all", "none", "ssh", "telnet", "ssh telnet", "telnet ssh"
    privilege: int | None = None  # `privilege level N`
    exec_timeout: tuple[int, int] = (10, 0)  # minutes, seconds; (0, 0) never
    length: int | None = None  # `length N` (24 when unset)
    width: int | None = None  # `width N` (80 when unset)
    logging_synchronous: bool = False
    extra: list[str] = field(default_factory=list)  # unmodelled lines, verbatim

    def transports(self) -> frozenset[str]:
        """What ``transport input`` lets in."""
        if self.transport_input == "all":
            return frozenset({"ssh", "telnet"})
        if self.transport_input == "none":
            return frozenset()
        return frozenset(self.transport_input.split())


VTY_LINES = 16  # vty 0-15 on a Catalyst 15.2


def _factory_vty() -> list[LineSettings]:
    return [LineSettings(login="line") for _ in range(VTY_LINES)]


@dataclass
class Interface:
    name: InterfaceName
    description: str = ""
    address: ipaddress.IPv4Interface | None = None
    secondary: list[ipaddress.IPv4Interface] = field(default_factory=list)
    helpers: list[IPv4] = field(default_factory=list)
    snooping_trust: bool = False
    shutdown: bool = False
    extra: list[OpaqueBlock] = field(default_factory=list)


@dataclass
class DhcpPool:
    """``ip dhcp pool NAME``: the classic IOS DHCP server pool."""

    name: str
    network: ipaddress.IPv4Network | None = None
    default_routers: list[IPv4] = field(default_factory=list)
    option150: list[IPv4] = field(default_factory=list)
    bootfile: str = ""
    remember: bool = False
    extra: list[OpaqueBlock] = field(default_factory=list)


@dataclass
class VstackDhcpPool:
    """``vstack dhcp-localserver NAME``: the Smart Install DHCP pool."""

    name: str
    network: ipaddress.IPv4Network | None = None
    default_router: IPv4 | None = None
    file_server: IPv4 | None = None


@dataclass(frozen=True)
class StackMatch:
    switch: int
    family: str
    ports: str


@dataclass
class BuiltinGroup:
    family: str
    ports: str
    image: FileUrl | None = None
    config: FileUrl | None = None
    script: FileUrl | None = None


@dataclass
class CustomGroup:
    name: str
    kind: str  # mac | connectivity | stack | product-id
    image: FileUrl | None = None
    config: FileUrl | None = None
    script: FileUrl | None = None
    macs: list[MacAddress] = field(default_factory=list)
    hosts: list[tuple[IPv4, InterfaceName]] = field(default_factory=list)
    stack: list[StackMatch] = field(default_factory=list)
    product_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class JoinWindowStart:
    """``vstack join-window start [date] hh:mm [interval] [end date] [recurring]``."""

    start_date: tuple[int, int, int] | None  # (year, month, day)
    start_time: tuple[int, int]
    interval: tuple[int, int] | None  # duration hh:mm
    end_date: tuple[int, int, int] | None
    recurring: bool


@dataclass
class JoinWindow:
    manual: bool = False  # `no vstack join-window mode auto`
    closed: bool = False  # `vstack join-window close`
    starts: list[JoinWindowStart] = field(default_factory=list)


@dataclass
class ProxyConfig:
    address: IPv4 | None = None
    interface: InterfaceName | None = None
    startup_vlan: int | None = None
    pnp_profile: str | None = None


@dataclass
class VstackConfig:
    enabled: bool = True  # `no vstack` turns Smart Install off
    director: IPv4 | None = None
    basic: bool = False
    startup_vlan: int = 1
    vlans: VlanList = field(default_factory=VlanList)
    hostname_prefix: str = ""
    image: FileUrl | None = None
    config: FileUrl | None = None
    script: FileUrl | None = None
    backup: bool = True
    backup_file_server: FileUrl | None = None
    join_window: JoinWindow = field(default_factory=JoinWindow)
    dhcp_pools: dict[str, VstackDhcpPool] = field(default_factory=dict)
    builtin_groups: dict[tuple[str, str], BuiltinGroup] = field(default_factory=dict)
    custom_groups: dict[str, CustomGroup] = field(default_factory=dict)
    proxy: ProxyConfig | None = None

    @property
    def is_director(self) -> bool:
        return self.enabled and self.basic and self.director is not None and self.proxy is None


@dataclass
class RunningConfig:
    version: str = "15.2"
    hostname: str = "Switch"
    enable_secret: str = ""  # stored form "5 $1$..." or ""
    enable_password: str = ""  # stored form "text" or "7 ..."
    users: dict[str, User] = field(default_factory=dict)
    logging_console: int | None = 7  # severity level shown on the console; None: `no logging console`
    logging_monitor: int | None = 7
    logging_buffered: tuple[int, int] | None = None  # (size, level) of `logging buffered`
    ip_routing: bool = False
    domain_name: str = ""
    dhcp_remember: bool = False
    dhcp_snooping: bool = False
    dhcp_snooping_vlans: VlanList = field(default_factory=VlanList)
    dhcp_pools: dict[str, DhcpPool] = field(default_factory=dict)
    interfaces: dict[InterfaceName, Interface] = field(default_factory=dict)
    vstack: VstackConfig = field(default_factory=VstackConfig)
    banners: dict[str, str] = field(default_factory=dict)
    console: LineSettings = field(default_factory=LineSettings)
    vty: list[LineSettings] = field(default_factory=_factory_vty)
    extra: list[OpaqueBlock] = field(default_factory=list)
    subnets: SubnetIndex = field(default_factory=SubnetIndex, compare=False, repr=False)

    def interface(self, name: InterfaceName) -> Interface:
        """The interface, created on first use as ``interface X`` does."""
        if name not in self.interfaces:
            self.interfaces[name] = Interface(name)
        return self.interfaces[name]

    def interface_address(self, address: IPv4) -> Interface | None:
        for intf in self.interfaces.values():
            if intf.address is not None and intf.address.ip == address:
                return intf
        return None
