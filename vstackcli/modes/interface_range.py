"""``interface range gi1/0/1 - 24 , gi1/0/26``: ``Switch(config-if-range)#`` runs every interface command
on each interface of the range, as IOS does.

IOS's syntax: up to five comma-separated ranges, each an interface type, a slot prefix and a first port,
optionally ``- last`` (spaces around ``-`` and ``,`` optional), ranges within one slot. Every interface
named must exist (physical ports of the platform, SVIs and other virtual interfaces already created).
The running-config shows the interfaces one by one, as IOS's does: the range itself is not saved.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from vstackcli.engine.model import Interface, RunningConfig
from vstackcli.grammar.graph import Command
from vstackcli.grammar.values import InterfaceName, parse_interface
from vstackcli.modes.base import Call, CommandError, Mode, config_mode_commands

__all__ = ["MAX_RANGES", "interface_range_command", "interface_range_mode", "parse_range"]

MAX_RANGES = 5
_PART = re.compile(r"^([A-Za-z][A-Za-z\-]*?)\s*((?:\d+/)*)(\d+)\s*(?:-\s*(\d+))?$")
_PLAIN = ("exit", "end", "do LINE$line")  # commands of the mode itself, not run per interface


def parse_range(text: str) -> list[InterfaceName]:
    """The interfaces ``text`` names, in order; ``ValueError`` with IOS's complaint when it is malformed."""
    parts = [p.strip() for p in text.split(",")]
    if not text.strip() or any(not p for p in parts):
        raise ValueError("% Incomplete command.\n")
    if len(parts) > MAX_RANGES:
        raise ValueError(f"% Command rejected: a range list holds at most {MAX_RANGES} ranges")
    names: list[InterfaceName] = []
    for part in parts:
        m = _PART.match(part)
        if m is None:
            raise ValueError(f"% Invalid interface range: {part}")
        prefix, slot, first, last = m.group(1), m.group(2), int(m.group(3)), m.group(4)
        try:
            kind = parse_interface(f"{prefix}{slot}{first}").kind
        except ValueError:
            raise ValueError(f"% Invalid interface type in range: {prefix}") from None
        end = int(last) if last is not None else first
        if end < first:
            raise ValueError(f"% Invalid interface range: {part} (the last port is below the first)")
        names += [InterfaceName(kind, f"{slot}{n}") for n in range(first, end + 1)]
    return names


def _existing(cfg: RunningConfig, names: list[InterfaceName]) -> list[Interface]:
    missing = [n for n in names if n not in cfg.interfaces]
    if missing:
        raise CommandError(f"% Command rejected: interface {missing[0]} does not exist on this switch")
    unique = list(dict.fromkeys(names))
    return [cfg.interfaces[n] for n in unique]


def _interface_range(call: Call) -> None:
    try:
        names = parse_range(call.arg("spec", ""))
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    call.enter("config-if-range", _existing(call.config, names))


def interface_range_command() -> Command:
    """``interface range ...`` for global configuration mode."""
    return Command("interface range LINE$spec", _interface_range, opens_block=True,
                   help={"interface": "Select an interface to configure", "range": "interface range command",
                         "$spec": "Interface range, e.g. GigabitEthernet1/0/1 - 24 , GigabitEthernet1/0/26"})


def _each(handler: Callable[[Call], object]) -> Callable[[Call], None]:
    """Run an interface command's handler once per interface of the range (the first error stops it)."""
    def run(call: Call) -> None:
        targets: list[Interface] = call.target
        try:
            for intf in targets:
                call.target = intf
                handler(call)
        finally:
            call.target = targets

    return run


def interface_range_mode(interface_mode: Mode) -> Mode:
    """``config-if-range``: the interface mode's commands, each applied to every interface of the range."""
    commands = [*config_mode_commands("Exit from interface configuration mode")]
    for command in interface_mode.commands:
        if command.spec in _PLAIN or command.opens_block or command.handler is None:
            continue
        commands.append(dataclasses.replace(command, handler=_each(command.handler), starts=[], neg_starts=[]))
    return Mode("config-if-range", "(config-if-range)", "Interface range configuration commands:", "config",
                commands, shared_help=interface_mode.shared_help)
