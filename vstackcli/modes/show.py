"""``show`` commands. Renderers live in the engine; this module only binds specs to them."""

from __future__ import annotations

from vstackcli.engine.render import render_config
from vstackcli.engine.show_vstack import (
    show_vstack_config,
    show_vstack_download_status,
    show_vstack_group_builtin,
    show_vstack_group_custom,
    show_vstack_neighbors,
    show_vstack_proxy_db,
    show_vstack_status,
)
from vstackcli.fleet.picture import show_vstack_topology
from vstackcli.grammar.graph import Command
from vstackcli.modes.aliases import ALIAS_COMMANDS
from vstackcli.modes.banner import SHOW_BANNER_COMMANDS
from vstackcli.modes.base import Call, CommandError
from vstackcli.modes.crypto import CRYPTO_SHOW_COMMANDS
from vstackcli.modes.files import _dir
from vstackcli.modes.fragments import family_help, family_spec, interface_from, interface_help, interface_spec
from vstackcli.modes.show_interfaces import SHOW_INTERFACES_COMMANDS
from vstackcli.modes.show_ip import (
    clear_ip_dhcp_binding,
    show_dhcp_server,
    show_ip_dhcp_binding,
    show_ip_dhcp_pool,
    show_ip_interface_brief,
)
from vstackcli.modes.show_snmp import SHOW_SNMP_COMMANDS
from vstackcli.modes.show_system import show_clock, show_logging, show_users, show_version
from vstackcli.modes.show_vlan import SHOW_VLAN_COMMANDS

__all__ = ["SHOW_COMMANDS", "SHOW_HELP"]

SHOW_HELP = {
    "show": "Show running system information",
    "ip": "IP information",
}


def _running(call: Call) -> None:
    device = call.device
    change = ""
    if device.last_change is not None:
        when, user = device.last_change
        change = f"! Last configuration change at {when:%H:%M:%S} UTC {when:%a %b} {when.day} {when.year}"
        change += f" by {user}" if user else ""  # a vty that logged in with the line password has no user
    text = render_config(device.config, change).rstrip("\n")
    lines = text.split("\n")
    intf = interface_from(call.args, "if")
    if intf is not None:
        if intf not in device.config.interfaces:
            raise CommandError("%Invalid interface type and number\n")
        from vstackcli.engine.render import _interface

        body = ["!", *_interface(device.config.interfaces[intf]), "end"]
        count = len("\n".join(body)) + 1
        lines = ["Building configuration...", "", f"Current configuration : {count} bytes", *body]
    call.out.extend(lines)


def _startup(call: Call) -> None:
    text = call.device.storage.startup_config()
    if text is None:
        raise CommandError("startup-config is not present")
    used = len(text.encode())
    call.print(f"Using {used} out of {call.device.storage.nvram.capacity} bytes")
    call.print(text.rstrip("\n"))


def _privilege(call: Call) -> None:
    call.print(f"Current privilege level is {call.session.privilege}")


def _history(call: Call) -> None:
    call.out.extend(f"  {line}" for line in call.session.history[-20:])


def _terminal(call: Call) -> None:
    s = call.session
    number = 1 + int(s.line[3:]) if s.line.startswith("vty") and s.line[3:].isdigit() else 0
    call.print(f"Line {number}, Location: \"\", Type: \"\"")
    call.print(f"Length: {s.length} lines, Width: {s.width} columns")
    call.print(f"Status: {'PSI Enabled, ' if s.privilege >= 15 else ''}Ready, Active, Automore On")
    call.print("History is enabled, history size is 20.")


def _vstack(call: Call) -> None:
    a = call.args
    device = call.device
    detail = bool(a.get("detail"))
    if a.get("config"):
        call.out.extend(show_vstack_config(device))
    elif a.get("status"):
        call.out.extend(show_vstack_status(device, detail))
    elif a.get("download_status"):
        call.out.extend(show_vstack_download_status(device, detail))
    elif a.get("built_in"):
        call.out.extend(show_vstack_group_builtin(device, a.get("family"), a.get("ports"), detail))
    elif a.get("custom"):
        call.out.extend(show_vstack_group_custom(device, a.get("name"), detail))
    elif a.get("neighbors"):
        call.out.extend(show_vstack_neighbors(device))
    elif a.get("proxy_db"):
        call.out.extend(show_vstack_proxy_db(device))
    elif a.get("topology"):
        call.out.extend(show_vstack_topology(device, bool(a.get("html"))))


_VSTACK_HELP = {
    "vstack": "Smart Install information",
    "config": "Smart Install configuration",
    "status": "Smart Install director database and client status",
    "download-status": "Image and configuration download status of clients",
    "group": "Smart Install groups",
    "built-in": "Built-in groups",
    "custom": "Custom groups",
    "$name": "Custom group name",
    "detail": "Detailed information",
    "neighbors": "Smart Install neighbors",
    "all": "All neighbors",
    "proxy-db": "SMI proxy database",
    "topology": "Smart Install network as a tree (vstackcli extension)",
    "html": "As an HTML page with an SVG picture (| redirect flash:FILE to save it)",
    **family_help(),
}

_RUN_HELP = {
    "running-config": "Current operating configuration",
    "startup-config": "Contents of startup configuration",
    "all": "Configuration with defaults",
    "brief": "configuration without certificate data",
    "full": "full configuration",
    "interface": "Show interface configuration",
    **interface_help("if"),
}

SHOW_COMMANDS = [
    Command(f"show running-config [all|brief|full|interface {interface_spec('if')}]", _running,
            help={**SHOW_HELP, **_RUN_HELP}, privilege=15, pipe=True),
    Command("show startup-config", _startup, help={**SHOW_HELP, **_RUN_HELP}, privilege=15, pipe=True),
    Command("show version", show_version, help={**SHOW_HELP, "version": "System hardware and software status"},
            pipe=True),
    Command("show privilege", _privilege, help={**SHOW_HELP, "privilege": "Show current privilege level"}),
    Command("show history", _history, help={**SHOW_HELP, "history": "Display the session command history"},
            pipe=True),
    Command("show terminal", _terminal, help={**SHOW_HELP, "terminal": "Display terminal configuration parameters"},
            pipe=True),
    Command("show clock [detail]", show_clock,
            help={**SHOW_HELP, "clock": "Display the system clock", "detail": "Display detailed information"}),
    Command("show users [all]", show_users,
            help={**SHOW_HELP, "users": "Display information about terminal lines",
                  "all": "Include information about inactive ports"},
            pipe=True),
    Command("show logging", show_logging, help={**SHOW_HELP, "logging": "Show the contents of logging buffers"},
            pipe=True),
    Command("show flash: [URL$url]", _dir, help={**SHOW_HELP, "flash:": "display information about flash: file system",
                                              "$url": "File name"}, privilege=15, pipe=True),
    Command("show ip interface brief", show_ip_interface_brief,
            help={**SHOW_HELP, "interface": "IP interface status and configuration",
                  "brief": "Brief summary of IP status and configuration"}, pipe=True),
    Command("show ip dhcp binding", show_ip_dhcp_binding,
            help={**SHOW_HELP, "dhcp": "Show items in the DHCP database", "binding": "DHCP address bindings"},
            pipe=True),
    Command("show dhcp server", show_dhcp_server,
            help={**SHOW_HELP, "dhcp": "Dynamic Host Configuration Protocol status",
                  "server": "Show DHCP Servers we know about"}, pipe=True),
    Command("clear ip dhcp binding <*$all|A.B.C.D$address>", clear_ip_dhcp_binding,
            help={"clear": "Reset functions", "ip": "IP", "dhcp": "Delete items from the DHCP database",
                  "binding": "DHCP address bindings", "*": "Clear all automatic bindings",
                  "$address": "Clear a specific binding"}, privilege=15),
    Command("show ip dhcp pool [WORD$name]", show_ip_dhcp_pool,
            help={**SHOW_HELP, "dhcp": "Show items in the DHCP database", "pool": "DHCP pools information",
                  "$name": "Pool name"}, pipe=True),
    Command("show vstack <config|status [detail]|download-status [detail]"
            f"|group <built-in [{family_spec()}] [detail]|custom [WORD$name] [detail]>"
            "|neighbors all|proxy-db|topology [html]>", _vstack, help={**SHOW_HELP, **_VSTACK_HELP}, pipe=True),
    *CRYPTO_SHOW_COMMANDS,
    *SHOW_VLAN_COMMANDS,
    *ALIAS_COMMANDS,
    *SHOW_BANNER_COMMANDS,
    *SHOW_INTERFACES_COMMANDS,
    *SHOW_SNMP_COMMANDS,
]
