"""Smart Install lines of global configuration: ``vstack ...``.

The guide's rules are enforced here: ``vstack director`` and ``vstack basic``
are refused while Smart Install is disabled (``no vstack``); SMI proxy mode
hides director, basic, join-window, backup and the group and file commands, so
that ``vstack ?`` shrinks to the list the guide shows.
"""

from __future__ import annotations

from typing import Any

from vstackcli.engine.model import BuiltinGroup, CustomGroup, JoinWindowStart, ProxyConfig, VstackDhcpPool
from vstackcli.grammar.graph import Command
from vstackcli.grammar.values import FileUrl, MacAddress, VlanList
from vstackcli.modes.base import Call, CommandError
from vstackcli.modes.fragments import family_help, family_spec, interface_from, interface_help, interface_spec
from vstackcli.modes.vstack_exec import check_url

__all__ = ["VSTACK_CONFIG_COMMANDS", "VSTACK_HELP", "file_url"]

VSTACK_HELP = {
    "vstack": "Configure vstack parameters and enable or disable SmartInstall",
    "director": "Configure director's IP address",
    "$director": "Director's IP address",
    "basic": "Configure vstack basic mode",
    "startup-vlan": "Configure vstack startup management vlan",
    "$startup_vlan": "Startup management vlan",
    "vlan": "Configure vstack management vlan",
    "$vlans": "Management vlan range, example: 1-10,20",
    "dhcp-localserver": "Configure vstack dhcp parameters",
    "$pool": "Pool name",
    "image": "Configure default image file",
    "config": "Configure default config file",
    "script": "Configure default script file",
    "$url": "Location of the file",
    "$file": "File name",
    "hostname-prefix": "Configure client hostname prefix",
    "$prefix": "Hostname prefix",
    "backup": "Configure vstack backup",
    "file-server": "Configure the backup repository",
    "join-window": "Configure vstack join-window",
    "start": "Configure join-window start",
    "$day": "Day of the month",
    "$month": "Month of the year",
    "$year": "Year",
    "$time": "Start time (hh:mm)",
    "$interval": "Window length (hh:mm)",
    "end": "Configure join-window end date",
    "$end_day": "Day of the month",
    "$end_month": "Month of the year",
    "$end_year": "Year",
    "recurring": "Repeat the window every day",
    "close": "Close the join-window",
    "mode": "Configure join-window mode",
    "auto": "Automatically upgrade clients that join",
    "on-hold-clients": "Act on clients on the hold list",
    "install": "Allow on-hold clients to join and upgrade",
    "remove": "Remove clients from the hold list",
    "$index": "Index list, for example 1-3,4",
    "group": "Configure vstack group",
    "built-in": "Configure built-in group",
    "custom": "Configure custom group",
    "$name": "Custom group name",
    "mac": "Group matching MAC addresses",
    "connectivity": "Group matching upstream neighbor connectivity",
    "stack": "Group matching stack members",
    "product-id": "Group matching product IDs",
    "proxy": "Configure smi pnp proxy feature",
    "ip-address": "Proxy IP address",
    "$proxy_ip": "IP address of the SMI proxy",
    "interface": "Proxy interface",
    "pnp-profile": "PnP profile",
    "$profile": "PnP profile name",
    **family_help(),
    **interface_help("px"),
}
VSTACK_HELP["proxy startup-vlan"] = "Configure vstack startup management vlan"


def _not_proxy(session: Any) -> bool:
    return session.device.config.vstack.proxy is None


def _enabled_required(call: Call, what: str) -> None:
    if not call.config.vstack.enabled:
        raise CommandError(f"%Error: Smart Install is disabled; {what} is not allowed. "
                           "Enter the vstack command to enable Smart Install first.")


def file_url(call: Call, what: str) -> FileUrl:
    """The URL typed for an image, config or script, joining ``flash: name`` typed with a space."""
    url: FileUrl = call.arg("url")
    name = call.arg("file")
    if name is not None:
        if url.path:
            raise CommandError(f"%Error: {url} already names a file; {name} is extra")
        url = FileUrl(url.scheme, name, url.host)
    return check_url(url, what)


def warn_about_script(call: Call, url: FileUrl | None) -> None:
    """A post-install script on flash: is checked against the guide's format when it is configured."""
    if url is None or not url.is_local:
        return
    from vstackcli.engine.postinstall import validate_post_install
    from vstackcli.engine.storage import StorageError

    try:
        text = call.device.storage.flash.read(url.path).decode("utf-8", "replace")
    except StorageError:
        call.print(f"%Warning: {url} does not exist yet; clients cannot run it")
        return
    for problem in validate_post_install(text):
        call.print(f"%Warning: {url} {problem}")


def _vstack(call: Call) -> None:
    call.config.vstack.enabled = not call.negated
    call.changed()


def _director(call: Call) -> None:
    v = call.config.vstack
    if call.negated:
        v.director = None
    else:
        _enabled_required(call, "vstack director")
        v.director = call.arg("director")
    call.changed()


def _basic(call: Call) -> None:
    v = call.config.vstack
    if call.negated:
        v.basic = False
    else:
        _enabled_required(call, "vstack basic")
        v.basic = True
    call.changed()


def _startup_vlan(call: Call) -> None:
    v = call.config.vstack
    if call.negated:
        v.startup_vlan = 1
    else:
        vlan = call.arg("startup_vlan")
        if vlan != 1 and vlan not in v.vlans:
            raise CommandError(f"%Error: VLAN {vlan} is not a Smart Install management VLAN; "
                               f"add it first with vstack vlan {vlan}")
        v.startup_vlan = vlan
    call.changed()


def _vlan(call: Call) -> None:
    v = call.config.vstack
    typed = call.arg("vlans")
    if call.negated:
        v.vlans = VlanList() if typed is None else VlanList.of(set(v.vlans) - set(typed))
        if v.startup_vlan != 1 and v.startup_vlan not in v.vlans:
            v.startup_vlan = 1
    else:
        v.vlans = VlanList.of(set(v.vlans) | set(typed))
    call.changed()


def _dhcp_localserver(call: Call) -> None:
    pools = call.config.vstack.dhcp_pools
    name = call.arg("pool")
    if call.negated:
        if pools.pop(name, None) is None:
            raise CommandError(f"%Error: vstack dhcp-localserver {name} is not configured")
    else:
        call.enter("config-vstack-dhcp", pools.setdefault(name, VstackDhcpPool(name)))
    call.changed()


def _default_file(what: str):
    def handler(call: Call) -> None:
        v = call.config.vstack
        setattr(v, what, None if call.negated else file_url(call, what))
        if what == "script" and not call.negated:
            warn_about_script(call, v.script)
        call.changed()

    return handler


def _hostname_prefix(call: Call) -> None:
    v = call.config.vstack
    if call.negated:
        v.hostname_prefix = ""
    else:
        prefix = call.arg("prefix")
        if len(prefix) > 40:
            raise CommandError("%Error: the hostname prefix is at most 40 characters")
        from vstackcli.engine.hostnames import client_hostname

        try:
            client_hostname(prefix, MacAddress(0))
        except ValueError:
            raise CommandError("% Hostname contains one or more illegal characters.") from None
        v.hostname_prefix = prefix
    call.changed()


def _backup(call: Call) -> None:
    v = call.config.vstack
    if call.arg("file_server"):
        v.backup_file_server = None if call.negated else check_url(call.arg("url"), "backup repository")
    else:
        v.backup = not call.negated
    call.changed()


def _date(call: Call, prefix: str) -> tuple[int, int, int] | None:
    day = call.arg(f"{prefix}day")
    if day is None:
        return None
    year, month = call.arg(f"{prefix}year"), call.arg(f"{prefix}month")
    import calendar

    if day > calendar.monthrange(year, month)[1]:
        raise CommandError(f"%Error: {day} is not a day of that month")
    return (year, month, day)


def _join_window(call: Call) -> None:
    jw = call.config.vstack.join_window
    if call.arg("mode"):
        jw.manual = call.negated
    elif call.arg("close"):
        if not call.negated and jw.starts:
            raise CommandError("%Error: a join-window schedule is configured; remove it with "
                               "no vstack join-window start before closing the window by hand")
        jw.closed = not call.negated
    elif call.negated:
        jw.starts.clear()
    else:
        if jw.closed:
            raise CommandError("%Error: the join window was closed by hand; open it with "
                               "no vstack join-window close before configuring a schedule")
        start = JoinWindowStart(_date(call, ""), call.arg("time"), call.arg("interval"), _date(call, "end_"),
                                bool(call.arg("recurring")))
        if start.start_date and start.end_date and start.end_date < start.start_date:
            raise CommandError("%Error: the end date is before the start date")
        if start not in jw.starts:
            jw.starts.append(start)
    call.changed()


def _on_hold(call: Call) -> None:
    from vstackcli.engine.joinwindow import release_on_hold

    indexes = call.arg("index")
    try:
        released = release_on_hold(call.device.director_db.clients, set(indexes) if indexes is not None else None,
                                   "install" if call.arg("install") else "remove")
    except ValueError as exc:
        raise CommandError(f"%Error: {exc}") from None
    for entry in released:
        entry.join_override = bool(call.arg("install"))


def _group_builtin(call: Call) -> None:
    groups = call.config.vstack.builtin_groups
    key = (call.arg("family"), call.arg("ports"))
    if call.negated:
        groups.pop(key, None)
    else:
        call.enter("config-vstack-group", groups.setdefault(key, BuiltinGroup(*key)))
    call.changed()


def _group_custom(call: Call) -> None:
    groups = call.config.vstack.custom_groups
    name = call.arg("name")
    kind = call.arg("kind")
    if call.negated:
        if groups.pop(name, None) is None:
            raise CommandError(f"%Error: custom group {name} is not configured")
        call.changed()
        return
    group = groups.get(name)
    if group is not None and group.kind != kind:
        raise CommandError(f"%Error: custom group {name} is a {group.kind} group; "
                           f"remove it before configuring it as a {kind} group")
    if group is None:
        group = groups[name] = CustomGroup(name, kind)
    call.enter("config-vstack-group", group)
    call.changed()


def _proxy(call: Call) -> None:
    v = call.config.vstack
    if call.negated:
        v.proxy = None
        call.changed()
        return
    _enabled_required(call, "vstack proxy")
    address = call.arg("proxy_ip")
    intf = interface_from(call.args, "px")
    if intf is not None:
        found = call.config.interfaces.get(intf)
        if found is None:
            raise CommandError(f"%Error: interface {intf} does not exist")
    v.proxy = ProxyConfig(address, intf, call.arg("startup_vlan"), call.arg("profile"))
    v.director = None
    v.basic = False
    call.changed()


_FILE = "URL$url [WORD$file]"
_DATE = "<1-31>$day MONTH$month <2000-2035>$year"
_END_DATE = "<1-31>$end_day MONTH$end_month <2000-2035>$end_year"

VSTACK_CONFIG_COMMANDS = [
    Command("vstack", _vstack, help=VSTACK_HELP, negatable=True),
    Command("vstack director ![A.B.C.D$director]", _director, help=VSTACK_HELP, negatable=True,
            available=_not_proxy),
    Command("vstack basic", _basic, help=VSTACK_HELP, negatable=True, available=_not_proxy),
    Command("vstack startup-vlan ![<1-4094>$startup_vlan]", _startup_vlan, help=VSTACK_HELP, negatable=True),
    Command("vstack vlan ![VLAN-LIST$vlans]", _vlan, help=VSTACK_HELP, negatable=True),
    Command("vstack dhcp-localserver WORD$pool", _dhcp_localserver, help=VSTACK_HELP, negatable=True,
            opens_block=True),
    *[Command(f"vstack {what} ![{_FILE}]", _default_file(what), help=VSTACK_HELP, negatable=True,
              available=_not_proxy) for what in ("image", "config", "script")],
    Command("vstack hostname-prefix ![WORD$prefix]", _hostname_prefix, help=VSTACK_HELP, negatable=True,
            available=_not_proxy),
    Command("vstack backup [file-server ![URL$url]]", _backup, help=VSTACK_HELP, negatable=True,
            available=_not_proxy),
    Command(f"vstack join-window <start [{_DATE}] hh:mm$time [hh:mm$interval] [end {_END_DATE}] [recurring]"
            "|close|mode auto>", _join_window, help=VSTACK_HELP, available=_not_proxy),
    Command("vstack join-window <start|close|mode [auto]>", _join_window, help=VSTACK_HELP, only_negated=True,
            available=_not_proxy),
    Command("vstack on-hold-clients <install|remove> [INDEX-LIST$index]", _on_hold, help=VSTACK_HELP,
            available=_not_proxy),
    Command(f"vstack group built-in {family_spec()}", _group_builtin, help=VSTACK_HELP, negatable=True,
            available=_not_proxy),
    Command("vstack group custom WORD$name ![<mac$kind|connectivity$kind|stack$kind|product-id$kind>]",
            _group_custom, help=VSTACK_HELP, negatable=True, available=_not_proxy),
    Command(f"vstack proxy <ip-address A.B.C.D$proxy_ip|interface {interface_spec('px')}> "
            "[startup-vlan <1-4094>$startup_vlan] [pnp-profile WORD$profile]", _proxy, help=VSTACK_HELP,
            negatable=False),
    Command("vstack proxy", _proxy, help=VSTACK_HELP, only_negated=True),
]
