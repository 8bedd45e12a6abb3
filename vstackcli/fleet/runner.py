"""Runs a fleet: SimSwitch objects from a topology, started upstream-first, watched to the end.

``FleetRunner(topology, network, state).run()``:

- a switch boots once its upstream switch has settled (joined, held, denied or
  failed): updates reach the network hop by hop, as cabling a real network does;
- at most ``concurrency`` switches are in zero-touch at once;
- a replacement (``replaces = "old"``) waits until the old switch has joined, then
  the old one is unplugged (stopped), the runner waits until the director must
  have marked it Inactive (three missed keepalives of the director's period, plus
  its one-second tick), and the replacement boots on the same port;
- it ends when every switch is joined, failed, denied or replaced, or at
  ``timeout``; ``stop()`` then unplugs them all (``vstackcli fleet --stay`` keeps
  them alive first).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass

from vstackcli.fleet.state import SETTLED_PHASES, FleetState
from vstackcli.fleet.topology import Topology
from vstackcli.sim.network import SimNetwork
from vstackcli.sim.spec import Phase, SwitchEvent, SwitchSpec
from vstackcli.sim.switch import SimSwitch

__all__ = ["FleetResult", "FleetRunner"]

SwitchFactory = Callable[..., SimSwitch]


@dataclass
class FleetResult:
    """How a run ended."""

    state: FleetState
    timed_out: bool

    @property
    def ok(self) -> bool:
        """Every switch joined (or was replaced) before the timeout."""
        return not self.timed_out and all(s.replaced or s.phase is Phase.JOINED for s in self.state.switches.values())


class FleetRunner:
    """Starts and watches the switches of one topology on one ``SimNetwork``."""

    def __init__(self, topology: Topology, network: SimNetwork, state: FleetState | None = None, *,
                 concurrency: int = 64, keepalive: float = 30.0, director_keepalive: float | None = None,
                 timeout: float = 600.0, switch_factory: SwitchFactory = SimSwitch):
        self.topology = topology
        self.network = network
        self.state = state or FleetState(topology)
        self.concurrency = max(1, concurrency)
        self.keepalive = keepalive
        self.director_keepalive = keepalive if director_keepalive is None else director_keepalive
        self.timeout = timeout
        self.factory = switch_factory
        self.switches: dict[str, SimSwitch] = {}
        self._changed = asyncio.Event()
        self._active: set[str] = set()  # started, not settled yet
        self._tasks: set[asyncio.Task] = set()
        self._replacing: set[str] = set()

    # ---- events ------------------------------------------------------------------------------

    def _on_event(self, event: SwitchEvent) -> None:
        changed = self.state.event(event)
        if changed is None:
            return
        switch = self.switches.get(event.switch)
        if switch is not None:
            changed.ip = str(switch.address) if switch.address is not None else changed.ip
            changed.hostname = switch.hostname or changed.hostname
            version = getattr(switch, "version", "")
            if isinstance(version, str) and version:
                changed.version_after = version
        if event.phase in SETTLED_PHASES:
            self._active.discard(event.switch)
        elif event.switch in self.switches:  # a held switch asking again is in zero-touch again
            self._active.add(event.switch)
        self._changed.set()

    # ---- scheduling --------------------------------------------------------------------------

    def _settled(self, name: str) -> bool:
        s = self.state.switches[name]
        return s.replaced or s.phase in SETTLED_PHASES

    def _ready(self, spec: SwitchSpec) -> bool:
        if spec.upstream is not None and not self._settled(spec.upstream):
            return False
        return spec.replaces is None or self.state.switches[spec.replaces].phase in SETTLED_PHASES

    def _make(self, spec: SwitchSpec) -> SimSwitch:
        kwargs: dict[str, object] = {}
        parameters = inspect.signature(self.factory).parameters
        if "keepalive" in parameters:
            kwargs["keepalive"] = self.keepalive
        if "upstream" in parameters and spec.upstream is not None:
            kwargs["upstream"] = self.switches.get(spec.upstream)  # it reports its upstream's address
        switch = self.factory(spec, self.network, self._on_event, **kwargs)
        self.switches[spec.name] = switch
        return switch

    async def _boot(self, spec: SwitchSpec) -> None:
        switch = self._make(spec)
        self.state.started(spec.name)
        try:
            await switch.start()
        except Exception as exc:  # a switch that cannot even start fails alone
            self._on_event(SwitchEvent(spec.name, Phase.FAILED, f"could not start: {exc}"))

    async def _replace(self, spec: SwitchSpec) -> None:
        """Unplug the old switch, let the director notice, boot the replacement on the same port."""
        assert spec.replaces is not None
        # let the old switch live a little after it joined: the director takes its backup, which its
        # replacement gets (the guide, "Replacing a Client Switch")
        await asyncio.sleep(min(max(self.keepalive, 1.0), 5.0))
        old = self.switches.get(spec.replaces)
        if old is not None:
            with contextlib.suppress(Exception):
                await old.stop()
        self.state.unplugged(spec.replaces)
        self._changed.set()
        wait = 3 * self.director_keepalive + 1.5
        self.state.note(f"{spec.name} boots in {wait:.0f}s, once the director has marked {spec.replaces} Inactive")
        await asyncio.sleep(wait)
        await self._boot(spec)

    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run(self) -> FleetResult:
        """Run to the end (or the timeout); the switches stay up until ``stop()``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        pending = list(self.topology.switches)
        while True:
            for spec in list(pending):
                if len(self._active) >= self.concurrency:
                    break
                if not self._ready(spec):
                    continue
                pending.remove(spec)
                self._active.add(spec.name)
                self._spawn(self._replace(spec) if spec.replaces is not None else self._boot(spec))
            if self.state.done:
                self.state.end = self.state.clock()
                return FleetResult(self.state, timed_out=False)
            remaining = deadline - loop.time()
            if remaining <= 0:
                self.state.end = self.state.clock()
                return FleetResult(self.state, timed_out=True)
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 1.0))

    async def stop(self) -> None:
        """Unplug every switch (and cancel replacements still waiting)."""
        for task in list(self._tasks):
            task.cancel()
        for switch in list(self.switches.values()):
            with contextlib.suppress(Exception):
                await switch.stop()
