"""End to end on loopback: a real director process (`vstackcli --startup-config examples/fleet-director.cfg`)
and `vstackcli fleet --topology examples/fleet-small.toml` in another process; ten simulated switches go
through DHCP, TFTP and Smart Install, one is replaced, and the director's own `show vstack status` and
`show vstack topology` show the result."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from vstackcli.fleet.servers import servers_path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vstackcli", *args], capture_output=True, text=True, **kwargs)


def test_ten_switches_join_a_director_on_loopback(tmp_path):
    root = tmp_path / "director"
    prepared = _cli("fleet", "--prepare", str(EXAMPLES / "fleet-director.cfg"), "--director-root", str(root),
                    "--image-size", "256kb", timeout=60)
    assert prepared.returncode == 0, prepared.stderr
    director = subprocess.Popen([sys.executable, "-m", "vstackcli", "--root", str(root), "--startup-config",
                                 str(EXAMPLES / "fleet-director.cfg"), "--keepalive", "1"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while not servers_path(root).exists():
            assert director.poll() is None, director.stderr.read()
            time.sleep(0.05)
        html = tmp_path / "fleet.html"
        fleet = _cli("fleet", "--topology", str(EXAMPLES / "fleet-small.toml"), "--director-root", str(root),
                     "--html", str(html), "--timeout", "120", timeout=180)
        shown = director.communicate("enable\nshow vstack status\nshow vstack topology\n"
                                     "show vstack download-status\n", timeout=60)[0]
    finally:
        if director.poll() is None:
            director.kill()
            director.wait()
    assert fleet.returncode == 0, fleet.stdout + fleet.stderr
    # the summary: every switch upgraded and joined, access-7 replaced by access-7b
    summary = fleet.stdout[fleet.stdout.index("\nName "):].splitlines()
    rows = {line.split()[0]: line for line in summary[3:13]}
    assert len(rows) == 10
    for name, row in rows.items():
        expected = "replaced" if name == "access-7" else "joined"
        assert f" {expected} " in row, row
        assert re.search(r" 192\.168\.1\.\d+ ", row), row
        # each PID got its group's image: the 3750-X stack group and built-in group, the 2960-X built-in group
        after = "15.0(2)SE11" if name.startswith("dist") else "15.2(2)E6"
        assert f"12.2(55)SE5 -> {after}" in row, row
    assert summary[-2].startswith("10 switches in ") and "9 joined, 1 replaced" in summary[-2]
    assert summary[-1] == f"topology picture written to {html}"
    assert " access-7 unplugged (to be replaced)" in fleet.stdout and "Traceback" not in fleet.stderr
    assert html.read_text().startswith("<!DOCTYPE html>")
    # the director: nine switches and one stack member, all Smart Install, Active, allowed, upgraded
    table = shown[shown.index("Director Database:"):shown.index("show vstack topology")].splitlines()
    clients = [line for line in table[3:] if re.match(r"\d+ ", line) and not line.startswith("0 ")]
    assert len(clients) == 10, table
    heads = [line for line in clients if line.endswith("S A a I C")]
    assert len(heads) == 9 and sum(line.endswith("S A a") for line in clients) == 1
    assert not any(line.split()[1] == "0200.5eb8.f300" for line in clients)  # access-7 was replaced
    # the topology: five under the director's ports, two hops deep, the stack member under its stack
    topology = shown[shown.index("show vstack topology"):shown.index("show vstack download-status")].splitlines()[1:]
    first = [line for line in topology if line.startswith(" +-")]
    second = [line for line in topology if re.match(r" [| ] {2}\+-", line)]
    assert len(first) == 4 and len(second) == 5, topology
    assert sum("member 2" in line for line in topology) == 1
    # the stack got the stack group's configuration, the others their built-in group's
    downloads = shown[shown.index("show vstack download-status"):]
    stack_ip = re.search(r"\n\d+ +0200\.5e05\.cf00 +\S+ +(\d+\.\d+\.\d+\.\d+) ", shown).group(1)  # dist-1
    configs = re.findall(rf" {re.escape(stack_ip)} +\S+ +config +Success +(\S+)", downloads)
    assert configs and configs[0] == "3750x-stack_config.txt", downloads
    assert downloads.count("2960x-48_config.txt") >= 7 and "Failure" not in downloads
