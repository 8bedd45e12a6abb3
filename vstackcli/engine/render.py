"""Render a ``RunningConfig`` as IOS prints it: canonical full keywords, one-space
submode indentation, ``!`` between blocks, ``end`` last, and no defaults.

Replaying the rendered text into a fresh model rebuilds an equal model (a
property test holds this). Verbatim lines (unmodelled keywords) are placed by
the section their first words belong to, as IOS's NVGEN order would place them.
"""

from __future__ import annotations

from collections.abc import Iterable

from vstackcli.engine.model import (
    DhcpPool,
    Interface,
    JoinWindowStart,
    LineSettings,
    OpaqueBlock,
    RunningConfig,
    VstackConfig,
)
from vstackcli.grammar.tokens import MONTHS
from vstackcli.grammar.values import InterfaceName

__all__ = ["config_lines", "interface_order", "line_blocks", "opaque_rank", "render_config", "vstack_lines"]

# Sections of the running-config, in IOS order. Verbatim lines are ranked by their first words.
HEAD, AFTER_HOSTNAME, BOOT, MIDDLE, IP_DHCP, IP_OTHER, BEFORE_INTERFACES, AFTER_INTERFACES, TAIL = (
    20, 45, 40, 60, 75, 80, 85, 100, 120)

_RANKS: dict[str, int] = {
    "service": HEAD, "no service": HEAD,
    "boot-start-marker": BOOT, "boot": BOOT, "boot-end-marker": BOOT,
    "logging": AFTER_HOSTNAME, "no logging": AFTER_HOSTNAME,
    "ip dhcp": IP_DHCP, "no ip dhcp": IP_DHCP,
    "ip": IP_OTHER, "no ip": IP_OTHER,
    "crypto": BEFORE_INTERFACES, "spanning-tree": BEFORE_INTERFACES, "vlan": BEFORE_INTERFACES,
    "errdisable": BEFORE_INTERFACES, "port-channel": BEFORE_INTERFACES, "license": BEFORE_INTERFACES,
    "ip forward-protocol": AFTER_INTERFACES, "ip http": AFTER_INTERFACES, "no ip http": AFTER_INTERFACES,
    "ip route": AFTER_INTERFACES, "ip access-list": AFTER_INTERFACES, "access-list": AFTER_INTERFACES,
    "route-map": AFTER_INTERFACES, "snmp-server": AFTER_INTERFACES, "control-plane": AFTER_INTERFACES,
    "router": AFTER_INTERFACES, "ip sla": AFTER_INTERFACES, "ip classless": AFTER_INTERFACES,
    "ip ssh": IP_OTHER, "radius-server": AFTER_INTERFACES, "tacacs-server": AFTER_INTERFACES,
    "banner": TAIL, "line": TAIL, "ntp": TAIL, "alias": TAIL, "privilege": TAIL, "scheduler": TAIL,
    "mac": BEFORE_INTERFACES, "monitor": TAIL, "event": TAIL,
}


def opaque_rank(line: str) -> int:
    """The section a verbatim global line belongs to, from its first one or two words."""
    words = line.split()
    for n in (3, 2, 1):
        key = " ".join(words[:n])
        if key in _RANKS:
            return _RANKS[key]
    return MIDDLE


def _block(block: OpaqueBlock, indent: str = "") -> list[str]:
    return [indent + block.line] + [indent + " " + child for child in block.children]


def _date(date: tuple[int, int, int]) -> str:
    year, month, day = date
    return f"{day} {MONTHS[month - 1][:3]} {year}"


def join_window_line(start: JoinWindowStart) -> str:
    parts = ["vstack join-window start"]
    if start.start_date:
        parts.append(_date(start.start_date))
    parts.append(f"{start.start_time[0]:02d}:{start.start_time[1]:02d}")
    if start.interval:
        parts.append(f"{start.interval[0]:02d}:{start.interval[1]:02d}")
    if start.end_date:
        parts.append("end " + _date(start.end_date))
    if start.recurring:
        parts.append("recurring")
    return " ".join(parts)


def vstack_lines(v: VstackConfig) -> list[list[str]]:
    """The vstack section as blocks (a block is a list of lines; ``!`` follows each multi-line one)."""
    single: list[str] = []
    if v.director is not None:
        single.append(f"vstack director {v.director}")
    if v.basic:
        single.append("vstack basic")
    if v.vlans:
        single.append(f"vstack vlan {v.vlans}")
    if v.startup_vlan != 1:
        single.append(f"vstack startup-vlan {v.startup_vlan}")
    if v.hostname_prefix:
        single.append(f"vstack hostname-prefix {v.hostname_prefix}")
    for what in ("image", "config", "script"):
        url = getattr(v, what)
        if url is not None:
            single.append(f"vstack {what} {url}")
    if not v.backup:
        single.append("no vstack backup")
    if v.backup_file_server is not None:
        single.append(f"vstack backup file-server {v.backup_file_server}")
    if v.join_window.manual:
        single.append("no vstack join-window mode auto")
    single.extend(join_window_line(s) for s in v.join_window.starts)
    if v.join_window.closed:
        single.append("vstack join-window close")
    blocks: list[list[str]] = [[line] for line in single]
    for pool in v.dhcp_pools.values():
        lines = [f"vstack dhcp-localserver {pool.name}"]
        if pool.network is not None:
            lines.append(f" address-pool {pool.network.network_address} {pool.network.netmask}")
        if pool.file_server is not None:
            lines.append(f" file-server {pool.file_server}")
        if pool.default_router is not None:
            lines.append(f" default-router {pool.default_router}")
        blocks.append(lines)
    for group in v.builtin_groups.values():
        lines = [f"vstack group built-in {group.family} {group.ports}"]
        lines += [f" {w} {getattr(group, w)}" for w in ("image", "config", "script") if getattr(group, w)]
        blocks.append(lines)
    for custom in v.custom_groups.values():
        lines = [f"vstack group custom {custom.name} {custom.kind}"]
        lines += [f" match mac {m}" for m in custom.macs]
        lines += [f" match host {ip} interface {intf}" for ip, intf in custom.hosts]
        lines += [f" match {s.switch} {s.family} {s.ports}" for s in custom.stack]
        lines += [f" match {pid}" for pid in custom.product_ids]
        lines += [f" {w} {getattr(custom, w)}" for w in ("image", "config", "script") if getattr(custom, w)]
        blocks.append(lines)
    if v.proxy is not None:
        p = v.proxy
        line = "vstack proxy " + (f"ip-address {p.address}" if p.address else f"interface {p.interface}")
        if p.startup_vlan is not None:
            line += f" startup-vlan {p.startup_vlan}"
        if p.pnp_profile:
            line += f" pnp-profile {p.pnp_profile}"
        blocks.append([line])
    if not v.enabled:
        blocks.append(["no vstack"])
    return blocks


# IOS prints an interface's switchport lines in this order, whatever order they were typed in.
_SWITCHPORT_ORDER = ("no switchport", "switchport access", "switchport trunk encapsulation",
                     "switchport trunk native", "switchport trunk allowed", "switchport mode",
                     "switchport nonegotiate", "switchport voice", "switchport port-security")


def _interface_rank(line: str) -> int:
    for rank, prefix in enumerate(_SWITCHPORT_ORDER):
        if line == prefix or line.startswith(prefix + " "):
            return rank
    return len(_SWITCHPORT_ORDER)  # the rest as typed, after the switchport lines


def _interface(intf: Interface) -> list[str]:
    lines = [f"interface {intf.name}"]
    if intf.description:
        lines.append(f" description {intf.description}")
    extra = sorted(intf.extra, key=lambda b: _interface_rank(b.line))
    lines += [" " + line for b in extra for line in _block(b)]
    if intf.address is not None:
        lines.append(f" ip address {intf.address.ip} {intf.address.netmask}")
        lines += [f" ip address {a.ip} {a.netmask} secondary" for a in intf.secondary]
    elif intf.name.kind in ("Vlan", "Loopback") or intf.helpers:
        lines.append(" no ip address")
    lines += [f" ip helper-address {h}" for h in intf.helpers]
    if intf.snooping_trust:
        lines.append(" ip dhcp snooping trust")
    if intf.shutdown:
        lines.append(" shutdown")
    return lines


def _dhcp_pool(pool: DhcpPool) -> list[str]:
    lines = [f"ip dhcp pool {pool.name}"]
    if pool.network is not None:
        lines.append(f" network {pool.network.network_address} {pool.network.netmask}")
    if pool.bootfile:
        lines.append(f" bootfile {pool.bootfile}")
    if pool.default_routers:
        lines.append(" default-router " + " ".join(map(str, pool.default_routers)))
    if pool.option150:
        lines.append(" option 150 ip " + " ".join(map(str, pool.option150)))
    lines += [" " + line for b in pool.extra for line in _block(b)]
    if pool.remember:
        lines.append(" remember")
    return lines


def _extras(blocks: Iterable[OpaqueBlock], rank: int) -> list[list[str]]:
    return [_block(b) for b in blocks if opaque_rank(b.line) == rank]


def config_lines(cfg: RunningConfig) -> list[str]:
    """The configuration body, from ``version`` to ``end``, as IOS orders it."""
    sections: list[list[list[str]]] = []

    def section(*blocks: list[str]) -> None:
        kept = [b for b in blocks if b]
        if kept:
            sections.append(kept)

    section([f"version {cfg.version}"], *_extras(cfg.extra, HEAD))
    section([f"hostname {cfg.hostname}"])
    section(*_extras(cfg.extra, BOOT))
    section(_logging_lines(cfg), *_extras(cfg.extra, AFTER_HOSTNAME))
    enable = []
    if cfg.enable_secret:
        enable.append(f"enable secret {cfg.enable_secret}")
    if cfg.enable_password:
        enable.append(f"enable password {cfg.enable_password}")
    section(enable)
    users = []
    for user in cfg.users.values():
        priv = f" privilege {user.privilege}" if user.privilege != 1 else ""
        cred = f" secret {user.secret}" if user.secret else (f" password {user.password}" if user.password
                                                           else "")
        users.append(f"username {user.name}{priv}{cred}")
    section(users)
    section(*_extras(cfg.extra, MIDDLE))
    ip = []
    if cfg.ip_routing:
        ip.append("ip routing")
    if cfg.dhcp_remember:
        ip.append("ip dhcp remember")
    ip += [line for b in _extras(cfg.extra, IP_DHCP) for line in b]
    if cfg.dhcp_snooping_vlans:
        ip.append(f"ip dhcp snooping vlan {cfg.dhcp_snooping_vlans}")
    if cfg.dhcp_snooping:
        ip.append("ip dhcp snooping")
    section(ip)
    for pool in cfg.dhcp_pools.values():
        section(_dhcp_pool(pool))
    ip_other = []
    if cfg.domain_name:
        ip_other.append(f"ip domain-name {cfg.domain_name}")
    ip_other += [line for b in _extras(cfg.extra, IP_OTHER) for line in b]
    section(ip_other)
    section(*_extras(cfg.extra, BEFORE_INTERFACES))
    for intf in sorted(cfg.interfaces.values(), key=_interface_order):
        section(_interface(intf))
    section(*_extras(cfg.extra, AFTER_INTERFACES))
    vstack = vstack_lines(cfg.vstack)
    if vstack:
        section(*vstack)
    section([line for kind, body in cfg.banners.items() for line in f"banner {kind} ^C{body}^C".split("\n")])
    tail = [b for b in cfg.extra if opaque_rank(b.line) == TAIL]
    before = [line for b in tail if not _after_lines(b.line) for line in _block(b)]
    after = [line for b in tail if _after_lines(b.line) for line in _block(b)]
    section([*before, *(line for block in line_blocks(cfg) for line in block), *after])  # IOS runs them together

    out: list[str] = ["!"]
    for blocks in sections:
        for block in blocks:
            out.extend(block)
            if len(block) > 1:
                out.append("!")
        if out[-1] != "!":
            out.append("!")
    out.append("end")
    return out


def _after_lines(line: str) -> bool:
    return line.split()[0] in ("ntp", "event", "scheduler", "monitor") if line.split() else False


def _line_body(line: LineSettings, vty: bool) -> list[str]:
    """A line's settings in IOS's order; defaults are not printed (a vty logs in by default)."""
    first = ("access-class ", "ipv6 access-class ")  # IOS prints the line's access lists before its settings
    out = [" " + extra for extra in line.extra if extra.startswith(first)]
    if line.exec_timeout != (10, 0):
        out.append(f" exec-timeout {line.exec_timeout[0]} {line.exec_timeout[1]}")
    if line.privilege is not None:
        out.append(f" privilege level {line.privilege}")
    if line.password:
        out.append(f" password {line.password}")
    if line.logging_synchronous:
        out.append(" logging synchronous")
    if line.login:
        out.append(" login" + (" local" if line.login == "local" else ""))
    elif vty:
        out.append(" no login")
    if line.length is not None:
        out.append(f" length {line.length}")
    if line.width is not None:
        out.append(f" width {line.width}")
    if line.transport_input != "all":
        out.append(f" transport input {line.transport_input}")
    out += [" " + extra for extra in line.extra if not extra.startswith(first)]
    return out


def line_blocks(cfg: RunningConfig) -> list[list[str]]:
    """``line con 0`` and the vty lines, consecutive equal lines as one range (never across vty 4 and 5)."""
    blocks = [["line con 0", *_line_body(cfg.console, vty=False)]]
    first = 0
    for i in range(1, len(cfg.vty) + 1):
        if i < len(cfg.vty) and i != 5 and cfg.vty[i] == cfg.vty[first]:
            continue
        head = f"line vty {first}" + (f" {i - 1}" if i - 1 > first else "")
        blocks.append([head, *_line_body(cfg.vty[first], vty=True)])
        first = i
    return blocks


def _logging_lines(cfg: RunningConfig) -> list[str]:
    from vstackcli.engine.syslog import LEVEL_NAMES

    lines = []
    if cfg.logging_buffered is not None:
        size, level = cfg.logging_buffered
        lines.append(f"logging buffered {size}" + (f" {LEVEL_NAMES[level]}" if level != 7 else ""))
    for where in ("console", "monitor"):
        level = getattr(cfg, f"logging_{where}")
        if level is None:
            lines.append(f"no logging {where}")
        elif level != 7:
            lines.append(f"logging {where} {LEVEL_NAMES[level]}")
    return lines


_KINDS_ORDER = ["FastEthernet", "GigabitEthernet", "TenGigabitEthernet", "Port-channel", "Loopback", "Tunnel", "Vlan"]


def interface_order(name: InterfaceName) -> tuple[int, str, tuple[int, ...]]:
    """Where IOS lists an interface: by type (ports, port-channels, then virtual ones), then by number."""
    rank = _KINDS_ORDER.index(name.kind) if name.kind in _KINDS_ORDER else len(_KINDS_ORDER)
    numbers = tuple(int(x) for x in name.number.replace(".", "/").split("/") if x.isdigit())
    return (rank, name.kind, numbers)


def _interface_order(intf: Interface) -> tuple[int, str, tuple[int, ...]]:
    return interface_order(intf.name)


def render_config(cfg: RunningConfig, change_line: str = "") -> str:
    """``show running-config`` as a whole, with its header."""
    body = config_lines(cfg)
    if change_line:
        body = ["!", change_line, *body]
    text = "\n".join(body) + "\n"
    return f"Building configuration...\n\nCurrent configuration : {len(text)} bytes\n{text}"
