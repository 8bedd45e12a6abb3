"""``Director(config-vstack-group)#``: a built-in or custom Smart Install group.

``match`` takes the form of the custom group's kind: ``match mac H.H.H``,
``match host A.B.C.D interface IF``, ``match N FAMILY PORTS`` or ``match PID``;
built-in groups have no ``match``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vstackcli.engine.model import CustomGroup, StackMatch
from vstackcli.grammar.graph import Command
from vstackcli.modes.base import Call, CommandError, Mode, config_mode_commands
from vstackcli.modes.fragments import family_help, family_spec, interface_from, interface_help, interface_spec
from vstackcli.modes.vstack_config import file_url, warn_about_script

__all__ = ["vstack_group_mode"]


def _kind_is(kind: str) -> Callable[[Any], bool]:
    def available(session: Any) -> bool:
        target = session.frames[-1].target
        return isinstance(target, CustomGroup) and target.kind == kind

    return available


def _file(what: str):
    def handler(call: Call) -> None:
        setattr(call.target, what, None if call.negated else file_url(call, what))
        if what == "script" and not call.negated:
            warn_about_script(call, call.target.script)
        call.changed()

    return handler


def _toggle(items: list, item: object, negated: bool) -> None:
    if negated:
        if item in items:
            items.remove(item)
    elif item not in items:
        items.append(item)


def _match_mac(call: Call) -> None:
    _toggle(call.target.macs, call.arg("mac"), call.negated)
    call.changed()


def _match_host(call: Call) -> None:
    _toggle(call.target.hosts, (call.arg("host"), interface_from(call.args, "up")), call.negated)
    call.changed()


def _match_stack(call: Call) -> None:
    group: CustomGroup = call.target
    item = StackMatch(call.arg("switch"), call.arg("family"), call.arg("ports"))
    if call.negated:
        _toggle(group.stack, item, True)
    else:
        group.stack = [s for s in group.stack if s.switch != item.switch]
        group.stack.append(item)
        group.stack.sort(key=lambda s: s.switch)
    call.changed()


def _match_pid(call: Call) -> None:
    pid = call.arg("pid").upper()
    if not pid[:1].isalnum():
        raise CommandError(f"%Error: {call.arg('pid')} is not a product ID")
    _toggle(call.target.product_ids, pid, call.negated)
    call.changed()


_HELP = {
    "config": "The config file for the group",
    "image": "The image file for the group",
    "script": "The script file for the group",
    "$url": "Location of the file",
    "$file": "File name",
    "match": "Match criteria for the group",
    "mac": "Match a MAC address",
    "$mac": "MAC address of the client",
    "host": "Match the upstream neighbor",
    "$host": "IP address of the upstream neighbor",
    "interface": "Interface on the upstream neighbor",
    "$switch": "Switch number in the stack",
    "$pid": "Product ID, for example WS-C2960-48TC-L",
    **family_help(),
    **interface_help("up"),
}


def vstack_group_mode() -> Mode:
    commands = [
        *config_mode_commands("Exit from group-vstack config mode"),
        *[Command(f"{what} ![URL$url [WORD$file]]", _file(what), help=_HELP, negatable=True)
          for what in ("config", "image", "script")],
        Command("match mac H.H.H$mac", _match_mac, help=_HELP, negatable=True, available=_kind_is("mac")),
        Command(f"match host A.B.C.D$host interface {interface_spec('up')}", _match_host, help=_HELP,
                negatable=True, available=_kind_is("connectivity")),
        Command(f"match <1-9>$switch {family_spec()}", _match_stack, help=_HELP, negatable=True,
                available=_kind_is("stack")),
        Command("match WORD$pid", _match_pid, help=_HELP, negatable=True, available=_kind_is("product-id")),
    ]
    return Mode("config-vstack-group", "(config-vstack-group)", "Vstack group configuration commands:",
                "config", commands, list_default=False)
