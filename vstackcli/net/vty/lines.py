"""The live vty lines of a device: who is on vty0..vty15, from where, since when.

A telnet or SSH session claims the lowest free vty line that lets its transport in
(``transport input``); when every such line is taken the connection is refused
("line busy"). ``show users`` lists the console and the claimed lines. The
registry is shared by every server thread of a device, so it has its own lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from vstackcli.net.vty.per_device import PerDevice

__all__ = ["FIRST_VTY_LINE", "LineRegistry", "VtyLine", "format_idle", "registry", "session_closer"]

FIRST_VTY_LINE = 1  # absolute line number of vty 0: a Catalyst has `0 con 0` and no aux line


@dataclass(eq=False)
class VtyLine:
    """One claimed vty line."""

    index: int  # vty N
    transport: str  # "telnet" or "ssh"
    peer: tuple[str, int]
    user: str = ""
    started: float = field(default_factory=time.monotonic)
    last_input: float = field(default_factory=time.monotonic)
    closer: Callable[[], None] | None = None  # ends the session on this line (any thread); set by the terminal

    @property
    def name(self) -> str:
        return f"vty{self.index}"

    @property
    def number(self) -> int:
        return FIRST_VTY_LINE + self.index

    def touch(self) -> None:
        self.last_input = time.monotonic()

    def idle(self) -> float:
        return time.monotonic() - self.last_input

    def close(self) -> None:
        """End the session on this line (``clear line``); the session releases the line as it ends."""
        if self.closer is not None:
            self.closer()


def session_closer() -> Callable[[], None]:
    """A closer for the session the running task serves: cancels that task from any thread.

    The transports let the cancellation end the session quietly: the line is released and the
    connection closed (the telnet peer sees the server close; the SSH channel exits).
    """
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None

    def close() -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the session is over already
            loop.call_soon_threadsafe(task.cancel)

    return close


class LineRegistry:
    """The claimed vty lines of one device."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lines: dict[int, VtyLine] = {}
        self._uses: dict[int, int] = {}  # vty N: sessions that claimed it since boot (`show line`'s Uses)

    def claim(self, allowed: list[int], transport: str, peer: tuple[str, int]) -> VtyLine | None:
        """Take the lowest free line among ``allowed``; None when all are busy."""
        with self._lock:
            for index in allowed:
                if index not in self._lines:
                    line = VtyLine(index, transport, peer)
                    self._lines[index] = line
                    self._uses[index] = self._uses.get(index, 0) + 1
                    return line
        return None

    def release(self, line: VtyLine) -> None:
        with self._lock:
            if self._lines.get(line.index) is line:
                del self._lines[line.index]

    def active(self) -> list[VtyLine]:
        with self._lock:
            return [self._lines[i] for i in sorted(self._lines)]

    def at(self, index: int) -> VtyLine | None:
        """The claimed line vty ``index``, if any."""
        with self._lock:
            return self._lines.get(index)

    def uses(self, index: int) -> int:
        """How many sessions have claimed vty ``index`` since the registry was made (boot)."""
        with self._lock:
            return self._uses.get(index, 0)

    def clear(self, index: int) -> bool:
        """``clear line``: end the session on vty ``index`` and free the line; False when it was free."""
        with self._lock:
            line = self._lines.pop(index, None)
        if line is None:
            return False
        line.close()
        return True

    def get(self, name: str) -> VtyLine | None:
        """The claimed line called ``name`` ("vty3"), if any."""
        with self._lock:
            for line in self._lines.values():
                if line.name == name:
                    return line
        return None


registry: PerDevice[LineRegistry] = PerDevice(lambda _device: LineRegistry())  # the vty lines of a device


def format_idle(seconds: float) -> str:
    """``show users``'s idle column: hh:mm:ss."""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
