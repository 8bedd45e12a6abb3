"""``show line`` (the table of the terminal lines, or one line in detail) and ``clear line`` (end a session).

A Catalyst numbers its lines absolutely: ``0`` is the console (CTY), vty N is line ``N + 1``
(``lines.FIRST_VTY_LINE``). Which vty lines are in use, and how many sessions each has had
(``Uses``), comes from the live line registry (``net/vty/lines.py``); lengths, widths, timeouts
and transports from the running-config's ``line`` settings. ``clear line`` asks ``[confirm]``
and then ends the session on that line through the closer its terminal registered.
"""

from __future__ import annotations

import time

from vstackcli.engine.model import VTY_LINES, LineSettings
from vstackcli.grammar.graph import Command
from vstackcli.modes.base import Call, CommandError, Question
from vstackcli.modes.files import confirm
from vstackcli.modes.show import SHOW_HELP
from vstackcli.net.vty.lines import FIRST_VTY_LINE, LineRegistry, VtyLine, format_idle, registry

__all__ = ["SHOW_LINE_COMMANDS", "line_row", "own_line"]

LAST_LINE = FIRST_VTY_LINE + VTY_LINES - 1  # 16: vty 15
HEADER = "   Tty Typ     Tx/Rx    A Modem  Roty AccO AccI   Uses   Noise  Overruns   Int"
CONSOLE_SPEED = "9600/9600"


def line_row(active: bool, number: int, kind: str, speed: str, uses: int) -> str:
    """One row of the ``show line`` table, in IOS's columns."""
    return (f"{'*' if active else ' '}{number:>5} {kind} {speed:>11}  -    -      -    -    -  {uses:>5}"
            "       0     0/0       -")


def own_line(call: Call) -> int | None:
    """The absolute number of the line the asking session is on (None: not a terminal line)."""
    name = call.session.line
    if name == "console":
        return 0
    if name.startswith("vty") and name[3:].isdigit():
        return FIRST_VTY_LINE + int(name[3:])
    return None


def _settings(call: Call, number: int) -> LineSettings:
    if number == 0:
        return call.config.console
    return call.config.vty[number - FIRST_VTY_LINE]


def _row(call: Call, lines: LineRegistry, number: int) -> str:
    if number == 0:
        return line_row(True, 0, "CTY", CONSOLE_SPEED, 0)
    index = number - FIRST_VTY_LINE
    return line_row(lines.at(index) is not None, number, "VTY", "", lines.uses(index))


def _timeout(settings: LineSettings) -> str:
    minutes, seconds = settings.exec_timeout
    total = minutes * 60 + seconds
    return format_idle(total) if total else "never"


def _transports(settings: LineSettings) -> str:
    value = settings.transport_input
    if value == "all":
        return "telnet ssh"
    return value


def _detail(call: Call, lines: LineRegistry, number: int) -> list[str]:
    """The ``show line N`` block after the table row."""
    settings = _settings(call, number)
    claimed: VtyLine | None = None if number == 0 else lines.at(number - FIRST_VTY_LINE)
    active = number == 0 or claimed is not None
    length = 24 if settings.length is None else settings.length
    width = 80 if settings.width is None else settings.width
    editing = True
    if own_line(call) == number:  # `terminal length/width/no editing` change the line for the session
        length, width, editing = call.session.length, call.session.width, call.session.editing
    if number == 0:
        baud = f"Baud rate (TX/RX) is {CONSOLE_SPEED}, no parity, 1 stopbits, 8 databits"
        status, modem = "PSI Enabled, Ready, Active, No Exit Banner", "Ready"
        since = format_idle(call.device.uptime_seconds())
        transports = "none"
    else:
        baud = f"Baud rate (TX/RX) is {CONSOLE_SPEED}"
        status = "Ready, Active, No Exit Banner" if active else "No Exit Banner"
        modem = "Ready" if active else "Idle"
        since = format_idle(time.monotonic() - claimed.started) if claimed is not None else "never"
        transports = _transports(settings)
    out = [
        f"Tty {number}, Line {number}, Location: \"\", Type: \"\"",
        f"Length: {length} lines, Width: {width} columns",
        baud,
        f"Status: {status}",
        "Capabilities: none",
        f"Modem state: {modem}",
    ]
    if number == 0:
        out.append("Modem hardware state: CTS* noDSR  DTR RTS")
    out += [
        "Group codes:    0",
        "Special Chars: Escape  Hold  Stop  Start  Disconnect  Activation",
        "                ^^x    none   -     -       none",
        "Timeouts:      Idle EXEC    Idle Session   Modem Answer  Session   Dispatch",
        f"               {_timeout(settings):<16}never                        none     not set",
        "                            Idle Session Disconnect Warning",
        "                              never",
        "                            Login-sequence User Response",
        "                             00:00:30",
        "                            Autoselect Initial Wait",
        "                              not set",
        "Modem type is unknown.",
        "Session limit is not set.",
        f"Time since activation: {since}",
        f"Editing is {'enabled' if editing else 'disabled'}.",
        "History is enabled, history size is 20.",
        "DNS resolution in show commands is enabled",
        "Full user help is disabled",
        f"Allowed input transports are {transports}.",
        f"Allowed output transports are {'none' if number == 0 else 'telnet ssh'}.",
        "Preferred transport is none.",
        "No output characters are padded",
        "No special data dispatching characters",
    ]
    return out


def _selected(call: Call) -> tuple[int, int] | None:
    """The absolute line range ``show line`` was given; None for the whole table."""
    if call.arg("console"):
        return 0, 0
    if call.arg("vty"):
        first = call.arg("vfirst")
        last = call.arg("vlast", first)
        offset = FIRST_VTY_LINE
    elif call.arg("first") is not None:
        first = call.arg("first")
        last = call.arg("last", first)
        offset = 0
    else:
        return None
    if last < first:
        raise CommandError("%Invalid line range")
    return first + offset, last + offset


def _show_line(call: Call) -> None:
    lines = registry(call.device)
    selected = _selected(call)
    if selected is None:
        call.print(HEADER)
        for number in range(LAST_LINE + 1):
            call.print(_row(call, lines, number))
        call.print()
        return
    first, last = selected
    for number in range(first, last + 1):
        call.print(HEADER)
        call.print(_row(call, lines, number))
        call.print()
        call.out.extend(_detail(call, lines, number))
        call.print()


def _clear_line(call: Call) -> Question | None:
    if call.arg("console"):
        number = 0
    elif call.arg("vty"):
        number = FIRST_VTY_LINE + call.arg("vty_index")
    else:
        number = call.arg("number")
    if own_line(call) == number:
        raise CommandError("% Not allowed to clear current line")
    if number == 0:  # the console is the operator's own terminal here: no session to end from a vty
        raise CommandError(f"% Line {number} not available for clearing")
    lines = registry(call.device)

    def clear() -> None:
        lines.clear(number - FIRST_VTY_LINE)
        call.print(" [OK]")

    return confirm("[confirm]", clear)


_HELP = {
    **SHOW_HELP,
    "line": "TTY line information",
    "$first": "First Line range",
    "$last": "Last Line range",
    "console": "Primary terminal line",
    "$con": "First Line range",
    "vty": "Virtual terminal",
    "$vfirst": "First Line range",
    "$vlast": "Last Line range",
}

_CLEAR_HELP = {
    "clear": "Reset functions",
    "line": "Reset a terminal line",
    "$number": "Line number",
    "console": "Primary terminal line",
    "$con": "Line number",
    "vty": "Virtual terminal",
    "$vty_index": "Line number",
}

SHOW_LINE_COMMANDS = [
    Command(f"show line [<0-{LAST_LINE}>$first [<1-{LAST_LINE}>$last]|console$console <0-0>$con"
            f"|vty$vty <0-{VTY_LINES - 1}>$vfirst [<1-{VTY_LINES - 1}>$vlast]]", _show_line, help=_HELP, pipe=True),
    Command(f"clear line <<0-{LAST_LINE}>$number|console$console <0-0>$con|vty$vty <0-{VTY_LINES - 1}>$vty_index>",
            _clear_line, help=_CLEAR_HELP, privilege=15),
]
