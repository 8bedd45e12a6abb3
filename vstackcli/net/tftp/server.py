"""The director's TFTP server: serves ``flash:`` and accepts client backups into allowed directories.

Two threads (``loops``) each run an ``epoll`` loop over one connected UDP socket per transfer (the transfer
ID of RFC 1350); the first also owns the listening socket, every upload and the first two transfers, further
downloads go to the emptier loop (send and recv release the GIL, so both CPUs work in the kernel). Sessions
are found by descriptor in a dict, timers are checked by a per-loop scan every few tens of milliseconds,
and nothing is logged per packet, so hundreds of transfers at once cost little more than the packets.
Options: blksize (RFC 2348), tsize and timeout (RFC 2349), windowsize (RFC 7440, both directions); modes
octet and netascii.

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
_ACK = bytes((0, P.ACK))
MIN_BLKSIZE, MAX_BLKSIZE = 8, 65464
DEFAULT_BLKSIZE = 512
SCAN_INTERVAL = 0.05
BUSY_POLL_SESSIONS = 2  # busy-poll only while this few transfers run (more keep the loop busy anyway)
BUSY_POLL_BACKOFF = 1024  # at most this many blocking waits between two busy-polls that found nothing
CHUNK_BYTES = 1 << 16  # a download of a file the cache does not take reads this much at a time


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
                 cache_file_max: int = 64 << 20, cache_bytes: int = 256 << 20, busy_poll: float = 200e-6,
                 loops: int = 2, on_transfer: Callable[[TransferStats], None] | None = None):
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
        self.cache_file_max, self.cache_bytes = cache_file_max, cache_bytes
        self.busy_poll = max(0.0, busy_poll)
        self.loops = max(1, loops)
        self._cache_lock = threading.Lock()
        self._files: dict[tuple, list] = {}  # (dev, inode, size, mtime) -> [bytes, transfers using them]
        self._cached = 0
        self._sock: socket.socket | None = None
        self._family = socket.AF_INET
        self._stopping = False
        self._loops: list[_Loop] = []
        self._peers: set[tuple] = set()
        self.port: int | None = None

    # -- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> TftpServer:
        if self._loops:
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
        self._stopping = False
        self._loops = [_Loop(i) for i in range(self.loops)]
        self._loops[0].epoll.register(sock.fileno(), select.EPOLLIN)
        for loop in self._loops:
            loop.thread = threading.Thread(target=self._run, args=(loop,), name=f"tftp-{self.port}-{loop.index}",
                                           daemon=True)
            loop.thread.start()
        log.info("TFTP server on %s port %d serving %s", self.host, self.port, self.fs.root)
        return self

    def stop(self) -> None:
        if not self._loops:
            return
        self._stopping = True
        for loop in self._loops:
            loop.wake()
        for loop in self._loops:
            loop.thread.join(10)
        for loop in self._loops:
            for s in list(loop.sessions.values()):
                s.finish("server stopped")
        for loop in self._loops:
            loop.close()
        self._loops = []
        if self._sock is not None:
            self._sock.close()
        self._sock = None

    def __enter__(self) -> TftpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def active(self) -> int:
        """Transfers in progress."""
        return sum(len(loop.sessions) for loop in self._loops)

    # -- the loop -------------------------------------------------------------------------------------

    def _run(self, loop: _Loop) -> None:
        listen_fd = self._sock.fileno() if loop.index == 0 else -1
        wake_fd = loop.wake_r.fileno()
        sessions = loop.sessions
        get = sessions.get
        poll = loop.epoll.poll
        loops = self._loops
        others = [lp.sessions for lp in loops if lp is not loop]
        monotonic = time.monotonic
        next_scan = monotonic() + SCAN_INTERVAL
        budget = self.busy_poll
        skip = backoff = 0
        while not self._stopping:
            events = None
            if budget and sessions and len(sessions) + sum(map(len, others)) <= BUSY_POLL_SESSIONS:
                # A lockstep peer on a fast link answers within microseconds: waiting for it awake saves the
                # wake-up of an idle CPU (~20 us a packet on a VM). Waits that outlast the budget back off.
                if skip:
                    skip -= 1
                else:
                    end = monotonic() + budget
                    while not (events := poll(0)) and monotonic() < end:
                        pass
                    if events:
                        backoff = 0
                    else:
                        backoff = skip = min(2 * backoff or 1, BUSY_POLL_BACKOFF)
            if not events:
                try:
                    events = poll(SCAN_INTERVAL if sessions else 1.0)
                except InterruptedError:
                    continue
            for fd, _mask in events:
                s = get(fd)
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
                        loop.wake_r.recv(64)
            now = monotonic()
            if now >= next_scan:
                next_scan = now + SCAN_INTERVAL
                self._scan(loop, now)

    def _scan(self, loop: _Loop, now: float) -> None:
        """Timers: a session that moved since the last scan gets a fresh deadline and retry count."""
        for s in list(loop.sessions.values()):
            if s.moved:
                s.moved = False
                s.retries_left = self.retries
                s.deadline = now + s.stats.timeout
            elif s.deadline <= now:
                try:
                    s.expired(now)
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
        if self.active >= self.max_sessions:
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
        loop = self._loops[0]
        if direction == "read" and len(self._loops) > 1 and self.active >= BUSY_POLL_SESSIONS:
            # Many transfers: spread the downloads over the loops (send and recv release the GIL, so two loops
            # keep two CPUs in the kernel). A few stay on the first loop, where busy polling serves them best;
            # uploads always do, so writes into the file system come from one thread.
            loop = min(self._loops, key=lambda lp: len(lp.sessions))
        session.loop = loop
        self._peers.add(peer)
        # The first packet goes out before the session is registered, so the other loop's thread cannot
        # handle its answer while this one still runs the session's code; the answer waits in the socket.
        loop.sessions[sock.fileno()] = session
        session.begin()
        if not session.done:
            loop.epoll.register(sock.fileno(), select.EPOLLIN)

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
        loop = session.loop
        if loop is not None and loop.sessions.pop(fd, None) is not None:
            with contextlib.suppress(OSError, ValueError):
                loop.epoll.unregister(fd)
        self._peers.discard(session.peer)
        session.sock.close()

    def _cache_get(self, fd: int) -> tuple[tuple, bytes] | None:
        """The file's bytes, read once and shared by every download of that very file (same inode, size and
        mtime) while one runs; None when the file is larger than ``cache_file_max`` or ``cache_bytes`` is used up."""
        st = os.fstat(fd)
        key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        with self._cache_lock:
            entry = self._files.get(key)
            if entry is None:
                if st.st_size > self.cache_file_max or self._cached + st.st_size > self.cache_bytes:
                    return None
                entry = self._files[key] = [_read_all(fd, st.st_size), 0]
                self._cached += len(entry[0])
            entry[1] += 1
            return key, entry[0]

    def _cache_put(self, key: tuple) -> None:
        with self._cache_lock:
            entry = self._files.get(key)
            if entry is not None:
                entry[1] -= 1
                if entry[1] <= 0:
                    del self._files[key]
                    self._cached -= len(entry[0])

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


class _Loop:
    """One loop thread's state: its epoll, its sessions by descriptor and a socket pair to wake it."""

    def __init__(self, index: int):
        self.index = index
        self.sessions: dict[int, _Session] = {}
        self.epoll = select.epoll()
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.epoll.register(self.wake_r.fileno(), select.EPOLLIN)
        self.thread: threading.Thread | None = None

    def wake(self) -> None:
        with contextlib.suppress(OSError):
            self.wake_w.send(b"x")

    def close(self) -> None:
        self.wake_r.close()
        self.wake_w.close()
        self.epoll.close()


class _Session:
    """One transfer on its own connected socket.

    ``moved`` is set on progress (a new ACK, the next DATA block); the server's timer scan turns it into a
    fresh deadline and retry count, so the packet path never reads the clock.
    """

    recv_size = 1024

    def __init__(self, server: TftpServer, sock: socket.socket, peer: tuple, stats: TransferStats):
        self.server, self.sock, self.peer, self.stats = server, sock, peer, stats
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
    """A download. The file's bytes come from the server's shared cache (one read per file, however many
    transfers), or for files too large for it from a chunk of at least ``CHUNK_BYTES`` read at a time; each
    DATA packet is a 4-byte header plus a slice of those bytes, sent on the connected socket."""

    def __init__(self, server: TftpServer, sock: socket.socket, peer: tuple, stats: TransferStats,
                 req: P.Request, path: Path):
        super().__init__(server, sock, peer, stats)
        self.fd = -1
        self.cache_key: tuple | None = None
        self.data: memoryview | None = None  # the whole file (cached or netascii), else None: chunks
        self.chunk, self.chunk_start = memoryview(b""), 0
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

    def readable(self) -> None:
        """One datagram per readiness event (epoll is level-triggered; a download only receives ACKs)."""
        try:
            pkt = self.sock.recv(1024)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:  # ICMP port unreachable: the client is gone
            self.finish("peer unreachable")
            return
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
