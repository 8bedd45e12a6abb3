"""The vty of a simulated switch that is not Smart Install capable: what the director telnets into.

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

from vstackcli.net.smi.client_endpoint import CommandRefused

if TYPE_CHECKING:
    from vstackcli.sim.switch import SimSwitch

__all__ = ["LegacyConsole", "enable_password"]

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
