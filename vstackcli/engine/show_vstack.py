"""Text of the ``show vstack ...`` commands, rendered from the model and the director database.

``show vstack config`` follows the captures in research/ios-cli.md §1.3 (a TAB
and a space before detail lines); ``show vstack status`` follows the guide's
legend and ``Director Database:`` table.
"""

from __future__ import annotations

from vstackcli.engine.device import Device
from vstackcli.engine.director import ClientEntry
from vstackcli.engine.model import BuiltinGroup, CustomGroup, VstackConfig
from vstackcli.engine.render import join_window_line

__all__ = [
    "director_entry",
    "show_vstack_config",
    "show_vstack_download_status",
    "show_vstack_group_builtin",
    "show_vstack_group_custom",
    "show_vstack_neighbors",
    "show_vstack_proxy_db",
    "show_vstack_status",
]


def _role(v: VstackConfig, operational: bool) -> str:
    if not v.enabled:
        return "NA"
    if v.proxy is not None:
        return "Proxy"
    return "Director" if operational else "Client"


def show_vstack_config(device: Device) -> list[str]:
    v = device.config.vstack
    lines = [
        " Capability: Director | Client",
        f" Oper Mode: {'Enabled' if v.enabled else 'Disabled'}",
        f" Role: {_role(v, device.director.operational)}",
        f" Vstack Director IP address: {v.director or device.learned_director or '0.0.0.0'}",
    ]
    if v.proxy is not None:
        target = v.proxy.address or v.proxy.interface
        lines.append(f" Vstack Proxy: {target} (pnp-profile {v.proxy.pnp_profile or 'pnp-zero-touch'})")
    lines += [
        "",
        " *** Following configurations will be effective only on director ***",
        " Vstack default management vlan: 1",
        f" Vstack start-up management vlan: {v.startup_vlan}{' (default)' if v.startup_vlan == 1 else ''}",
        f" Vstack management Vlans: {v.vlans or 'none'}",
    ]
    if v.hostname_prefix:
        lines.append(f" Vstack Hostname Prefix: {v.hostname_prefix}")
    for label, url in (("Config", v.config), ("Image", v.image), ("Script", v.script)):
        if url is not None:
            lines.append(f" Vstack {label} file: {url}")
    jw = v.join_window
    if jw.closed:
        window = "Closed"
    elif jw.starts:
        window = "Configured"
    else:
        window = "Open (default)"
    lines += [
        " Join Window Details:",
        f"\t Window: {window}",
        f"\t Operation Mode: {'manual' if jw.manual else 'auto (default)'}",
    ]
    lines += [f"\t {join_window_line(s).removeprefix('vstack join-window ')}" for s in jw.starts]
    lines += [
        " Vstack Backup Details:",
        f"\t Mode: {'On (default)' if v.backup else 'Off'}",
        f"\t Repository: {v.backup_file_server or ''}",
    ]
    return lines


def director_entry(device: Device) -> ClientEntry | None:
    v = device.config.vstack
    if not device.director.operational:
        return None
    return ClientEntry(0, device.platform.base_mac, device.platform.pid, v.director, device.config.hostname,
                       is_director=True)


LEGEND = [
    "Status: Device_type Health_status Join-window_status Upgrade_status",
    "Device_type: S - Smart install N - Non smart install P - Pending",
    "Health_status: A - Active I - Inactive",
    "Join-window_Status: a - Allowed h - On-hold d - Denied",
    "Image Upgrade: i - in progress I - done X - failed",
    "Config Upgrade: c - in progress C - done x - failed",
]


def show_vstack_status(device: Device, detail: bool = False) -> list[str]:
    v = device.config.vstack
    lines = [f"SmartInstall: {'ENABLED' if v.enabled else 'DISABLED'}"]
    if not v.enabled:
        return lines
    lines += ["", *LEGEND, ""]
    if not device.director.operational:
        return [*lines, "Director Database: not available on a Smart Install client"]
    entries = [e for e in (director_entry(device), *device.director_db.clients) if e is not None]
    lines += [
        "Director Database:",
        "DevNo MAC Address    Product-ID        IP_addr         Hostname   Status",
        "===== ============== ================= =============== ========== ",
    ]
    for e in entries:
        ip = str(e.ip) if e.ip else "0.0.0.0"
        lines.append(f"{e.index:<5} {e.mac!s:<14} {e.pid:<17} {ip:<15} {e.hostname[:10]:<10} {e.status}")
        if detail and not e.is_director:
            upstream = f"{e.upstream.host} {e.upstream.interface}" if e.upstream else "-"
            lines.append(f"      Serial: {e.serial or '-'}  Version: {e.version or '-'}  Hop: {e.hops}  "
                         f"Upstream: {upstream}  Zero-touch: {e.phase}")
    return lines


def show_vstack_download_status(device: Device, detail: bool = False) -> list[str]:
    lines = ["SmartInstall: ENABLED" if device.config.vstack.enabled else "SmartInstall: DISABLED", ""]
    return lines + device.director.downloads.render(detail)


def _group_body(group: BuiltinGroup | CustomGroup, detail: bool) -> list[str]:
    lines = []
    if isinstance(group, CustomGroup):
        lines.append(f" Group Name: {group.name}")
        lines.append(f"  Type: {group.kind}")
        lines += [f"  Match: mac {m}" for m in group.macs]
        lines += [f"  Match: host {ip} interface {intf}" for ip, intf in group.hosts]
        lines += [f"  Match: switch {s.switch} {s.family} {s.ports}" for s in group.stack]
        lines += [f"  Match: product-id {p}" for p in group.product_ids]
    else:
        lines.append(f" Product family: {group.family}  Port configuration: {group.ports}")
    if detail:
        lines.append(f"  Image: {group.image or 'none'}")
        lines.append(f"  Config: {group.config or 'none'}")
        lines.append(f"  Script: {group.script or 'none'}")
    return lines


def show_vstack_group_builtin(device: Device, family: str | None, ports: str | None, detail: bool) -> list[str]:
    groups = [g for g in device.config.vstack.builtin_groups.values()
              if (family is None or g.family == family) and (ports is None or g.ports == ports)]
    if not groups:
        return ["No built-in groups are configured"]
    lines = ["Built-in group(s):"]
    for g in groups:
        lines += _group_body(g, detail)
    return lines


def show_vstack_group_custom(device: Device, name: str | None, detail: bool) -> list[str]:
    groups = [g for g in device.config.vstack.custom_groups.values() if name is None or g.name == name]
    if not groups:
        return ["No custom groups are configured" if name is None else f"Custom group {name} is not configured"]
    lines = ["Custom group(s):"]
    for g in groups:
        lines += _group_body(g, detail)
    return lines


def show_vstack_neighbors(device: Device) -> list[str]:
    lines = ["DevNo MAC Address    Hostname   Neighbor(s)", "===== ============== ========== ============"]
    for c in device.director_db.clients:
        for host, port in c.neighbors or [("-", "-")]:
            lines.append(f"{c.index:<5} {c.mac!s:<14} {c.hostname[:10]:<10} {host} {port}")
    return lines


def show_vstack_proxy_db(device: Device) -> list[str]:
    if device.config.vstack.proxy is None:
        return ["SMI Proxy is not enabled"]
    return device.director.proxy_db.render()
