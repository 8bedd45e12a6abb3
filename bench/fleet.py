"""A fleet from start to all joined: N simulated switches zero-touch against a director in its own process.

The director is a real ``vstackcli`` process (``python -m vstackcli --root TMP --startup-config CFG`` with its
standard input held open), so its peak RSS (``VmHWM`` in /proc/PID/status) and CPU time are its own. The
switches run in this process (``FleetRunner`` on one event loop), each fetching an image of ``--image-size``
bytes. Printed: wall time from the first switch booting to the last one joined, the director's peak RSS and
CPU seconds, this process's CPU seconds (which side is the limit), DHCP transactions/s (every lease a switch
obtains: before and after its reload), TFTP MiB/s (bytes the switches received over the wall time), and per
phase the mean/p50/p95 seconds a switch spent there.

    .venv/bin/python bench/fleet.py [--count 500] [--image-size 4mb] [--concurrency 500] [--profile FILE]

Goal (issue 7): 500 switches in under 60 s with director RSS under 200 MB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import itertools
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from vstackcli.fleet.prepare import prepare
from vstackcli.fleet.runner import FleetRunner
from vstackcli.fleet.servers import ServersError, find_director, servers_path
from vstackcli.fleet.state import FleetState
from vstackcli.fleet.topology import generate, parse_size
from vstackcli.sim.network import SimNetwork
from vstackcli.sim.spec import Phase, SwitchEvent

CONFIG = """hostname Director
interface Vlan1
 ip address 10.0.0.1 255.255.0.0
vstack director 10.0.0.1
vstack basic
vstack hostname-prefix SI
vstack image flash:c2960x-universalk9-tar.152-2.E6.tar
vstack config flash:default_config.txt
vstack dhcp-localserver bench
 address-pool 10.0.0.0 255.255.0.0
 file-server 10.0.0.1
 default-router 10.0.0.1
end
"""


def _status(pid: int) -> dict[str, str]:
    fields = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def _cpu(pid: int) -> float:
    try:
        parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def _start_director(root: Path, keepalive: float) -> subprocess.Popen:
    cfg = root / "director.cfg"
    cfg.write_text(CONFIG)
    proc = subprocess.Popen([sys.executable, "-m", "vstackcli", "--root", str(root), "--startup-config", str(cfg),
                             "--keepalive", str(keepalive)], stdin=subprocess.PIPE,
                            stdout=(root / "director.out").open("w"), stderr=subprocess.STDOUT)
    for _ in range(400):
        if servers_path(root).exists():
            return proc
        if proc.poll() is not None:
            raise SystemExit("the director did not start")
        time.sleep(0.05)
    raise SystemExit("the director did not publish its servers")


async def _fleet(args: argparse.Namespace, root: Path) -> tuple[FleetState, float, bool]:
    try:
        servers = find_director(root)
    except ServersError as exc:
        raise SystemExit(str(exc)) from None
    topology = generate(args.count, args.pids)
    state = FleetState(topology)
    network = SimNetwork.loopback(servers.dhcp, servers.tftp, servers.smi)
    runner = FleetRunner(topology, network, state, concurrency=args.concurrency, keepalive=args.keepalive,
                         director_keepalive=servers.keepalive, timeout=args.timeout)
    first: list[float] = []

    def seen(switch, event: SwitchEvent) -> None:
        if not first:
            first.append(time.monotonic())

    state.listeners.append(seen)
    result = await runner.run()
    wall = time.monotonic() - (first[0] if first else state.start)
    await runner.stop()
    return state, wall, result.timed_out


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--pids", default="WS-C2960X-48FPD-L")
    parser.add_argument("--image-size", type=parse_size, default=4 * 1024**2)
    parser.add_argument("--concurrency", type=int, default=500)
    parser.add_argument("--keepalive", type=float, default=30.0)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--profile", metavar="FILE", help="cProfile the fleet side into FILE")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vstackcli-bench-fleet-") as tmp:
        root = Path(tmp)
        (root / "flash").mkdir()
        prepare(CONFIG, root / "flash", args.image_size)
        director = _start_director(root, args.keepalive)
        cpu_before = _cpu(director.pid)
        own_before = resource.getrusage(resource.RUSAGE_SELF)
        try:
            profiler = cProfile.Profile() if args.profile else None
            if profiler is not None:
                profiler.enable()
            state, wall, timed_out = asyncio.run(_fleet(args, root))
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(args.profile)
            status = _status(director.pid)
            cpu = _cpu(director.pid) - cpu_before
        finally:
            with contextlib.suppress(Exception):
                director.stdin.write(b"enable\nshow vstack status\n")
                director.stdin.close()
            try:
                director.wait(10)
            except subprocess.TimeoutExpired:
                director.kill()
                director.wait()
        own = resource.getrusage(resource.RUSAGE_SELF)
        shown = (root / "director.out").read_text(errors="replace").splitlines()
        busy = [line for line in shown if re.search(r" S [AI] [ahd]( [iIX])?( [cCx])?$", line)
                and not line.endswith(" I C")]

    counts = state.counts()
    dhcp = sum(1 for s in state.switches.values() for _ in range(2 if Phase.RELOAD in s.entered else 1)
               if Phase.DHCP in s.entered)
    received = state.bytes()
    print(f"fleet: {args.count} switches, {args.image_size / 1024**2:.1f} MiB image each, concurrency "
          f"{args.concurrency}{' (TIMED OUT)' if timed_out else ''}")
    print(f"  joined {counts['joined']}, failed {counts['failed']}, denied {counts['denied']}, held {counts['held']}, "
          f"other {args.count - counts['joined'] - counts['failed'] - counts['denied'] - counts['held']}")
    print(f"  wall time, first boot -> all joined: {wall:.1f} s")
    print(f"  director peak RSS (VmHWM): {status.get('VmHWM', '?')}; RSS now {status.get('VmRSS', '?')}; "
          f"threads {status.get('Threads', '?')}")
    fleet_cpu = (own.ru_utime + own.ru_stime) - (own_before.ru_utime + own_before.ru_stime)
    print(f"  CPU: director {cpu:.1f} s, fleet (this process) {fleet_cpu:.1f} s, over {wall:.1f} s wall "
          f"on {os.cpu_count()} cores")
    print(f"  DHCP: {dhcp} transactions, {dhcp / wall:.0f}/s")
    print(f"  TFTP: {received / 1024**2:.0f} MiB received, {received / 1024**2 / wall:.1f} MiB/s")
    per_phase: dict[str, list[float]] = {}
    order = [Phase.BOOT, Phase.DHCP, Phase.IMAGE_LIST, Phase.IMAGE, Phase.CONFIG, Phase.RELOAD, Phase.JOINED]
    for s in state.switches.values():
        times = sorted(((t, p) for p, t in s.entered.items() if p in order), key=lambda x: x[0])
        for (t0, p0), (t1, _p1) in itertools.pairwise(times):
            per_phase.setdefault(p0.value, []).append(t1 - t0)
    print("  per phase (seconds a switch spent there): mean / p50 / p95")
    for phase in order[:-1]:
        values = per_phase.get(phase.value)
        if values:
            print(f"    {phase.value:<11} {statistics.mean(values):6.2f} {_percentile(values, 0.5):6.2f} "
                  f"{_percentile(values, 0.95):6.2f}")
    boot = [s.elapsed for s in state.switches.values() if s.elapsed is not None and s.phase is Phase.JOINED]
    if boot:
        print(f"  per switch, boot -> joined: mean {statistics.mean(boot):.1f} s, p95 {_percentile(boot, 0.95):.1f} s")
    if busy:
        print(f"  director: {len(busy)} clients not upgraded (image/config letters), first ones:")
        for line in busy[:8]:
            print(f"    {line}")
    print(json.dumps({"count": args.count, "wall_s": round(wall, 2), "director_vmhwm": status.get("VmHWM"),
                      "director_cpu_s": round(cpu, 2), "fleet_cpu_s": round(fleet_cpu, 2),
                      "dhcp_per_s": round(dhcp / wall, 1), "tftp_mib_per_s": round(received / 1024**2 / wall, 1),
                      "joined": counts["joined"]}))


if __name__ == "__main__":
    main()
