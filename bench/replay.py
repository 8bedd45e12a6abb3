"""Replay speed: applying a generated 10,000-line configuration, as at boot.

A deterministic (seeded) director configuration is generated: hostname and
Smart Install globals, custom groups of every kind (mac, connectivity,
product-id) with their match/image/config lines, a few built-in groups,
``vstack dhcp-localserver`` pools, ``ip dhcp pool`` blocks, ``interface VlanN``
SVIs with non-overlapping addresses and descriptions, and unmodelled lines kept
verbatim (logging, spanning-tree, line vty...). It holds exactly ``--lines``
non-comment lines.

``vstackcli.shell.replay.replay`` applies it to a fresh ``Device`` (best of
``--repeat`` runs); lines/s, applied and failed counts and the first failures
are printed, then the ``show running-config`` rendering time
(``vstackcli.engine.render.render_config``) for the resulting configuration.
The replay is repeated without the SVI ``ip address`` lines (to isolate the
address-overlap check) and at several sizes (lines/s should stay flat); with
``--profile`` the slowest functions of one replay are listed.

Goal: at least 20,000 lines/s.

    .venv/bin/python bench/replay.py [--lines 10000] [--repeat 3] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from vstackcli.engine.device import Device
from vstackcli.engine.render import render_config
from vstackcli.shell.replay import ReplayReport, replay

GOAL_LINES_PER_S = 20_000

PIDS = ["WS-C2960-24TT-L", "WS-C2960-48TC-L", "WS-C2960X-24PS-L", "WS-C2960X-48FPD-L", "WS-C3560X-24P-S",
        "WS-C3750X-24T-S", "WS-C2960S-48LPS-L", "WS-C2960C-8TC-L", "WS-C2960G-24TC-L", "IE-3000-8TC"]
BUILTIN = [("2960", "24"), ("2960", "48"), ("2960", "24poe"), ("3750", "24"), ("3750", "24poe"),
           ("3560", "24"), ("3750x", "24"), ("2960c", "8")]
HEADER = [
    "service timestamps debug datetime msec",
    "service timestamps log datetime msec",
    "service password-encryption",
    "hostname Director-Bench",
    "logging buffered 8192",
    "no logging console",
    "ip domain-name bench.example.net",
    "ip dhcp remember",
    "ip routing",
    "spanning-tree mode rapid-pvst",
    "spanning-tree extend system-id",
    "vstack director 10.0.0.1",
    "vstack basic",
    "vstack vlan 1-100",
    "vstack startup-vlan 100",
    "vstack image tftp://10.0.0.2/default-image.tar",
    "vstack config tftp://10.0.0.2/default-config.txt",
    "vstack hostname-prefix bench",
]
TRAILER = [
    "ip http server",
    "snmp-server community public RO",
    "snmp-server location bench lab",
    "ntp server 10.0.0.3",
    "line con 0",
    " exec-timeout 0 0",
    "line vty 0 4",
    " transport input ssh",
    " login local",
    "line vty 5 15",
    " transport input ssh",
]


class _Generator:
    """Deterministic blocks of configuration; each block is a list of lines (the first unindented)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.macs: set[str] = set()
        self.counts = {"mac": 0, "conn": 0, "pid": 0, "vdhcp": 0, "pool": 0, "vlan": 0, "builtin": 0}

    def mac(self) -> str:
        while True:
            value = self.rng.getrandbits(48) & ~(1 << 40)  # unicast
            text = f"{value:012x}"
            dotted = f"{text[0:4]}.{text[4:8]}.{text[8:12]}"
            if dotted not in self.macs:
                self.macs.add(dotted)
                return dotted

    def mac_group(self, matches: int | None = None) -> list[str]:
        n = self.counts["mac"] = self.counts["mac"] + 1
        matches = self.rng.randint(2, 5) if matches is None else matches
        return [f"vstack group custom g{n} mac",
                *[f" match mac {self.mac()}" for _ in range(matches)],
                f" image tftp://10.0.0.2/img-{n}.tar",
                f" config tftp://10.0.0.2/cfg-{n}.txt"]

    def connectivity_group(self) -> list[str]:
        n = self.counts["conn"] = self.counts["conn"] + 1
        hosts = [f" match host 10.0.{(n + k) % 254 + 1}.1 interface GigabitEthernet1/0/{(n + k) % 48 + 1}"
                 for k in range(self.rng.randint(1, 3))]
        return [f"vstack group custom c{n} connectivity", *hosts,
                f" image tftp://10.0.0.2/img-c{n}.tar", f" config tftp://10.0.0.2/cfg-c{n}.txt"]

    def pid_group(self) -> list[str]:
        n = self.counts["pid"] = self.counts["pid"] + 1
        pids = self.rng.sample(PIDS, self.rng.randint(1, 3))
        return [f"vstack group custom p{n} product-id", *[f" match {pid}" for pid in pids],
                f" image tftp://10.0.0.2/img-p{n}.tar", f" config tftp://10.0.0.2/cfg-p{n}.txt"]

    def builtin_group(self) -> list[str] | None:
        if self.counts["builtin"] >= len(BUILTIN):
            return None
        family, ports = BUILTIN[self.counts["builtin"]]
        self.counts["builtin"] += 1
        return [f"vstack group built-in {family} {ports}",
                f" image tftp://10.0.0.2/c{family}-lanbasek9-tar.152-2.E.tar",
                f" config tftp://10.0.0.2/{family}-{ports}.txt"]

    def vstack_dhcp(self) -> list[str] | None:
        n = self.counts["vdhcp"] + 1
        if n > 250:
            return None
        self.counts["vdhcp"] = n
        return [f"vstack dhcp-localserver pool{n}",
                f" address-pool 10.{n}.0.0 255.255.255.0",
                f" default-router 10.{n}.0.1",
                " file-server 10.0.0.2"]

    def dhcp_pool(self) -> list[str] | None:
        n = self.counts["pool"] + 1
        if n > 16 * 256:
            return None
        self.counts["pool"] = n
        net = f"172.{16 + n // 256}.{n % 256}"
        return [f"ip dhcp pool clients-{n}",
                f" network {net}.0 255.255.255.0",
                f" default-router {net}.1",
                " option 150 ip 10.0.0.2"]

    def svi(self) -> list[str] | None:
        n = self.counts["vlan"] + 2  # Vlan2 .. Vlan999
        if n > 999:
            return None
        self.counts["vlan"] += 1
        # 10.100.2.0/24 .. 10.103.231.0/24: one /24 per SVI, no overlaps
        return [f"interface Vlan{n}",
                f" description bench access vlan {n} (rack {self.rng.randint(1, 40)})",
                f" ip address 10.{100 + n // 256}.{n % 256}.1 255.255.255.0"]


def generate(lines: int, seed: int) -> str:
    """Configuration text with exactly ``lines`` non-comment lines (``!`` separators aside)."""
    gen = _Generator(seed)
    out: list[str] = []
    budget = lines - len(TRAILER)
    if budget < len(HEADER) + 8:
        raise ValueError(f"at least {len(HEADER) + len(TRAILER) + 8} lines, please")
    out += HEADER
    out.append("!")
    used = len(HEADER)
    # rotation of block kinds, weighted towards what a large director config holds
    makers: list[Callable[[], list[str] | None]] = [
        gen.svi, gen.mac_group, gen.svi, gen.connectivity_group, gen.mac_group, gen.svi, gen.pid_group,
        gen.vstack_dhcp, gen.dhcp_pool, gen.builtin_group,
    ]
    for block in _rotate(makers):
        if budget - used < 12:
            break
        out += block
        out.append("!")
        used += len(block)
    remaining = budget - used
    while remaining:
        # close with a mac group of exactly the remaining size (header + matches + image + config)
        if remaining >= 4:
            size = min(remaining, 12)
            block = gen.mac_group(matches=size - 3)
        else:
            block = [f"logging host 10.0.9.{k + 1}" for k in range(remaining)]
        out += block
        out.append("!")
        remaining -= len(block)
    out += TRAILER
    text = "\n".join(out) + "\n"
    assert count_lines(text) == lines, (count_lines(text), lines)
    return text


def _rotate(makers: list[Callable[[], list[str] | None]]) -> Iterator[list[str]]:
    exhausted: set[int] = set()
    while len(exhausted) < len(makers):
        for i, make in enumerate(makers):
            if i in exhausted:
                continue
            block = make()
            if block is None:
                exhausted.add(i)
            else:
                yield block


def count_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip() and not line.strip().startswith("!"))


def timed_replay(text: str) -> tuple[float, ReplayReport, Device, tempfile.TemporaryDirectory]:
    tmp = tempfile.TemporaryDirectory(prefix="vstackcli-bench-")
    device = Device(Path(tmp.name))
    start = time.perf_counter()
    report = replay(device, text, source="bench")
    return time.perf_counter() - start, report, device, tmp


def profile(text: str, top: int) -> None:
    import cProfile
    import pstats

    with tempfile.TemporaryDirectory(prefix="vstackcli-bench-") as tmp:
        device = Device(Path(tmp))
        profiler = cProfile.Profile()
        profiler.enable()
        replay(device, text, source="bench")
        profiler.disable()
    print()
    print(f"profile of one replay (cProfile, top {top} by own time):")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(top)


def scaling(seed: int, sizes: list[int]) -> None:
    """Lines/s against the configuration size: a flat line is linear, a falling one is not."""
    print()
    print("scaling (one replay each, fresh Device):")
    for size in sizes:
        text = generate(size, seed)
        seconds, report, _device, tmp = timed_replay(text)
        tmp.cleanup()
        print(f"  {size:6d} lines: {seconds * 1000:8.1f} ms  {report.applied / seconds:9.0f} lines/s  "
              f"({len(report.failures)} failed)")


def isolate_svi_addresses(text: str, full_seconds: float, repeat: int) -> None:
    """The same replay without the SVI ``ip address`` lines: what those lines cost, each checked against all SVIs."""
    kept = [line for line in text.splitlines() if not line.startswith(" ip address ")]
    dropped = len(text.splitlines()) - len(kept)
    if not dropped:
        return
    best = min(_replay_seconds("\n".join(kept) + "\n") for _ in range(repeat))
    lines = count_lines("\n".join(kept))
    print()
    print(f"without the {dropped} SVI ip address lines: {lines} lines in {best * 1000:.1f} ms, "
          f"{lines / best:,.0f} lines/s (best of {repeat})")
    print(f"  the ip address lines cost about {(full_seconds - best) * 1000:.1f} ms in all, "
          f"{(full_seconds - best) / dropped * 1e6:.0f} us each")


def _replay_seconds(text: str) -> float:
    seconds, _report, _device, tmp = timed_replay(text)
    tmp.cleanup()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=10_000, help="non-comment lines to generate (default 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="replays, each on a fresh Device; best is reported")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--failures", type=int, default=5, help="failures to print (default 5)")
    parser.add_argument("--render-runs", type=int, default=5, help="render_config timings (default 5)")
    parser.add_argument("--write", type=Path, help="also write the generated configuration to this file")
    parser.add_argument("--profile", action="store_true", help="cProfile one replay and list the hot spots")
    parser.add_argument("--no-scaling", action="store_true", help="skip the replay-time-against-size table")
    args = parser.parse_args()

    text = generate(args.lines, args.seed)
    if args.write:
        args.write.write_text(text)
    kinds = {
        "interface Vlan": "interface VlanN", "vstack group custom": "custom groups",
        "vstack group built-in": "built-in groups", "vstack dhcp-localserver": "vstack dhcp pools",
        "ip dhcp pool": "ip dhcp pools",
    }
    blocks = {label: sum(1 for line in text.splitlines() if line.startswith(prefix)) for prefix, label in kinds.items()}
    print(f"generated configuration: {count_lines(text)} lines, {len(text)} bytes, seed {args.seed}; "
          + ", ".join(f"{n} {label}" for label, n in blocks.items()))

    # the first replay in the process builds the mode graphs: time it apart
    seconds, report, _device, tmp = timed_replay("\n".join(text.splitlines()[:300]))
    tmp.cleanup()
    print(f"warm-up replay of 300 lines (builds the graphs of every mode the config uses): {seconds * 1000:.1f} ms")

    times: list[float] = []
    best: tuple[float, ReplayReport, Device, tempfile.TemporaryDirectory] | None = None
    for _ in range(args.repeat):
        result = timed_replay(text)
        times.append(result[0])
        if best is None or result[0] < best[0]:
            if best is not None:
                best[3].cleanup()
            best = result
        else:
            result[3].cleanup()
    assert best is not None
    seconds, report, device, tmp = best
    total = report.applied + len(report.failures)
    rate = total / seconds
    print()
    print(f"replay of {total} lines: best {seconds * 1000:.1f} ms, median {statistics.median(times) * 1000:.1f} ms "
          f"over {args.repeat} runs")
    print(f"  {rate:,.0f} lines/s (best)   goal: at least {GOAL_LINES_PER_S:,} lines/s -> "
          f"{'met' if rate >= GOAL_LINES_PER_S else 'NOT met'}")
    print(f"  applied {report.applied}, failed {len(report.failures)}")
    for number, line, errors in report.failures[:args.failures]:
        detail = " | ".join(e for e in errors if e.strip() and e.strip() != "^")
        print(f"    line {number}: {line!r} -> {detail}")
    if len(report.failures) > args.failures:
        print(f"    ... {len(report.failures) - args.failures} more")

    cfg = device.config
    print(f"  model: {len(cfg.interfaces)} interfaces, {len(cfg.vstack.custom_groups)} custom groups, "
          f"{len(cfg.vstack.builtin_groups)} built-in groups, {len(cfg.vstack.dhcp_pools)} vstack dhcp pools, "
          f"{len(cfg.dhcp_pools)} ip dhcp pools, {len(cfg.extra)} verbatim blocks")

    render_times = []
    rendered = ""
    for _ in range(args.render_runs):
        start = time.perf_counter()
        rendered = render_config(device.config)
        render_times.append(time.perf_counter() - start)
    rendered_lines = rendered.count("\n")
    print()
    print(f"render_config (show running-config): {rendered_lines} lines, {len(rendered)} bytes; "
          f"best {min(render_times) * 1000:.1f} ms, median {statistics.median(render_times) * 1000:.1f} ms "
          f"over {args.render_runs} runs")
    tmp.cleanup()

    isolate_svi_addresses(text, seconds, args.repeat)
    if not args.no_scaling:
        scaling(args.seed, [1_000, 2_500, 5_000, args.lines])
    if args.profile:
        profile(text, 20)


if __name__ == "__main__":
    main()
