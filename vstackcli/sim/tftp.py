"""An asyncio TFTP client for simulated switches: one datagram socket per transfer, no thread.

``fetch`` streams a download into a ``sink`` callable (or just counts it): 500
switches fetching a 4 MiB image each must not hold 500 images in memory. It asks
for ``blksize`` and ``windowsize`` (RFC 2348, 7440) and ``tsize`` (RFC 2349, so a
full flash is refused before the transfer), and falls back to plain RFC 1350 when
the server refuses options. ``send`` uploads bytes (a configuration backup).
Errors are ``TftpError`` (``TftpTimeout`` when the server stops answering).
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import Callable

from vstackcli.net.tftp import packets as P
from vstackcli.net.tftp.client import TftpError, TftpTimeout
from vstackcli.net.tftp.packets import ErrorCode

__all__ = ["TftpError", "TftpTimeout", "fetch", "fetch_bytes", "send"]

_HDR = struct.Struct("!HH")
BLKSIZE = 1428  # fits a 1500-byte MTU with IP and UDP headers
WINDOW = 8


class _Socket(asyncio.DatagramProtocol):
    """A datagram endpoint whose packets land in a queue; the first reply fixes the server's port (TID)."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[bytes, tuple[str, int]]] = asyncio.Queue()
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        self.queue.put_nowait((data, addr))

    def error_received(self, exc: Exception) -> None:
        self.queue.put_nowait((b"", ("", 0)))  # ICMP port unreachable: seen as a lost packet


async def _open(local: str | None) -> _Socket:
    loop = asyncio.get_running_loop()
    _transport, proto = await loop.create_datagram_endpoint(_Socket, local_addr=(local or "0.0.0.0", 0))
    return proto


async def _recv(sock: _Socket, timeout: float, server: tuple[str, int] | None) -> tuple[bytes, tuple[str, int]] | None:
    """The next packet from the server (from its transfer port once known), or None on timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        left = deadline - loop.time()
        if left <= 0:
            return None
        try:  # a window's packets are usually queued already: no timer task for them
            data, addr = sock.queue.get_nowait()
        except asyncio.QueueEmpty:
            try:
                data, addr = await asyncio.wait_for(sock.queue.get(), left)
            except TimeoutError:
                return None
        if len(data) < 4:
            continue
        if server is not None and addr != server:
            continue  # another host or port: not our transfer (RFC 1350 would answer error 5)
        return data, addr


def _error(pkt: bytes) -> TftpError:
    code, message = P.parse_error(pkt)
    return TftpError(f"server error {code}: {message}", code, message)


async def fetch(host: str, port: int, path: str, sink: Callable[[bytes], None] | None = None, *,
                local: str | None = None, blksize: int = BLKSIZE, windowsize: int = WINDOW,
                timeout: float = 1.0, retries: int = 4, on_size: Callable[[int], None] | None = None,
                on_data: Callable[[int], None] | None = None) -> int:
    """Download ``path`` from ``host:port`` into ``sink``; return its size.

    ``on_size(tsize)`` may raise to refuse the file (the server is told "disk full");
    ``on_data(total)`` follows the progress, once per window.
    """
    options = {"blksize": str(blksize), "tsize": "0"}
    if windowsize > 1:
        options["windowsize"] = str(windowsize)
    try:
        return await _fetch(host, port, path, options, sink, local, timeout, retries, on_size, on_data)
    except TftpError as exc:
        if exc.code != ErrorCode.OPTIONS:
            raise
    return await _fetch(host, port, path, {}, sink, local, timeout, retries, on_size, on_data)


async def _fetch(host: str, port: int, path: str, options: dict[str, str], sink: Callable[[bytes], None] | None,
                 local: str | None, timeout: float, retries: int, on_size: Callable[[int], None] | None,
                 on_data: Callable[[int], None] | None) -> int:
    sock = await _open(local)
    transport = sock.transport
    assert transport is not None
    try:
        last, dest = P.request(P.RRQ, path, "octet", options), (host, port)
        transport.sendto(last, dest)
        server: tuple[str, int] | None = None
        blksize, window = 512, 1
        total, expected, since_ack, tries = 0, 1, 0, retries
        while True:
            got = await _recv(sock, timeout, server)
            if got is None:
                if tries <= 0:
                    raise TftpTimeout()
                tries -= 1
                if expected > 1:
                    last, since_ack = P.ack((expected - 1) & 0xFFFF), 0
                transport.sendto(last, server or dest)
                continue
            pkt, addr = got
            if server is None:
                server = addr
            opcode, block = _HDR.unpack_from(pkt)
            if opcode == P.ERROR:
                raise _error(pkt)
            if opcode == P.OACK and expected == 1:
                acked = P.parse_oack(pkt)
                blksize = int(acked.get("blksize", 512))
                window = int(acked.get("windowsize", 1))
                if "tsize" in acked and on_size is not None:
                    try:
                        on_size(int(acked["tsize"]))
                    except BaseException:
                        transport.sendto(P.error(ErrorCode.DISK_FULL), server)
                        raise
                last = P.ack(0)
                transport.sendto(last, server)
                tries = retries
                continue
            if opcode != P.DATA:
                continue
            if block != expected & 0xFFFF:
                if since_ack or ((block - expected) & 0xFFFF) < 0x8000:  # a gap: ask again from the last in order
                    last, since_ack = P.ack((expected - 1) & 0xFFFF), 0
                    transport.sendto(last, server)
                continue
            data = pkt[4:]
            if sink is not None:
                sink(data)
            total += len(data)
            expected += 1
            since_ack += 1
            tries = retries
            if len(data) < blksize:
                transport.sendto(P.ack(block), server)
                if on_data is not None:
                    on_data(total)
                return total
            if since_ack >= window:
                since_ack = 0
                last = P.ack(block)
                transport.sendto(last, server)
                if on_data is not None:
                    on_data(total)
    finally:
        transport.close()


async def fetch_bytes(host: str, port: int, path: str, *, cap: int | None = None, **kw) -> bytes:
    """Download a small file (image list, configuration) into memory; ``cap`` refuses larger ones."""
    parts: list[bytes] = []
    size = 0

    def keep(data: bytes) -> None:
        nonlocal size
        size += len(data)
        if cap is not None and size > cap:
            raise TftpError(f"{path}: larger than {cap} bytes")
        parts.append(data)

    await fetch(host, port, path, keep, **kw)
    return b"".join(parts)


async def send(host: str, port: int, path: str, data: bytes, *, local: str | None = None, blksize: int = BLKSIZE,
               timeout: float = 1.0, retries: int = 4) -> None:
    """Upload ``data`` as ``path`` (lock-step, with ``blksize`` when the server takes it)."""
    sock = await _open(local)
    transport = sock.transport
    assert transport is not None
    try:
        last, dest = P.request(P.WRQ, path, "octet", {"blksize": str(blksize), "tsize": str(len(data))}), (host, port)
        transport.sendto(last, dest)
        server: tuple[str, int] | None = None
        size, block, tries = 512, 0, retries
        while True:
            got = await _recv(sock, timeout, server)
            if got is None:
                if tries <= 0:
                    raise TftpTimeout()
                tries -= 1
                transport.sendto(last, server or dest)
                continue
            pkt, addr = got
            server = server or addr
            opcode, number = _HDR.unpack_from(pkt)
            if opcode == P.ERROR:
                raise _error(pkt)
            if opcode == P.OACK and block == 0:
                size = int(P.parse_oack(pkt).get("blksize", 512))
            elif opcode != P.ACK or number != block & 0xFFFF:
                continue
            chunk = data[block * size:(block + 1) * size]
            block += 1
            last = P.data_header(block & 0xFFFF) + chunk
            transport.sendto(last, server)
            tries = retries
            if len(chunk) < size:
                await _final_ack(sock, transport, last, server, block, timeout, retries)
                return
    finally:
        with contextlib.suppress(Exception):
            transport.close()


async def _final_ack(sock: _Socket, transport, last: bytes, server, block: int, timeout: float, retries: int) -> None:
    for _ in range(retries + 1):
        got = await _recv(sock, timeout, server)
        if got is None:
            transport.sendto(last, server)
            continue
        opcode, number = _HDR.unpack_from(got[0])
        if opcode == P.ERROR:
            raise _error(got[0])
        if opcode == P.ACK and number == block & 0xFFFF:
            return
    raise TftpTimeout()
