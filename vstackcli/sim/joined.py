"""A simulated switch talking to its director: CDP update, join, keepalive, reports, backup, and the
director's commands through its TCP 4786 endpoint (docs/simulation.md).

A mixin of ``SimSwitch``. Every message goes on its own connection, one at a time, and returns
once the director has handled it, so a switch's reports never overtake each other.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
from typing import TYPE_CHECKING

from vstackcli.engine.clients import Neighbor, StackMember
from vstackcli.grammar.values import parse_interface
from vstackcli.net.smi import codec, extension
from vstackcli.net.smi.client_endpoint import CommandRefused
from vstackcli.net.smi.codec import ChangeConfig, ImageUpgrade
from vstackcli.net.smi.legacy import LEGACY_PORT, LEGACY_PORT_UNPRIVILEGED
from vstackcli.sim import tftp
from vstackcli.sim.network import SMI_PORT
from vstackcli.sim.spec import Phase
from vstackcli.sim.zerotouch import MAX_CONFIG, ZeroTouchFailed

if TYPE_CHECKING:
    from vstackcli.net.vty.telnet import TelnetServer
    from vstackcli.sim.client import SimEndpoint

__all__ = ["DirectorLink"]

log = logging.getLogger(__name__)


class DirectorLink:
    """The Smart Install side of a switch once it knows its director."""

    _endpoint: SimEndpoint | None
    _vty: TelnetServer | None = None

    async def _join(self) -> None:
        if self.director is None:
            self._emit(Phase.HELD, "no director known: not joined")
            return
        await self._open_endpoint()
        await self.send_to_director(self._report_message(keepalive=False))
        self._emit(Phase.JOINED, str(self.address))
        self._spawn(self._keepalive())

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(self.keepalive)
            await self.send_to_director(self._report_message(keepalive=True))

    def _report_message(self, keepalive: bool, cdp: bool = False) -> extension.Report:
        spec = self.spec
        upstream = self._upstream(cdp)
        stack = tuple(StackMember(m.number, m.mac, m.pid) for m in spec.members)
        return extension.Report(spec.mac, spec.pid, None if cdp and spec.smart_install else self.address,
                                self.hostname if not cdp else "", spec.serial, self.version, spec.smart_install,
                                upstream, stack, keepalive, cdp)

    def _upstream(self, cdp: bool) -> Neighbor | None:
        port = parse_interface(self.spec.upstream_port)
        if self.upstream is not None:
            return Neighbor(self.upstream.address, port) if self.upstream.address is not None else None
        if self.director is not None:
            return Neighbor(self.director, port)
        return Neighbor(ipaddress.IPv4Address(0), port) if cdp else None

    async def _send_cdp(self) -> bool:
        """The CDP database update the upstream device sends about this switch (docs/smi-extension.md).

        True when delivered, or when there is nowhere to send it; False when it could not
        be sent yet (on an interface, before the switch has an address)."""
        target = self._cdp_target()
        if target is None:
            return True
        if not self.network.is_loopback and self.address is None:
            return False
        try:  # CDP runs long before DHCP on a real switch: wait until the director has handled the update
            await self._deliver(target, [extension.encode(self._report_message(False, cdp=True))])
        except (OSError, TimeoutError) as exc:
            self.failures.append(f"CDP update: {exc}")
        return True

    async def _deliver(self, target: tuple[str, int], payloads: list[bytes]) -> None:
        """Messages on one fresh connection, one connection at a time, each returning only when the director
        has handled them (it closes after handling what it read): a switch's reports never overtake each
        other, as separate connections otherwise can under load ("done" before "started")."""
        async with self._sending:
            async with asyncio.timeout(10.0):
                source = self._source()
                reader, writer = await asyncio.open_connection(*target, local_addr=(source, 0) if source else None)
                try:
                    for payload in payloads:
                        writer.write(payload)
                    writer.write_eof()
                    await writer.drain()
                    await reader.read()
                finally:
                    writer.close()

    def _cdp_target(self) -> tuple[str, int] | None:
        if self.network.is_loopback:
            return self.network.smi
        director = self.director or self.network.director
        return (str(director), SMI_PORT) if director is not None else None

    async def send_to_director(self, message: extension.Extension | extension.Report) -> None:
        """One extension message to the director on a fresh connection from this switch's address."""
        await self._send([extension.encode(message)])

    async def _send(self, payloads: list[bytes]) -> None:
        if self.director is None:
            return
        try:
            await self._deliver(self.network.smi_endpoint(str(self.director)), payloads)
        except (OSError, TimeoutError) as exc:
            self.failures.append(f"director unreachable: {exc}")

    async def _report(self, kind: str, phase: str, detail: str = "") -> None:
        await self.send_to_director(extension.DownloadReport(self.spec.mac, kind, phase, detail[:128]))

    async def _backup(self) -> None:
        """``write memory``: a keepalive (the hostname may have changed), then the startup configuration."""
        data = self.state.startup_config[:extension.BACKUP_MAX]
        await self._send([extension.encode(self._report_message(keepalive=True)),
                          extension.encode(extension.BackupData(self.spec.mac, data))])

    # ---- the endpoint's work ------------------------------------------------------------------

    async def _open_endpoint(self) -> None:
        if self._endpoint is not None:
            return
        from vstackcli.sim.client import SimEndpoint

        loopback = self.network.is_loopback
        for _attempt in range(20):
            endpoint = SimEndpoint(self, self._source() or "0.0.0.0", SMI_PORT,
                                   director=None if loopback else str(self.director), director_only=not loopback,
                                   report_to=self.network.smi_endpoint(str(self.director)))
            try:
                await endpoint.start()
            except OSError as exc:
                if not loopback or exc.errno != errno.EADDRINUSE:
                    raise
                self.local = self.network.allocate_alias()  # another program holds this alias's 4786
                continue
            self._endpoint = endpoint
            await self._open_vty()
            return
        raise OSError(errno.EADDRINUSE, "no free loopback alias for the Smart Install listener")

    async def _open_vty(self) -> None:
        """The switch's telnet vty, what ``vstack attach`` reaches: its own IOS shell, built at the first
        connection, on port 23 (2323 on loopback). Its ``line vty`` and enable password come from the
        configuration the director sent, as the guide requires for attaching."""
        from vstackcli.net.vty.telnet import TelnetServer

        port = LEGACY_PORT_UNPRIVILEGED if self.network.is_loopback else LEGACY_PORT
        vty = TelnetServer(lambda: self.shell().device, self._source() or "0.0.0.0", port)
        try:
            await vty.start()
        except OSError as exc:  # the switch still works; only attaching to it does not
            log.warning("switch %s: no vty on port %d: %s", self.name, port, exc.strerror)
            return
        self._vty = vty

    async def _close_endpoint(self) -> None:
        if self._endpoint is not None:
            await self._endpoint.stop()
            self._endpoint = None
        if self._vty is not None:
            await self._vty.stop()
            self._vty = None

    async def read_url(self, url: str, cap: int | None = None) -> bytes:
        """A ``tftp://host/path`` file (the endpoint's commands), at the address the network maps."""
        host, path = codec.parse_tftp_url(url)
        try:
            return await tftp.fetch_bytes(*self.network.tftp_endpoint(host), path, cap=cap, local=self._source())
        except tftp.TftpError as exc:
            raise CommandRefused(f"{url}: {exc}") from None

    async def write_url(self, url: str, data: bytes) -> None:
        host, path = codec.parse_tftp_url(url)
        try:
            await tftp.send(*self.network.tftp_endpoint(host), path, data, local=self._source())
        except tftp.TftpError as exc:
            raise CommandRefused(f"{url}: {exc}") from None

    async def on_demand_config(self, message: ChangeConfig) -> None:
        """Type 3: the configuration becomes the startup-config; reload now or at the time given."""
        self.state.startup_config = await self.read_url(message.url, MAX_CONFIG)
        if message.reload:
            self.schedule_reload(message.hour, message.minute)

    async def on_demand_image(self, message: ImageUpgrade) -> None:
        """Type 2: the image list and its images; reload now or at the time given."""
        host, path = codec.parse_tftp_url(message.url)
        try:
            await self._upgrade_quietly(host, path)
        except ZeroTouchFailed as exc:
            raise CommandRefused(str(exc)) from None
        if message.reload_now:
            self.schedule_reload(0, 0)
        elif message.reload:
            self.schedule_reload(message.hour, message.minute)

    async def _upgrade_quietly(self, server: str, image_list: str) -> None:
        """An on-demand upgrade: the endpoint sends the started/done/failed reports itself."""
        try:
            await self._upgrade(server, image_list, zero_touch=False)
        finally:
            self._emit(Phase.JOINED, f"image {self.boot_image} installed, boots at next reload")

    def schedule_reload(self, hour: int, minute: int) -> None:
        if self._reload_timer is not None:
            self._reload_timer.cancel()
        delay = (hour * 3600 + minute * 60) * self.time_scale
        self.pending_reload = f"in {hour:02d}:{minute:02d}"
        self.state.reload = self.pending_reload
        loop = asyncio.get_running_loop()
        self._reload_timer = loop.call_later(delay, lambda: self._spawn(self.reload()))

    async def reload(self) -> None:
        """Reload now (an on-demand reload, or the operator's): boot what was installed, then join again."""
        if self._reload_timer is not None:
            self._reload_timer.cancel()
            self._reload_timer = None
        await self._reload()
        if not self.spec.smart_install:
            await self._send_cdp()  # its neighbour tells the director what it runs now
            self._emit(Phase.JOINED, str(self.address))
        elif self.director is not None and self._endpoint is not None:
            await self.send_to_director(self._report_message(keepalive=False))
            self._emit(Phase.JOINED, str(self.address))
