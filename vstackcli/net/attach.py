"""``vstack attach``: the director's telnet client into a client switch's vty.

The guide: "To attach to a client, the client switch must be configured for
telnet service and have a configured enable password." So attaching is a telnet
session from the director to the client, as IOS's own ``telnet`` command makes
one: ``Trying 10.0.0.1 ... Open``, then whatever the client's vty says (its
``User Access Verification``), until the client closes the connection
(``[Connection to 10.0.0.1 closed by foreign host]``).

``AttachConnection`` is the client side of RFC 854: it agrees to the server's
echo and suppress-go-ahead (RFC 857, 858), tells its window size when asked
(NAWS, RFC 1073), refuses every other option (``net/vty/telnet_stream.TelnetClientParser``,
the vty server's state machine with the client's answers), strips IAC sequences from
what it reads and doubles 0xFF in what it sends. The front-ends (console, batch, vty)
pump bytes through it; none of them needs to know telnet.
"""

from __future__ import annotations

import asyncio
import contextlib
import select
import socket
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from vstackcli.net.vty.telnet_stream import TelnetClientParser, read_data

__all__ = ["ESCAPE", "AttachConnection", "AttachTarget", "attach_lines", "closed_text", "pump", "refused_text",
           "trying_text"]

CONNECT_TIMEOUT = 5.0
ESCAPE = b"\x1e"  # Ctrl-^ (Ctrl-Shift-6) then x: IOS's escape from a telnet session
QUIET = 0.4  # batch mode: the client is done answering when it says nothing for this long
ANSWER_LIMIT = 30.0  # batch mode: at most this long for one answer


@dataclass(frozen=True)
class AttachTarget:
    """Where ``vstack attach`` connects: ``address`` is what the operator sees, ``host``/``port`` the wire."""

    address: str
    host: str
    port: int


def trying_text(target: AttachTarget) -> str:
    return f"Trying {target.address} ... "


def refused_text(exc: BaseException) -> str:
    """IOS's words for a connection that did not open."""
    if isinstance(exc, TimeoutError):
        return "% Connection timed out; remote host not responding"
    return "% Connection refused by remote host"


def closed_text(target: AttachTarget, local: bool = False) -> str:
    return f"[Connection to {target.address} closed by {'local' if local else 'foreign'} host]"


class AttachConnection:
    """One open telnet connection to a client's vty."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, parser: TelnetClientParser):
        self.reader = reader
        self.writer = writer
        self.parser = parser

    @classmethod
    async def open(cls, target: AttachTarget, width: int = 80, height: int = 24,
                   timeout: float = CONNECT_TIMEOUT) -> AttachConnection:
        """Connect; raises ``TimeoutError`` or ``OSError`` (see ``refused_text``)."""
        reader, writer = await asyncio.wait_for(asyncio.open_connection(target.host, target.port), timeout)
        return cls(reader, writer, TelnetClientParser(width, height or 24))

    async def read(self) -> bytes:
        """The next data from the client switch; b"" when it closed the connection."""
        return await read_data(self.reader, self.parser, self._write)

    def send(self, data: bytes) -> None:
        """What the operator typed."""
        self._write(data.replace(b"\xff", b"\xff\xff"))

    def resize(self, width: int, height: int) -> None:
        self.parser.width, self.parser.height = width, height
        if self.parser.naws:
            self._write(self.parser.window())

    def _write(self, data: bytes) -> None:
        if not self.writer.is_closing():
            self.writer.write(data)

    async def drain(self) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            await self.writer.drain()

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.writer.wait_closed(), 2)


async def pump(conn: AttachConnection, read_input: Callable[[], Awaitable[bytes]],
               write_output: Callable[[bytes], None]) -> bool:
    """Join the operator's terminal to the connection until either side ends it.

    ``read_input`` returns what the operator typed (b"" when the terminal went away). Returns True when the
    operator ended it (Ctrl-^ x, or the terminal closed), False when the client switch closed the connection.
    """
    async def from_switch() -> None:
        while data := await conn.read():
            write_output(data)

    remote = asyncio.ensure_future(from_switch())
    escaped = False
    try:
        while not remote.done():
            typed = asyncio.ensure_future(read_input())
            await asyncio.wait({typed, remote}, return_when=asyncio.FIRST_COMPLETED)
            if not typed.done():
                typed.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await typed
                break
            data = typed.result()
            if not data:
                return True
            if escaped and data[:1] in (b"x", b"X"):
                return True
            escaped = data.endswith(ESCAPE)
            conn.send(data.replace(ESCAPE, b""))
            await conn.drain()
        return False
    finally:
        remote.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await remote
        await conn.close()


def _answer(sock: socket.socket, parser: TelnetClientParser) -> tuple[bytes, bool]:
    """What the client says until it falls quiet (or closes: the flag)."""
    out = bytearray()
    deadline = time.monotonic() + ANSWER_LIMIT
    while time.monotonic() < deadline:
        ready, _, _ = select.select([sock], [], [], QUIET)
        if not ready:
            break
        try:
            chunk = sock.recv(65536)
        except OSError:
            return bytes(out), True
        if not chunk:
            return bytes(out), True
        data, replies = parser.feed(chunk)
        if replies:
            with contextlib.suppress(OSError):
                sock.sendall(replies)
        out += data
    return bytes(out), False


def attach_lines(target: AttachTarget, lines: Iterator[str], write: Callable[[str], None]) -> None:
    """Batch mode: the next input lines go to the client switch, one at a time, each after the client fell
    quiet, until it closes the connection; the transcript is what the client sends back."""
    write(trying_text(target))
    try:
        sock = socket.create_connection((target.host, target.port), timeout=CONNECT_TIMEOUT)
    except OSError as exc:
        write("\n" + refused_text(exc) + "\n\n")
        return
    write("Open\n")
    parser = TelnetClientParser(80, 24)

    def show(data: bytes) -> None:
        text = data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "").replace("\x00", "")
        write(text)

    with sock:
        data, closed = _answer(sock, parser)
        show(data)
        for raw in lines if not closed else ():
            try:
                sock.sendall(raw.rstrip("\r\n").encode("utf-8", "replace").replace(b"\xff", b"\xff\xff")
                             + b"\r\n")
            except OSError:
                break
            data, closed = _answer(sock, parser)
            show(data)
            if closed:
                break
    write("\n" + closed_text(target) + "\n")
