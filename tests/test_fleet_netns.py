"""A fleet on real ports: the director (a `vstackcli --interface` process) on a veth in the test's namespace
serves DHCP on port 67, TFTP 69 and Smart Install 4786 on its address; `vstackcli fleet --interface` runs
inside a network namespace, where every simulated switch broadcasts DHCP from port 68 and configures its
leased address on the shared interface."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from netns import needs_netns, veth_namespace

from vstackcli.fleet.servers import find_director, servers_path

INDEX = 61
REPO = Path(__file__).resolve().parent.parent
DIRECTOR = f"""hostname Director
interface Vlan1
 ip address 198.18.{INDEX}.1 255.255.255.0
vstack director 198.18.{INDEX}.1
vstack basic
vstack hostname-prefix SI
vstack image flash:c2960x-universalk9-tar.152-2.E6.tar
vstack config flash:default_config.txt
vstack dhcp-localserver pool1
 address-pool 198.18.{INDEX}.0 255.255.255.0
 file-server 198.18.{INDEX}.1
 default-router 198.18.{INDEX}.1
end
"""


@needs_netns
def test_a_fleet_on_real_ports_in_a_namespace(tmp_path: Path) -> None:
    cfg = tmp_path / "director.cfg"
    cfg.write_text(DIRECTOR)
    root = tmp_path / "director"
    subprocess.run([sys.executable, "-m", "vstackcli", "fleet", "--prepare", str(cfg), "--director-root", str(root),
                    "--image-size", "128kb"], check=True, capture_output=True, timeout=60)
    with veth_namespace("flee", INDEX, client_address=False) as ns:
        director = subprocess.Popen([sys.executable, "-m", "vstackcli", "--root", str(root), "--startup-config",
                                     str(cfg), "--interface", ns.server_if, "--keepalive", "1"],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            while not servers_path(root).exists():
                assert director.poll() is None, director.stderr.read()
                time.sleep(0.05)
            found = find_director(root)
            assert found.interface == ns.server_if and found.smi == (ns.server_ip, 4786)
            assert found.tftp == (ns.server_ip, 69)
            # a fleet started outside the namespace, through servers.json, is told where to run
            outside = subprocess.run([sys.executable, "-m", "vstackcli", "fleet", "--count", "2", "--director-root",
                                      str(root)], capture_output=True, text=True, timeout=60)
            assert outside.returncode == 2 and "--interface" in outside.stderr
            fleet = ns.run(sys.executable, "-m", "vstackcli", "fleet", "--interface", ns.client_if, "--count", "5",
                           "--keepalive", "1", "--timeout", "60", cwd=str(REPO), timeout=120)
            shown = director.communicate("enable\nshow vstack status\nshow vstack topology\n", timeout=30)[0]
        finally:
            if director.poll() is None:
                director.kill()
                director.wait()
    assert fleet.returncode == 0, fleet.stdout + fleet.stderr
    summary = fleet.stdout[fleet.stdout.index("\nName "):].splitlines()
    assert "5 joined" in summary[-1]
    for row in summary[3:8]:
        assert re.search(rf" 198\.18\.{INDEX}\.\d+ ", row) and " joined " in row, row
    clients = [line for line in shown.splitlines() if re.match(r"[1-9]\d* ", line)]
    assert len(clients) == 5 and all(line.endswith("S A a I C") for line in clients), shown
    assert all(f"198.18.{INDEX}." in line for line in clients)
    # one on a director's port, four behind it (hop by hop)
    tree = shown[shown.index("show vstack topology"):].splitlines()
    assert sum(line.startswith(" +-") for line in tree) == 1
    assert sum(bool(re.match(r" [| ] {2}\+-", line)) for line in tree) == 4
