"""Zero-touch steps of a simulated switch: image list, image, configuration, reload (docs/simulation.md).

A mixin of ``SimSwitch``: the methods use its state (spec, network, flash, ClientState) and its
reporting (``_report``, ``_emit``). Images are streamed to a byte count, never kept.
"""

from __future__ import annotations

import asyncio
import re

from vstackcli.net.smi.client_endpoint import MAX_LIST
from vstackcli.sim import tftp
from vstackcli.sim.dhcp import Lease
from vstackcli.sim.images import image_version
from vstackcli.sim.spec import Phase

__all__ = ["FLASH_FULL", "KEY_PRESSED", "MAX_CONFIG", "MAX_RELOAD_LOOPS", "RELOAD_LOOP", "ZeroTouchFailed",
           "ZeroTouchSteps"]

MAX_CONFIG = 512 * 1024
MAX_RELOAD_LOOPS = 3
KEY_PRESSED = "zero-touch stopped: a key was pressed on the console (recover with write erase and reload)"
FLASH_FULL = "%Error copying {name} (Not enough space on device: {size} bytes, {free} free)"
RELOAD_LOOP = ("no startup configuration after {count} zero-touch reloads: the switch reloads in a loop "
               "(the guide: press Enter while it comes up to stop the update)")
_HOSTNAME = re.compile(rb"^hostname\s+(\S+)\s*$", re.MULTILINE)


class ZeroTouchFailed(Exception):
    """A zero-touch step failed; the message says why (it goes into the FAILED event and the report)."""


class ZeroTouchSteps:
    """What a switch does with a Smart Install lease, and its reload."""

    async def _zero_touch(self, lease: Lease) -> None:
        server = str(lease.tftp_server or lease.director)
        if lease.image_list:
            await self._upgrade(server, lease.image_list, zero_touch=True)
        if lease.config_file:
            await self._fetch_config(server, lease.config_file)

    async def _upgrade(self, server: str, image_list: str, zero_touch: bool) -> None:
        """Image list, then every image it names that the switch does not run (one per stack member)."""
        self._emit(Phase.IMAGE_LIST, image_list)
        if self.spec.fault == "image-missing" and zero_touch:
            image_list = image_list.replace(".txt", "-missing.txt")
        try:
            listing = await tftp.fetch_bytes(*self.network.tftp_endpoint(server), image_list, cap=MAX_LIST,
                                             local=self._source())
        except (tftp.TftpError, OSError) as exc:
            await self._download_failed("image", f"image list {image_list}: {exc}", zero_touch)
        names = [line.strip() for line in listing.decode("ascii", "replace").splitlines() if line.strip()]
        if not names:
            await self._download_failed("image", f"image list {image_list} is empty", zero_touch)
        wanted = image_version(names[0])
        if wanted == self.version:
            self._next_version = wanted
            if zero_touch:  # nothing to download; the director's record must not stay pending
                await self._report("image", "done", f"already running {wanted}")
            return
        if zero_touch:  # on-demand, the endpoint reports the command's progress itself
            await self._report("image", "started")
        free = self.spec.flash_size - sum(self.flash.values())
        if self.spec.fault == "flash-too-small":
            free = min(free, 16 * 1024)  # no IOS image is that small
        for name in dict.fromkeys(names):
            size = await self._fetch_image(server, name, free, zero_touch)
            self.flash[name.rsplit("/", 1)[-1]] = size
            free -= size
        self.boot_image = names[0].rsplit("/", 1)[-1]
        self._next_version = wanted
        if zero_touch:
            await self._report("image", "done")

    async def _fetch_image(self, server: str, path: str, free: int, zero_touch: bool) -> int:
        name = path.rsplit("/", 1)[-1]
        total = 0

        def check(size: int) -> None:
            nonlocal total
            total = size
            if size > free:
                raise ZeroTouchFailed(FLASH_FULL.format(name=name, size=size, free=free))

        def progress(done: int) -> None:
            if done > free:
                raise ZeroTouchFailed(FLASH_FULL.format(name=name, size=done, free=free))
            self._emit(Phase.IMAGE, name, done, total)

        self._emit(Phase.IMAGE, name, 0, 0)
        try:
            return await tftp.fetch(*self.network.tftp_endpoint(server), path, None, local=self._source(),
                                    on_size=check, on_data=progress)
        except ZeroTouchFailed as exc:
            await self._download_failed("image", str(exc), zero_touch)
        except (tftp.TftpError, OSError) as exc:
            await self._download_failed("image", f"{path}: {exc}", zero_touch)
        raise AssertionError("unreachable")

    async def _fetch_config(self, server: str, path: str) -> None:
        self._emit(Phase.CONFIG, path)
        await self._report("config", "started")
        if self.spec.fault == "config-missing":
            path += ".missing"
        try:
            if self.spec.fault == "config-fails":
                raise tftp.TftpError("connection lost during the transfer")
            data = await tftp.fetch_bytes(*self.network.tftp_endpoint(server), path, cap=MAX_CONFIG,
                                          local=self._source())
        except (tftp.TftpError, OSError) as exc:
            await self._download_failed("config", f"config {path}: {exc}")
        self.state.startup_config = data
        self._emit(Phase.CONFIG, path, len(data), len(data))
        await self._report("config", "done")

    async def _download_failed(self, kind: str, detail: str, report: bool = True) -> None:
        if report:
            await self._report(kind, "failed", detail)
        raise ZeroTouchFailed(detail)

    async def _reload(self) -> None:
        """Boot the installed image and the startup configuration."""
        self._emit(Phase.RELOAD, self.boot_image or self.version)
        self.reloads += 1
        self.pending_reload = ""
        self.state.reload = ""
        await asyncio.sleep(self.reload_delay)
        if self._next_version:
            self.version, self._next_version = self._next_version, ""
        self.state.running_config = self.state.startup_config
        found = _HOSTNAME.search(self.state.startup_config)
        if found:
            self.hostname = found.group(1).decode("ascii", "replace")
        self._session = self._device_root = None  # rebuilt from the new configuration on next use
