"""``Switch(config-line)#``: terminal lines (``line con 0``, ``line vty 0 15``).

Each line has its own settings (``LineSettings``); a command typed under a range
changes every line of the range, and the running-config groups consecutive equal
lines back into ranges as IOS does (``line vty 0 4``, ``line vty 5 15``).
``login``, ``login local``, ``password``, ``transport input``, ``privilege
level``, ``exec-timeout``, ``length``, ``width`` and ``logging synchronous`` are
modelled (the vty servers read them); other line commands are kept verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass

from vstackcli.engine.model import VTY_LINES, LineSettings, RunningConfig
from vstackcli.grammar.graph import Command
from vstackcli.modes.base import Call, CommandError, Mode, config_mode_commands

__all__ = ["LINE_COMMANDS", "LineRange", "line_mode"]


@dataclass(frozen=True)
class LineRange:
    """What a ``line`` command selected: the console, or vty ``first``..``last``."""

    kind: str  # "con" or "vty"
    first: int
    last: int

    def settings(self, config: RunningConfig) -> list[LineSettings]:
        if self.kind == "con":
            return [config.console]
        return config.vty[self.first:self.last + 1]


def _line(call: Call) -> None:
    if call.arg("console"):
        target = LineRange("con", 0, 0)
    else:
        first = call.arg("first")
        last = call.arg("last", first)
        if last < first:
            raise CommandError("%Invalid line range")
        target = LineRange("vty", first, last)
    if call.negated:
        if target.kind == "vty":  # `no line vty 5 15`: the lines go back to their defaults
            for i in range(target.first, target.last + 1):
                call.config.vty[i] = LineSettings(login="line")
            call.changed()
        return
    call.enter("config-line", target)


def _each(call: Call) -> list[LineSettings]:
    return call.target.settings(call.config)


def _login(call: Call) -> None:
    mode = "" if call.negated else ("local" if call.arg("local") else "line")
    for line in _each(call):
        line.login = mode
    call.changed()


def _password(call: Call) -> None:
    if call.negated:
        stored = ""
    else:
        value = call.arg("value")
        if len(value) > 25 and call.arg("type") != "7":
            raise CommandError("% Password too long - must be 25 characters or less")
        stored = f"7 {value}" if call.arg("type") == "7" else value
    for line in _each(call):
        line.password = stored
    call.changed()


def _transport_input(call: Call) -> None:
    if call.negated or call.arg("all"):
        value = "all"
    elif call.arg("none"):
        value = "none"
    elif call.arg("ssh"):
        value = "ssh telnet" if call.arg("ssh2") else "ssh"
    else:
        value = "telnet ssh" if call.arg("telnet2") else "telnet"
    for line in _each(call):
        line.transport_input = value
    call.changed()


def _privilege(call: Call) -> None:
    for line in _each(call):
        level = None if call.negated else call.arg("level")
        line.privilege = None if level == 1 else level
    call.changed()


def _exec_timeout(call: Call) -> None:
    timeout = (10, 0) if call.negated else (call.arg("minutes"), call.arg("seconds", 0))
    for line in _each(call):
        line.exec_timeout = timeout
    call.changed()


def _length(call: Call) -> None:
    for line in _each(call):
        length = None if call.negated else call.arg("length")
        line.length = None if length == 24 else length
    call.changed()


def _width(call: Call) -> None:
    for line in _each(call):
        width = None if call.negated else call.arg("width")
        line.width = None if width == 80 else width
    call.changed()


def _logging_synchronous(call: Call) -> None:
    for line in _each(call):
        line.logging_synchronous = not call.negated
    call.changed()


def _verbatim(call: Call) -> None:
    text = call.arg("line").strip()
    key = text.removeprefix("no ")
    if call.negated:
        text = "no " + text
    for line in _each(call):
        line.extra[:] = [x for x in line.extra if x.removeprefix("no ") != key]
        if not call.negated:
            line.extra.append(text)
    call.changed()


_HELP = {
    "line": "Configure a terminal line",
    "console": "Primary terminal line",
    "vty": "Virtual terminal",
    "$first": "First Line number",
    "$last": "Last Line number",
    "$con": "First Line number",
    "login": "Enable password checking",
    "local": "Local password checking",
    "password": "Set a password",
    "0": "Specifies an UNENCRYPTED password will follow",
    "7": "Specifies a HIDDEN password will follow",
    "$value": "The UNENCRYPTED (cleartext) line password",
    "transport": "Define transport protocols for line",
    "input": "Define which protocols to use when connecting to the terminal server",
    "all": "All protocols",
    "none": "No protocols",
    "ssh": "TCP/IP SSH protocol",
    "telnet": "TCP/IP Telnet protocol",
    "$ssh2": "TCP/IP Telnet protocol",
    "$telnet2": "TCP/IP SSH protocol",
    "privilege": "Change privilege level for line",
    "level": "Assign default privilege level for line",
    "$level": "Default privilege level for line",
    "exec-timeout": "Set the EXEC timeout",
    "$minutes": "Timeout in minutes",
    "$seconds": "Timeout in seconds",
    "length": "Set number of lines on a screen",
    "$length": "Number of lines on screen (0 for no pausing)",
    "width": "Set width of the display terminal",
    "$width": "Number of characters on a screen line",
    "logging": "Modify message logging facilities",
    "synchronous": "Synchronized message output",
    "$line": "Line configuration command (kept verbatim)",
}

LINE_COMMANDS = [
    Command(f"line <console$console <0-0>$con|vty <0-{VTY_LINES - 1}>$first [<1-{VTY_LINES - 1}>$last]>", _line,
            help=_HELP, negatable=True, opens_block=True),
]


def line_mode() -> Mode:
    commands = [
        *config_mode_commands("Exit from line configuration mode"),
        Command("login [local]", _login, help=_HELP, negatable=True),
        Command("password ![[0$type|7$type] LINE$value]", _password, help=_HELP, negatable=True),
        Command("transport input ![all$all|none$none|ssh$ssh [telnet$ssh2]|telnet$telnet [ssh$telnet2]]",
                _transport_input, help=_HELP, negatable=True),
        Command("privilege level ![<0-15>$level]", _privilege, help=_HELP, negatable=True),
        Command("exec-timeout ![<0-35791>$minutes [<0-2147483>$seconds]]", _exec_timeout, help=_HELP,
                negatable=True),
        Command("length ![<0-512>$length]", _length, help=_HELP, negatable=True),
        Command("width ![<0-512>$width]", _width, help=_HELP, negatable=True),
        Command("logging synchronous", _logging_synchronous, help=_HELP, negatable=True),
        Command("LINE$line", _verbatim, help=_HELP, negatable=True, hidden=True),
    ]
    mode = Mode("config-line", "(config-line)", "Line configuration commands:", "config", commands)
    mode.opaque = True  # unmodelled line commands stay here; an unindented modelled global line leaves
    return mode
