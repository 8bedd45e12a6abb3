"""System messages: typed events, one formatter, a buffer and subscribers.

The engine logs ``%FACILITY-SEVERITY-MNEMONIC: text`` messages here; consoles
and vty sessions subscribe to see them as they happen (``terminal monitor``),
and ``show logging`` reads the buffer.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from vstackcli.engine.clock import Clock

__all__ = ["LEVEL_NAMES", "LogMessage", "SystemLog", "shown_at"]

LEVEL_NAMES = ("emergencies", "alerts", "critical", "errors", "warnings", "notifications", "informational",
               "debugging")


def shown_at(level: int | None, message: LogMessage) -> bool:
    """Whether a message passes a ``logging console|monitor LEVEL`` setting (None: that logging is off)."""
    return level is not None and message.severity <= level


@dataclass(frozen=True)
class LogMessage:
    when: datetime
    facility: str
    severity: int
    mnemonic: str
    text: str

    @property
    def tag(self) -> str:
        return f"%{self.facility}-{self.severity}-{self.mnemonic}"

    def format(self, timestamps: bool = True) -> str:
        body = f"{self.tag}: {self.text}"
        if not timestamps:
            return body
        w = self.when
        stamp = f"*{w:%b} {w.day:2d} {w:%H:%M:%S}.{w.microsecond // 1000:03d}"
        return f"{stamp}: {body}"


Subscriber = Callable[[LogMessage], None]


class SystemLog:
    """The logging buffer of one device."""

    def __init__(self, clock: Clock, size: int = 4096):
        self.clock = clock
        self.buffer: deque[LogMessage] = deque(maxlen=size)
        self.buffer_level = 7
        self.logged = 0
        self._subscribers: list[Subscriber] = []

    def set_buffer(self, size: int, level: int) -> None:
        """``logging buffered SIZE LEVEL``: the buffer keeps the newest messages up to that severity."""
        self.buffer = deque(self.buffer, maxlen=max(1, size // 64))
        self.buffer_level = level

    def log(self, facility: str, severity: int, mnemonic: str, text: str) -> LogMessage:
        message = LogMessage(self.clock.now(), facility, severity, mnemonic, text)
        if severity <= self.buffer_level:
            self.buffer.append(message)
        self.logged += 1
        for subscriber in list(self._subscribers):
            subscriber(message)
        return message

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber) if subscriber in self._subscribers else None
