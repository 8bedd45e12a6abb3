"""One simulated client switch: ``SimSwitch``.

It boots with no configuration and runs zero-touch as the guide describes
(docs/simulation.md): a CDP database update on its behalf (its PID, port and
stack, as its upstream neighbour would send), DHCP with a Catalyst's client
identifier, the image list, the image when its version differs from the running
one, the configuration; "reload" into them; DHCP again, then it joins the
director (Smart Install listener on TCP 4786, join report), keeps alive, reports
its downloads and carries out the director's commands (backup, on-demand image
and configuration with ``reload in``). ``write_memory()`` backs its
configuration up to the director. ``start()`` returns at once: the switch lives
in tasks on the running loop, with no thread of its own.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from vstackcli.engine.clients import Neighbor, StackMember
from vstackcli.engine.hostnames import vlan_mac
from vstackcli.grammar.values import parse_interface
from vstackcli.net.smi import codec, extension
from vstackcli.net.smi.client_endpoint import MAX_LIST, ClientState, CommandRefused
from vstackcli.net.smi.codec import ChangeConfig, ImageUpgrade
from vstackcli.net.smi.legacy import LEGACY_PORT, LEGACY_PORT_UNPRIVILEGED
from vstackcli.sim import tftp
from vstackcli.sim.dhcp import DhcpClient, Lease
from vstackcli.sim.images import image_version
from vstackcli.sim.network import SMI_PORT, SimNetwork
from vstackcli.sim.spec import Phase, SwitchEvent, SwitchSpec

if TYPE_CHECKING:
    from vstackcli.shell.session import Session
    from vstackcli.sim.client import SimEndpoint
    from vstackcli.sim.legacy import LegacyConsole

__all__ = ["FLASH_FULL", "KEY_PRESSED", "RELOAD_LOOP", "SimSwitch", "ZeroTouchFailed"]

log = logging.getLogger("vstackcli.sim")

MAX_CONFIG = 512 * 1024
MAX_RELOAD_LOOPS = 3
KEY_PRESSED = "zero-touch stopped: a key was pressed on the console (recover with write erase and reload)"
FLASH_FULL = "%Error copying {name} (Not enough space on device: {size} bytes, {free} free)"
RELOAD_LOOP = ("no startup configuration after {count} zero-touch reloads: the switch reloads in a loop "
               "(the guide: press Enter while it comes up to stop the update)")
_HOSTNAME = re.compile(rb"^hostname\s+(\S+)\s*$", re.MULTILINE)


class ZeroTouchFailed(Exception):
    """A zero-touch step failed; the message says why (it goes into the FAILED event and the report)."""


class SimSwitch:
    """A simulated Catalyst on ``network``; ``on_event`` hears every phase change and transfer progress.

    ``upstream`` is the ``SimSwitch`` this one hangs off; by default the switch of
    the network named ``spec.upstream`` (None: the director). The switch waits for it
    to exist and have an address before it boots, as a real one waits for its uplink.
    ``keepalive``, ``reload_delay``, ``dhcp_retry`` and ``time_scale`` (applied to
    ``reload in HH:MM``) are short in tests and fleets.
    """

    def __init__(self, spec: SwitchSpec, network: SimNetwork,
                 on_event: Callable[[SwitchEvent], None] | None = None, *, upstream: SimSwitch | None = None,
                 keepalive: float = 30.0, reload_delay: float = 0.05, dhcp_retry: float = 2.0,
                 time_scale: float = 1.0):
        self.spec = spec
        self.network = network
        self.on_event = on_event
        self._uplink = upstream
        network.switches[spec.name] = self
        self.keepalive = keepalive
        self.reload_delay = reload_delay
        self.dhcp_retry = dhcp_retry
        self.time_scale = time_scale
        self.phase = Phase.BOOT
        self.detail = ""
        self.address: ipaddress.IPv4Address | None = None
        self.hostname = "Switch"
        self.version = spec.version  # the running IOS
        self.boot_image = ""  # the image it boots next (what the last upgrade installed)
        self.flash: dict[str, int] = {}  # file name -> size (images are counted, not kept)
        self.state = ClientState(mac=spec.mac, running_config=b"", startup_config=b"")
        self.director: ipaddress.IPv4Address | None = None
        self.lease: Lease | None = None
        self.reloads = 0
        self.pending_reload = ""  # "" or "in HH:MM" (on-demand, scheduled)
        self.failures: list[str] = []
        self.local = network.allocate_alias() if network.is_loopback else None
        self._tasks: set[asyncio.Task] = set()
        self._sending = asyncio.Lock()
        self._endpoint: SimEndpoint | None = None
        self._console: LegacyConsole | None = None  # the vty of a switch that is not Smart Install capable
        self._loop: asyncio.AbstractEventLoop | None = None
        self._configured: str | None = None  # the address put on the interface (interface networks)
        self._session: Session | None = None
        self._device_root: object | None = None
        self._next_version = ""
        self._config_failures = 0
        self._reload_timer: asyncio.TimerHandle | None = None

    # ---- the contract ---------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def upstream(self) -> SimSwitch | None:
        """The switch this one hangs off: the one given, else the one named ``spec.upstream`` on the network."""
        if self._uplink is None and self.spec.upstream is not None:
            found = self.network.switches.get(self.spec.upstream)
            self._uplink = found if isinstance(found, SimSwitch) and found is not self else None
        return self._uplink

    async def start(self) -> None:
        """Boot and run zero-touch, then join and keep alive (returns at once; the work runs in tasks)."""
        self._loop = asyncio.get_running_loop()
        self._spawn(self._life())

    async def stop(self) -> None:
        """Stop every task and close every socket of this switch (a powered-off switch)."""
        if self._reload_timer is not None:
            self._reload_timer.cancel()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._close_endpoint()
        if self._console is not None:
            await self._console.stop()
            self._console = None
        self._session = self._device_root = None
        await self._unconfigure()

    def write_memory(self) -> None:
        """Save the running configuration to startup and back it up to the director (from any thread)."""
        self.state.startup_config = self.state.running_config
        loop = self._loop
        if loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._spawn(self._backup())
        else:
            asyncio.run_coroutine_threadsafe(self._backup(), loop)

    def shell(self) -> Session:
        """This switch's own IOS shell (its own Device in a temporary root), built on first use."""
        if self._session is None:
            from vstackcli.sim.ios import build_shell

            self._session, self._device_root = build_shell(self)
        return self._session

    # ---- what a console user does -----------------------------------------------------------------

    async def write_erase_and_reload(self) -> None:
        """``write erase`` and ``reload``: the guide's recovery from a stopped zero-touch. The switch
        forgets its configuration and boots afresh (on the image it runs); nobody touches the keyboard now."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._close_endpoint()
        self.state.startup_config = self.state.running_config = b""
        self.hostname, self.director, self._config_failures = "Switch", None, 0
        if self.spec.fault == "key-pressed":
            self.spec.fault = None
        self.reloads += 1
        self._spawn(self._life())

    def configure(self, *lines: str) -> None:
        """Change the running configuration (``hostname NAME`` changes the hostname); not saved."""
        text = self.state.running_config.decode("ascii", "replace")
        for line in lines:
            words = line.split()
            if len(words) == 2 and words[0] == "hostname":
                if re.search(r"^hostname .*$", text, re.MULTILINE):
                    text = re.sub(r"^hostname .*$", line, text, count=1, flags=re.MULTILINE)
                else:
                    text = f"{line}\n{text}"
                self.hostname = words[1]
            else:
                text += line + "\n"
        self.state.running_config = text.encode("ascii", "replace")

    # ---- life -------------------------------------------------------------------------------------

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _emit(self, phase: Phase, detail: str = "", done: int = 0, total: int = 0) -> None:
        self.phase, self.detail = phase, detail
        if self.on_event is not None:
            try:
                self.on_event(SwitchEvent(self.spec.name, phase, detail, done, total))
            except Exception:  # a display must not kill the switch
                log.exception("event handler failed for %s", self.spec.name)

    def _fail(self, detail: str) -> None:
        self.failures.append(detail)
        self._emit(Phase.FAILED, detail)

    async def _life(self) -> None:
        try:
            await self._boot()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug or an unexpected error: the switch is failed, never a silent task death
            log.exception("simulated switch %s failed", self.spec.name)
            self._fail(f"internal error: {exc}")

    async def _boot(self) -> None:
        self._emit(Phase.BOOT, f"{self.spec.pid} {self.version}")
        while self.spec.upstream is not None and (self.upstream is None or self.upstream.address is None):
            await asyncio.sleep(0.05)  # the uplink is not there or not forwarding yet
        told = await self._send_cdp() if self.spec.smart_install else True
        while True:
            lease = await self._dhcp()
            if not told:  # on an interface the update needs an address: send it now, then ask again
                told = await self._send_cdp()
                continue
            if not self.spec.smart_install:
                await self._legacy(lease)
                return
            if self.state.startup_config:  # configured: no zero-touch; remember the director if it says
                self.director = lease.director or self.director
                break
            if not lease.smart_install:
                self._emit(Phase.HELD, "lease without Smart Install options; asking again")
                await asyncio.sleep(self.dhcp_retry)
                continue
            self.director = lease.director
            if self.spec.fault == "key-pressed":
                self._fail(KEY_PRESSED)
                return
            try:
                await self._zero_touch(lease)
            except ZeroTouchFailed as exc:
                if not str(exc).startswith("config"):
                    self._fail(str(exc))
                    return
            if not self.state.startup_config:  # the guide: no startup configuration, an endless reload loop
                self._config_failures += 1
                if self._config_failures >= MAX_RELOAD_LOOPS:
                    self._fail(RELOAD_LOOP.format(count=self._config_failures))
                    return
            await self._reload()
        await self._join()

    async def _dhcp(self) -> Lease:
        self._emit(Phase.DHCP)
        client = DhcpClient(vlan_mac(self.spec.mac), self.network, self.local)
        while True:
            lease = await client.obtain()
            if lease is not None:
                break
            self._emit(Phase.DHCP, "no answer from a DHCP server; asking again")
            await asyncio.sleep(self.dhcp_retry)
        self.lease = lease
        await self._configure_address(lease)
        self.address = lease.ip
        if lease.hostname and self.hostname == "Switch" and not self.state.startup_config:
            self.hostname = lease.hostname  # option 12, until a configuration names it
        return lease

    # ---- zero-touch -------------------------------------------------------------------------------

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
            await self._download_failed("image", f"image list {image_list}: {exc}")
        names = [line.strip() for line in listing.decode("ascii", "replace").splitlines() if line.strip()]
        if not names:
            await self._download_failed("image", f"image list {image_list} is empty")
        wanted = image_version(names[0])
        if wanted == self.version:
            self._next_version = wanted
            if zero_touch:  # nothing to download; the director's record must not stay pending
                await self._report("image", "done", f"already running {wanted}")
            return
        await self._report("image", "started")
        free = self.spec.flash_size - sum(self.flash.values())
        if self.spec.fault == "flash-too-small":
            free = min(free, 16 * 1024)  # no IOS image is that small
        for name in dict.fromkeys(names):
            size = await self._fetch_image(server, name, free)
            self.flash[name.rsplit("/", 1)[-1]] = size
            free -= size
        self.boot_image = names[0].rsplit("/", 1)[-1]
        self._next_version = wanted
        await self._report("image", "done")

    async def _fetch_image(self, server: str, path: str, free: int) -> int:
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
            await self._download_failed("image", str(exc))
        except (tftp.TftpError, OSError) as exc:
            await self._download_failed("image", f"{path}: {exc}")
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

    async def _download_failed(self, kind: str, detail: str) -> None:
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

    # ---- joined ---------------------------------------------------------------------------------

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
            return
        raise OSError(errno.EADDRINUSE, "no free loopback alias for the Smart Install listener")

    async def _close_endpoint(self) -> None:
        if self._endpoint is not None:
            await self._endpoint.stop()
            self._endpoint = None

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
        saved = self._report
        self._report = _silent  # type: ignore[method-assign]
        try:
            await self._upgrade(server, image_list, zero_touch=False)
        finally:
            self._report = saved  # type: ignore[method-assign]
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

    # ---- non-Smart-Install clients -----------------------------------------------------------------

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
            from vstackcli.sim.legacy import LegacyConsole

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

    # ---- addresses -------------------------------------------------------------------------------

    def _source(self) -> str | None:
        """The address this switch sends from: its loopback alias, or its leased address."""
        if self.network.is_loopback:
            return self.local
        return str(self.address) if self.address is not None else None

    async def _configure_address(self, lease: Lease) -> None:
        """On an interface, the leased address is put on it (``ip addr``) so replies and listeners work."""
        if self.network.is_loopback:
            return
        wanted = f"{lease.ip}/{lease.network.prefixlen}"
        if self._configured == wanted:
            return
        await self._unconfigure()
        await _ip("addr", "add", wanted, "dev", self.network.ifname)
        self._configured = wanted

    async def _unconfigure(self) -> None:
        if self._configured is not None:
            await _ip("addr", "del", self._configured, "dev", self.network.ifname)
            self._configured = None


async def _silent(kind: str, phase: str, detail: str = "") -> None:
    """Reports the endpoint sends itself during on-demand work."""


async def _ip(*args: str) -> None:
    process = await asyncio.create_subprocess_exec("ip", *args, stdout=asyncio.subprocess.DEVNULL,
                                                   stderr=asyncio.subprocess.PIPE)
    _out, err = await process.communicate()
    if process.returncode != 0 and b"File exists" not in err:
        log.warning("ip %s: %s", " ".join(args), err.decode(errors="replace").strip())

