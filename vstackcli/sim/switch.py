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

Here: its state, boot sequence, DHCP and addresses. The zero-touch steps are in
``zerotouch.py``, everything said to or asked by the director in ``joined.py``,
the life of a client that is not Smart Install capable in ``legacy.py``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from vstackcli.engine.hostnames import vlan_mac
from vstackcli.net.smi.client_endpoint import ClientState
from vstackcli.sim.dhcp import DhcpClient, Lease
from vstackcli.sim.joined import DirectorLink
from vstackcli.sim.legacy import LegacyClient
from vstackcli.sim.network import SimNetwork
from vstackcli.sim.spec import Phase, SwitchEvent, SwitchSpec
from vstackcli.sim.zerotouch import (
    FLASH_FULL,
    KEY_PRESSED,
    MAX_RELOAD_LOOPS,
    RELOAD_LOOP,
    ZeroTouchFailed,
    ZeroTouchSteps,
)

if TYPE_CHECKING:
    from vstackcli.shell.session import Session
    from vstackcli.sim.client import SimEndpoint
    from vstackcli.sim.legacy import LegacyConsole

__all__ = ["FLASH_FULL", "KEY_PRESSED", "MAX_RELOAD_LOOPS", "RELOAD_LOOP", "SimSwitch", "ZeroTouchFailed"]

log = logging.getLogger("vstackcli.sim")


class SimSwitch(ZeroTouchSteps, DirectorLink, LegacyClient):
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

    def saved_from_shell(self, text: str) -> None:
        """``write memory`` typed on the switch's own IOS (its vty, reached by ``vstack attach``): the saved
        configuration becomes the switch's, and is backed up to the director (any thread)."""
        self.state.running_config = text.encode("ascii", "replace")
        if self._session is not None:
            self.hostname = self._session.device.config.hostname
        self.write_memory()

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


async def _ip(*args: str) -> None:
    process = await asyncio.create_subprocess_exec("ip", *args, stdout=asyncio.subprocess.DEVNULL,
                                                   stderr=asyncio.subprocess.PIPE)
    _out, err = await process.communicate()
    if process.returncode != 0 and b"File exists" not in err:
        log.warning("ip %s: %s", " ".join(args), err.decode(errors="replace").strip())
