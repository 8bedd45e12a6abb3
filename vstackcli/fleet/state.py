"""What a running fleet looks like: one ``SwitchState`` per switch, fed by ``SwitchEvent``s.

The runner feeds every event into ``FleetState.event``; the live display and the
summary read from it. Plain data, no I/O; the clock is injected for tests.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from vstackcli.fleet.topology import Topology
from vstackcli.sim.spec import Phase, SwitchEvent, SwitchSpec

__all__ = ["COLUMNS", "END_PHASES", "SETTLED_PHASES", "TRANSFER_PHASES", "FleetState", "SwitchState"]

END_PHASES = frozenset({Phase.JOINED, Phase.FAILED, Phase.DENIED})  # the fleet is done when all are here
SETTLED_PHASES = END_PHASES | {Phase.HELD}  # the switch no longer needs its upstream's attention
TRANSFER_PHASES = (Phase.IMAGE_LIST, Phase.IMAGE, Phase.CONFIG)
# the live display's columns: a switch not started yet is "waiting", an unplugged one "replaced"
COLUMNS = ("waiting", "boot", "dhcp", "image list", "image", "config", "reload", "joined", "held", "denied",
           "failed", "replaced")


@dataclass
class SwitchState:
    """One switch as the fleet saw it."""

    spec: SwitchSpec
    phase: Phase | None = None  # None: not started yet
    started: float | None = None
    finished: float | None = None  # when it reached an end phase (last time, if it came back)
    detail: str = ""
    transferred: dict[Phase, int] = field(default_factory=dict)  # bytes per transfer phase
    sizes: dict[Phase, int] = field(default_factory=dict)
    entered: dict[Phase, float] = field(default_factory=dict)  # first time each phase was entered
    ip: str = ""
    hostname: str = ""
    version_after: str = ""
    replaced: bool = False  # unplugged to make room for its replacement

    @property
    def column(self) -> str:
        if self.replaced:
            return "replaced"
        return "waiting" if self.phase is None else self.phase.value

    @property
    def elapsed(self) -> float | None:
        if self.started is None:
            return None
        return (self.finished if self.finished is not None else time.monotonic()) - self.started

    @property
    def bytes(self) -> int:
        return sum(self.transferred.values())

    @property
    def done(self) -> bool:
        return self.replaced or self.phase in END_PHASES


class FleetState:
    """Every switch of a fleet, the counts per phase, transfer totals and the last events."""

    def __init__(self, topology: Topology, clock: Callable[[], float] = time.monotonic, recent: int = 6):
        self.topology = topology
        self.clock = clock
        self.switches: dict[str, SwitchState] = {s.name: SwitchState(s) for s in topology.switches}
        self.recent: deque[str] = deque(maxlen=recent)
        self.start = clock()
        self.end: float | None = None
        self.changes = 0  # phase changes seen, so a display can tell when to redraw
        self._samples: deque[tuple[float, int]] = deque(maxlen=64)
        self._bytes = 0  # running totals: progress events come per TFTP block, so no sums over the fleet
        self._expected = 0
        self.listeners: list[Callable[[SwitchState, SwitchEvent], None]] = []
        self.note_listeners: list[Callable[[str], None]] = []  # runner notes (unplugged, waiting)

    # ---- input --------------------------------------------------------------------------------

    def started(self, name: str) -> None:
        s = self.switches[name]
        s.started, s.finished, s.phase = self.clock(), None, Phase.BOOT
        s.entered.setdefault(Phase.BOOT, s.started)

    def unplugged(self, name: str) -> None:
        s = self.switches[name]
        s.replaced = True
        self.note(f"{name} unplugged (to be replaced)")

    def event(self, event: SwitchEvent) -> SwitchState | None:
        """Take one event; returns the switch's state when its phase changed."""
        s = self.switches.get(event.switch)
        if s is None:
            return None
        now = self.clock()
        if event.phase in TRANSFER_PHASES and event.total:
            done = max(event.done, 0)
            self._bytes += done - s.transferred.get(event.phase, 0)
            self._expected += event.total - s.sizes.get(event.phase, 0)
            s.transferred[event.phase] = done
            s.sizes[event.phase] = event.total
            if not self._samples or now - self._samples[-1][0] >= 0.05:
                self._samples.append((now, self._bytes))
        if event.phase is s.phase and not (event.detail and event.phase in SETTLED_PHASES):
            return None
        s.phase = event.phase
        if event.detail:
            s.detail = event.detail
        s.entered.setdefault(event.phase, now)
        if s.started is None:
            s.started = now
        if event.phase in END_PHASES:
            s.finished = now
        elif event.phase is Phase.BOOT:
            s.finished = None
        self.changes += 1
        self._note(f"{event.switch} {event.phase.value}{': ' + event.detail if event.detail else ''}")
        for listener in self.listeners:
            listener(s, event)
        return s

    def note(self, text: str) -> None:
        """Add a line to the recent events (shown by the live display, printed in plain mode)."""
        self._note(text)
        for listener in self.note_listeners:
            listener(text)

    def _note(self, text: str) -> None:
        self.recent.append(f"{self.clock() - self.start:7.1f}s {text}")

    # ---- output -------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(COLUMNS, 0)
        for s in self.switches.values():
            counts[s.column] += 1
        return counts

    def bytes(self) -> int:
        """Bytes the switches received so far."""
        return self._bytes

    def expected_bytes(self) -> int:
        """Bytes of the transfers known so far (their sizes are learnt as they start)."""
        return self._expected

    def rate(self, window: float = 3.0) -> float:
        """Bytes per second over about the last ``window`` seconds."""
        if not self._samples:
            return 0.0
        now = self.clock()
        first = next((sample for sample in self._samples if now - sample[0] <= window), self._samples[-1])
        span = now - first[0]
        return max(self._bytes - first[1], 0) / span if span > 1e-3 else 0.0

    @property
    def done(self) -> bool:
        return all(s.done for s in self.switches.values())

    def elapsed(self) -> float:
        return (self.end if self.end is not None else self.clock()) - self.start

    def phase_times(self) -> dict[str, float]:
        """Mean seconds spent in each phase, over the switches that left it."""
        order = [Phase.BOOT, Phase.DHCP, Phase.IMAGE_LIST, Phase.IMAGE, Phase.CONFIG, Phase.RELOAD, Phase.JOINED]
        sums: dict[str, list[float]] = {}
        for s in self.switches.values():
            times = sorted(((t, p) for p, t in s.entered.items() if p in order), key=lambda x: x[0])
            for (t0, p0), (t1, _p1) in itertools.pairwise(times):
                sums.setdefault(p0.value, []).append(t1 - t0)
        return {phase: sum(v) / len(v) for phase, v in sums.items()}
