"""A Smart Install client's TCP 4786 endpoint: what scanners, attack tools and our director talk to.

Behaviour (research sections 4.2, 4.3, 5.3, 6):

- the probe is answered with the 24-byte reply in one write, nothing before it;
- a message it rejects (bad header, length, field, URL, sender) is answered with
  the 20-byte type-4 reply and the connection is closed; garbage after a complete
  message closes the connection without a reply (a trailing line feed silently);
- empty connections and several messages per connection are fine;
- types 3, 2, 5 and 8 are carried out through a ``Transfers`` object (TFTP), one
  at a time, after they are read; commands are accepted only from the director
  when ``director_only`` (the default), the probe from anyone.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from vstackcli.engine.syslog import SystemLog
from vstackcli.grammar.values import MacAddress
from vstackcli.net.smi import codec, extension
from vstackcli.net.smi.codec import (
    ChangeConfig,
    CodecError,
    Discovery,
    ExecCommands,
    ExecuteFile,
    ImageUpgrade,
    Malformed,
    Probe,
    ProbeReply,
    Reject,
)
from vstackcli.net.smi.server import Garbage, SmiServer, Truncated, read_frame, send_bytes

__all__ = ["ClientEndpoint", "ClientState", "CommandRefused", "Transfers", "parse_command_file"]

PROBE_REPLY = codec.encode(ProbeReply())
REJECT_REPLY = codec.encode(Reject())
MAX_LIST = 4096  # an image list is a few names (CVE-2016-1349: validate it strictly)
MAX_LIST_ENTRIES = 9
MAX_COMMAND_FILE = 64 * 1024
_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}"
_IMAGE_PATH = re.compile(rf"{_SEGMENT}(/{_SEGMENT}){{0,7}}")  # a path on the list's TFTP server


class Transfers(Protocol):
    """File transfers by URL (TFTP); the client endpoint calls these from a worker thread."""

    def read(self, url: str) -> bytes: ...

    def write(self, url: str, data: bytes) -> None: ...


class CommandRefused(Exception):
    """A command the client will not carry out (bad list, unsupported copy...)."""


@dataclass
class ClientState:
    """What the simulated client switch holds and did; the endpoint changes it, tests read it."""

    mac: MacAddress = field(default_factory=lambda: MacAddress(0x001873634242))
    running_config: bytes = b"hostname Switch\n"
    startup_config: bytes = b""
    flash: dict[str, bytes] = field(default_factory=dict)
    boot_image: str = ""
    reload: str = ""  # "" none, "now", or "in HH:MM"
    executed: list[str] = field(default_factory=list)  # exec commands run (types 5 and 8)
    failures: list[str] = field(default_factory=list)


def parse_command_file(text: str) -> list[str]:
    """The commands of a type-5 command file: each in double quotes, separated by spaces."""
    return re.findall(r'"([^"\r\n]*)"', text)


def _printable(data: bytes, what: str) -> str:
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise CommandRefused(f"{what} is not ASCII") from None
    if any(c < " " and c not in "\r\n\t" for c in text):
        raise CommandRefused(f"{what} holds control characters")
    return text


class ClientEndpoint(SmiServer):
    """The endpoint of one simulated client. ``report_to`` (host, port) sends download reports."""

    role = "client"

    def __init__(self, transfers: Transfers, host: str = "127.0.0.1", port: int = 0, *,
                 director: str | ipaddress.IPv4Address | None = None, director_only: bool = True,
                 state: ClientState | None = None, log: SystemLog | None = None, idle_timeout: float = 30.0,
                 report_to: tuple[str, int] | None = None):
        super().__init__(host, port, log=log, idle_timeout=idle_timeout)
        self.transfers = transfers
        self.director = ipaddress.ip_address(str(director)) if director is not None else None
        self.director_only = director_only
        self.state = state or ClientState()
        self.report_to = report_to
        self._work = asyncio.Lock()
        self._jobs: set[asyncio.Task] = set()

    async def stop(self) -> None:
        await super().stop()
        for job in list(self._jobs):
            job.cancel()
        if self._jobs:
            await asyncio.gather(*self._jobs, return_exceptions=True)

    async def idle(self) -> None:
        """Wait until every command read so far has been carried out."""
        while self._jobs:
            await asyncio.gather(*list(self._jobs), return_exceptions=True)

    # ---- the connection -----------------------------------------------------------------------

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen = 0
        while True:
            try:
                frame = await read_frame(reader, self.idle_timeout)
                if frame is None:
                    return
                message, _rest = codec.decode(frame[0].pack() + frame[1])
            except Garbage as exc:
                if not (seen and exc.line_end):
                    await self._reject(writer, exc, reply=not seen)
                return
            except Truncated as exc:
                self.invalid(writer, exc)
                return
            except Malformed as exc:
                await self._reject(writer, exc, reply=True)
                return
            seen += 1
            if isinstance(message, Probe):
                writer.write(PROBE_REPLY)  # one write, nothing before it
                await writer.drain()
                continue
            if not self._from_director(writer):
                await self._reject(writer, Malformed("command from a host that is not the director", frame[0]),
                                   reply=True)
                return
            if isinstance(message, Discovery):
                continue  # well-formed ibd_init_discovery: its meaning is unknown, nothing to do
            if isinstance(message, ChangeConfig | ImageUpgrade | ExecuteFile | ExecCommands):
                job = asyncio.get_running_loop().create_task(self._carry_out(message))
                self._jobs.add(job)
                job.add_done_callback(self._jobs.discard)
                continue
            await self._reject(writer, Malformed("not a message a client accepts", frame[0]), reply=True)
            return

    def _from_director(self, writer: asyncio.StreamWriter) -> bool:
        if not self.director_only:
            return True
        return self.director is not None and self.peer_ip(writer) == self.director

    async def _reject(self, writer: asyncio.StreamWriter, error: CodecError, reply: bool) -> None:
        self.invalid(writer, error)
        if reply:
            writer.write(REJECT_REPLY)
            await writer.drain()

    # ---- carrying out commands ----------------------------------------------------------------

    async def _carry_out(self, message: codec.Message) -> None:
        async with self._work:
            try:
                if isinstance(message, ChangeConfig):
                    await self._config(message)
                elif isinstance(message, ImageUpgrade):
                    await self._image(message)
                elif isinstance(message, ExecuteFile):
                    text = _printable(await self._read(message.url, MAX_COMMAND_FILE), "command file")
                    for command in parse_command_file(text):
                        await self._exec(command)
                elif isinstance(message, ExecCommands):
                    for command in message.commands:
                        await self._exec(command)
            except (CommandRefused, OSError, ValueError) as exc:
                self.state.failures.append(f"{type(message).__name__}: {exc}")

    async def _read(self, url: str, cap: int | None = None) -> bytes:
        codec.parse_tftp_url(url)
        data = await asyncio.to_thread(self.transfers.read, url)
        if cap is not None and len(data) > cap:
            raise CommandRefused(f"{url}: {len(data)} bytes, over {cap}")
        return data

    async def _write(self, url: str, data: bytes) -> None:
        codec.parse_tftp_url(url)
        await asyncio.to_thread(self.transfers.write, url, data)

    async def _download(self, kind: str, work: Callable[[], Awaitable[None]]) -> None:
        await self._report(kind, "started")
        try:
            await work()
        except (CommandRefused, OSError, ValueError) as exc:
            await self._report(kind, "failed", str(exc)[:128])
            raise
        await self._report(kind, "done")

    async def _config(self, message: ChangeConfig) -> None:
        async def work() -> None:
            self.state.startup_config = await self._read(message.url, 512 * 1024)
            if message.reload:
                self.state.reload = f"in {message.hour:02d}:{message.minute:02d}"

        await self._download("config", work)

    async def _image(self, message: ImageUpgrade) -> None:
        async def work() -> None:
            listing = _printable(await self._read(message.url, MAX_LIST), "image list")
            names = [line.strip() for line in listing.splitlines() if line.strip()]
            if not names or len(names) > MAX_LIST_ENTRIES or not all(_IMAGE_PATH.fullmatch(n) for n in names):
                raise CommandRefused("image list is empty or holds something other than image file paths")
            host, _path = codec.parse_tftp_url(message.url)
            for name in names:  # each line is the image's path on the same TFTP server
                self.state.flash[name.rsplit("/", 1)[-1]] = await self._read(f"tftp://{host}/{name}")
            self.state.boot_image = names[0].rsplit("/", 1)[-1]
            if message.reload_now:
                self.state.reload = "now"
            elif message.reload:
                self.state.reload = f"in {message.hour:02d}:{message.minute:02d}"

        await self._download("image", work)

    async def _exec(self, command: str) -> None:
        """Run one exec command: ``copy SRC DST`` between configs, flash: and TFTP; others are recorded."""
        self.state.executed.append(command)
        words = command.split()
        if len(words) != 3 or words[0].lower() != "copy":
            return
        await self._put(words[2], await self._get(words[1]))

    async def _get(self, source: str) -> bytes:
        s = self.state
        lower = source.lower()
        if lower in ("system:running-config", "running-config"):
            return s.running_config
        if lower in ("nvram:startup-config", "startup-config"):
            return s.startup_config
        if lower.startswith("flash:"):
            name = source[6:].lstrip("/")
            if name not in s.flash:
                raise CommandRefused(f"%Error opening {source} (No such file or directory)")
            return s.flash[name]
        if lower.startswith("tftp://"):
            return await self._read(source)
        raise CommandRefused(f"cannot copy from {source}")

    async def _put(self, target: str, data: bytes) -> None:
        s = self.state
        lower = target.lower()
        if lower in ("system:running-config", "running-config"):
            s.running_config = data
        elif lower in ("nvram:startup-config", "startup-config"):
            s.startup_config = data
        elif lower.startswith("flash:") and target[6:].lstrip("/"):
            s.flash[target[6:].lstrip("/")] = data
        elif lower.startswith("tftp://"):
            await self._write(target, data)
        else:
            raise CommandRefused(f"cannot copy to {target}")

    async def _report(self, kind: str, phase: str, detail: str = "") -> None:
        if self.report_to is None:
            return
        payload = extension.encode(extension.DownloadReport(self.state.mac, kind, phase, detail))
        try:
            await send_bytes(*self.report_to, [payload])
        except (OSError, TimeoutError):
            self.state.failures.append(f"report {kind} {phase}: director unreachable")

    async def send_report(self, report: extension.Report | extension.BackupData) -> None:
        """Send a join, keepalive or backup to the director (``report_to``) on a fresh connection."""
        if self.report_to is None:
            raise ConnectionError("no director to report to")
        await send_bytes(*self.report_to, [extension.encode(report)])
