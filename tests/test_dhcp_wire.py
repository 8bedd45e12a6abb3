"""The DHCP server on a veth in a network namespace, against clients we did not write: busybox udhcpc and ISC
dhclient decode our options themselves. Renewal, restart with remember, kill -9, and dnsmasq's option 125."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from netns import needs_netns, veth_namespace
from test_dhcp_server import PID, director_device

from vstackcli.engine.backend import PoolSpec
from vstackcli.engine.core import SmiOptions
from vstackcli.net.dhcp.codec import decode_vi_vendor, encode_vi_vendor
from vstackcli.net.dhcp.leases import LeaseStore
from vstackcli.net.dhcp.server import DhcpServer, ServerThread, smi_vi_vendor

pytestmark = needs_netns
IP = ipaddress.IPv4Address
REPO = Path(__file__).resolve().parent.parent

DUMP = """#!/bin/sh
env > "{out}/env.${{1:-$reason}}"
# dhclient renews by unicast from the address it was given: configure it as dhclient-script would
if [ -n "$new_ip_address" ]; then ip addr replace "$new_ip_address/24" dev "$interface"; fi
"""


def dump_script(tmp: Path) -> Path:
    script = tmp / "dump.sh"
    script.write_text(DUMP.format(out=tmp))
    script.chmod(0o755)
    return script


def env_file(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def udhcpc(ns, tmp: Path, *extra: str):
    return ns.run("udhcpc", "-i", ns.client_if, "-f", "-q", "-n", "-t", "5", "-T", "1", "-s", str(dump_script(tmp)),
                  "-O", "125", "-O", "150", "-O", "67", "-O", "hostname", *extra, timeout=40)


def smart_install_server(tmp: Path, ns) -> DhcpServer:
    """The server the running-config drives: a real Device + Director (director 198.18.1.1)."""
    device, _, backend = director_device(tmp / "director")

    def decide(request):
        return device.director.on_dhcp(dataclasses.replace(request, pid=PID))

    return DhcpServer(ns.server_ip, backend.current.pools, decide=decide, store=LeaseStore(tmp / "bindings.json"))


def test_udhcpc_gets_the_smart_install_options(tmp_path: Path) -> None:
    with veth_namespace("dhcp", 1, client_address=False) as ns:
        server = smart_install_server(tmp_path, ns)
        with ServerThread(server, interface=ns.server_if):
            result = udhcpc(ns, tmp_path)
        assert result.returncode == 0, result.stderr
        env = env_file(tmp_path / "env.bound")
        assert IP(env["ip"]) in ipaddress.IPv4Network("198.18.1.0/24") and env["subnet"] == "255.255.255.0"
        assert env["router"] == "198.18.1.1" and env["serverid"] == "198.18.1.1"
        assert env["hostname"] == "SI-" + env_hostname_tail(ns)
        assert env["bootfile"] == "default.txt"
        assert env["opt150"] == "c6120101"
        vendor = decode_vi_vendor(bytes.fromhex(env["opt125"]))
        assert vendor == {9: {5: b"vstack/imagelist_default.txt", 16: IP("198.18.1.1").packed}}


def env_hostname_tail(ns) -> str:
    link = json.loads(ns.run("ip", "-j", "link", "show", ns.client_if).stdout)[0]["address"].replace(":", "")
    return f"{link[6:8]}.{link[8:12]}"


def test_dhclient_gets_the_smart_install_options_and_renews(tmp_path: Path) -> None:
    conf = tmp_path / "dhclient.conf"
    conf.write_text("option smi-tftp code 150 = array of ip-address;\n"
                    "request subnet-mask, routers, host-name, bootfile-name, smi-tftp, vivso;\n")
    leases, pidfile = tmp_path / "dhclient.leases", tmp_path / "dhclient.pid"
    args = ["-cf", str(conf), "-sf", str(dump_script(tmp_path)), "-lf", str(leases), "-pf", str(pidfile)]
    with veth_namespace("dhcp", 2, client_address=False) as ns:
        server = smart_install_server(tmp_path, ns)
        server.apply([PoolSpec("smi", ipaddress.IPv4Network("198.18.2.0/24"), (IP(ns.server_ip),),
                               smart_install=True)])
        server.lease_time = 8  # T1 at 4 s: the daemon renews while the test waits
        with ServerThread(server, interface=ns.server_if):
            try:
                first = ns.run("dhclient", "-1", *args, ns.client_if, timeout=40)
                assert first.returncode == 0, first.stderr
                env = env_file(tmp_path / "env.BOUND")
                address = env["new_ip_address"]
                assert IP(address) in ipaddress.IPv4Network("198.18.2.0/24")
                assert env["new_host_name"].startswith("SI-") and env["new_bootfile_name"] == "default.txt"
                assert env["new_smi_tftp"] == "198.18.1.1"  # the director's file server, from the Director
                vivso = bytes(int(x, 16) for x in env["new_vivso"].split(":"))
                assert decode_vi_vendor(vivso) == {9: {5: b"vstack/imagelist_default.txt",
                                                       16: IP("198.18.1.1").packed}}
                assert "vendor.unknown-9 5:1c:" in leases.read_text()  # dhclient split enterprise 9 itself
                deadline = time.monotonic() + 30
                while not (tmp_path / "env.RENEW").exists() and time.monotonic() < deadline:
                    time.sleep(0.2)
                assert env_file(tmp_path / "env.RENEW")["new_ip_address"] == address  # a unicast renewal
                ns.run("dhclient", "-x", "-pf", str(pidfile), timeout=20)
                again = ns.run("dhclient", "-1", *args, ns.client_if, timeout=40)  # restarted: INIT-REBOOT
                assert again.returncode == 0, again.stderr
                assert env_file(tmp_path / "env.REBOOT")["new_ip_address"] == address
            finally:
                ns.run("dhclient", "-x", "-pf", str(pidfile), timeout=20)


def start_server_process(ns, leases: Path) -> subprocess.Popen:
    pool = {"name": "office", "network": f"{ns.server_ip.rsplit('.', 1)[0]}.0/24", "routers": [ns.server_ip],
            "tftp_servers": [ns.server_ip], "bootfile": "office.cfg", "remember": True}
    proc = subprocess.Popen([sys.executable, "-m", "vstackcli.net.dhcp.server", "--interface", ns.server_if,
                             "--pool", json.dumps(pool), "--leases", str(leases)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    assert line.startswith("serving on"), line
    return proc


def test_remembered_bindings_survive_kill_9(tmp_path: Path) -> None:
    """An IOS pool with remember, served by a separate process: kill -9 and restart lose no acknowledged lease
    and never hand a remembered address to another MAC."""
    leases = tmp_path / "bindings.json"
    first_mac, other_mac = "02:00:00:00:00:51", "02:00:00:00:00:52"
    with veth_namespace("dhcp", 3, client_address=False) as ns:
        ns.run("ip", "link", "set", ns.client_if, "address", first_mac)
        proc = start_server_process(ns, leases)
        try:
            got = udhcpc(ns, tmp_path)
            assert got.returncode == 0, got.stderr
            env = env_file(tmp_path / "env.bound")
            address = env["ip"]
            assert env["bootfile"] == "office.cfg" and env["opt150"] == IP(ns.server_ip).packed.hex()
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        proc = start_server_process(ns, leases)
        try:
            ns.run("ip", "link", "set", ns.client_if, "address", other_mac)
            got = udhcpc(ns, tmp_path)
            assert got.returncode == 0, got.stderr
            assert env_file(tmp_path / "env.bound")["ip"] != address  # remembered for the first MAC
            ns.run("ip", "addr", "flush", "dev", ns.client_if)
            ns.run("ip", "link", "set", ns.client_if, "address", first_mac)
            got = udhcpc(ns, tmp_path)
            assert got.returncode == 0, got.stderr
            assert env_file(tmp_path / "env.bound")["ip"] == address
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(10)
    saved = json.loads(leases.read_text())["pools"]["office"]
    assert {b["mac"] for b in saved} == {first_mac.replace(":", ""), other_mac.replace(":", "")}


def test_option_125_equals_dnsmasqs_vi_encap(tmp_path: Path) -> None:
    """dnsmasq with vi-encap:9 for the same director and image list, decoded by udhcpc: the same bytes as our
    encoder given dnsmasq's sub-option order (16 first), and the same sub-options as our server's order."""
    image_list = "vstack/imagelist_default.txt"
    with veth_namespace("dhcp", 4, client_address=False) as ns:
        lease_file = tmp_path / "dnsmasq.leases"
        dnsmasq = subprocess.Popen(["dnsmasq", "--keep-in-foreground", "--port=0", "--bind-interfaces",
                                    f"--interface={ns.server_if}", "--except-interface=lo", "--conf-file=/dev/null",
                                    f"--dhcp-leasefile={lease_file}", f"--pid-file={tmp_path / 'dnsmasq.pid'}",
                                    "--dhcp-range=198.18.4.10,198.18.4.50,255.255.255.0,1h",
                                    f"--dhcp-option=vi-encap:9,5,{image_list}",
                                    f"--dhcp-option=vi-encap:9,16,{ns.server_ip}"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(0.5)
            got = udhcpc(ns, tmp_path, "-B")
            assert got.returncode == 0, got.stderr
        finally:
            dnsmasq.terminate()
            dnsmasq.wait(10)
    theirs = bytes.fromhex(env_file(tmp_path / "env.bound")["opt125"])
    director = IP(ns.server_ip)
    assert theirs == encode_vi_vendor(9, [(16, director.packed), (5, image_list.encode())])
    ours = smi_vi_vendor(SmiOptions(director, image_list))
    assert len(ours) == len(theirs) and decode_vi_vendor(ours) == decode_vi_vendor(theirs)
