"""One TFTP transfer each: downloads (``_ReadSession``) and uploads (``_WriteSession``) on their own
connected sockets, driven by the server's loops."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import time
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from vstackcli.engine.storage import FlashFull, StorageError
from vstackcli.net.tftp import mmsg
from vstackcli.net.tftp import packets as P
from vstackcli.net.tftp.common import (
    _ACK,
    _HDR,
    CHUNK_BYTES,
    TransferStats,
    _Refuse,
    log,
)
from vstackcli.net.tftp.packets import ErrorCode

if TYPE_CHECKING:
    from vstackcli.net.tftp.server import TftpServer, _Loop

def _grow_buffer(sock: socket.socket, option: int, window: int, blksize: int) -> None:
    """Room for two windows in the socket buffer (never shrink it: small datagrams cost ~1 KiB each)."""
    want = 2 * window * (blksize + 1024)
    with contextlib.suppress(OSError):
        if sock.getsockopt(socket.SOL_SOCKET, option) < want:
            sock.setsockopt(socket.SOL_SOCKET, option, want)


class _Session:
    """One transfer on its own connected socket.

    ``moved`` is set on progress (a new ACK, the next DATA block); the server's timer scan turns it into a
    fresh deadline and retry count, so the packet path never reads the clock.
    """

    recv_size = 1024

    def __init__(self, server: TftpServer, sock: socket.socket, peer: tuple, stats: TransferStats):
        self.server, self.sock, self.peer, self.stats = server, sock, peer, stats
        self.key: int | bytes = sock.fileno()  # how the loop finds the session: its socket, or its peer
        self.batch: mmsg.Batch | None = None  # the loop's shared socket, when the session uses it
        self.retries_left = server.retries
        self.deadline = time.monotonic() + stats.timeout
        self.moved = False
        self.done = False
        self.loop: _Loop | None = None

    def begin(self) -> None:
        raise NotImplementedError

    def handle(self, pkt: bytes) -> None:
        raise NotImplementedError

    def resend(self) -> None:
        raise NotImplementedError

    def readable(self) -> None:
        recv, size = self.sock.recv, self.recv_size
        while not self.done:
            try:
                pkt = recv(size)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # ICMP port unreachable: the client is gone
                self.finish("peer unreachable")
                return
            if len(pkt) < 4:
                continue
            if pkt[1] == P.ERROR and pkt[0] == 0:
                code, text = P.parse_error(pkt)
                self.finish(f"client error {code}: {text}")
                return
            self.handle(pkt)

    def expired(self, now: float) -> None:
        if self.retries_left <= 0:
            self.finish("timed out")
            return
        self.retries_left -= 1
        self.deadline = now + self.stats.timeout
        self.resend()

    def send_raw(self, pkt: bytes) -> None:
        if self.batch is None:
            self.sock.send(pkt)
        else:
            self.sock.sendto(pkt, self.peer)

    def send(self, pkt: bytes) -> None:
        try:
            self.send_raw(pkt)
        except (BlockingIOError, InterruptedError):
            pass  # the socket buffer is full: as good as lost, the timer resends
        except OSError:
            self.finish("peer unreachable")

    def fail(self, code: int, reason: str, message: str | None = None) -> None:
        self.send(P.error(code, message))
        self.finish(reason)

    def finish(self, error: str | None = None, code: int | None = None) -> None:
        if self.done:
            return
        if code is not None:
            with contextlib.suppress(OSError):
                self.send_raw(P.error(code))
        self.done = True
        self.stats.error = error
        self.release()
        self.server._close(self)
        s = self.stats
        if error is None:
            log.info("TFTP %s %s %s:%d %d bytes blksize %d window %d retransmits %d", s.direction, s.path,
                     s.peer[0], s.peer[1], s.bytes, s.blksize, s.windowsize, s.retransmits)
        else:
            log.info("TFTP %s %s %s:%d failed after %d bytes: %s", s.direction, s.path, s.peer[0], s.peer[1],
                     s.bytes, error)
        self.server._report(self.stats)

    def release(self) -> None:
        pass


class _ReadSession(_Session):
    """A download. The file's bytes come from the server's shared cache (one read per file, however many
    transfers), or for files too large for it from a chunk of at least ``CHUNK_BYTES`` read at a time; each
    DATA packet is a 4-byte header plus a slice of those bytes, sent on the connected socket or, on the shared
    socket, queued into the loop's next ``sendmmsg`` (iovecs into those bytes: no copy)."""

    def __init__(self, server: TftpServer, sock: socket.socket, peer: tuple, stats: TransferStats,
                 req: P.Request, path: Path, batch: mmsg.Batch | None = None):
        super().__init__(server, sock, peer, stats)
        self.fd = -1
        self.cache_key: tuple | None = None
        self.data: memoryview | None = None  # the whole file (cached or netascii), else None: chunks
        self.chunk, self.chunk_start = memoryview(b""), 0
        self.blob, self.blob_address = b"", 0  # with a batch: the bytes object under data or chunk, and where
        if not path.is_file():
            raise _Refuse(ErrorCode.NOT_FOUND, "no such file")
        try:
            fd = os.open(path.resolve(), os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError as e:
            if e.errno in (errno.ENOENT, errno.ENOTDIR):
                raise _Refuse(ErrorCode.NOT_FOUND, "no such file") from None
            raise _Refuse(ErrorCode.ACCESS, f"cannot open: {e.strerror}") from None
        try:
            if req.mode == "netascii":
                self.data = memoryview(P.netascii_encode(_read_all(fd, os.fstat(fd).st_size)))
                size = len(self.data)
            else:
                cached = server._cache_get(fd)
                if cached is not None:
                    self.cache_key, data = cached
                    self.data = memoryview(data)
                    size = len(data)
                else:
                    size = os.fstat(fd).st_size
        except OSError as e:
            os.close(fd)
            raise _Refuse(ErrorCode.ACCESS, f"cannot read: {e.strerror}") from None
        if self.data is None:
            self.fd = fd
        else:
            os.close(fd)
        stats.size = size
        self.oack = server._negotiate(req, stats, size)
        self.blksize = stats.blksize
        self.window = stats.windowsize
        self.nblocks = size // self.blksize + 1
        self.size = size
        self.acked = 0  # absolute number of the highest block acknowledged
        self.sent_upto = 0
        self.want = -1  # the ACK (16 bits) that acknowledges everything sent: the fast path
        self.dup_answered = -1
        self.oack_pending = bool(self.oack)
        self._send = sock.send
        if batch is not None:
            self.batch, self.key = batch, mmsg.peer_key(peer)
            self.sockaddr = mmsg.sockaddr_in(peer)
            if self.data is not None:
                self.blob = self.data.obj
                self.blob_address = mmsg.buffer_address(self.blob)
        elif self.window > 1:
            _grow_buffer(sock, socket.SO_SNDBUF, self.window, self.blksize)

    def begin(self) -> None:
        if self.oack_pending:
            self.send(P.oack(self.oack))
        else:
            self.send_window()

    def resend(self) -> None:
        if self.oack_pending:
            self.stats.retransmits += 1
            self.send(P.oack(self.oack))
        else:
            self.send_window()

    def readable(self) -> None:
        """One datagram per readiness event (epoll is level-triggered; a download only receives ACKs)."""
        try:
            pkt = self.sock.recv(1024)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:  # ICMP port unreachable: the client is gone
            self.finish("peer unreachable")
            return
        self.packet(pkt)

    def packet(self, pkt: bytes) -> None:
        """A datagram from the client."""
        if pkt[:2] == _ACK and len(pkt) >= 4:
            block = pkt[2] << 8 | pkt[3]
            if block == self.want:  # everything sent is acknowledged: the next window
                self.moved = True
                self.acked = self.sent_upto
                if self.acked >= self.nblocks:
                    self.finish()
                else:
                    self.send_window()
                return
            self.ack(block)
        elif len(pkt) >= 4:
            if pkt[1] == P.ERROR and pkt[0] == 0:
                code, text = P.parse_error(pkt)
                self.finish(f"client error {code}: {text}")
            else:
                self.fail(ErrorCode.ILLEGAL, f"unexpected opcode {_HDR.unpack_from(pkt)[0]}")

    def handle(self, pkt: bytes) -> None:
        opcode, block = _HDR.unpack_from(pkt)
        if opcode != P.ACK:
            self.fail(ErrorCode.ILLEGAL, f"unexpected opcode {opcode}")
            return
        self.ack(block)

    def ack(self, block: int) -> None:
        """Any ACK but the one that acknowledges the whole window."""
        if self.oack_pending:
            if block == 0:
                self.oack_pending = False
                self.moved = True
                self.send_window()
            else:
                self.stats.duplicates += 1
            return
        delta = (block - self.acked) & 0xFFFF
        if delta == 0 and self.window > 1 and self.sent_upto > self.acked and self.dup_answered != self.acked:
            # RFC 7440: the receiver lost the window's first block and says so by repeating its last ACK.
            # Answer that once per position; any further repeat waits for the timer (Sorcerer's Apprentice).
            self.stats.duplicates += 1
            self.dup_answered = self.acked
            self.send_window()
            return
        if delta == 0 or delta > self.sent_upto - self.acked:
            self.stats.duplicates += 1  # a stale or repeated ACK: never answer it (Sorcerer's Apprentice)
            return
        self.acked += delta
        if self.acked >= self.nblocks:
            self.finish()
            return
        self.moved = True
        self.send_window()

    def send_window(self) -> None:
        acked = self.acked
        last = acked + self.window
        if last > self.nblocks:
            last = self.nblocks
        bs = self.blksize
        if self.data is not None:
            view, pos = self.data, acked * bs
        else:
            view, pos = self._chunk(acked * bs, (last - acked) * bs)
            if view is None:
                return
        sent = self.sent_upto
        if acked < sent:
            self.stats.retransmits += min(last, sent) - acked
        if last > sent:
            self.sent_upto = last
            self.want = last & 0xFFFF
        if self.batch is not None:
            # queued into the loop's next sendmmsg: the header and the file's bytes where they are
            add, name, address, end = self.batch.add, self.sockaddr, self.blob_address, len(view)
            self.batch.keep.append(self.blob)
            for block in range(acked + 1, last + 1):
                add(name, block & 0xFFFF, address + pos, bs if pos + bs <= end else end - pos)
                pos += bs
            return
        send, pack = self._send, _HDR.pack
        try:
            for block in range(acked + 1, last + 1):
                send(pack(3, block & 0xFFFF) + view[pos:pos + bs])
                pos += bs
        except (BlockingIOError, InterruptedError):
            pass  # the rest of the window is lost; the client's ACK or our timer brings it back
        except OSError:
            self.finish("peer unreachable")

    def _chunk(self, start: int, length: int) -> tuple[memoryview | None, int]:
        """The bytes from ``start`` on (at least ``length`` of them, or up to the end of the file)."""
        c0, have = self.chunk_start, len(self.chunk)
        if c0 <= start and (start + length <= c0 + have or c0 + have >= self.size):
            return self.chunk, start - c0
        try:
            data = os.pread(self.fd, max(length, CHUNK_BYTES), start)
        except OSError as e:
            self.fail(ErrorCode.UNDEFINED, f"read error: {e.strerror}", "Read error")
            return None, 0
        self.chunk, self.chunk_start = memoryview(data), start
        if self.batch is not None:
            self.blob, self.blob_address = data, mmsg.buffer_address(data)
        return self.chunk, 0

    def release(self) -> None:
        self.stats.bytes = min(self.acked * self.blksize, self.size)
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.cache_key is not None:
            self.server._cache_put(self.cache_key)
            self.cache_key = None
        self.data = None
        self.chunk = memoryview(b"")
        self.blob = b""


def _read_all(fd: int, size: int) -> bytes:
    """The file's bytes (fewer when it shrank meanwhile)."""
    parts, pos = [], 0
    while pos < size:
        part = os.pread(fd, size - pos, pos)
        if not part:
            break
        parts.append(part)
        pos += len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


class _WriteSession(_Session):
    def __init__(self, server: TftpServer, sock: socket.socket, peer: tuple, stats: TransferStats,
                 req: P.Request, name: str, path: Path):
        super().__init__(server, sock, peer, stats)
        fs = server.fs
        relative = PurePosixPath(*path.relative_to(fs.root).parts)
        if not relative.parts or not server.write_policy.allows(relative):
            raise _Refuse(ErrorCode.ACCESS, "writes are not allowed there")
        if path.is_dir():
            raise _Refuse(ErrorCode.ACCESS, "is a directory")
        old = path.stat().st_size if path.is_file() else 0
        if old and not server.write_policy.overwrite:
            raise _Refuse(ErrorCode.EXISTS, "file exists")
        self.oack = server._negotiate(req, stats, None)
        self.allowance = fs.free() + old
        if stats.size is not None and stats.size > self.allowance:
            raise _Refuse(ErrorCode.DISK_FULL, "flash full")
        self.name, self.netascii = name, req.mode == "netascii"
        self.blksize, self.window = stats.blksize, stats.windowsize
        self.recv_size = self.blksize + 4
        self.buf = bytearray()
        self.expected = 1  # absolute number of the next block wanted
        self.since_ack = 0
        self.gap_acked = 0
        self.last = P.oack(self.oack) if self.oack else P.ack(0)
        if self.window > 1:
            _grow_buffer(sock, socket.SO_RCVBUF, self.window, self.blksize)

    def begin(self) -> None:
        self.send(self.last)

    def resend(self) -> None:
        self.stats.retransmits += 1
        if self.expected > 1:  # RFC 7440: on timeout, acknowledge the last block received in order
            self.since_ack = 0
            self._ack(self.expected - 1)
        else:
            self.send(self.last)

    def _ack(self, block: int) -> None:
        self.last = P.ack(block)
        self.send(self.last)

    def handle(self, pkt: bytes) -> None:
        opcode, block = _HDR.unpack_from(pkt)
        if opcode != P.DATA:
            self.fail(ErrorCode.ILLEGAL, f"unexpected opcode {opcode}")
            return
        delta = (block - self.expected) & 0xFFFF
        if delta != 0:
            self.stats.duplicates += 1
            if delta > 0x8000:  # an old block again: our ACK was lost, say where we are
                self._ack(self.expected - 1)
                self.since_ack = 0
            elif self.gap_acked != self.expected:  # a block lost inside a window: ACK once per gap
                self.gap_acked = self.expected
                self._ack(self.expected - 1)
                self.since_ack = 0
            return
        data = memoryview(pkt)[4:]
        if len(data) > self.blksize:
            self.fail(ErrorCode.ILLEGAL, "block larger than blksize")
            return
        self.buf += data
        self.stats.bytes = len(self.buf)
        if len(self.buf) > self.allowance:
            self.fail(ErrorCode.DISK_FULL, "flash full")
            return
        self.expected += 1
        self.since_ack += 1
        self.moved = True
        if len(data) < self.blksize:
            self.complete(block)
        elif self.since_ack >= self.window:
            self.since_ack = 0
            self._ack(block)

    def complete(self, block: int) -> None:
        data = bytes(self.buf)
        if self.netascii:
            data = P.netascii_decode(data)
        try:
            self.server.fs.write(self.name, data)
        except FlashFull:
            self.fail(ErrorCode.DISK_FULL, "flash full")
            return
        except (StorageError, OSError) as e:
            self.fail(ErrorCode.ACCESS, f"write failed: {e}")
            return
        self._ack(block)
        self.finish()

    def release(self) -> None:
        self.buf = bytearray()
