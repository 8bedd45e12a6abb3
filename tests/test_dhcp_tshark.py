"""Wireshark's DHCP dissector as an independent judge: tshark captures our server's and the snooper's OFFER/ACK
on a veth while udhcpc takes a lease, and decodes them with no malformed field and option 125 as Cisco's."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from netns import needs_netns, veth_namespace
from test_dhcp_snoop import director_decide, snooped_network
from test_dhcp_wire import smart_install_server, udhcpc

from vstackcli.net.dhcp.server import ServerThread

pytestmark = [needs_netns, pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")]


@contextmanager
def capture(interface: str, out: Path):
    """tshark on ``interface`` (this namespace) writing ``out``, stopped with SIGINT when the block ends."""
    proc = subprocess.Popen(["tshark", "-i", interface, "-f", "udp port 67 or udp port 68", "-a", "duration:60",
                             "-w", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # tshark says "Capturing on 'IF'" once the capture runs
            line = proc.stderr.readline()
            if "Capturing on" in line or not line:
                break
        yield
        time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(20)


def dissect(pcap: Path) -> list[str]:
    """The verbose dissection of every OFFER and ACK in ``pcap``, one string per frame."""
    text = subprocess.run(["tshark", "-r", str(pcap), "-V"], capture_output=True, text=True, timeout=60).stdout
    frames = [f for f in re.split(r"\n(?=Frame \d+:)", text) if f.strip()]
    return [f for f in frames if re.search(r"Option: \(53\) DHCP Message Type \((Offer|ACK)\)", f)]


def assert_clean_smart_install(frames: list[str], director: str) -> None:
    assert len(frames) == 2, frames  # OFFER and ACK
    for frame in frames:
        assert "Malformed" not in frame and "Expert Info (Error" not in frame, frame
        assert re.search(r"Option: \(125\) V-I Vendor-specific Information\n\s+Length: 41\n"
                         r"\s+Enterprise: ciscoSystems \(9\)\n\s+Length: 36\n"
                         r"\s+Option 125 Suboption: 5\n\s+Length: 28\n\s+Data: " + b"vstack/imagelist_default.txt".hex()
                         + r"\n\s+Option 125 Suboption: 16\n\s+Length: 4\n\s+Data: c6120101\n", frame), frame
        assert "Option: (150) TFTP Server Address" in frame and f"TFTP Server Address: {director}" in frame
        assert "Option: (67) Bootfile name" in frame and "Bootfile name: default.txt" in frame
        assert re.search(r"Option: \(12\) Host Name\n\s+Length: 10\n\s+Host Name: SI-", frame), frame
        assert "Option: (255) End" in frame


def test_tshark_decodes_our_servers_offer_and_ack(tmp_path: Path) -> None:
    pcap = tmp_path / "server.pcapng"
    with veth_namespace("dhts", 5, client_address=False) as ns:
        server = smart_install_server(tmp_path, ns)
        with ServerThread(server, interface=ns.server_if), capture(ns.server_if, pcap):
            got = udhcpc(ns, tmp_path)
        assert got.returncode == 0, got.stderr
    assert_clean_smart_install(dissect(pcap), "198.18.1.1")


def test_tshark_decodes_the_snoopers_rewritten_offer_and_ack(tmp_path: Path) -> None:
    pcap = tmp_path / "snoop.pcapng"
    _, _, decide = director_decide(tmp_path)
    with snooped_network(tmp_path, decide, index=21) as (clients, _), capture(clients.server_if, pcap):
        got = udhcpc(clients, tmp_path)
        assert got.returncode == 0, got.stderr
    frames = dissect(pcap)
    assert_clean_smart_install(frames, "198.18.1.1")
    assert all("DHCP Server Identifier: 198.18.22.2" in f for f in frames)  # dnsmasq's, not ours
