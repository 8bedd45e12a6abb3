"""What a mode is, what a handler receives, and the commands every config mode shares.

A mode is data: a name, a prompt suffix, an explicit parent, a help title and a
list of commands. Handlers get one ``Call``: the typed arguments, the session,
the running-config and an output list. They change modes through the call and
ask questions by returning a ``Question``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vstackcli.grammar.graph import Command
from vstackcli.grammar.match import ModeGraph

if TYPE_CHECKING:
    from vstackcli.engine.device import Device
    from vstackcli.engine.model import RunningConfig
    from vstackcli.shell.session import Session

__all__ = ["Call", "CommandError", "Mode", "Question", "config_mode_commands"]


class CommandError(Exception):
    """A command that matched but was refused; the text is printed as IOS would."""


@dataclass
class Question:
    """A prompt the shell must ask before the command can finish.

    ``answer`` receives the typed line and may print through the call, raise
    ``CommandError``, or return another ``Question``.
    """

    prompt: str
    answer: Callable[[str], Question | None]
    secret: bool = False


@dataclass
class Mode:
    name: str
    prompt: str  # what goes between the hostname and '#': "(config)", "(config-if)"; "" for exec
    title: str  # the header `?` prints at the start of a line
    parent: str | None
    commands: list[Command]
    shared_help: dict[str, str] = field(default_factory=dict)
    negation: bool = True
    list_default: bool = True  # IOS lists `default` in `?` (the vstack submodes do not)
    opaque: bool = False  # lines are kept verbatim under the block that opened the mode
    _graph: ModeGraph | None = field(default=None, repr=False)

    @property
    def graph(self) -> ModeGraph:
        if self._graph is None:
            self._graph = ModeGraph(self.commands, self.shared_help, self.negation, self.list_default)
        return self._graph


@dataclass
class Call:
    """One matched command being carried out."""

    session: Session
    args: dict[str, Any]
    negated: bool = False
    default: bool = False
    target: Any = None  # what the current submode edits: an Interface, a group, a pool
    out: list[str] = field(default_factory=list)
    attach: Any = None  # a telnet connection the front-end must open after the output (``vstack attach``)

    @property
    def device(self) -> Device:
        return self.session.device

    @property
    def config(self) -> RunningConfig:
        return self.session.device.config

    def arg(self, name: str, default: Any = None) -> Any:
        return self.args.get(name, default)

    def print(self, text: str = "") -> None:
        self.out.extend(text.split("\n"))

    def enter(self, mode: str, target: Any = None) -> None:
        self.session.push_mode(mode, target)

    def changed(self) -> None:
        """Record a configuration change, for the running-config's change line."""
        self.device.mark_changed(self.session.user)


def _exit(call: Call) -> None:
    call.session.exit_mode()


def _end(call: Call) -> None:
    call.session.end_config()


def config_mode_commands(exit_help: str, *, show_end: bool = False) -> list[Command]:
    """``exit``, ``end``, ``do`` and ``help``: installed into every configuration mode.

    IOS lists ``end`` and ``do`` only in global configuration; submodes accept them unlisted.
    """
    return [
        Command("exit", _exit, help={"exit": exit_help}),
        Command("end", _end, help={"end": "Exit from configure mode"}, hidden=not show_end),
        Command("do LINE$line", None, help={"do": "To run exec commands in config mode", "$line": "Exec Command"},
                hidden=not show_end),
    ]
