"""Batched datagrams on one shared UDP socket: Linux ``recvmmsg``/``sendmmsg`` through ctypes on libc.

Many lockstep downloads at once (50 curl clients) each wait for one ACK and answer it with one DATA packet.
With a connected socket per transfer that is an ``epoll_wait``, a ``recv`` and a ``send`` per block.
Downloads that share one socket instead are served in rounds: one ``recvmmsg`` drains every pending ACK
(~37 of 50 clients), the sessions queue their DATA packets (a header and an address into the file's bytes:
no copy), and one ``sendmmsg`` sends them all: three system calls a round instead of three a packet. The
clients it wakes still preempt the loop between datagrams (docs/tftp.md, "Measured").

IPv4 only (the key of a peer is the 6 bytes of port and address of its ``sockaddr_in``); no PyPI binding
of these calls is maintained (pysockmmsg 0.0.2 dates from 2021), hence the few ctypes lines here.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import socket
import struct
from collections.abc import Callable

__all__ = ["Batch", "available", "peer_key"]

_SOCKADDR_IN = 16
_IP_RECVERR = getattr(socket, "IP_RECVERR", 11)


class _Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class _Msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32), ("iov", ctypes.POINTER(_Iovec)),
                ("iovlen", ctypes.c_size_t), ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]


class _Mmsghdr(ctypes.Structure):
    _fields_ = [("hdr", _Msghdr), ("len", ctypes.c_uint)]


_MMSG = ctypes.sizeof(_Mmsghdr)
_IOV = ctypes.sizeof(_Iovec)
_SLOT = (2 * _IOV + 4 + _SOCKADDR_IN + 7) // 8 * 8  # a datagram's iovecs, DATA header and peer address
_LEN = struct.Struct(f"@{_Mmsghdr.len.offset}xI")  # an mmsghdr's msg_len
_DATA = struct.Struct(f"@PNBBBB{_SOCKADDR_IN}s")  # the data's iovec, the header (opcode 3, block), the peer

try:
    _libc = ctypes.CDLL(None, use_errno=True)
    _recvmmsg, _sendmmsg = _libc.recvmmsg, _libc.sendmmsg
    _recvmmsg.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_void_p]
    _sendmmsg.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int]
    available = hasattr(socket, "MSG_DONTWAIT")
except (OSError, AttributeError):  # not glibc/musl on Linux
    available = False


def sockaddr_in(peer: tuple) -> bytes:
    """The ``struct sockaddr_in`` of an IPv4 (host, port)."""
    return struct.pack("=H", socket.AF_INET) + struct.pack("!H", peer[1]) + socket.inet_aton(peer[0]) + bytes(8)


def peer_key(peer: tuple) -> bytes:
    """How :meth:`Batch.receive` names a peer: port and address as on the wire."""
    return sockaddr_in(peer)[2:8]


def buffer_address(data: bytes) -> int:
    """Where the bytes of ``data`` (a bytes object, immutable, so they never move) live."""
    return ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p).value or 0


class Batch:
    """A shared non-blocking IPv4 UDP socket with room for ``slots`` datagrams each way.

    ``receive()`` returns up to ``slots`` (key, payload) pairs; ``add()`` queues a DATA packet (4-byte header,
    then ``length`` bytes at ``address``, which the caller keeps alive with ``keep``) to the peer whose
    ``sockaddr_in`` lives at ``name``; ``flush()`` sends what is queued. Errors of ICMP (a client gone) are
    read from the error queue (``IP_RECVERR``) and handed to ``on_unreachable(key)``.
    """

    def __init__(self, sock: socket.socket, slots: int = 256, recv_size: int = 1024):
        self.sock, self.fd, self.slots = sock, sock.fileno(), slots
        sock.setsockopt(socket.IPPROTO_IP, _IP_RECVERR, 1)
        for opt in (socket.SO_SNDBUF, socket.SO_RCVBUF):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, opt, 4 << 20)
        self.recv_size = recv_size
        # Receiving: slot i's datagram lands at i * recv_size in _in_buf, its sender's address in _in_names.
        self._in = (_Mmsghdr * slots)()
        self._in_iov = (_Iovec * slots)()
        self._in_buf = ctypes.create_string_buffer(slots * recv_size)
        self._in_names = ctypes.create_string_buffer(slots * _SOCKADDR_IN)
        base, names = ctypes.addressof(self._in_buf), ctypes.addressof(self._in_names)
        for i in range(slots):
            self._in_iov[i].base, self._in_iov[i].len = base + i * recv_size, recv_size
            h = self._in[i].hdr
            h.iov, h.iovlen = ctypes.pointer(self._in_iov[i]), 1
            h.name, h.namelen = names + i * _SOCKADDR_IN, _SOCKADDR_IN
        self._in_view = memoryview(self._in).cast("B")
        # Sending: slot i is an mmsghdr pointing into its _SLOT bytes of _out_slots: two iovecs (the 4-byte header
        # right after them, then the data somewhere in a file's bytes) and the peer's address, so that one
        # struct.pack_into per datagram writes all that changes.
        self._out = (_Mmsghdr * slots)()
        self._out_slots = ctypes.create_string_buffer(slots * _SLOT)
        slot0 = ctypes.addressof(self._out_slots)
        for i in range(slots):
            at = slot0 + i * _SLOT
            struct.pack_into("@PN", self._out_slots, i * _SLOT, at + 2 * _IOV, 4)
            h = self._out[i].hdr
            h.iov, h.iovlen = ctypes.cast(at, ctypes.POINTER(_Iovec)), 2
            h.name, h.namelen = at + 2 * _IOV + 4, _SOCKADDR_IN
        self._out_view = memoryview(self._out_slots).cast("B")
        self.queued = 0
        self.keep: list[object] = []  # the buffers the queued packets point into, until they are sent

    # -- receiving --------------------------------------------------------------------------------------

    def receive(self, on_unreachable: Callable[[bytes], None]) -> list[tuple[bytes, bytes]]:
        """The datagrams waiting (at most ``slots``), as (peer key, payload)."""
        while True:
            n = _recvmmsg(self.fd, self._in, self.slots, socket.MSG_DONTWAIT, None)
            if n >= 0:
                break
            err = ctypes.get_errno()
            if err == errno.ECONNREFUSED:
                self.errors(on_unreachable)
            elif err != errno.EINTR:
                return []
        buf, names, size, lens = self._in_buf, self._in_names, self.recv_size, self._in_view
        unpack = _LEN.unpack_from
        return [(names[i * _SOCKADDR_IN + 2:i * _SOCKADDR_IN + 8], buf[i * size:i * size + unpack(lens, i * _MMSG)[0]])
                for i in range(n)]

    def errors(self, on_unreachable: Callable[[bytes], None]) -> None:
        """Drain the error queue: every ICMP error names the peer a datagram of ours could not reach."""
        while True:
            try:
                _data, _anc, _flags, addr = self.sock.recvmsg(1, 1024, socket.MSG_ERRQUEUE)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            if addr:
                on_unreachable(peer_key(addr))

    # -- sending ----------------------------------------------------------------------------------------

    def add(self, peer: bytes, block: int, address: int, length: int) -> None:
        """Queue DATA ``block`` (16 bits) with ``length`` bytes at ``address`` for ``peer`` (a sockaddr_in)."""
        i = self.queued
        if i == self.slots:
            self.flush()
            i = 0
        _DATA.pack_into(self._out_view, i * _SLOT + _IOV, address, length, 0, 3, block >> 8, block & 255, peer)
        self.queued = i + 1

    def flush(self) -> None:
        """Send what is queued; what the socket buffer cannot take is lost (the senders' timers resend it)."""
        done, count = 0, self.queued
        while done < count:
            n = _sendmmsg(self.fd, ctypes.byref(self._out, done * _MMSG), count - done, socket.MSG_DONTWAIT)
            if n > 0:
                done += n
                continue
            err = ctypes.get_errno() if n < 0 else 0
            if err == errno.ECONNREFUSED or err == errno.EINTR:
                continue  # an ICMP error was pending (the loop reads it from the error queue): send on
            if err != errno.EAGAIN:
                # the datagram at ``done`` cannot go (e.g. no route): skip it, send the rest
                done += 1
                continue
            break
        self.queued = 0
        self.keep.clear()
