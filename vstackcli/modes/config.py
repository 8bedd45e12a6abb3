"""Global configuration mode: ``Switch(config)#``.

The Smart Install lines are in ``vstack_config.py``; this module holds the IOS
lines the guide's examples use (hostname, enable, username, interface, ip ...)
and the global shadow keywords.
"""

from __future__ import annotations

import re

from vstackcli.engine import secrets
from vstackcli.engine.model import DhcpPool, User
from vstackcli.grammar.graph import Command
from vstackcli.grammar.values import VlanList
from vstackcli.modes.banner import BANNER_COMMANDS
from vstackcli.modes.base import Call, CommandError, Mode, config_mode_commands
from vstackcli.modes.crypto import CRYPTO_CONFIG_COMMANDS
from vstackcli.modes.fragments import interface_from, interface_help, interface_spec
from vstackcli.modes.interface_range import interface_range_command
from vstackcli.modes.line import LINE_COMMANDS
from vstackcli.modes.logging_config import LOGGING_COMMANDS
from vstackcli.modes.shadows import config_shadows, store_verbatim
from vstackcli.modes.vstack_config import VSTACK_CONFIG_COMMANDS

__all__ = ["CONFIG_HELP", "config_mode"]

CONFIG_HELP = {
    "ip": "Global IP configuration subcommands",
    "dhcp": "Configure DHCP server and relay parameters",
    "enable": "Modify enable password parameters",
}

_HOSTNAME = re.compile(r"^[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def _hostname(call: Call) -> None:
    if call.negated:
        call.config.hostname = "Switch"
    else:
        name = call.arg("name")
        if not _HOSTNAME.match(name):
            raise CommandError("% Hostname contains one or more illegal characters.")
        call.config.hostname = name
    call.changed()


def _stored(kind: str | None, value: str, secret: bool) -> str:
    if kind in (None, "0"):
        return secrets.hash_secret(value) if secret else value
    if kind == "5" and not value.startswith("$1$"):
        raise CommandError("ERROR: The secret you entered is not a valid encrypted secret.\n"
                           "To enter an UNENCRYPTED secret, do not specify type 5 encryption.\n"
                           "When you properly enter an UNENCRYPTED secret, it will be encrypted.")
    return f"{kind} {value}"


def _enable(call: Call) -> None:
    cfg = call.config
    secret = bool(call.arg("secret"))
    if call.negated:
        if secret:
            cfg.enable_secret = ""
        else:
            cfg.enable_password = ""
    else:
        stored = _stored(call.arg("type"), call.arg("value"), secret)
        if secret:
            cfg.enable_secret = stored
        else:
            cfg.enable_password = stored
    call.changed()


def _username(call: Call) -> None:
    name = call.arg("name")
    users = call.config.users
    if call.negated:
        users.pop(name, None)
        call.changed()
        return
    user = users.get(name) or User(name)
    if call.arg("privilege_level") is not None:
        user.privilege = call.arg("privilege_level")
    if call.arg("secret"):
        user.secret, user.password = _stored(call.arg("type"), call.arg("value"), True), ""
    elif call.arg("password"):
        kind = call.arg("type")
        user.password, user.secret = (f"{kind} {call.arg('value')}" if kind else call.arg("value")), ""
    users[name] = user
    call.changed()


def _interface(call: Call) -> None:
    name = interface_from(call.args, "if")
    cfg = call.config
    if call.negated:
        if name.kind in ("Vlan", "Loopback", "Tunnel", "Port-channel"):
            gone = cfg.interfaces.pop(name, None)
            for addr in ([gone.address] if gone and gone.address else []) + (gone.secondary if gone else []):
                cfg.subnets.remove(addr, str(name))
            call.changed()
            return
        raise CommandError("% Physical interfaces cannot be deleted")
    if name.kind in ("GigabitEthernet", "FastEthernet", "TenGigabitEthernet") and name not in cfg.interfaces:
        raise CommandError(f"% Invalid input: interface {name} does not exist on this switch")
    call.enter("config-if", cfg.interface(name))
    call.changed()


def _ip_routing(call: Call) -> None:
    call.config.ip_routing = not call.negated
    call.changed()


def _ip_domain_name(call: Call) -> None:
    call.config.domain_name = "" if call.negated else call.arg("name")
    call.changed()


def _ip_dhcp_remember(call: Call) -> None:
    call.config.dhcp_remember = not call.negated
    call.changed()


def _ip_dhcp_snooping(call: Call) -> None:
    cfg = call.config
    vlans = call.arg("vlans")
    if vlans is not None:
        current = set(cfg.dhcp_snooping_vlans)
        current = current - set(vlans) if call.negated else current | set(vlans)
        cfg.dhcp_snooping_vlans = VlanList.of(current)
    else:
        cfg.dhcp_snooping = not call.negated
    call.changed()


def _ip_dhcp_pool(call: Call) -> None:
    name = call.arg("name")
    pools = call.config.dhcp_pools
    if call.negated:
        if pools.pop(name, None) is None:
            raise CommandError(f"%Pool {name} not present")
        call.changed()
        return
    pool = pools.setdefault(name, DhcpPool(name))
    call.enter("dhcp-config", pool)
    call.changed()


def _verbatim(prefix: str):
    def handler(call: Call) -> None:
        rest = call.arg("rest_str") or call.arg("rest") or ""
        line = f"{prefix} {rest}".strip()
        store_verbatim(call.config.extra, ("no " if call.negated else "") + line, ranked=True)
        call.changed()

    return handler


def _version(call: Call) -> None:
    if not call.negated:
        call.config.version = call.arg("version")


_HELP = {
    **CONFIG_HELP,
    "hostname": "Set system's network name",
    "$name": "This system's network name",
    "secret": "Assign the privileged level secret (MAX of 25 characters)",
    "password": "Assign the privileged level password (MAX of 25 characters)",
    "secret 0": "Specifies an UNENCRYPTED password will follow",
    "secret 5": "Specifies a MD5 HASHED secret will follow",
    "password 0": "Specifies an UNENCRYPTED password will follow",
    "password 7": "Specifies a HIDDEN password will follow",
    "$value": "The UNENCRYPTED (cleartext) password",
    "username": "Establish User Name Authentication",
    "$uname": "User name",
    "privilege": "Set user privilege level",
    "$privilege_level": "User privilege level",
    "interface": "Select an interface to configure",
    "routing": "Enable IP routing",
    "domain-name": "Define the default domain name",
    "$domain": "Default domain name",
    "remember": "Remember DHCP bindings across reloads",
    "snooping": "DHCP Snooping",
    "vlan": "DHCP Snooping vlan",
    "$vlans": "DHCP Snooping vlan first number or vlan range, example: 1,3-5,7,9-11",
    "information": "DHCP Snooping information",
    "option": "DHCP Snooping information option",
    "allow-untrusted": "DHCP Snooping information option allow-untrusted",
    "pool": "Configure DHCP address pools",
    "$pool": "Pool name",
    "ssh": "Configure ssh options",
    "scp": "Scp commands",
    "server": "Enable scp server",
    "enable": "Modify enable password parameters",
    "scp enable": "Enable scp server",
    "$rest": "Options",
    "version": "Version",
    "$version": "Version number",
    **interface_help("if"),
}

_CONFIG_COMMANDS = [
    Command("hostname ![WORD$name]", _hostname, help=_HELP, negatable=True),
    Command("enable <secret [0$type|5$type]|password [0$type|7$type]> LINE$value", _enable, help=_HELP,
            negatable=False),
    Command("enable <secret|password>", _enable, help=_HELP, only_negated=True),
    Command("username WORD$name [privilege <0-15>$privilege_level] "
            "<secret [0$type|5$type] LINE$value|password [0$type|7$type] LINE$value>", _username,
            help={**_HELP, "$name": "User name", "secret": "Specify the secret for the user",
                  "password": "Specify the password for the user"}),
    Command("username WORD$name", _username, help={**_HELP, "$name": "User name"}, only_negated=True),
    Command(f"interface {interface_spec('if')}", _interface, help=_HELP, negatable=True, opens_block=True),
    interface_range_command(),
    Command("ip routing", _ip_routing, help=_HELP, negatable=True),
    Command("ip domain-name ![WORD$name]", _ip_domain_name, help={**_HELP, "$name": "Default domain name"},
            negatable=True),
    Command("ip dhcp remember", _ip_dhcp_remember, help=_HELP, negatable=True),
    Command("ip dhcp snooping [vlan VLAN-LIST$vlans]", _ip_dhcp_snooping, help=_HELP, negatable=True),
    Command("ip dhcp snooping information option [allow-untrusted]",
            _verbatim("ip dhcp snooping information option"), help=_HELP, negatable=True),
    Command("ip dhcp pool WORD$name", _ip_dhcp_pool, help={**_HELP, "$name": "Pool name"}, negatable=True,
            opens_block=True),
    Command("ip ssh LINE$rest", _verbatim("ip ssh"), help=_HELP, negatable=True),
    Command("ip scp server enable", _verbatim("ip scp server enable"), help=_HELP, negatable=True),
    Command("version ![WORD$version]", _version, help=_HELP, hidden=True, negatable=True),
]


def config_mode() -> Mode:
    commands = [
        *config_mode_commands("Exit from configure mode", show_end=True),
        Command("help", lambda call: call.print("Help may be requested at any point in a command by entering\n"
                                                "a question mark '?'."),
                help={"help": "Description of the interactive help system"}),
        *_CONFIG_COMMANDS,
        *BANNER_COMMANDS,
        *LOGGING_COMMANDS,
        *VSTACK_CONFIG_COMMANDS,
        *LINE_COMMANDS,
        *CRYPTO_CONFIG_COMMANDS,
        *config_shadows("config", {**CONFIG_HELP, "logging": "Modify message logging facilities"}),
    ]
    return Mode("config", "(config)", "Configure commands:", "exec", commands)
