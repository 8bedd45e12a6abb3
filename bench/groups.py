"""Group resolution speed: ``GroupIndex.resolve`` over 10,000 clients.

A configuration with a few hundred groups (MAC, connectivity, product-id, stack
groups, every built-in group, a default) and 10,000 clients: standalone switches
of mixed PIDs (with and without license suffixes, some unknown), some in MAC
groups, some behind a connectivity group's neighbour interface, some not in the
director database, and stacks of 2-4 members (homogeneous and mixed). A fixed
seed makes the population the same each run.

Printed: ``GroupIndex.build`` time; per-client resolution time (mean, median,
p99, max in µs) over ``--rounds`` timed passes, each client timed on its own with
``perf_counter_ns``, after one warm-up pass (which fills the PID->family cache);
a throughput figure (all clients in one loop, no per-call timer); how clients
split across the kinds of group.

Goal: under 20 µs per client.

    .venv/bin/python bench/groups.py [--clients 10000] [--rounds 5] [--seed 7]
"""

from __future__ import annotations

import argparse
import ipaddress
import random
import statistics
import time
from collections import Counter

from vstackcli.engine.clients import ClientFacts, Neighbor, StackMember
from vstackcli.engine.groups import GroupIndex, cached_family
from vstackcli.engine.model import BuiltinGroup, CustomGroup, StackMatch, VstackConfig
from vstackcli.grammar.values import FileUrl, InterfaceName, MacAddress
from vstackcli.modes.fragments import load_families

GOAL_US = 20.0
SERVER = "tftp://10.0.0.5/"


def _url(name: str) -> FileUrl:
    return FileUrl.parse(SERVER + name)


def _pids() -> tuple[list[str], list[str]]:
    """All PIDs of the built-in families, and those of stackable families."""
    every, stackable = [], []
    for fam in load_families().values():
        for _help, pids in fam.ports.values():
            every += pids
            if fam.stackable:
                stackable += pids
    return every, stackable


def _neighbors(n: int) -> list[Neighbor]:
    return [Neighbor(ipaddress.IPv4Address(f"10.1.{i // 48}.1"), InterfaceName("GigabitEthernet", f"1/0/{i % 48 + 1}"))
            for i in range(n)]


def build_config(rng: random.Random, macs: list[MacAddress], neighbors: list[Neighbor]) -> VstackConfig:
    pids, stack_pids = _pids()
    cfg = VstackConfig(image=_url("default.tar"), config=_url("default.txt"))
    for name, fam in load_families().items():
        for ports in fam.ports:
            cfg.builtin_groups[(name, ports)] = BuiltinGroup(name, ports, image=_url(f"{name}-{ports}.tar"))
    # 100 MAC groups of 10 MACs each
    for g in range(100):
        cfg.custom_groups[f"mac{g}"] = CustomGroup(f"mac{g}", "mac", image=_url(f"mac{g}.tar"),
                                                   macs=macs[g * 10:(g + 1) * 10])
    # 100 connectivity groups of 2 neighbour interfaces each
    for g in range(100):
        hosts = [(nb.host, nb.interface) for nb in neighbors[g * 2:g * 2 + 2]]
        cfg.custom_groups[f"conn{g}"] = CustomGroup(f"conn{g}", "connectivity", image=_url(f"conn{g}.tar"), hosts=hosts)
    # 60 product-id groups: base PIDs (matching suffixed clients too)
    for g, pid in enumerate(rng.sample(pids, 60)):
        cfg.custom_groups[f"pid{g}"] = CustomGroup(f"pid{g}", "product-id", image=_url(f"pid{g}.tar"),
                                                   product_ids=[pid])
    # 80 stack groups: homogeneous ones (member 1 only) and explicit 2-3 member ones
    families = {pid: cached_family(pid) for pid in stack_pids}
    for g in range(80):
        if g % 2:
            fam, ports = families[rng.choice(stack_pids)]
            matches = [StackMatch(1, fam, ports)]
        else:
            matches = [StackMatch(n, *families[rng.choice(stack_pids)]) for n in range(1, rng.randint(2, 3) + 1)]
        cfg.custom_groups[f"stack{g}"] = CustomGroup(f"stack{g}", "stack", image=_url(f"stack{g}.tar"),
                                                     stack=matches)
    return cfg


def build_clients(rng: random.Random, n: int, macs: list[MacAddress], neighbors: list[Neighbor]) -> list[ClientFacts]:
    pids, stack_pids = _pids()
    clients: list[ClientFacts] = []
    for i in range(n):
        mac = MacAddress(0x0200_0000_0000 + i)
        roll = rng.random()
        upstream = rng.choice(neighbors) if rng.random() < 0.5 else None
        if roll < 0.15:  # a stack
            size = rng.randint(2, 4)
            same = rng.random() < 0.6
            first = rng.choice(stack_pids)
            members = tuple(StackMember(k, MacAddress(mac.value + 0x1000_0000 + k),
                                        first if same else rng.choice(stack_pids)) for k in range(1, size + 1))
            clients.append(ClientFacts(mac, first, upstream, members))
            continue
        if roll < 0.25:
            mac = rng.choice(macs)
        pid = rng.choice(pids)
        r = rng.random()
        if r < 0.3:
            pid += "-L"
        elif r < 0.35:
            pid = f"WS-C9{rng.randint(100, 999)}-24P"  # unknown to the built-in families
        clients.append(ClientFacts(mac, pid, upstream, (), rng.random() < 0.9))
    return clients


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    macs = [MacAddress(0x0000_0c00_0000 + i) for i in range(1000)]
    neighbors = _neighbors(400)
    cfg = build_config(rng, macs, neighbors)
    clients = build_clients(rng, args.clients, macs, neighbors)
    kinds = Counter(g.kind for g in cfg.custom_groups.values())
    kind_list = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    print(f"config: {len(cfg.custom_groups)} custom groups ({kind_list}), "
          f"{len(cfg.builtin_groups)} built-in groups, default image")
    print(f"clients: {len(clients)} ({sum(c.is_stack for c in clients)} stacks)")

    builds = []
    for _ in range(20):
        t0 = time.perf_counter_ns()
        index = GroupIndex.build(cfg)
        builds.append((time.perf_counter_ns() - t0) / 1000)
    print(f"GroupIndex.build: median {statistics.median(builds):.0f} µs, min {min(builds):.0f} µs (20 builds)")

    cached_family.cache_clear()
    t0 = time.perf_counter_ns()
    results = [index.resolve(c) for c in clients]
    cold = (time.perf_counter_ns() - t0) / 1000 / len(clients)
    print(f"first pass (cold PID cache): {cold:.2f} µs per client")

    resolve = index.resolve
    clock = time.perf_counter_ns
    samples: list[float] = []
    for _ in range(args.rounds):
        for c in clients:
            t0 = clock()
            resolve(c)
            samples.append((clock() - t0) / 1000)
    gaps = []
    for _ in range(10_000):
        t0 = clock()
        gaps.append((clock() - t0) / 1000)
    overhead = statistics.median(gaps)
    samples.sort()
    mean = statistics.fmean(samples)
    p99 = samples[int(len(samples) * 0.99)]
    median = samples[len(samples) // 2]
    print(f"resolve, per client ({len(samples)} calls): mean {mean:.2f} µs, median {median:.2f} µs, "
          f"p99 {p99:.2f} µs, max {samples[-1]:.1f} µs (timer overhead ~{overhead:.2f} µs included)")

    t0 = time.perf_counter_ns()
    for _ in range(args.rounds):
        for c in clients:
            resolve(c)
    loop = (time.perf_counter_ns() - t0) / 1000 / (args.rounds * len(clients))
    print(f"throughput loop: {loop:.2f} µs per client ({1e6 / loop:,.0f} clients/s)")

    split = Counter("none" if r is None else r.group.split(" ")[0] for r in results)
    print("resolved to: " + ", ".join(f"{k} {v}" for k, v in split.most_common()))
    verdict = "OK" if p99 < GOAL_US else "OVER"
    print(f"goal {GOAL_US:.0f} µs per client: mean {mean:.2f}, p99 {p99:.2f} -> {verdict}")


if __name__ == "__main__":
    main()
