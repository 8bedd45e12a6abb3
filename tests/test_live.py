"""The director's live servers on loopback, as the shell's default start runs them: a real DHCP exchange,
a real TFTP client (curl) fetching the image list the engine wrote, a Smart Install probe closed at once,
and `no vstack` closing the Smart Install port."""

from __future__ import annotations

import ipaddress
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from conftest import run
from netns import needs_netns, veth_namespace

from vstackcli.engine.clock import FakeClock
from vstackcli.engine.device import Device
from vstackcli.net.dhcp import codec as dhcp
from vstackcli.net.live import LiveBackends, Snooping
from vstackcli.shell.session import Session

CONFIG = ["configure terminal", "vstack director 10.0.0.1", "vstack basic",
          "vstack image flash:c2960-lanbase-tar.122-52.SE.tar", "vstack config flash:default.txt",
          "vstack dhcp-localserver si", "address-pool 10.0.0.0 255.255.255.0", "default-router 10.0.0.1",
          "file-server 10.0.0.1", "end"]
PROBE = bytes.fromhex("00000001" "00000001" "00000004" "00000008" "00000001" "00000000")


@pytest.fixture
def live(tmp_path: Path):
    device = Device(tmp_path / "director", clock=FakeClock())
    backends = LiveBackends.start(device)
    session = Session(device, privilege=15, length=0)
    assert not [line for line in run(session, *CONFIG) if line.startswith("%")]
    backends.settle()
    yield device, session, backends
    backends.close()


def test_servers_follow_the_configuration(live) -> None:
    _device, session, backends = live
    lines = backends.describe()
    no_key = "SSH disabled: no RSA host key (crypto key generate rsa)"
    assert [line.split(" listening")[0] for line in lines] == ["Smart Install director", "DHCP server",
                                                               "TFTP server", "Telnet server", no_key]
    smi_port = backends.smi.endpoint.bound_port
    # a probe is read and the connection closed without a byte written (smi_check's "Director feature active")
    with socket.create_connection(("127.0.0.1", smi_port), timeout=5) as s:
        s.sendall(PROBE)
        s.settimeout(5)
        assert s.recv(100) == b""
    run(session, "configure terminal", "no vstack", "end")
    backends.settle()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", smi_port), timeout=2).close()
    run(session, "configure terminal", "vstack", "end")
    backends.settle()
    assert backends.smi.endpoint is not None


def test_dhcp_offer_carries_the_smart_install_options(live) -> None:
    _device, _session, backends = live
    host, port = backends.dhcp.address
    discover = dhcp.Message(xid=0x1234, chaddr=bytes.fromhex("0024c6b5c0c0"), flags=0x8000,
                            options={dhcp.Opt.MESSAGE_TYPE: b"\x01"})
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        s.sendto(dhcp.encode(discover), (host, port))
        offer = dhcp.decode(s.recv(2048))
    assert offer.options[dhcp.Opt.MESSAGE_TYPE] == b"\x02"
    assert ipaddress.IPv4Address(offer.yiaddr) in ipaddress.IPv4Network("10.0.0.0/24")
    vendor = dhcp.decode_vi_vendor(offer.options[dhcp.Opt.VI_VENDOR])[9]
    assert vendor[5] == b"vstack/imagelist_default.txt" and vendor[16] == bytes([10, 0, 0, 1])
    assert offer.options[dhcp.Opt.BOOTFILE] == b"default.txt"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is installed by .ci/run")
def test_tftp_serves_the_image_list_the_engine_wrote(live) -> None:
    _device, _session, backends = live
    host, port = backends.tftp.address
    got = subprocess.run(["curl", "-s", f"tftp://{host}:{port}/vstack/imagelist_default.txt"],
                         capture_output=True, timeout=30)
    assert got.stdout == b"c2960-lanbase-tar.122-52.SE.tar\n"


def test_copy_from_tftp_into_flash(live) -> None:
    device, session, backends = live
    device.storage.flash.write("seed.txt", b"hostname seed\n")
    host, port = backends.tftp.address
    session.execute(f"copy tftp://{host}:{port}/seed.txt flash:copied.txt")
    lines = session.execute("").lines
    assert lines[0] == f"Accessing tftp://{host}:{port}/seed.txt..."
    assert any(line.startswith("[OK - 14 bytes]") for line in lines)
    assert device.storage.flash.read("copied.txt") == b"hostname seed\n"


def test_bindings_are_shown_and_cleared(live) -> None:
    _device, session, backends = live
    host, port = backends.dhcp.address
    mac = bytes.fromhex("0024c6b5c0c1")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        s.sendto(dhcp.encode(dhcp.Message(xid=7, chaddr=mac, options={dhcp.Opt.MESSAGE_TYPE: b"\x01"})),
                 (host, port))
        offer = dhcp.decode(s.recv(2048))
        request = dhcp.Message(xid=7, chaddr=mac, options={
            dhcp.Opt.MESSAGE_TYPE: b"\x03", dhcp.Opt.REQUESTED_IP: ipaddress.IPv4Address(offer.yiaddr).packed,
            dhcp.Opt.SERVER_ID: offer.options[dhcp.Opt.SERVER_ID]})
        s.sendto(dhcp.encode(request), (host, port))
        ack = dhcp.decode(s.recv(2048))
    assert ack.options[dhcp.Opt.MESSAGE_TYPE] == b"\x05"
    rows = run(session, "show ip dhcp binding")[4:]
    assert len(rows) == 1 and rows[0].startswith(str(ipaddress.IPv4Address(offer.yiaddr)))
    assert "0100.24c6.b5c0.c1" in rows[0] and rows[0].endswith("Automatic")
    assert "Acks : 1" in "\n".join(run(session, "show dhcp server"))
    assert run(session, "clear ip dhcp binding *") == []
    assert run(session, "show ip dhcp binding")[4:] == []


@needs_netns
def test_snooping_starts_on_the_named_interfaces(tmp_path: Path) -> None:
    with veth_namespace("snc", 51) as clients, veth_namespace("sns", 52) as server:
        device = Device(tmp_path / "director", clock=FakeClock())
        snoop = Snooping({clients.server_if: 1}, server.server_if, (server.client_ip,))
        backends = LiveBackends.start(device, snoop=snoop)
        try:
            lines = backends.describe()
            assert f"DHCP snooping: clients on {clients.server_if} (VLAN 1); servers {server.client_ip}" in lines
        finally:
            backends.close()
        with pytest.raises(ValueError, match="cannot both serve DHCP and snoop"):
            LiveBackends.start(device, interface=clients.server_if, snoop=snoop)
