"""DHCP benchmark: our server next to dnsmasq under perfdhcp (Kea 2.2, Debian package ``kea-admin``).

Research 3.2's recipe: two network namespaces joined by a veth pair, the server in ``vx-bench-srv``
(198.18.40.1/21), perfdhcp in ``vx-bench-cli`` (198.18.40.2/21). perfdhcp acts as a relay (from port 67,
giaddr = its own address), so both servers serve the /21 chosen by giaddr and answer to giaddr:67.
One run each, at the same offered rate and client count, printed side by side: DORA exchanges per second
achieved, drops (sent minus received, per phase) and average delays. No assertions.

- ours: ``python -m vstackcli.net.dhcp.server`` (an IOS pool, no Smart Install decision), and with
  ``--smart-install`` also the server in-process with a real Device + Director deciding every exchange;
- dnsmasq 2.90 with ``--no-ping`` (its ICMP probe before an offer ruins any rate, research 3.2).

Needs root and iproute2.

    .venv/bin/python bench/dhcp.py [--rate 1000] [--clients 1000] [--seconds 8] [--smart-install]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SRV, CLI = "vx-bench-srv", "vx-bench-cli"
SRV_IF, CLI_IF = "vxbsrv0", "vxbcli0"
SERVER_IP, CLIENT_IP = "198.18.40.1", "198.18.40.2"
NETWORK = "198.18.40.0/21"


def sh(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), check=check, capture_output=True, text=True, timeout=60)


def setup() -> None:
    teardown()
    sh("ip", "netns", "add", SRV)
    sh("ip", "netns", "add", CLI)
    sh("ip", "link", "add", SRV_IF, "netns", SRV, "type", "veth", "peer", "name", CLI_IF, "netns", CLI)
    for ns, ifname, addr in ((SRV, SRV_IF, SERVER_IP), (CLI, CLI_IF, CLIENT_IP)):
        sh("ip", "netns", "exec", ns, "ip", "addr", "add", f"{addr}/21", "dev", ifname)
        sh("ip", "netns", "exec", ns, "ip", "link", "set", ifname, "up")
        sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")


def teardown() -> None:
    for ns in (SRV, CLI):
        sh("ip", "netns", "del", ns, check=False)


def in_srv(*args: str) -> list[str]:
    return ["ip", "netns", "exec", SRV, *args]


def start_ours(tmp: Path) -> subprocess.Popen:
    pool = {"name": "bench", "network": NETWORK, "routers": [SERVER_IP], "tftp_servers": [SERVER_IP],
            "bootfile": "bench.cfg"}
    proc = subprocess.Popen(in_srv(sys.executable, "-m", "vstackcli.net.dhcp.server", "--interface", SRV_IF,
                                   "--pool", json.dumps(pool), "--leases", str(tmp / "ours.json")),
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    proc.stdout.readline()  # "serving on ..."
    return proc


SMI_SERVER = """
import dataclasses, ipaddress, signal, sys, threading
sys.path[:0] = [{repo!r}, {tests!r}]
from test_dhcp_server import PID, director_device
from vstackcli.engine.backend import PoolSpec
from vstackcli.net.dhcp.leases import LeaseStore
from vstackcli.net.dhcp.server import DhcpServer, ServerThread
from pathlib import Path
device, _, backend = director_device(Path({root!r}))
def decide(request):
    return device.director.on_dhcp(dataclasses.replace(request, pid=PID))
pool = PoolSpec("smi", ipaddress.IPv4Network({network!r}), (ipaddress.IPv4Address({ip!r}),), smart_install=True)
server = DhcpServer({ip!r}, [pool], decide=decide, store=LeaseStore(Path({root!r}) / "b.json"))
runner = ServerThread(server, interface={ifname!r}).start()
print("serving", flush=True)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
stop.wait()
runner.stop()
print(dict(server.stats), len(device.director.db.clients), file=sys.stderr)
"""


def start_ours_smart_install(tmp: Path) -> subprocess.Popen:
    code = SMI_SERVER.format(repo=str(REPO), tests=str(REPO / "tests"), root=str(tmp / "director"),
                             network=NETWORK, ip=SERVER_IP, ifname=SRV_IF)
    proc = subprocess.Popen(in_srv(sys.executable, "-c", code), cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    proc.stdout.readline()
    return proc


def start_dnsmasq(tmp: Path) -> subprocess.Popen:
    proc = subprocess.Popen(in_srv("dnsmasq", "--keep-in-foreground", "--port=0", "--bind-interfaces",
                                   f"--interface={SRV_IF}", "--except-interface=lo", "--conf-file=/dev/null",
                                   "--no-ping", f"--dhcp-leasefile={tmp / 'dnsmasq.leases'}",
                                   f"--pid-file={tmp / 'dnsmasq.pid'}", "--dhcp-lease-max=10000",
                                   "--dhcp-range=198.18.40.10,198.18.47.250,255.255.248.0,1h",
                                   f"--dhcp-option=3,{SERVER_IP}", f"--dhcp-option=150,{SERVER_IP}",
                                   "--dhcp-option=67,bench.cfg"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return proc


@dataclasses.dataclass
class Result:
    rate: float = 0.0
    sent: tuple[int, int] = (0, 0)
    received: tuple[int, int] = (0, 0)
    drops: tuple[int, int] = (0, 0)
    delay_ms: tuple[float, float] = (0.0, 0.0)
    exit: str = ""


def perfdhcp(rate: int, clients: int, seconds: int) -> Result:
    out = subprocess.run(["ip", "netns", "exec", CLI, "perfdhcp", "-4", "-l", CLIENT_IP, "-R", str(clients), "-r",
                          str(rate), "-p", str(seconds), "-x", "e", SERVER_IP],
                         capture_output=True, text=True, timeout=seconds + 60)
    text = out.stdout + out.stderr
    result = Result(exit=f"rc {out.returncode}")
    nums = {key: [float(x) for x in re.findall(rf"^{key}:\s*([\d.]+)", text, re.M)]
            for key in ("sent packets", "received packets", "drops", "avg delay")}
    if len(nums["sent packets"]) >= 2:
        result.sent = (int(nums["sent packets"][0]), int(nums["sent packets"][1]))
        result.received = (int(nums["received packets"][0]), int(nums["received packets"][1]))
        result.drops = (int(nums["drops"][0]), int(nums["drops"][1]))
        result.delay_ms = (nums["avg delay"][0], nums["avg delay"][1])
    found = re.search(r"Rate: ([\d.]+) 4-way exchanges/second", text)
    if found:
        result.rate = float(found.group(1))
    if not result.sent[0]:
        result.exit += " " + text.strip()[-300:]
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=int, default=1000, help="offered DORA exchanges per second (perfdhcp -r)")
    ap.add_argument("--clients", type=int, default=1000, help="distinct clients (perfdhcp -R)")
    ap.add_argument("--seconds", type=int, default=8, help="test period (perfdhcp -p)")
    ap.add_argument("--smart-install", action="store_true",
                    help="also run our server with a Director deciding Smart Install options")
    args = ap.parse_args()
    if os.geteuid() != 0 or not shutil.which("perfdhcp") or not shutil.which("dnsmasq"):
        sys.exit("needs root, perfdhcp (apt-get install kea-admin) and dnsmasq")
    servers = [("vstackcli", start_ours), ("dnsmasq", start_dnsmasq)]
    if args.smart_install:
        servers.insert(1, ("vstackcli+SMI", start_ours_smart_install))
    results: dict[str, Result] = {}
    try:
        setup()
        for name, start in servers:
            with tempfile.TemporaryDirectory() as tmp:
                proc = start(Path(tmp))
                try:
                    results[name] = perfdhcp(args.rate, args.clients, args.seconds)
                finally:
                    proc.terminate()
                    proc.wait(10)
    finally:
        teardown()
    names = list(results)
    print(f"perfdhcp -r {args.rate} -R {args.clients} -p {args.seconds}, relayed over a veth between two "
          f"namespaces, {os.cpu_count()} CPUs (one run each)")
    print(f"{'':32}" + "".join(f"{n:>16}" for n in names))
    rows = [("DORA exchanges/s", lambda r: f"{r.rate:.0f}"),
            ("DISCOVER sent / OFFER received", lambda r: f"{r.sent[0]}/{r.received[0]}"),
            ("REQUEST sent / ACK received", lambda r: f"{r.sent[1]}/{r.received[1]}"),
            ("drops DO / RA", lambda r: f"{r.drops[0]}/{r.drops[1]}"),
            ("drop rate DO %", lambda r: f"{100 * r.drops[0] / max(r.sent[0], 1):.1f}"),
            ("avg delay DO / RA ms", lambda r: f"{r.delay_ms[0]:.1f}/{r.delay_ms[1]:.1f}"),
            ("perfdhcp exit", lambda r: r.exit)]
    for label, cell in rows:
        print(f"{label:32}" + "".join(f"{cell(results[n]):>16}" for n in names))


if __name__ == "__main__":
    main()
