"""The SCP server of the switch: ``scp -t`` (push a file onto flash:) and ``scp -f`` (fetch one).

IOS's SCP server speaks the classic rcp protocol over an SSH exec channel
(``ip scp server enable``); it has no SFTP server, so OpenSSH 9+ clients need
``scp -O`` as they do with a real switch. Paths name files on ``flash:``:
``flash:name``, ``flash:/name``, ``name``, ``/name``, and directories on flash:
(``flash:``, ``flash:/dir``) as targets for the sent file name. Other file systems
and names that leave the flash root (``..``) are refused.

A pushed file is taken whole into memory, then written through the device's
storage (atomic, capacity checked); a refused or interrupted transfer leaves
no file behind. The announced size is checked against free space before any
data is accepted.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from vstackcli.engine.device import Device
from vstackcli.engine.storage import FileSystem, FlashFull, StorageError

__all__ = ["ScpError", "ScpRequest", "ScpStream", "parse_scp_command", "scp_enabled", "serve_scp"]

log = logging.getLogger(__name__)

OK = b"\x00"
MAX_LINE = 4096
_COPY = re.compile(rb"C([0-7]{4}) (\d+) ([^\n/]+)\n")
_TIMES = re.compile(rb"T\d+ \d+ \d+ \d+\n")


class ScpError(Exception):
    """A transfer the server refuses; the text goes to the client after ``scp: ``."""


@dataclass(frozen=True)
class ScpRequest:
    """What the client's ``scp`` command asked for."""

    sink: bool  # -t: the client sends; -f: the client receives
    path: str
    recursive: bool = False
    target_is_dir: bool = False


class ScpStream:
    """The bytes the client sends on the channel, read by line or by count."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._eof = False
        self._ready = asyncio.Event()

    def feed(self, data: bytes) -> None:
        self._buffer += data
        self._ready.set()

    def feed_eof(self) -> None:
        self._eof = True
        self._ready.set()

    async def _wait(self) -> None:
        if self._eof:
            raise ScpError("connection closed")
        self._ready.clear()
        await self._ready.wait()

    async def read_byte(self) -> int:
        while not self._buffer:
            await self._wait()
        byte = self._buffer[0]
        del self._buffer[0]
        return byte

    async def readline(self) -> bytes:
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end + 1])
                del self._buffer[:end + 1]
                return line
            if len(self._buffer) > MAX_LINE:
                raise ScpError("protocol error: line too long")
            await self._wait()

    async def read_exactly(self, count: int) -> bytes:
        while len(self._buffer) < count:
            await self._wait()
        data = bytes(self._buffer[:count])
        del self._buffer[:count]
        return data


def parse_scp_command(command: str) -> ScpRequest | None:
    """``scp [-v] [-p] [-r] [-d] -t|-f PATH`` as an SSH exec request; None if it is not one."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if not words or words[0] != "scp":
        return None
    sink = source = recursive = target_dir = False
    paths = []
    for word in words[1:]:
        if word.startswith("-") and len(word) > 1 and not paths:
            for flag in word[1:]:
                sink |= flag == "t"
                source |= flag == "f"
                recursive |= flag == "r"
                target_dir |= flag == "d"
        else:
            paths.append(word)
    if sink == source or len(paths) != 1:
        return None
    return ScpRequest(sink, paths[0], recursive, target_dir)


def scp_enabled(device: Device) -> bool:
    """``ip scp server enable`` in the running-config."""
    cfg = device.config
    modelled = getattr(cfg, "scp_server", None)
    if isinstance(modelled, bool):
        return modelled
    return any(block.line == "ip scp server enable" for block in cfg.extra)


def flash_name(path: str) -> str:
    """The name on flash: for a path as an SCP client sends it; refuses other file systems."""
    scheme, colon, rest = path.partition(":")
    if colon and "/" not in scheme:
        if scheme.lower() not in ("flash", "flash0", "flash1"):
            raise ScpError(f"{path}: only flash: is served over SCP")
        path = rest
    return path.strip("/")


def _resolve(fs: FileSystem, path: str) -> str:
    name = flash_name(path)
    try:
        fs.path(name)  # refuses .. and names outside the root
    except StorageError:
        raise ScpError(f"{path}: Invalid argument") from None
    return name


Write = Callable[[bytes], None]
Drain = Callable[[], Awaitable[None]]


async def serve_scp(device: Device, request: ScpRequest, stream: ScpStream, write: Write, drain: Drain) -> int:
    """Run one SCP transfer; returns the exit status for the channel (0 on success)."""
    try:
        if not scp_enabled(device):
            raise ScpError("SCP server is not enabled (ip scp server enable)")
        if request.recursive:
            raise ScpError(f"{request.path}: recursive copies are not supported")
        fs = device.storage.flash
        if request.sink:
            await _receive(fs, request, stream, write, drain)
        else:
            await _send(fs, request, stream, write, drain)
        return 0
    except ScpError as exc:
        log.info("SCP refused: %s", exc)
        write(b"\x02scp: " + str(exc).encode("utf-8", "replace") + b"\n")
        await drain()
        return 1


async def _expect_ok(stream: ScpStream) -> None:
    code = await stream.read_byte()
    if code != 0:
        message = (await stream.readline()).decode("utf-8", "replace").strip()
        raise ScpError(message or "transfer aborted by the client")


async def _receive(fs: FileSystem, request: ScpRequest, stream: ScpStream, write: Write, drain: Drain) -> None:
    """Sink: the client sends ``[T...] C<mode> <size> <name>``, the bytes, then a zero byte."""
    target = _resolve(fs, request.path)
    write(OK)
    await drain()
    received = 0
    while True:
        try:
            line = await stream.readline()
        except ScpError:
            if received:  # the client closes the channel after its last file
                return
            raise
        if _TIMES.fullmatch(line):
            write(OK)
            continue
        if line[:1] in (b"\x01", b"\x02"):
            raise ScpError(line[1:].decode("utf-8", "replace").strip())
        if line.startswith((b"D", b"E")):
            raise ScpError(f"{request.path}: directories are not supported")
        match = _COPY.fullmatch(line)
        if match is None:
            raise ScpError("protocol error: expected a file header")
        size = int(match.group(2))
        sent_name = match.group(3).decode("utf-8", "replace")
        name = target
        if not target or fs.path(target).is_dir() or request.target_is_dir:
            name = _resolve(fs, f"{target}/{sent_name}" if target else sent_name)
        path = fs.path(name)
        if path.is_dir():
            raise ScpError(f"flash:/{name}: Is a directory")
        old = path.stat().st_size if path.is_file() else 0
        if size - old > fs.free():
            raise ScpError(f"flash:/{name}: Not enough space on device")
        write(OK)
        await drain()
        data = await stream.read_exactly(size)
        await _expect_ok(stream)
        try:
            await asyncio.to_thread(fs.write, name, data)
        except FlashFull:
            raise ScpError(f"flash:/{name}: Not enough space on device") from None
        except StorageError as exc:
            raise ScpError(f"flash:/{name}: {exc}") from None
        log.info("SCP: %d bytes written to flash:/%s", size, name)
        received += 1
        write(OK)
        await drain()


async def _send(fs: FileSystem, request: ScpRequest, stream: ScpStream, write: Write, drain: Drain) -> None:
    """Source: wait for the client's zero byte, send the header, the bytes and a zero byte."""
    name = _resolve(fs, request.path)
    await _expect_ok(stream)
    try:
        data = await asyncio.to_thread(fs.read, name)
    except StorageError:
        raise ScpError(f"{request.path}: No such file or directory") from None
    base = name.rsplit("/", 1)[-1]
    write(f"C0644 {len(data)} {base}\n".encode())
    await drain()
    await _expect_ok(stream)
    view = memoryview(data)
    for start in range(0, len(data), 65536):
        write(bytes(view[start:start + 65536]))
        await drain()
    write(OK)
    await drain()
    await _expect_ok(stream)
