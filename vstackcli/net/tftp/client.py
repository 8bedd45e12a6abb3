"""The director as a TFTP client: ``copy tftp://host/path flash:name``, ``copy flash:name tftp://host/path``,
and writing image lists and backups to an external TFTP repository.

``tftp_get``/``tftp_put`` are the transfers (blksize, tsize, windowsize, falling back to plain RFC 1350
when the server refuses options); ``copy_from_tftp``/``copy_to_tftp`` wrap them in what IOS prints.
Both block the calling thread; the shell runs them off its event loop.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from vstackcli.engine.storage import FileSystem, FlashFull, StorageError
from vstackcli.net.tftp import packets as P
from vstackcli.net.tftp.packets import ErrorCode

__all__ = [
    "CopyResult", "TftpError", "TftpTimeout", "TftpUrl",
    "copy_from_tftp", "copy_to_tftp", "parse_tftp_url", "repository_put", "tftp_get", "tftp_put",
]

_HDR = struct.Struct("!HH")


class TftpError(Exception):
    """The transfer failed; ``reason`` is the text IOS puts in parentheses."""

    def __init__(self, reason: str, code: int | None = None, message: str = ""):
        super().__init__(f"{reason}" + (f" ({code}: {message})" if code is not None else ""))
        self.reason, self.code, self.message = reason, code, message


class TftpTimeout(TftpError):
    def __init__(self) -> None:
        super().__init__("Timed out")


_REASONS = {
    ErrorCode.NOT_FOUND: "No such file or directory",
    ErrorCode.ACCESS: "Permission denied",
    ErrorCode.DISK_FULL: "Not enough space on device",
    ErrorCode.EXISTS: "File exists",
    ErrorCode.ILLEGAL: "Illegal operation",
}


def _server_error(pkt: bytes) -> TftpError:
    code, message = P.parse_error(pkt)
    return TftpError(_REASONS.get(code, "Undefined error"), code, message)


@dataclass(frozen=True)
class TftpUrl:
    host: str
    port: int
    path: str

    def __str__(self) -> str:
        port = "" if self.port == 69 else f":{self.port}"
        return f"tftp://{self.host}{port}/{self.path}"


def parse_tftp_url(url: str) -> TftpUrl:
    """``tftp://host[:port]/path`` (the path keeps inner slashes, loses the leading one)."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "tftp" or not parts.hostname:
        raise ValueError(f"not a tftp URL: {url}")
    path = unquote(parts.path).lstrip("/")
    if not path:
        raise ValueError(f"no file in {url}")
    return TftpUrl(parts.hostname, parts.port or 69, path)


@dataclass
class _Link:
    """One transfer's socket and the server's transfer ID, learned from its first answer."""

    host: str
    port: int
    timeout: float
    retries: int
    sock: socket.socket = field(init=False)
    peer: tuple | None = None

    def __post_init__(self) -> None:
        info = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_DGRAM)[0]
        self.server = info[4]
        self.sock = socket.socket(info[0], socket.SOCK_DGRAM)
        self.sock.settimeout(self.timeout)

    def close(self) -> None:
        self.sock.close()

    def grow(self, window: int, blksize: int) -> None:
        """Room for two windows of datagrams in the receive buffer."""
        want = 2 * window * (blksize + 1024)
        with contextlib.suppress(OSError):
            if self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) < want:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, want)

    def send(self, pkt: bytes) -> None:
        self.sock.sendto(pkt, self.peer or self.server)

    def recv(self, size: int) -> bytes | None:
        """The next packet from the server's transfer ID, or None when the timeout passes."""
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                pkt, addr = self.sock.recvfrom(size)
            except TimeoutError:
                return None
            except ConnectionRefusedError:
                raise TftpError("Connection refused") from None
            if self.peer is None:
                if addr[0] != self.server[0]:
                    continue
                self.peer = addr
            elif addr[:2] != self.peer[:2]:
                with contextlib.suppress(OSError):
                    self.sock.sendto(P.error(ErrorCode.UNKNOWN_TID), addr)
                continue
            if len(pkt) >= 4:
                return pkt


def _options(blksize: int, windowsize: int, tsize: int | None) -> dict[str, str]:
    opts: dict[str, str] = {}
    if blksize != 512:
        opts["blksize"] = str(blksize)
    if tsize is not None:
        opts["tsize"] = str(tsize)
    if windowsize > 1:
        opts["windowsize"] = str(windowsize)
    return opts


def tftp_get(host: str, path: str, *, port: int = 69, blksize: int = 512, windowsize: int = 1,
             timeout: float = 2.0, retries: int = 4, on_size: Callable[[int], None] | None = None,
             on_data: Callable[[int], None] | None = None) -> bytes:
    """Download ``path``; ``on_size(tsize)`` may raise to refuse (a full flash), ``on_data(total)`` per block."""
    opts = _options(blksize, windowsize, 0)
    try:
        return _get(host, port, path, opts, timeout, retries, on_size, on_data)
    except TftpError as e:
        if e.code != ErrorCode.OPTIONS:
            raise
    return _get(host, port, path, {}, timeout, retries, on_size, on_data)


def _get(host: str, port: int, path: str, opts: dict[str, str], timeout: float, retries: int,
         on_size: Callable[[int], None] | None, on_data: Callable[[int], None] | None) -> bytes:
    link = _Link(host, port, timeout, retries)
    try:
        last = P.request(P.RRQ, path, "octet", opts)
        link.send(last)
        blksize, window = 512, 1
        buf = bytearray()
        expected, since_ack, gap_acked, tries = 1, 0, 0, retries
        first = True
        while True:
            pkt = link.recv(65536 + 4)
            if pkt is None:
                if tries <= 0:
                    raise TftpTimeout()
                tries -= 1
                if expected > 1:  # RFC 7440: acknowledge the last block received in order
                    last = P.ack(expected - 1)
                    since_ack = 0
                link.send(last)
                continue
            opcode, block = _HDR.unpack_from(pkt)
            if opcode == P.ERROR:
                raise _server_error(pkt)
            if first and opcode == P.OACK:
                first = False
                got = P.parse_oack(pkt)
                blksize = int(got.get("blksize", 512))
                window = int(got.get("windowsize", 1))
                if window > 1:
                    link.grow(window, blksize)
                if "tsize" in got and on_size is not None:
                    try:
                        on_size(int(got["tsize"]))
                    except BaseException:
                        link.send(P.error(ErrorCode.DISK_FULL))
                        raise
                last = P.ack(0)
                link.send(last)
                tries = retries
                continue
            if opcode != P.DATA:
                continue
            first = False
            delta = (block - expected) & 0xFFFF
            if delta != 0:
                if delta > 0x8000 or gap_acked != expected:
                    gap_acked = expected
                    last = P.ack(expected - 1)
                    link.send(last)
                    since_ack = 0
                continue
            data = pkt[4:]
            buf += data
            expected += 1
            since_ack += 1
            tries = retries
            if on_data is not None:
                on_data(len(buf))
            if len(data) < blksize:
                link.send(P.ack(block))
                return bytes(buf)
            if since_ack >= window:
                since_ack = 0
                last = P.ack(block)
                link.send(last)
    finally:
        link.close()


def tftp_put(host: str, path: str, data: bytes, *, port: int = 69, blksize: int = 512, windowsize: int = 1,
             timeout: float = 2.0, retries: int = 4, on_data: Callable[[int], None] | None = None) -> int:
    """Upload ``data`` as ``path``; returns the bytes sent."""
    opts = _options(blksize, windowsize, len(data))
    try:
        return _put(host, port, path, data, opts, timeout, retries, on_data)
    except TftpError as e:
        if e.code != ErrorCode.OPTIONS:
            raise
    return _put(host, port, path, data, {}, timeout, retries, on_data)


def _put(host: str, port: int, path: str, data: bytes, opts: dict[str, str], timeout: float, retries: int,
         on_data: Callable[[int], None] | None) -> int:
    link = _Link(host, port, timeout, retries)
    try:
        request = P.request(P.WRQ, path, "octet", opts)
        link.send(request)
        tries = retries
        while True:  # the answer to the request: OACK, or ACK 0 from a server without options
            pkt = link.recv(1024)
            if pkt is None:
                if tries <= 0:
                    raise TftpTimeout()
                tries -= 1
                link.send(request)
                continue
            opcode, block = _HDR.unpack_from(pkt)
            if opcode == P.ERROR:
                raise _server_error(pkt)
            if opcode == P.OACK:
                got = P.parse_oack(pkt)
                blksize, window = int(got.get("blksize", 512)), int(got.get("windowsize", 1))
                break
            if opcode == P.ACK and block == 0:
                blksize, window = 512, 1
                break
        nblocks = len(data) // blksize + 1
        acked = sent_upto = 0
        tries = retries
        view = memoryview(data)

        def send_window() -> None:
            nonlocal sent_upto
            for b in range(acked + 1, min(acked + window, nblocks) + 1):
                link.send(_HDR.pack(P.DATA, b & 0xFFFF) + view[(b - 1) * blksize:b * blksize])
            sent_upto = max(sent_upto, min(acked + window, nblocks))

        send_window()
        while acked < nblocks:
            pkt = link.recv(1024)
            if pkt is None:
                if tries <= 0:
                    raise TftpTimeout()
                tries -= 1
                send_window()
                continue
            opcode, block = _HDR.unpack_from(pkt)
            if opcode == P.ERROR:
                raise _server_error(pkt)
            if opcode != P.ACK:
                continue
            delta = (block - acked) & 0xFFFF
            if delta == 0 or delta > sent_upto - acked:
                continue
            acked += delta
            tries = retries
            if on_data is not None:
                on_data(min(acked * blksize, len(data)))
            if acked < nblocks:
                send_window()
        return len(data)
    finally:
        link.close()


# -- what IOS prints --------------------------------------------------------------------------------------


@dataclass
class CopyResult:
    lines: list[str]
    ok: bool
    size: int = 0


class _Bangs:
    """One ``!`` per ``every`` bytes moved, at least one for a finished transfer."""

    def __init__(self, every: int):
        self.every, self.count = max(1, every), 0

    def __call__(self, total: int) -> None:
        self.count = max(self.count, total // self.every)

    def text(self) -> str:
        return "!" * max(1, self.count)


def _copied(size: int, seconds: float) -> str:
    seconds = max(round(seconds, 3), 0.001)
    return f"{size} bytes copied in {seconds:.3f} secs ({int(size / seconds)} bytes/sec)"


def copy_from_tftp(url: str, fs: FileSystem, dest: str, *, via: str | None = None, blksize: int = 512,
                   timeout: float = 2.0, retries: int = 4, bang_bytes: int = 5120,
                   clock: Callable[[], float] = time.monotonic,
                   progress: Callable[[int, int | None], None] | None = None) -> CopyResult:
    """``copy tftp://host/path flash:dest`` after its questions: the lines IOS prints, and the file written.

    ``progress(done, size)`` is called as blocks arrive (``size`` is the server's tsize, or None when it sent
    none) and once more after the last block; :mod:`vstackcli.net.tftp.progress` draws a bar with it."""
    u = parse_tftp_url(url)
    lines = [f"Accessing {url}..."]
    try:
        fs.path(dest)
    except StorageError as e:
        return CopyResult([*lines, str(e)], False)
    free = fs.free() + (fs.path(dest).stat().st_size if fs.exists(dest) else 0)

    def check(size: int) -> None:
        if size > free:
            raise FlashFull(f"%Error copying {url} (Not enough space on device)")

    bangs = _Bangs(bang_bytes)
    on_size, on_data = check, bangs
    if progress is not None:
        size: list[int | None] = [None]

        def on_size(n: int) -> None:
            check(n)
            size[0] = n
            progress(0, n)

        def on_data(total: int) -> None:
            bangs(total)
            progress(total, size[0])

    start = clock()
    try:
        data = tftp_get(u.host, u.path, port=u.port, blksize=blksize, timeout=timeout, retries=retries,
                        on_size=on_size, on_data=on_data)
    except FlashFull as e:
        return CopyResult([*lines, str(e)], False)
    except (TftpError, OSError) as e:
        reason = e.reason if isinstance(e, TftpError) else (e.strerror or str(e))
        return CopyResult([*lines, f"%Error opening {url} ({reason})"], False)
    name = u.path.rsplit("/", 1)[-1]
    via_text = f" (via {via})" if via else ""
    lines.append(f"Loading {name} from {u.host}{via_text}: {bangs.text()}")
    try:
        fs.write(dest, data)
    except FlashFull:
        return CopyResult([*lines, f"%Error copying {url} (Not enough space on device)"], False)
    except StorageError as e:
        return CopyResult([*lines, str(e)], False)
    seconds = clock() - start
    return CopyResult([*lines, f"[OK - {len(data)} bytes]", "", _copied(len(data), seconds)], True, len(data))


def copy_to_tftp(fs: FileSystem, src: str, url: str, *, blksize: int = 512, timeout: float = 2.0,
                 retries: int = 4, bang_bytes: int = 5120, clock: Callable[[], float] = time.monotonic,
                 progress: Callable[[int, int | None], None] | None = None) -> CopyResult:
    """``copy flash:src tftp://host/path`` after its questions: the lines IOS prints.

    ``progress(done, size)`` is called as the server acknowledges blocks, as for :func:`copy_from_tftp`."""
    u = parse_tftp_url(url)
    try:
        data = fs.read(src)
    except StorageError as e:
        return CopyResult([str(e)], False)
    bangs = _Bangs(bang_bytes)
    on_data: Callable[[int], None] = bangs
    if progress is not None:
        progress(0, len(data))

        def on_data(total: int) -> None:
            bangs(total)
            progress(total, len(data))

    start = clock()
    try:
        tftp_put(u.host, u.path, data, port=u.port, blksize=blksize, timeout=timeout, retries=retries,
                 on_data=on_data)
    except (TftpError, OSError) as e:
        reason = e.reason if isinstance(e, TftpError) else (e.strerror or str(e))
        return CopyResult([f"%Error opening {url} ({reason})"], False)
    return CopyResult([bangs.text(), _copied(len(data), clock() - start)], True, len(data))


def repository_put(base_url: str, name: str, data: bytes, *, timeout: float = 2.0, retries: int = 4) -> None:
    """Write an image list, seed configuration or client backup into an external TFTP repository.

    ``base_url`` is the repository (``tftp://10.0.0.5/vstack``); raises :class:`TftpError` whose ``reason``
    IOS would print (``%SMI-3-IMAGELIST_FAILED`` and friends are the engine's business).
    """
    u = parse_tftp_url(base_url.rstrip("/") + "/" + name.lstrip("/"))
    tftp_put(u.host, u.path, data, port=u.port, timeout=timeout, retries=retries)


class UrlTransfers:
    """``read(url)`` / ``write(url, data)`` over TFTP: what a Smart Install client endpoint needs to carry out
    its director's commands (and what the director needs for its repositories)."""

    def __init__(self, timeout: float = 2.0, retries: int = 4):
        self.timeout, self.retries = timeout, retries

    def read(self, url: str) -> bytes:
        u = parse_tftp_url(url)
        return tftp_get(u.host, u.path, port=u.port, timeout=self.timeout, retries=self.retries)

    def write(self, url: str, data: bytes) -> None:
        u = parse_tftp_url(url)
        tftp_put(u.host, u.path, data, port=u.port, timeout=self.timeout, retries=self.retries)
