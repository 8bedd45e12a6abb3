"""The telnet server: RFC 854 option negotiation around a vty session.

The server offers to echo and to suppress go-ahead (RFC 857, 858) and asks for
the window size (NAWS, RFC 1073), strips every IAC command and subnegotiation
from the input (``IAC IAC`` is a 0xFF data byte), refuses other options, doubles
0xFF in the output, and hands the clean byte stream to ``serve_terminal``.
Connections are refused at once when no ``line vty`` takes telnet (``transport
input``), when the address is blocked after failed logins, or when every line
is busy.

``TelnetBackend`` runs the server on its own event-loop thread: by default on
127.0.0.1 on a free port; with ``--interface`` on port 23 of the director address.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable

from vstackcli.engine.backend import ClientCommand, DesiredState
from vstackcli.engine.device import Device
from vstackcli.net.vty.telnet_stream import GREETING, TelnetParser, read_data
from vstackcli.net.vty.terminal import serve_terminal

__all__ = ["TelnetBackend", "TelnetIO", "TelnetParser", "TelnetServer"]

log = logging.getLogger(__name__)

class TelnetIO:
    """A ``TerminalIO`` over one telnet connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader = reader
        self.writer = writer
        self.parser = TelnetParser()
        sockname = writer.get_extra_info("sockname")
        self.local_port = sockname[1] if sockname else 23

    @property
    def width(self) -> int | None:
        return self.parser.width

    @property
    def height(self) -> int | None:
        return self.parser.height

    async def read(self) -> bytes:
        return await read_data(self.reader, self.parser, self.write_raw)

    def write_raw(self, data: bytes) -> None:
        if not self.writer.is_closing():
            self.writer.write(data)

    def write(self, data: bytes) -> None:
        self.write_raw(data.replace(b"\xff", b"\xff\xff"))

    async def drain(self) -> None:
        await self.writer.drain()

    def close(self) -> None:
        self.writer.close()


class TelnetServer:
    """Listens for telnet connections and runs a vty session for each."""

    def __init__(self, device: Device | Callable[[], Device], host: str = "127.0.0.1", port: int = 0):
        self._device = device  # a Device, or a factory called at the first connection (simulated switches)
        self.host = host
        self.port = port
        self.server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def device(self) -> Device:
        if not isinstance(self._device, Device):
            self._device = self._device()
        return self._device

    async def start(self) -> tuple[str, int]:
        self.server = await asyncio.start_server(self._connected, self.host, self.port, reuse_address=True)
        self.port = self.server.sockets[0].getsockname()[1]
        return self.host, self.port

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        peer = writer.get_extra_info("peername") or ("?", 0)
        io = TelnetIO(reader, writer)
        try:
            io.write_raw(GREETING)
            await serve_terminal(self.device, io, peer=(str(peer[0]), int(peer[1])), transport="telnet")
        except asyncio.CancelledError:  # the server stops: the session ends here (asyncio's stream
            pass  # callback would report a cancelled connection task as an error)
        except Exception:  # serve_terminal never raises; this is the last guard of the listener
            log.exception("telnet connection from %s failed", peer)
        finally:
            with contextlib.suppress(Exception):
                writer.close()
            if task is not None:
                self._tasks.discard(task)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=2)


class TelnetBackend:
    """The telnet server of a running director, on its own event-loop thread."""

    def __init__(self, device: Device, interface: str | None = None):
        self.device = device
        self.interface = interface
        self.server: TelnetServer | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="vstackcli-vty", daemon=True)
        self._thread.start()
        if interface is None:
            self._listen("127.0.0.1", 0)

    @property
    def address(self) -> tuple[str, int] | None:
        return (self.server.host, self.server.port) if self.server is not None else None

    def _run(self, coro, timeout: float = 10.0):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def _listen(self, host: str, port: int) -> None:
        server = TelnetServer(self.device, host, port)
        try:
            self._run(server.start())
        except OSError as exc:
            log.warning("telnet server cannot listen on %s:%s: %s", host, port, exc)
            return
        self.server = server

    def apply(self, desired: DesiredState) -> None:
        """With real ports, follow the director address (port 23); on loopback, keep listening."""
        if self.interface is None:
            return
        host = str(desired.director_ip) if desired.director_ip is not None else None
        if self.server is not None and self.server.host == host:
            return
        self._close_server()
        if host is not None:
            self._listen(host, 23)

    def send(self, command: ClientCommand) -> None:
        raise ConnectionError("telnet does not carry client commands")

    def _close_server(self) -> None:
        if self.server is not None:
            with contextlib.suppress(Exception):
                self._run(self.server.stop(), 5)
            self.server = None

    def stop(self) -> None:
        self._close_server()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self._loop.close()
