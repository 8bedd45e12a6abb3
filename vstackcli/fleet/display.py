"""How a running fleet is shown: a rich live view on a terminal, plain lines otherwise.

``make_display(state, stream)`` picks one. Both take the same calls from the
runner: ``start()``, ``refresh()`` (often), ``stop()`` and, at the end,
``summary()``, which prints one row per switch (name, PID, IP, hostname, version
before -> after, phase, seconds).

Plain mode (standard output is not a terminal: automation, tests) prints one
line per phase change, ``  12.3s sw4 image``, and the summary as fixed-width
text, with no colours or control characters.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from vstackcli.fleet.state import COLUMNS, FleetState, SwitchState
from vstackcli.sim.spec import Phase, SwitchEvent

__all__ = ["LiveDisplay", "PlainDisplay", "make_display", "summary_rows"]

_STYLE = {"joined": "green", "failed": "red", "denied": "red", "held": "yellow", "replaced": "dim",
          "waiting": "dim"}
SUMMARY_HEADER = ("Name", "PID", "IP", "Hostname", "Version", "Phase", "Time")


def _mib(n: float) -> str:
    return f"{n / 1024**2:.1f} MiB"


def summary_rows(state: FleetState) -> list[tuple[str, ...]]:
    """One row per switch, in topology order."""
    rows = []
    for s in state.switches.values():
        after = s.version_after or "?"
        version = s.spec.version if after in ("?", s.spec.version) else f"{s.spec.version} -> {after}"
        phase = s.column + (f" ({s.detail})" if s.detail and s.phase in (Phase.FAILED, Phase.DENIED) else "")
        elapsed = s.elapsed
        rows.append((s.spec.name, s.spec.pid, s.ip or "-", s.hostname or "-", version, phase,
                     f"{elapsed:.1f}s" if elapsed is not None else "-"))
    return rows


def totals_line(state: FleetState) -> str:
    counts = state.counts()
    shown = ", ".join(f"{counts[c]} {c}" for c in COLUMNS if counts[c])
    return (f"{len(state.switches)} switches in {state.elapsed():.1f}s: {shown}; "
            f"{_mib(state.bytes())} transferred")


class PlainDisplay:
    """Line output for pipes and logs."""

    def __init__(self, state: FleetState, stream: TextIO):
        self.state = state
        self.stream = stream
        state.listeners.append(self._changed)
        state.note_listeners.append(self.note)

    def _changed(self, switch: SwitchState, event: SwitchEvent) -> None:
        detail = f" ({event.detail})" if event.detail else ""
        self.stream.write(f"{self.state.clock() - self.state.start:7.1f}s {event.switch} {event.phase.value}"
                          f"{detail}\n")
        self.stream.flush()

    def note(self, text: str) -> None:
        self.stream.write(f"{self.state.clock() - self.state.start:7.1f}s {text}\n")
        self.stream.flush()

    def start(self) -> None:
        self.note(f"fleet of {len(self.state.switches)} switches from {self.state.topology.source}")

    def refresh(self) -> None:
        """Nothing to redraw: every change is already a line."""

    def stop(self) -> None:
        self.stream.flush()

    def summary(self) -> None:
        rows = [SUMMARY_HEADER, *summary_rows(self.state)]
        widths = [max(len(r[i]) for r in rows) for i in range(len(SUMMARY_HEADER))]
        self.stream.write("\n")
        for n, row in enumerate(rows):
            self.stream.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n")
            if n == 0:
                self.stream.write("  ".join("-" * w for w in widths) + "\n")
        self.stream.write(totals_line(self.state) + "\n")
        self.stream.flush()


class LiveDisplay:
    """A rich live view: counts per phase, transfer progress and rate, the last events."""

    def __init__(self, state: FleetState, console: Console):
        self.state = state
        self.console = console
        self.live = Live(self._render(), console=console, refresh_per_second=4, transient=False)

    def note(self, text: str) -> None:
        self.state.note(text)

    def _render(self) -> Group:
        state = self.state
        counts = state.counts()
        phases = Table(box=None, show_edge=False, pad_edge=False, expand=False)
        shown = [c for c in COLUMNS if counts[c] or c in ("dhcp", "image", "config", "joined", "failed")]
        for column in shown:
            phases.add_column(column, justify="right", style=_STYLE.get(column, ""))
        phases.add_row(*(str(counts[c]) for c in shown))
        done, expected = state.bytes(), state.expected_bytes()
        bar = ProgressBar(total=max(expected, 1), completed=done, width=40)
        transfer = Table.grid(padding=(0, 1))
        transfer.add_row(Text("TFTP"), bar, Text(f"{_mib(done)} / {_mib(expected)}  {_mib(state.rate())}/s"))
        joined = counts["joined"]
        header = Text(f"vstackcli fleet: {joined}/{len(state.switches)} joined, {state.elapsed():.1f}s "
                      f"({state.topology.source})", style="bold")
        recent = Text("\n".join(state.recent) or " ", style="dim")
        return Group(header, phases, transfer, recent)

    def start(self) -> None:
        self.live.start()

    def refresh(self) -> None:
        self.live.update(self._render())

    def stop(self) -> None:
        self.live.update(self._render())
        self.live.stop()

    def summary(self) -> None:
        table = Table(title="Fleet summary", title_justify="left")
        for title in SUMMARY_HEADER:
            table.add_column(title, justify="right" if title == "Time" else "left")
        for row in summary_rows(self.state):
            phase = row[5].split(" ")[0]
            table.add_row(*row[:5], Text(row[5], style=_STYLE.get(phase, "")), row[6])
        self.console.print(table)
        self.console.print(totals_line(self.state))


def make_display(state: FleetState, stream: TextIO, plain: bool | None = None) -> PlainDisplay | LiveDisplay:
    """A live display when ``stream`` is a terminal (unless ``plain``), else plain lines."""
    if plain is None:
        plain = not stream.isatty()
    if plain:
        return PlainDisplay(state, stream)
    return LiveDisplay(state, Console(file=stream))
