"""The director's TFTP server: serves ``flash:`` and accepts client backups into allowed directories.

Two threads (``loops``) each run an ``epoll`` loop over one connected UDP socket per transfer (the transfer
ID of RFC 1350); the first also owns the listening socket, every upload and the first two transfers. Further
downloads share one socket of the first loop, served in rounds of one ``recvmmsg`` and one ``sendmmsg``
(``mmsg.py``; Linux, IPv4), or with ``batch=False`` go to the emptier loop (send and recv release the GIL). Sessions
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
import os
import select
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from vstackcli.engine.storage import FileSystem, StorageError
from vstackcli.net.tftp import mmsg
from vstackcli.net.tftp import packets as P
from vstackcli.net.tftp.common import (
    BATCH_AFTER,
    BUSY_POLL_BACKOFF,
    BUSY_POLL_SESSIONS,
    MAX_BLKSIZE,
    MIN_BLKSIZE,
    SCAN_INTERVAL,
    TransferStats,
    WritePolicy,
    _Refuse,
    log,
)
from vstackcli.net.tftp.packets import ErrorCode
from vstackcli.net.tftp.sessions import _read_all, _ReadSession, _Session, _WriteSession

__all__ = ["TftpServer", "TransferStats", "WritePolicy"]

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
                 loops: int = 2, batch: bool = True, on_transfer: Callable[[TransferStats], None] | None = None):
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
        self.batch = batch
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
        if self.batch and mmsg.available and self._family == socket.AF_INET:
            shared = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            shared.bind((sock.getsockname()[0], 0))
            shared.setblocking(False)
            self._loops[0].batch = mmsg.Batch(shared)
            self._loops[0].epoll.register(shared.fileno(), select.EPOLLIN)
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
        batch = loop.batch
        batch_fd = batch.fd if batch is not None else -1
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
                elif fd == batch_fd:
                    self._drain(loop, _mask)
                elif fd == listen_fd:
                    self._accept()
                elif fd == wake_fd:
                    with contextlib.suppress(OSError):
                        loop.wake_r.recv(64)
            now = monotonic()
            if now >= next_scan:
                next_scan = now + SCAN_INTERVAL
                self._scan(loop, now)
            if batch is not None and batch.queued:
                batch.flush()

    def _drain(self, loop: _Loop, mask: int) -> None:
        """Every datagram waiting on the shared socket, each to its session (the answers go out in one
        ``sendmmsg`` per round); a stranger gets error 5, an ICMP error ends the session it names."""
        batch = loop.batch
        get = loop.sessions.get
        if mask & select.EPOLLERR:
            batch.errors(self._unreachable)
        while True:
            got = batch.receive(self._unreachable)
            for key, pkt in got:
                s = get(key)
                if s is None:
                    if len(pkt) >= 2 and not (pkt[0] == 0 and pkt[1] == P.ERROR):
                        peer = (socket.inet_ntoa(key[2:6]), key[0] << 8 | key[1])
                        with contextlib.suppress(OSError):
                            batch.sock.sendto(P.error(ErrorCode.UNKNOWN_TID), peer)
                    continue
                try:
                    s.packet(pkt)
                except Exception:
                    log.exception("TFTP session %s failed", s.stats.path)
                    s.finish("internal error", ErrorCode.UNDEFINED)
            if len(got) < batch.slots:
                return
            batch.flush()

    def _unreachable(self, key: bytes) -> None:
        s = self._loops[0].sessions.get(key)
        if s is not None:
            s.finish("peer unreachable")

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
            # a few downloads get a connected socket each (lockstep speed of one transfer: no ctypes per packet),
            # the rest share the first loop's socket and are served in rounds (mmsg.py)
            batch = self._loops[0].batch if direction == "read" and self.active >= BATCH_AFTER else None
            sock = batch.sock if batch is not None else self._session_socket(peer)
            try:
                if direction == "read":
                    session: _Session = _ReadSession(self, sock, peer, stats, req, path, batch)
                else:
                    session = _WriteSession(self, sock, peer, stats, req, name, path)
            except BaseException:
                if batch is None:
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
        if session.batch is None and direction == "read" and len(self._loops) > 1 \
                and self.active >= BUSY_POLL_SESSIONS:
            # Many transfers: spread the downloads over the loops (send and recv release the GIL, so two loops
            # keep two CPUs in the kernel). A few stay on the first loop, where busy polling serves them best;
            # uploads always do, so writes into the file system come from one thread.
            loop = min(self._loops, key=lambda lp: len(lp.sessions))
        session.loop = loop
        self._peers.add(peer)
        # The first packet goes out before the session is registered, so the other loop's thread cannot
        # handle its answer while this one still runs the session's code; the answer waits in the socket.
        loop.sessions[session.key] = session
        session.begin()
        if not session.done and session.batch is None:
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
        loop = session.loop
        shared = session.batch is not None
        if loop is not None and loop.sessions.pop(session.key, None) is not None and not shared:
            with contextlib.suppress(OSError, ValueError):
                loop.epoll.unregister(session.key)
        self._peers.discard(session.peer)
        if not shared:
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


class _Loop:
    """One loop thread's state: its epoll, its sessions by descriptor and a socket pair to wake it."""

    def __init__(self, index: int):
        self.index = index
        self.sessions: dict[int | bytes, _Session] = {}  # by socket, or by peer on the shared socket
        self.batch: mmsg.Batch | None = None  # the shared socket of batched downloads (the first loop's)
        self.epoll = select.epoll()
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.epoll.register(self.wake_r.fileno(), select.EPOLLIN)
        self.thread: threading.Thread | None = None

    def wake(self) -> None:
        with contextlib.suppress(OSError):
            self.wake_w.send(b"x")

    def close(self) -> None:
        if self.batch is not None:
            self.batch.sock.close()
        self.wake_r.close()
        self.wake_w.close()
        self.epoll.close()
