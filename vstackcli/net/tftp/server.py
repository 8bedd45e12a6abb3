"""The director's TFTP server: serves ``flash:`` and accepts client backups into allowed directories.

One thread runs an ``epoll`` loop over the listening socket and one connected UDP socket per transfer
(the transfer ID of RFC 1350). Sessions are found by descriptor in a dict, timers are checked by a scan
every few tens of milliseconds, and nothing is logged per packet, so hundreds of transfers at once cost
little more than the packets themselves. Options: blksize (RFC 2348), tsize and timeout (RFC 2349),
windowsize (RFC 7440, both directions); modes octet and netascii.

Why not tftpy's ``TftpServer``: it negotiates neither ``timeout`` nor ``windowsize``, its ``listen()`` loop
is one method built on ``select()`` (no descriptor above 1024) with a linear scan of every session per
packet, and its states assume one block in flight. Adding windowsize means replacing the loop, the states
and the option code, that is all of it; ``bench/tftp.py`` measures tftpy next to this server.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import select
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from vstackcli.engine.storage import FileSystem, FlashFull, StorageError
from vstackcli.net.tftp import packets as P
from vstackcli.net.tftp.packets import ErrorCode

__all__ = ["TftpServer", "TransferStats", "WritePolicy"]

log = logging.getLogger("vstackcli.net.tftp")

_HDR = struct.Struct("!HH")
MIN_BLKSIZE, MAX_BLKSIZE = 8, 65464
DEFAULT_BLKSIZE = 512
SCAN_INTERVAL = 0.05


@dataclass
class TransferStats:
    """What one transfer did; handed to the server's ``on_transfer`` callback when it ends."""

    peer: tuple[str, int]
    path: str
    direction: str  # "read" or "write"
    mode: str = "octet"
    bytes: int = 0
    size: int | None = None  # the whole file (read) or the announced tsize (write)
    blksize: int = DEFAULT_BLKSIZE
    windowsize: int = 1
    timeout: float = 1.0
    options: dict[str, str] = field(default_factory=dict)  # what the OACK carried
    retransmits: int = 0  # blocks (read) or ACKs (write) sent again
    duplicates: int = 0  # stale ACKs (read) or DATA blocks out of order or repeated (write)
    error: str | None = None  # None on success
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class WritePolicy:
    """Where uploads may land: directories relative to the served root ("" is the root itself).

    Nested directories below an allowed one are allowed too; everything else is refused with
    "Access violation". ``overwrite`` lets a backup replace the file of the same name.
    """

    directories: tuple[str, ...] = ("vstack",)
    overwrite: bool = True

    def allows(self, relative: PurePosixPath) -> bool:
        for d in self.directories:
            base = PurePosixPath(d.strip("/")) if d.strip("/") else PurePosixPath(".")
            if base == PurePosixPath(".") or base == relative.parent or base in relative.parents:
                return True
        return False


class _Refuse(Exception):
    def __init__(self, code: int, reason: str, message: str | None = None):
        super().__init__(reason)
        self.code, self.reason, self.message = code, reason, message


class TftpServer:
    """Serve a :class:`FileSystem` over TFTP.

    ``TftpServer(device.storage.flash, host="127.0.0.1", port=0)``; ``start()`` binds and runs the loop in
    a daemon thread, ``port`` is then the bound port, ``stop()`` ends every transfer and closes the sockets.
    Give ``root`` (and ``capacity``) instead of a file system to serve a plain directory.
    """

    def __init__(self, fs: FileSystem | None = None, *, root: Path | None = None, capacity: int | None = None,
                 host: str = "127.0.0.1", port: int = 0, write_policy: WritePolicy | None = None,
                 timeout: float = 1.0, retries: int = 5, max_blksize: int = MAX_BLKSIZE,
                 max_windowsize: int = 64, max_window_bytes: int = 65536, max_sessions: int = 4096,
                 on_transfer: Callable[[TransferStats], None] | None = None):
        if fs is None:
            if root is None:
                raise ValueError("give a FileSystem or a root directory")
            fs = FileSystem("tftp:", Path(root), capacity if capacity is not None else 1 << 62)
        self.fs = fs
        self.host, self._requested_port = host, port
        self.write_policy = write_policy if write_policy is not None else WritePolicy()
        self.timeout, self.retries = timeout, retries
        self.max_blksize = max(MIN_BLKSIZE, min(max_blksize, MAX_BLKSIZE))
        self.max_windowsize = max(1, max_windowsize)
        self.max_window_bytes = max_window_bytes
        self.max_sessions = max_sessions
        self.on_transfer = on_transfer
        self._sock: socket.socket | None = None
        self._family = socket.AF_INET
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._sessions: dict[int, _Session] = {}
        self._peers: set[tuple] = set()
        self._epoll: select.epoll | None = None
        self.port: int | None = None

    # -- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> TftpServer:
        if self._thread is not None:
            raise RuntimeError("already started")
        info = socket.getaddrinfo(self.host, self._requested_port, type=socket.SOCK_DGRAM)[0]
        self._family = info[0]
        sock = socket.socket(self._family, socket.SOCK_DGRAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            sock.bind(info[4])
            sock.setblocking(False)
        except BaseException:
            sock.close()
            raise
        self._sock = sock
        self.port = sock.getsockname()[1]
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._epoll = select.epoll()
        self._epoll.register(sock.fileno(), select.EPOLLIN)
        self._epoll.register(self._wake_r.fileno(), select.EPOLLIN)
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=f"tftp-{self.port}", daemon=True)
        self._thread.start()
        log.info("TFTP server on %s port %d serving %s", self.host, self.port, self.fs.root)
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stopping = True
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")
        self._thread.join(10)
        self._thread = None
        for s in list(self._sessions.values()):
            s.finish("server stopped")
        for sock in (self._sock, self._wake_r, self._wake_w):
            if sock is not None:
                sock.close()
        if self._epoll is not None:
            self._epoll.close()
        self._sock = self._wake_r = self._wake_w = self._epoll = None

    def __enter__(self) -> TftpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def active(self) -> int:
        """Transfers in progress."""
        return len(self._sessions)

    # -- the loop -------------------------------------------------------------------------------------

    def _run(self) -> None:
        listen_fd = self._sock.fileno()
        wake_fd = self._wake_r.fileno()
        sessions = self._sessions
        poll = self._epoll.poll
        next_scan = time.monotonic() + SCAN_INTERVAL
        while not self._stopping:
            try:
                events = poll(SCAN_INTERVAL if sessions else 1.0)
            except InterruptedError:
                continue
            for fd, _mask in events:
                s = sessions.get(fd)
                if s is not None:
                    try:
                        s.readable()
                    except Exception:
                        log.exception("TFTP session %s failed", s.stats.path)
                        s.finish("internal error", ErrorCode.UNDEFINED)
                elif fd == listen_fd:
                    self._accept()
                elif fd == wake_fd:
                    with contextlib.suppress(OSError):
                        self._wake_r.recv(64)
            now = time.monotonic()
            if now >= next_scan:
                next_scan = now + SCAN_INTERVAL
                for s in [s for s in sessions.values() if s.deadline <= now]:
                    try:
                        s.expired()
                    except Exception:
                        log.exception("TFTP session %s failed", s.stats.path)
                        s.finish("internal error", ErrorCode.UNDEFINED)

    def _accept(self) -> None:
        while True:
            try:
                pkt, peer = self._sock.recvfrom(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return  # e.g. an ICMP error queued on the listening socket
            try:
                self._request(pkt, peer)
            except Exception:
                log.exception("TFTP request from %s failed", peer)

    def _reply_error(self, peer: tuple, code: int, message: str | None = None) -> None:
        with contextlib.suppress(OSError):
            self._sock.sendto(P.error(code, message), peer)

    def _request(self, pkt: bytes, peer: tuple) -> None:
        try:
            req = P.parse_request(pkt)
        except P.PacketError as e:
            if len(pkt) >= 2 and pkt[1] == P.ERROR and pkt[0] == 0:
                return  # never answer an error with an error
            log.debug("bad request from %s: %s", peer, e)
            self._reply_error(peer, ErrorCode.ILLEGAL)
            return
        if peer in self._peers:
            return  # a retransmitted request for a transfer already running
        direction = "read" if req.opcode == P.RRQ else "write"
        shown = req.filename.decode("utf-8", "replace")
        stats = TransferStats(peer=peer[:2], path=shown, direction=direction, mode=req.mode,
                              timeout=self.timeout)
        if len(self._sessions) >= self.max_sessions:
            stats.error = "server busy"
            self._reply_error(peer, ErrorCode.UNDEFINED, "Server busy")
            self._report(stats)
            return
        try:
            if req.mode not in ("octet", "netascii"):
                raise _Refuse(ErrorCode.ILLEGAL, f"mode {req.mode} refused", "Unsupported mode")
            name, path = self._resolve(req.filename)
            stats.path = name
            sock = self._session_socket(peer)
            try:
                if direction == "read":
                    session: _Session = _ReadSession(self, sock, peer, stats, req, path)
                else:
                    session = _WriteSession(self, sock, peer, stats, req, name, path)
            except BaseException:
                sock.close()
                raise
        except _Refuse as r:
            stats.error = r.reason
            log.info("TFTP %s %s from %s refused: %s", direction, shown, peer[0], r.reason)
            self._reply_error(peer, r.code, r.message)
            self._report(stats)
            return
        log.debug("TFTP %s %s from %s options %s", direction, stats.path, peer, stats.options)
        self._sessions[sock.fileno()] = session
        self._peers.add(peer)
        self._epoll.register(sock.fileno(), select.EPOLLIN)
        session.begin()

    def _session_socket(self, peer: tuple) -> socket.socket:
        sock = socket.socket(self._family, socket.SOCK_DGRAM)
        try:
            local = self._sock.getsockname()[0]
            sock.bind((local, 0) if self._family == socket.AF_INET else (local, 0, 0, 0))
            sock.connect(peer)
            sock.setblocking(False)
        except OSError as e:
            sock.close()
            raise _Refuse(ErrorCode.UNDEFINED, f"no socket: {e}", "Server busy") from e
        return sock

    def _resolve(self, raw: bytes) -> tuple[str, Path]:
        """The file name as the file system knows it, and its path; refuse anything leaving the root."""
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _Refuse(ErrorCode.ACCESS, "file name is not UTF-8") from None
        if any(ord(c) < 32 or ord(c) == 127 for c in name):
            raise _Refuse(ErrorCode.ACCESS, "control character in file name")
        name = name.replace("\\", "/").lstrip("/")  # absolute means relative to the served root
        try:
            path = self.fs.path(name)
        except StorageError:
            raise _Refuse(ErrorCode.ACCESS, "path leaves the served root") from None
        return name, path

    def _close(self, session: _Session) -> None:
        fd = session.sock.fileno()
        if self._sessions.pop(fd, None) is not None:
            with contextlib.suppress(OSError, ValueError):
                self._epoll.unregister(fd)
        self._peers.discard(session.peer)
        session.sock.close()

    def _report(self, stats: TransferStats) -> None:
        stats.seconds = time.monotonic() - stats.started
        if self.on_transfer is not None:
            try:
                self.on_transfer(stats)
            except Exception:
                log.exception("TFTP transfer callback failed")

    def _negotiate(self, req: P.Request, stats: TransferStats, tsize: int | None) -> dict[str, str]:
        """The options we accept, as the OACK will carry them; sets the session's parameters in ``stats``."""
        accepted: dict[str, str] = {}
        for name, value in req.options.items():
            try:
                n = int(value)
            except ValueError:
                continue
            if name == "blksize" and n >= MIN_BLKSIZE:
                stats.blksize = min(n, self.max_blksize)
                accepted["blksize"] = str(stats.blksize)
            elif name == "tsize" and n >= 0:
                if req.opcode == P.RRQ and tsize is not None:
                    accepted["tsize"] = str(tsize)
                elif req.opcode == P.WRQ:
                    stats.size = n
                    accepted["tsize"] = str(n)
            elif name == "timeout" and 1 <= n <= 255:
                stats.timeout = float(n)
                accepted["timeout"] = str(n)
            elif name == "windowsize" and 1 <= n <= 65535:
                stats.windowsize = max(1, min(n, self.max_windowsize))
                accepted["windowsize"] = str(stats.windowsize)
        if "windowsize" in accepted:
            # a window must fit the receiver's default socket buffer (~208 KiB, ~16 KiB per 8 KiB datagram)
            stats.windowsize = max(1, min(stats.windowsize, self.max_window_bytes // stats.blksize))
            accepted["windowsize"] = str(stats.windowsize)
        stats.options = accepted
        return accepted


def _grow_buffer(sock: socket.socket, option: int, window: int, blksize: int) -> None:
    """Room for two windows in the socket buffer (never shrink it: small datagrams cost ~1 KiB each)."""
    want = 2 * window * (blksize + 1024)
    with contextlib.suppress(OSError):
        if sock.getsockopt(socket.SOL_SOCKET, option) < want:
            sock.setsockopt(socket.SOL_SOCKET, option, want)


class _Session:
    """One transfer on its own connected socket."""

    def __init__(self, server: TftpServer, sock: socket.socket, peer: tuple, stats: TransferStats):
        self.server, self.sock, self.peer, self.stats = server, sock, peer, stats
        self.retries_left = server.retries
        self.deadline = time.monotonic() + stats.timeout
        self.done = False

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

    def progress(self) -> None:
        self.retries_left = self.server.retries
        self.deadline = time.monotonic() + self.stats.timeout

    def expired(self) -> None:
        if self.retries_left <= 0:
            self.finish("timed out")
            return
        self.retries_left -= 1
        self.deadline = time.monotonic() + self.stats.timeout
        self.resend()

    def send(self, pkt: bytes) -> None:
        try:
            self.sock.send(pkt)
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
                self.sock.send(P.error(code))
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
    recv_size = 1024

    def __init__(self, server: TftpServer, sock: socket.socket, peer: tuple, stats: TransferStats,
                 req: P.Request, path: Path):
        super().__init__(server, sock, peer, stats)
        self.fd = -1
        self.buf: bytes | None = None
        if not path.is_file():
            raise _Refuse(ErrorCode.NOT_FOUND, "no such file")
        try:
            fd = os.open(path.resolve(), os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError as e:
            if e.errno in (errno.ENOENT, errno.ENOTDIR):
                raise _Refuse(ErrorCode.NOT_FOUND, "no such file") from None
            raise _Refuse(ErrorCode.ACCESS, f"cannot open: {e.strerror}") from None
        if req.mode == "netascii":
            with os.fdopen(fd, "rb") as f:
                self.buf = P.netascii_encode(f.read())
            size = len(self.buf)
        else:
            self.fd = fd
            size = os.fstat(fd).st_size
        stats.size = size
        self.oack = server._negotiate(req, stats, size)
        self.blksize = stats.blksize
        self.window = stats.windowsize
        self.nblocks = size // self.blksize + 1
        self.size = size
        self.acked = 0  # absolute number of the highest block acknowledged
        self.sent_upto = 0
        self.dup_answered = -1
        self.oack_pending = bool(self.oack)
        if self.window > 1:
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

    def handle(self, pkt: bytes) -> None:
        opcode, block = _HDR.unpack_from(pkt)
        if opcode != P.ACK:
            self.fail(ErrorCode.ILLEGAL, f"unexpected opcode {opcode}")
            return
        if self.oack_pending:
            if block == 0:
                self.oack_pending = False
                self.progress()
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
        self.stats.bytes = min(self.acked * self.blksize, self.size)
        if self.acked >= self.nblocks:
            self.finish()
            return
        self.progress()
        self.send_window()

    def send_window(self) -> None:
        first = self.acked + 1
        last = min(self.acked + self.window, self.nblocks)
        bs = self.blksize
        start = (first - 1) * bs
        length = (last - first + 1) * bs
        if self.buf is not None:
            chunk = self.buf[start:start + length]
        else:
            try:
                chunk = os.pread(self.fd, length, start)
            except OSError as e:
                self.fail(ErrorCode.UNDEFINED, f"read error: {e.strerror}", "Read error")
                return
        if first <= self.sent_upto:
            self.stats.retransmits += min(last, self.sent_upto) - first + 1
        if last > self.sent_upto:
            self.sent_upto = last
        send, pack = self.sock.send, _HDR.pack
        pos = 0
        try:
            for block in range(first, last + 1):
                send(pack(P.DATA, block & 0xFFFF) + chunk[pos:pos + bs])
                pos += bs
        except (BlockingIOError, InterruptedError):
            pass  # the rest of the window is lost; the client's ACK or our timer brings it back
        except OSError:
            self.finish("peer unreachable")

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


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
        self.progress()
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
