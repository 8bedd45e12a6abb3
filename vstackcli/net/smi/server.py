"""What both Smart Install endpoints share: a TCP server with start/stop, a bounded frame
reader, logging of rejected messages, and a one-shot sender.

The reader follows the research's parser rules (section 5.3): it reads the
16-byte header a piece at a time and gives up as soon as the bytes cannot start
a header we accept, checks the declared length against the caps *before*
reading the body, then reads exactly that many bytes. Nothing is ever read past
a message's end, and nothing is allocated from an unchecked length.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
from collections.abc import Iterable

from vstackcli.engine.messages import smi
from vstackcli.engine.syslog import SystemLog
from vstackcli.net.smi import codec
from vstackcli.net.smi.codec import Header, Incomplete

__all__ = ["Frame", "Garbage", "SmiServer", "Truncated", "read_frame", "send_bytes"]

_pylog = logging.getLogger("vstackcli.net.smi")

Frame = tuple[Header, bytes]


class Garbage(codec.BadHeader):
    """Bytes that cannot start a Smart Install header; ``raw`` is what was read (at most 16 bytes)."""

    def __init__(self, raw: bytes):
        super().__init__(f"not a Smart Install header: {raw.hex()}")
        self.raw = raw

    @property
    def line_end(self) -> bool:
        """Only CR/LF: the line feed Metasploit appends to its probe (research 4.2)."""
        return not self.raw.strip(b"\r\n")


class Truncated(Incomplete):
    """The peer closed (or went idle) inside a message; ``header`` is set when it was complete."""

    def __init__(self, needed: int, header: Header | None = None, got: int = 0):
        super().__init__(needed)
        self.header = header
        self.got = got


async def read_frame(reader: asyncio.StreamReader, idle: float,
                     extra: dict[tuple[int, int, int], tuple[int, int]] | None = None) -> Frame | None:
    """The next (header, body) from the stream; None at a clean end of stream.

    Raises ``Malformed`` (with the header when it was complete) or ``Truncated``.
    """
    buf = b""
    while len(buf) < codec.HEADER_SIZE:
        try:
            chunk = await asyncio.wait_for(reader.read(codec.HEADER_SIZE - len(buf)), idle)
        except TimeoutError:
            if not buf:
                return None  # an idle connection: close it quietly
            raise Truncated(codec.HEADER_SIZE, got=len(buf)) from None
        if not chunk:
            if not buf:
                return None
            raise Truncated(codec.HEADER_SIZE, got=len(buf))
        buf += chunk
        if not codec.plausible_prefix(buf):
            raise Garbage(buf)
    header = codec.decode_header(buf)
    length = codec.check_header(header, extra)
    try:
        body = await asyncio.wait_for(reader.readexactly(length), idle)
    except asyncio.IncompleteReadError as exc:
        raise Truncated(codec.HEADER_SIZE + length, header, codec.HEADER_SIZE + len(exc.partial)) from None
    except TimeoutError:
        raise Truncated(codec.HEADER_SIZE + length, header) from None
    return header, body


def _ip(writer: asyncio.StreamWriter) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    peer = writer.get_extra_info("peername")
    try:
        return ipaddress.ip_address(peer[0]) if peer else None
    except ValueError:
        return None


async def send_bytes(host: str, port: int, payloads: Iterable[bytes], timeout: float = 5.0,
                     local: str | None = None) -> None:
    """Open a fresh connection (from ``local`` when given), write each payload in one write, close."""
    async with asyncio.timeout(timeout):
        _reader, writer = await asyncio.open_connection(host, port, local_addr=(local, 0) if local else None)
        try:
            for payload in payloads:
                writer.write(payload)
                await writer.drain()
            if writer.can_write_eof():
                writer.write_eof()
        finally:
            writer.close()
            with contextlib.suppress(OSError, ConnectionError):
                await writer.wait_closed()


class SmiServer:
    """A TCP listener on an explicit host and port; subclasses implement ``serve``.

    ``start()`` binds and returns the bound port (useful with port 0); ``stop()``
    closes the listener and aborts every open connection at once. The accept loop
    is our own (``sock_accept`` + ``connect_accepted_socket``) rather than
    ``asyncio.start_server``, whose server leaves a connection accepted during
    ``close()`` open until garbage collection (CPython 3.11).
    """

    role = "unknown"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, log: SystemLog | None = None,
                 idle_timeout: float = 30.0, max_connections: int = 64):
        self.host = host
        self.port = port
        self.log = log
        self.idle_timeout = idle_timeout
        self.max_connections = max_connections
        self._listener: socket.socket | None = None
        self._acceptor: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._room = asyncio.Event()  # set when a connection ends: the accept loop may take the next one
        self.rejected = 0  # messages rejected so far (tests and `show` counters)

    @property
    def listening(self) -> bool:
        return self._listener is not None

    @property
    def bound_port(self) -> int | None:
        return self._listener.getsockname()[1] if self._listener is not None else None

    async def start(self) -> int:
        if self._listener is None:
            family, kind, proto, _name, address = socket.getaddrinfo(
                self.host, self.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
            sock = socket.socket(family, kind, proto)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind(address)
                sock.listen(128)
                sock.setblocking(False)
            except OSError:
                sock.close()
                raise
            self._listener = sock
            self._acceptor = asyncio.get_running_loop().create_task(self._accept_loop(sock))
        port = self.bound_port
        assert port is not None
        return port

    async def stop(self) -> None:
        listener, self._listener = self._listener, None
        acceptor, self._acceptor = self._acceptor, None
        if acceptor is not None:
            acceptor.cancel()
            await asyncio.gather(acceptor, return_exceptions=True)
        if listener is not None:
            listener.close()  # connections still in the kernel's backlog are reset
        for writer in list(self._writers):
            writer.transport.abort()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _accept_loop(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while True:
            while len(self._writers) >= self.max_connections:  # back-pressure: the others wait in the backlog
                self._room.clear()
                await self._room.wait()
            try:
                conn, _address = await loop.sock_accept(listener)
            except OSError:
                if self._listener is not listener:
                    return
                await asyncio.sleep(0.05)  # EMFILE and friends: keep serving
                continue
            reader = asyncio.StreamReader(limit=2**16, loop=loop)
            protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
            try:
                transport, _ = await loop.connect_accepted_socket(lambda p=protocol: p, conn)
            except asyncio.CancelledError:
                conn.close()
                raise
            except OSError:
                conn.close()
                continue
            writer = asyncio.StreamWriter(transport, protocol, reader, loop)
            self._writers.add(writer)
            task = loop.create_task(self._connection(reader, writer))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self.serve(reader, writer)
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass
        except Exception:  # the endpoint keeps serving everyone else, whatever one peer did
            _pylog.exception("Smart Install %s connection failed", self.role)
        finally:
            self._writers.discard(writer)
            self._room.set()
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    def invalid(self, writer: asyncio.StreamWriter, error: Exception) -> None:
        """Log ``%SMI-6-SMI_INVALID_MESSAGE`` for a rejected message."""
        self.rejected += 1
        header = getattr(error, "header", None)
        sender = {codec.DIRECTOR: "IBD", codec.DIRECTOR_EXEC: "IBD", codec.CLIENT: "IBC"}
        chars = sender.get(header.msg_from, "unknown device") if header else "unknown device"
        fields = {"chars": chars, "inet": _ip(writer) or "0.0.0.0",
                  "version": header.version if header else "unknown",
                  "type": header.type if header else "unknown"}
        if self.log is not None:
            smi(self.log, "SMI_INVALID_MESSAGE", **fields)
        else:
            _pylog.info("invalid Smart Install message from %s: %s", fields["inet"], error)

    @staticmethod
    def peer_ip(writer: asyncio.StreamWriter) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        return _ip(writer)
