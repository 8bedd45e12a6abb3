"""The telnet byte stream, both sides (RFC 854): data apart from option negotiation.

``TelnetParser`` is the server's (vty) parser; ``TelnetClientParser`` is the client's
(``vstack attach``): the same state machine, other answers. ``read_data`` is the one loop
both sides run over an asyncio stream. The server, the attach client and tests share this
module without importing each other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

__all__ = ["DO", "DONT", "ECHO", "GREETING", "IAC", "NAWS", "SB", "SE", "SGA", "WILL", "WONT", "TelnetClientParser",
           "TelnetParser", "read_data"]

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
ECHO, SGA, NAWS = 1, 3, 31
GREETING = bytes([IAC, WILL, ECHO, IAC, WILL, SGA, IAC, DO, NAWS])
_OURS = {ECHO, SGA}  # options we do (WILL)
_THEIRS = {NAWS}  # options we ask the peer to do (DO)
_MAX_SUBNEGOTIATION = 64


class TelnetParser:
    """Splits a telnet byte stream into data and commands; answers option requests."""

    def __init__(self) -> None:
        self.state = "data"
        self.verb = 0
        self.sub = bytearray()
        self.width: int | None = None
        self.height: int | None = None
        self._answered: set[tuple[int, int]] = set()

    def feed(self, chunk: bytes) -> tuple[bytes, bytes]:
        """Return ``(data, replies)``: the data bytes of ``chunk`` and the negotiation bytes to send back."""
        data = bytearray()
        replies = bytearray()
        for b in chunk:
            state = self.state
            if state == "data":
                if b == IAC:
                    self.state = "iac"
                else:
                    data.append(b)
            elif state == "iac":
                if b == IAC:
                    data.append(IAC)
                    self.state = "data"
                elif b in (DO, DONT, WILL, WONT):
                    self.verb = b
                    self.state = "option"
                elif b == SB:
                    self.sub.clear()
                    self.state = "sb"
                else:  # NOP, AYT, GA, BRK...: nothing to do
                    self.state = "data"
            elif state == "option":
                replies += self._negotiate(self.verb, b)
                self.state = "data"
            elif state == "sb":
                if b == IAC:
                    self.state = "sb-iac"
                elif len(self.sub) < _MAX_SUBNEGOTIATION:
                    self.sub.append(b)
            elif state == "sb-iac":
                if b == SE:
                    self._subnegotiation(bytes(self.sub))
                    self.state = "data"
                else:  # IAC IAC inside a subnegotiation is a 0xFF byte
                    if len(self.sub) < _MAX_SUBNEGOTIATION:
                        self.sub.append(b)
                    self.state = "sb"
        return bytes(data), bytes(replies)

    def _negotiate(self, verb: int, option: int) -> bytes:
        if verb in (DONT, WONT):  # a refusal, or the end of an option we never turned on: nothing to answer
            return b""
        ours = verb == DO
        answer = (WILL if option in _OURS else WONT) if ours else (DO if option in _THEIRS else DONT)
        if answer in (WILL, DO):  # we offered these first: agreement needs no answer (RFC 854's loop rule)
            return b""
        if (answer, option) in self._answered:
            return b""
        self._answered.add((answer, option))
        return bytes([IAC, answer, option])

    def _subnegotiation(self, sub: bytes) -> None:
        if len(sub) == 5 and sub[0] == NAWS:
            self.width = int.from_bytes(sub[1:3], "big") or None
            self.height = int.from_bytes(sub[3:5], "big") or None


class TelnetClientParser(TelnetParser):
    """The client side: agrees to the server's echo and suppress-go-ahead, tells its window size when asked
    (NAWS), refuses every other option; ``window()`` is the NAWS subnegotiation for the current size."""

    def __init__(self, width: int = 80, height: int = 24):
        super().__init__()
        self.width, self.height = width, height
        self.naws = False  # the server asked for the window size and we agreed

    def _negotiate(self, verb: int, option: int) -> bytes:
        if verb in (DONT, WONT):
            if option == NAWS:
                self.naws = False
            return b""
        agree = {WILL: (DO, (ECHO, SGA), DONT), DO: (WILL, (NAWS,), WONT)}[verb]
        answer = agree[0] if option in agree[1] else agree[2]
        if (answer, option) in self._answered:
            return b""
        self._answered.add((answer, option))
        reply = bytes([IAC, answer, option])
        if answer == WILL and option == NAWS:
            self.naws = True
            reply += self.window()
        return reply

    def _subnegotiation(self, sub: bytes) -> None:
        """A server sends none a client must act on."""

    def window(self) -> bytes:
        size = (self.width or 80).to_bytes(2, "big") + (self.height or 24).to_bytes(2, "big")
        return bytes([IAC, SB, NAWS]) + size.replace(b"\xff", b"\xff\xff") + bytes([IAC, SE])


class _Parser(Protocol):
    def feed(self, chunk: bytes) -> tuple[bytes, bytes]: ...


async def read_data(reader: asyncio.StreamReader, parser: _Parser, reply: Callable[[bytes], None]) -> bytes:
    """The next data bytes of a telnet stream, answering its negotiation through ``reply``; b"" at its end."""
    while True:
        try:
            chunk = await reader.read(4096)
        except (ConnectionError, OSError):
            return b""
        if not chunk:
            return b""
        data, replies = parser.feed(chunk)
        if replies:
            reply(replies)
        if data:
            return data
