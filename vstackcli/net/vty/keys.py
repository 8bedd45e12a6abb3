"""Bytes from a vty peer as keys, and system messages as events between them.

A pump task reads the transport; ``Keys.next`` hands out one key at a time:
CR LF, CR NUL, a lone CR and a lone LF are each one Enter (``"\\r"``), NUL is
ignored, and an escape sequence (arrow keys: ``ESC [ A``) is one key. Other
threads post system messages with ``post``; ``next`` returns ``MESSAGE`` when
some are waiting, so the terminal can print them between keys.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vstackcli.net.vty.terminal import TerminalIO

__all__ = ["ENTER", "MESSAGE", "Keys"]

ENTER = "\r"
MESSAGE = "\x00message"  # not a key: system messages are waiting
_QUEUED_CHUNKS = 64  # reads waiting to be consumed before the pump stops reading (backpressure)
_MAX_MESSAGES = 256  # system messages kept for a slow session; older ones are dropped


class Keys:
    """The key stream of one session."""

    def __init__(self, io: TerminalIO):
        self.io = io
        self._loop = asyncio.get_running_loop()
        self._chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._room = asyncio.Event()
        self._data = b""
        self._pos = 0
        self._after_cr = False
        self.eof = False
        self._messages: deque[object] = deque(maxlen=_MAX_MESSAGES)
        self._messages_lock = threading.Lock()
        self._woken = False
        self.before_wait: Callable[[], Awaitable[None]] | None = None
        self._pump_task = asyncio.ensure_future(self._pump())

    async def _pump(self) -> None:
        try:
            while True:
                while self._chunks.qsize() >= _QUEUED_CHUNKS:
                    self._room.clear()
                    await self._room.wait()
                data = await self.io.read()
                self._chunks.put_nowait(data)
                if not data:
                    return
        except asyncio.CancelledError:
            raise
        except Exception:
            self._chunks.put_nowait(b"")

    def close(self) -> None:
        self._pump_task.cancel()

    # ---- system messages, from any thread ---------------------------------------------------------

    def post(self, message: object) -> None:
        with self._messages_lock:
            self._messages.append(message)
            if self._woken:  # one wake-up token at a time, however many messages come
                return
            self._woken = True
        with contextlib.suppress(RuntimeError):  # a closed loop: the session is over
            self._loop.call_soon_threadsafe(self._chunks.put_nowait, None)

    def take_messages(self) -> list[object]:
        with self._messages_lock:
            taken = list(self._messages)
            self._messages.clear()
        return taken

    def has_messages(self) -> bool:
        return bool(self._messages)

    # ---- keys -------------------------------------------------------------------------------------

    def _byte(self) -> int | None:
        if self._pos < len(self._data):
            b = self._data[self._pos]
            self._pos += 1
            return b
        return None

    async def _fill(self, timeout: float | None) -> str | None:
        """Wait for more bytes; returns MESSAGE, "" at EOF or timeout, or None when bytes arrived.

        ``before_wait`` (set by the terminal: send queued output) runs first, as the session is about to block.
        """
        while True:
            if self.eof:
                return ""
            if self.before_wait is not None:
                await self.before_wait()
            chunk = await asyncio.wait_for(self._chunks.get(), timeout) if timeout else await self._chunks.get()
            self._room.set()
            if chunk is None:
                with self._messages_lock:
                    self._woken = False
                if self.has_messages():
                    return MESSAGE
                continue
            if not chunk:
                self.eof = True
                return ""
            self._data = self._data[self._pos:] + chunk
            self._pos = 0
            return None

    async def next(self, timeout: float | None = None, messages: bool = True) -> str:
        """The next key, MESSAGE (when ``messages``), or "" at EOF.

        Raises ``TimeoutError`` after ``timeout`` seconds without input.
        """
        while True:
            if messages and self.has_messages():
                return MESSAGE
            b = self._byte()
            if b is None:
                event = await self._fill(timeout)
                if event == MESSAGE and not messages:
                    continue
                if event is not None:
                    return event
                continue
            if self._after_cr:
                self._after_cr = False
                if b in (0x0A, 0x00):
                    continue
            if b == 0x0D:
                self._after_cr = True
                return ENTER
            if b == 0x0A:
                return ENTER
            if b == 0x00:
                continue
            if b == 0x1B:
                return await self._escape(timeout)
            return chr(b)

    async def _escape(self, timeout: float | None) -> str:
        seq = "\x1b"
        while True:
            b = self._byte()
            if b is None:
                if await self._fill(timeout) == "":
                    return seq
                continue
            seq += chr(b)
            if len(seq) == 2 and chr(b) not in "[O":
                return seq
            if (len(seq) > 2 and 0x40 <= b <= 0x7E) or len(seq) > 8:
                return seq
