"""A simulated switch that is not Smart Install capable: its life (``LegacyClient``, a mixin of
``SimSwitch``: AutoInstall, CDP-listed) and its vty (``LegacyConsole``), what the director telnets into.

Only what a director's update needs (``net/smi/legacy.py``): the login and
``enable`` passwords (``enable password`` of the switch's configuration; none set
refuses the login as IOS does: "% Password required, but none set"),
``archive download-sw [/overwrite] [/reload] tftp://...``, ``copy tftp://...
startup-config``, ``reload``, ``reload in hh:mm`` and ``exit``. Anything else is
answered with IOS's ``% Invalid input`` marker. Every read is bounded in size
and time.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import TYPE_CHECKING

from vstackcli.net.smi import codec
from vstackcli.net.smi.client_endpoint import CommandRefused
from vstackcli.net.smi.legacy import LEGACY_PORT, LEGACY_PORT_UNPRIVILEGED
from vstackcli.sim import tftp
from vstackcli.sim.dhcp import Lease
from vstackcli.sim.images import image_version
from vstackcli.sim.spec import Phase
from vstackcli.sim.zerotouch import FLASH_FULL, MAX_CONFIG

if TYPE_CHECKING:
    from vstackcli.sim.switch import SimSwitch

__all__ = ["LegacyClient", "LegacyConsole", "enable_password"]

_ENABLE = re.compile(rb"^enable (?:password|secret) (?:0 )?(\S+)\s*$", re.MULTILINE)
_RELOAD_IN = re.compile(r"^reload in (\d{1,3}):(\d{2})$")
IDLE = 60.0


def enable_password(config: bytes) -> str:
    """The clear-text enable password of a configuration ("" when none is set)."""
    found = _ENABLE.search(config)
    return found.group(1).decode("ascii", "replace") if found else ""


class LegacyConsole:
    """A line-mode vty on ``host:port`` for one legacy switch."""

    def __init__(self, switch: SimSwitch, host: str, port: int):
        self.switch = switch
        self.host = host
        self.port = port
        self.server: asyncio.AbstractServer | None = None
        self.typed: list[str] = []  # every exec command, for tests

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._session, self.host, self.port, reuse_address=True)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.server.wait_closed(), 2)
            self.server = None

    async def _line(self, reader: asyncio.StreamReader) -> str | None:
        try:
            raw = await asyncio.wait_for(reader.readline(), IDLE)
        except (TimeoutError, ValueError):
            return None
        return raw.decode("ascii", "replace").strip() if raw else None

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._converse(reader, writer)
        except (OSError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sw = self.switch
        password = enable_password(sw.state.running_config)
        if not password:
            writer.write(b"\r\nPassword required, but none set\r\n")
            await writer.drain()
            return
        writer.write(b"\r\n\r\nUser Access Verification\r\n\r\nPassword: ")
        if await self._line(reader) != password:
            writer.write(b"\r\n% Bad passwords\r\n")
            return
        writer.write(f"\r\n{sw.hostname}>".encode())
        privileged = False
        while True:
            line = await self._line(reader)
            if line is None or line in ("exit", "logout", "quit"):
                return
            if not privileged:
                if line == "enable":
                    writer.write(b"Password: ")
                    if await self._line(reader) == password:
                        privileged = True
                    else:
                        writer.write(b"\r\n% Access denied\r\n")
                elif line:
                    writer.write(b"% Invalid input detected at '^' marker.\r\n")
            elif line:
                self.typed.append(line)
                for out in await self._exec(line):
                    writer.write(out.encode() + b"\r\n")
            writer.write(f"{sw.hostname}{'#' if privileged else '>'}".encode())
            await writer.drain()

    async def _exec(self, line: str) -> list[str]:
        sw = self.switch
        words = line.split()
        try:
            if words[:1] == ["archive"] and words[1:2] == ["download-sw"] and words[-1].startswith("tftp://"):
                flags = set(words[2:-1])
                await sw.legacy_image(words[-1])
                if "/reload" in flags:
                    sw.schedule_reload(0, 0)
                return ["examining image...", "Installing (renaming): done", "All software images installed."]
            if len(words) == 3 and words[0] == "copy" and words[1].startswith("tftp://") and \
                    words[2] in ("startup-config", "nvram:startup-config"):
                size = await sw.legacy_config(words[1])
                return [f"{size} bytes copied", "[OK]"]
            if line == "reload":
                sw.schedule_reload(0, 0)
                return []
            found = _RELOAD_IN.match(line)
            if found:
                sw.schedule_reload(int(found.group(1)), int(found.group(2)))
                return [f"Reload scheduled in {found.group(1)} hours {found.group(2)} minutes"]
        except CommandRefused as exc:
            text = str(exc)
            return [text if text.startswith("%") else f"%Error: {text}"]
        return ["% Invalid input detected at '^' marker."]


class LegacyClient:
    """A mixin of ``SimSwitch``: the life of a switch that is not Smart Install capable."""

    async def _legacy(self, lease: Lease) -> None:
        """A pre-12.2(52)SE client: AutoInstall only (option 67 over TFTP, option 125 unknown to it).
        Its upstream neighbour's CDP update puts it in the director's database (type N)."""
        server = lease.tftp_server or lease.director or lease.server
        if lease.config_file and not self.state.startup_config:
            try:
                await self._fetch_config_quietly(str(server), lease.config_file)
            except (tftp.TftpError, OSError) as exc:
                self._fail(f"config {lease.config_file}: {exc}")
                return
            await self._reload()
        self.director = lease.director or self.director
        if self._console is None:
            port = LEGACY_PORT_UNPRIVILEGED if self.network.is_loopback else LEGACY_PORT
            console = LegacyConsole(self, self._source() or "0.0.0.0", port)
            await console.start()
            self._console = console
        await self._send_cdp()
        self._emit(Phase.JOINED, f"{self.address} (not Smart Install capable: listed through CDP)")
        self._spawn(self._cdp_refresh())

    async def _cdp_refresh(self) -> None:
        """CDP repeats: the neighbour's updates keep a legacy client active in the director's database."""
        while True:
            await asyncio.sleep(self.keepalive)
            await self._send_cdp()

    async def legacy_image(self, url: str) -> None:
        """``archive download-sw`` typed on the vty: the image into flash, booted at the next reload."""
        host, path = codec.parse_tftp_url(url)
        name = path.rsplit("/", 1)[-1]
        free = self.spec.flash_size - sum(self.flash.values())
        if self.spec.fault == "flash-too-small":
            free = min(free, 16 * 1024)

        def check(size: int) -> None:
            if size > free:
                raise CommandRefused(FLASH_FULL.format(name=name, size=size, free=free))

        self._emit(Phase.IMAGE, name)
        try:
            size = await tftp.fetch(*self.network.tftp_endpoint(host), path, None, local=self._source(),
                                    on_size=check, on_data=lambda done: check(done))
        except (tftp.TftpError, OSError) as exc:
            self._emit(Phase.JOINED, str(self.address))
            raise CommandRefused(f"%Error opening {url} ({exc})") from None
        except CommandRefused:
            self._emit(Phase.JOINED, str(self.address))
            raise
        self.flash[name] = size
        self.boot_image, self._next_version = name, image_version(name)
        self._emit(Phase.JOINED, f"image {name} installed, boots at next reload")

    async def legacy_config(self, url: str) -> int:
        """``copy tftp://... startup-config`` typed on the vty."""
        self.state.startup_config = await self.read_url(url, MAX_CONFIG)
        return len(self.state.startup_config)

    async def _fetch_config_quietly(self, server: str, path: str) -> None:
        self._emit(Phase.CONFIG, path)
        self.state.startup_config = await tftp.fetch_bytes(*self.network.tftp_endpoint(server), path,
                                                           cap=MAX_CONFIG, local=self._source())
