"""Director engine at scale: 10,000 clients in the database.

Measures (goals from the engine issue): group resolution per client through the
director's cached index (goal under 20 us), a zero-touch DHCP decision per
client, client reports, and `show vstack status` rendering for the whole
database (goal under 0.5 s). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import ipaddress
import random
import statistics
import tempfile
import time
from pathlib import Path

from vstackcli.engine.backend import RecordingBackend
from vstackcli.engine.clients import ClientFacts, Neighbor
from vstackcli.engine.clock import FakeClock
from vstackcli.engine.core import ClientReport, DhcpRequest
from vstackcli.engine.device import Device
from vstackcli.grammar.values import MacAddress, parse_interface
from vstackcli.shell.session import Session

PIDS = ["WS-C2960-24TT-L", "WS-C2960-48TC-L", "WS-C3560-24TS-S", "WS-C3750-24PS-S", "WS-C2960X-24PS-L",
        "WS-C3750X-48P-L", "WS-C2960S-48FPS-L"]


def build(clients: int, seed: int) -> tuple[Device, Session, list[MacAddress]]:
    rng = random.Random(seed)
    device = Device(Path(tempfile.mkdtemp()) / "dev", clock=FakeClock())
    device.director.backend = RecordingBackend()
    session = Session(device, privilege=15, length=0)
    lines = ["configure terminal", "interface vlan 1", "ip address 10.0.0.1 255.255.0.0", "exit",
             "vstack director 10.0.0.1", "vstack basic", "vstack image flash:default.tar",
             "vstack config flash:default.txt", "vstack group built-in 3560 24", "image flash:c3560.tar",
             "config flash:c3560.txt", "exit"]
    for g in range(100):
        lines += [f"vstack group custom m{g} mac"]
        lines += [f"match mac {MacAddress(rng.randrange(1 << 40) * 0x100)}" for _ in range(5)]
        lines += [f"config flash:m{g}.txt", "exit"]
    for g in range(24):
        lines += [f"vstack group custom c{g} connectivity",
                  f"match host 10.0.0.1 interface GigabitEthernet1/0/{g + 1}", f"config flash:c{g}.txt", "exit"]
    lines += ["vstack group custom pos product-id", "match WS-C2960-48TC-L", "config flash:pos.txt", "end"]
    for line in lines:
        session.execute(line)
    macs = [MacAddress((i + 1) * 0x100) for i in range(clients)]
    return device, session, macs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    device, session, macs = build(args.clients, args.seed)
    director = device.director
    rng = random.Random(args.seed)
    uplinks = [Neighbor(ipaddress.IPv4Address("10.0.0.1"), parse_interface(f"gi1/0/{p}")) for p in range(1, 29)]
    facts = []
    started = time.perf_counter()
    for i, mac in enumerate(macs):
        pid = rng.choice(PIDS)
        ip = ipaddress.IPv4Address(int(ipaddress.IPv4Address("10.0.1.0")) + i)
        upstream = rng.choice(uplinks)
        director.on_report(ClientReport(mac, pid, ip, f"SW{i:05d}", f"FOC{i:07d}", "15.2(4)E10", upstream=upstream))
        facts.append(ClientFacts(mac, pid, upstream))
    report_s = time.perf_counter() - started
    print(f"{args.clients} client reports into the database: {report_s * 1000:.1f} ms "
          f"({report_s / args.clients * 1e6:.1f} us each)")

    index = director.groups()
    timings = []
    for f in facts:
        t = time.perf_counter()
        index.resolve(f)
        timings.append(time.perf_counter() - t)
    timings.sort()
    mean = statistics.fmean(timings) * 1e6
    p99 = timings[int(len(timings) * 0.99)] * 1e6
    print(f"group resolution: mean {mean:.2f} us, p99 {p99:.2f} us per client   goal: under 20 us -> "
          f"{'met' if mean < 20 else 'NOT met'}")

    started = time.perf_counter()
    for i, f in enumerate(facts[:2000]):
        director.on_dhcp(DhcpRequest(f.mac, pid=f.pid, upstream=f.upstream,
                                     ip=ipaddress.IPv4Address(int(ipaddress.IPv4Address("10.0.1.0")) + i)))
    dhcp_s = time.perf_counter() - started
    print(f"zero-touch DHCP decisions: {dhcp_s / 2000 * 1e6:.1f} us each (2000 clients)")

    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        lines = session.execute("show vstack status").lines
        best = min(best, time.perf_counter() - t)
    print(f"show vstack status, {len(lines)} lines: {best * 1000:.1f} ms (best of 3)   goal: under 500 ms -> "
          f"{'met' if best < 0.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
