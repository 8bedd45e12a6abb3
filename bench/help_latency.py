"""`?` help latency: how long ``Session.help(text)`` takes for typical lines.

In-process, on a ``Device`` in a temporary root and a privileged session
(``Session(device, privilege=15, length=0)``), each help text is timed:

* cold: the first call after every mode's lazily built command graph has been
  dropped (``Mode._graph = None``), so it includes compiling that mode's graph;
  the very first call of the process (imports already done) is printed too;
* warm: ``--runs`` calls after ``--warmup`` calls, with per-call mean, median,
  p99 and max in microseconds.

Goal (provisional): `?` feels instant on a console, i.e. well under 10 ms per
call warm, and the cold call, paid once per mode, not much above 50 ms.

    .venv/bin/python bench/help_latency.py [--runs 200] [--warmup 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from vstackcli.engine.device import Device
from vstackcli.modes import MODES
from vstackcli.shell.session import Session

# (mode to be in, text typed before the `?`)
CASES: list[tuple[str, str]] = [
    ("exec", ""),
    ("exec", "show "),
    ("exec", "sh"),
    ("config", ""),
    ("config", "vstack "),
    ("config", "vstack group built-in "),
    ("config", "ip "),
    ("config", "interface "),
    ("config", "no "),
]


def _session(root: Path, mode: str) -> Session:
    session = Session(Device(root), privilege=15, length=0)
    if mode == "config":
        reply = session.execute("configure terminal")
        if reply.failed or session.mode.name != "config":
            raise SystemExit(f"configure terminal failed: {reply.lines}")
    return session


def _drop_graphs() -> None:
    for mode in MODES.values():
        mode._graph = None


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def graph_build_times(repeats: int) -> None:
    """Building each mode's graph from scratch (what a cold `?` or a first command pays once)."""
    print("graph build per mode (Mode.graph after dropping it), median of", repeats, "builds:")
    for name in ("exec", "config", "config-if", "dhcp-config", "config-vstack-dhcp", "config-vstack-group"):
        mode = MODES[name]
        times = []
        for _ in range(repeats):
            mode._graph = None
            start = time.perf_counter()
            graph = mode.graph
            times.append((time.perf_counter() - start) * 1000)
        print(f"  {name:22s} {statistics.median(times):7.2f} ms  ({len(graph.commands)} commands)")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="timed calls per text (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed calls before timing (default 20)")
    parser.add_argument("--show", action="store_true", help="print what each `?` listed")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vstackcli-bench-") as tmp:
        root = Path(tmp)
        sessions = {"exec": _session(root / "exec", "exec")}
        sessions["config"] = _session(root / "config", "config")
        # the very first `?` of the process: imports done, but no graph built for it yet
        # (`configure terminal` above built the exec graph, so take a config-mode text)
        _drop_graphs()
        start = time.perf_counter()
        sessions["config"].help("")
        first_ms = (time.perf_counter() - start) * 1000
        print(f"first `?` in the process (config mode, '' after dropping graphs): {first_ms:.2f} ms")
        print()

        graph_build_times(5)

        header = (f"{'mode':7s} {'text':26s} {'cold ms':>8s} {'mean us':>9s} {'median us':>10s} {'p99 us':>9s} "
                  f"{'max us':>9s} {'lines':>6s}")
        print(f"Session.help(text), {args.runs} timed calls after {args.warmup} warm-up calls")
        print(header)
        print("-" * len(header))
        worst = cold_worst = 0.0
        for mode, text in CASES:
            session = sessions[mode]
            _drop_graphs()
            start = time.perf_counter()
            lines = session.help(text)
            cold_ms = (time.perf_counter() - start) * 1000
            for _ in range(args.warmup):
                session.help(text)
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                session.help(text)
                times.append((time.perf_counter() - start) * 1e6)
            mean = statistics.fmean(times)
            worst = max(worst, mean)
            cold_worst = max(cold_worst, cold_ms)
            print(f"{mode:7s} {text!r:26s} {cold_ms:8.2f} {mean:9.1f} {statistics.median(times):10.1f} "
                  f"{_percentile(times, 99):9.1f} {max(times):9.1f} {len(lines):6d}")
            if args.show or (lines[:1] and lines[0].startswith("%")):
                for line in lines[:40]:
                    print(f"        | {line}")
        print()
        print(f"slowest warm mean: {worst / 1000:.2f} ms (goal: well under 10 ms)")
        print(f"slowest cold call: {cold_worst:.2f} ms (goal: not much above 50 ms; mostly the mode's graph build)")


if __name__ == "__main__":
    main()
