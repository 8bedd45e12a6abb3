"""The key scenarios again on real ports: the director on a veth in the test's namespace (DHCP 67 on the
interface, TFTP 69 and Smart Install 4786 on its address), simulated switches inside a network namespace
broadcasting DHCP from port 68, configuring the leased address, fetching over TFTP 69 and listening on
4786. Zero-touch, the backup and a zero-touch replacement."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from netns import needs_netns, veth_namespace
from simlab import IMAGE_150, Lab, wait_until

from vstackcli.grammar.values import MacAddress

INDEX = 57
DIRECTOR = f"""configure terminal
hostname Director
interface vlan 1
ip address 198.18.{INDEX}.1 255.255.255.0
exit
vstack director 198.18.{INDEX}.1
vstack basic
vstack dhcp-localserver pool1
address-pool 198.18.{INDEX}.0 255.255.255.0
default-router 198.18.{INDEX}.1
file-server 198.18.{INDEX}.1
exit
vstack image flash:{IMAGE_150}
vstack config flash:default.txt
end"""
SEED = b"hostname ACCESS\n!\ninterface Vlan1\n ip address dhcp\n!\nend\n"
MAC1, MAC2 = MacAddress.parse("0024.13c6.5700"), MacAddress.parse("0024.13c6.5800")


def state(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def start(ns, tmp: Path, name: str, mac: MacAddress) -> tuple[subprocess.Popen, Path]:
    path = tmp / f"{name}.json"
    process = ns.popen(sys.executable, "-m", "vstackcli.sim.run", "--interface", ns.client_if, "--director",
                       ns.server_ip, "--state", str(path), "--name", name, "--mac", str(mac), "--port",
                       "GigabitEthernet1/0/7", "--keepalive", "0.5", "--dhcp-retry", "0.3",
                       cwd=str(Path(__file__).resolve().parent.parent))
    return process, path


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@needs_netns
def test_zero_touch_backup_and_replacement_on_real_ports(tmp_path: Path) -> None:
    with veth_namespace("sim", INDEX, client_address=False) as ns:
        lab = Lab(tmp_path, director=DIRECTOR, interface=ns.server_if)
        processes: list[subprocess.Popen] = []
        try:
            flash = lab.device.storage.flash
            lab.flash(IMAGE_150, b"IMAGE" * 100000)
            lab.flash("default.txt", SEED)
            lab.cli("configure terminal", "end")  # the files exist now: the TFTP server serves them
            assert lab.live.tftp.address == (ns.server_ip, 69) and lab.live.smi.endpoint.bound_port == 4786
            first, path1 = start(ns, tmp_path, "first", MAC1)
            processes.append(first)
            wait_until(lambda: state(path1).get("phase") in ("JOINED", "FAILED"), 15, "first switch joined")
            held = state(path1)
            assert held["phase"] == "JOINED", held
            assert held["version"] == "15.0(2)SE" and held["hostname"] == "ACCESS" and held["startup"] == SEED.decode()
            address = held["address"]
            assert address.startswith(f"198.18.{INDEX}.")
            assert f"inet {address}/24" in ns.run("ip", "-4", "addr", "show", ns.client_if).stdout
            entry = lab.entry(MAC1)
            assert entry is not None and str(entry.ip) == address and entry.status == "S A a I C"
            assert lab.entry(MAC1).neighbors == [(ns.server_ip, "GigabitEthernet1/0/7")]
            # the director asked for the backup at join: a type-8 copy over 4786, the file back over TFTP 69
            rev2 = f"vstack/ACCESS{MAC1}.rev2"
            wait_until(lab.locked(lambda: flash.exists(rev2)), what="backup at join")
            # write memory on the switch: the startup configuration goes to the director
            path1.with_suffix(".cmd").write_text("configure snmp-server location rack-7\nwrite memory\n")
            first.send_signal(signal.SIGUSR1)
            wait_until(lab.locked(lambda: b"rack-7" in flash.read(rev2) and flash.exists(f"vstack/ACCESS{MAC1}.rev1")),
                       what="backup after write memory (rev2, and the one before as rev1)")
            # the switch dies; a same-PID switch on the same port replaces it and boots its backup
            stop(first)
            lab.tick(1000)
            assert lab.entry(MAC1).health == "I"
            ns.run("ip", "addr", "flush", "dev", ns.client_if)
            second, path2 = start(ns, tmp_path, "second", MAC2)
            processes.append(second)
            wait_until(lambda: state(path2).get("phase") in ("JOINED", "FAILED"), 15, "replacement joined")
            new = state(path2)
            assert new["phase"] == "JOINED" and "snmp-server location rack-7" in new["startup"], new
            assert lab.entry(MAC1) is None and lab.entry(MAC2) is not None
            assert any("SWITCH_REPLACE" in t for t in lab.messages())
        finally:
            for process in processes:
                if process.poll() is None:
                    stop(process)
            lab.close()


@needs_netns
def test_two_switches_share_a_namespace(tmp_path: Path) -> None:
    """Both listen on UDP 68 of one interface: each picks its own DHCP replies (xid, chaddr) out of the
    broadcasts, puts its own address on the interface and joins on its own 4786."""
    with veth_namespace("sim", INDEX + 1, client_address=False) as ns:
        lab = Lab(tmp_path, director=DIRECTOR.replace(f"198.18.{INDEX}.", f"198.18.{INDEX + 1}."),
                  interface=ns.server_if)
        processes: list[subprocess.Popen] = []
        try:
            lab.flash(IMAGE_150, b"IMAGE" * 20000)
            lab.flash("default.txt", SEED)
            lab.cli("configure terminal", "end")
            paths = []
            for name, mac in (("a", MAC1), ("b", MAC2)):
                process, path = start(ns, tmp_path, name, mac)
                processes.append(process)
                paths.append(path)
            for path in paths:
                wait_until(lambda p=path: state(p).get("phase") in ("JOINED", "FAILED"), 15, f"{path.name} joined")
            a, b = (state(p) for p in paths)
            assert a["phase"] == b["phase"] == "JOINED" and a["address"] != b["address"], (a, b)
            assert a["version"] == b["version"] == "15.0(2)SE"
            shown = ns.run("ip", "-4", "addr", "show", ns.client_if).stdout
            assert f"inet {a['address']}/24" in shown and f"inet {b['address']}/24" in shown
            assert str(lab.entry(MAC1).ip) == a["address"] and str(lab.entry(MAC2).ip) == b["address"]
        finally:
            for process in processes:
                if process.poll() is None:
                    stop(process)
            lab.close()
