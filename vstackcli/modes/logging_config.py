"""``logging console|monitor|buffered``: the severity rules of system messages.

A message shows on the console (or a monitoring vty, or in the buffer) when its
severity number is at most the configured level: ``logging console warnings``
keeps %SMI-3 and %SMI-4 messages and drops %SMI-6 ones. Other ``logging`` lines
are kept verbatim.
"""

from __future__ import annotations

from vstackcli.engine.syslog import LEVEL_NAMES
from vstackcli.grammar.graph import Command
from vstackcli.modes.base import Call

__all__ = ["LOGGING_COMMANDS"]

_LEVELS = "[<0-7>$level|" + "|".join(f"{name}$level_name" for name in LEVEL_NAMES) + "]"
_LEVEL_HELP = {
    "emergencies": "System is unusable                (severity=0)",
    "alerts": "Immediate action needed           (severity=1)",
    "critical": "Critical conditions               (severity=2)",
    "errors": "Error conditions                  (severity=3)",
    "warnings": "Warning conditions                (severity=4)",
    "notifications": "Normal but significant conditions (severity=5)",
    "informational": "Informational messages            (severity=6)",
    "debugging": "Debugging messages                (severity=7)",
    "$level": "Logging severity level",
}


def _level(call: Call) -> int:
    if call.arg("level") is not None:
        return call.arg("level")
    name = call.arg("level_name")
    return LEVEL_NAMES.index(name) if name else 7


def _logging(call: Call) -> None:
    cfg = call.config
    where = "console" if call.arg("console") else ("monitor" if call.arg("monitor") else "buffered")
    if where == "buffered":
        if call.negated:
            cfg.logging_buffered = None
        else:
            cfg.logging_buffered = (call.arg("size") or 4096, _level(call))
        size, level = cfg.logging_buffered or (4096, 7)
        call.device.log.set_buffer(size, level if cfg.logging_buffered else 7)
    elif call.negated:
        setattr(cfg, f"logging_{where}", None)
    else:
        setattr(cfg, f"logging_{where}", _level(call))
    call.changed()


LOGGING_COMMANDS = [
    Command(f"logging <console|monitor> {_LEVELS}", _logging, negatable=True,
            help={"logging": "Modify message logging facilities", "console": "Set console logging parameters",
                  "monitor": "Set terminal line (monitor) logging parameters", **_LEVEL_HELP}),
    Command(f"logging buffered [<4096-2147483647>$size] {_LEVELS}", _logging, negatable=True,
            help={"logging": "Modify message logging facilities", "buffered": "Set buffered logging parameters",
                  "$size": "Logging buffer size", **_LEVEL_HELP}),
]
