"""The simulated switch's wire pieces on their own: the asynchronous TFTP client against tftpd-hpa (a
server we did not write) and against vstackcli's server (windowsize, block-number wrap, uploads), the DHCP
client against vstackcli's DHCP server (a Catalyst's client identifier, option 125/150/67/12), the CDP
update message, and what an image name says of its IOS version."""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from vstackcli.engine.backend import PoolSpec
from vstackcli.engine.clients import Neighbor
from vstackcli.engine.core import DhcpDecision, DhcpRequest, SmiOptions
from vstackcli.grammar.values import MacAddress, parse_interface
from vstackcli.net.dhcp.server import DhcpServer, ServerThread
from vstackcli.net.smi import extension
from vstackcli.net.tftp.server import TftpServer, WritePolicy
from vstackcli.sim import SimNetwork, tftp
from vstackcli.sim.dhcp import DhcpClient, client_id
from vstackcli.sim.images import image_version

IP = ipaddress.IPv4Address


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def tftpd_hpa(tmp_path: Path):
    binary = shutil.which("in.tftpd") or ("/usr/sbin/in.tftpd" if Path("/usr/sbin/in.tftpd").exists() else None)
    if binary is None:
        pytest.skip("tftpd-hpa (in.tftpd) is not installed")
    root = tmp_path / "tftp"
    root.mkdir()
    root.chmod(0o777)
    port = free_udp_port()
    process = subprocess.Popen([binary, "--foreground", "--listen", "--address", f"127.0.0.1:{port}", "--create",
                                "--secure", "--permissive", str(root)], stderr=subprocess.PIPE)
    time.sleep(0.2)
    yield root, port
    process.terminate()
    process.wait(5)


def test_fetch_and_send_with_tftpd_hpa(tftpd_hpa) -> None:
    root, port = tftpd_hpa
    data = bytes(range(256)) * 4096 + b"tail"  # 1 MiB and a short last block
    (root / "image.tar").write_bytes(data)
    (root / "image.tar").chmod(0o644)
    digest = hashlib.sha256()
    sizes: list[int] = []
    got = asyncio.run(tftp.fetch("127.0.0.1", port, "image.tar", digest.update, local="127.0.0.1",
                                 on_size=sizes.append))
    assert got == len(data) and digest.digest() == hashlib.sha256(data).digest() and sizes == [len(data)]
    with pytest.raises(tftp.TftpError) as missing:
        asyncio.run(tftp.fetch_bytes("127.0.0.1", port, "nothing.tar"))
    assert missing.value.code == 1
    (root / "up.cfg").touch()
    (root / "up.cfg").chmod(0o666)
    asyncio.run(tftp.send("127.0.0.1", port, "up.cfg", b"hostname X\n" * 300))
    assert (root / "up.cfg").read_bytes() == b"hostname X\n" * 300


def test_windowed_fetch_wraps_block_numbers_and_refuses_a_full_flash(tmp_path: Path) -> None:
    server = TftpServer(root=tmp_path, write_policy=WritePolicy(("vstack",)))
    (tmp_path / "vstack").mkdir()
    data = bytes(range(251)) * 2200  # 552200 bytes: with 8-byte blocks the block number wraps past 65535
    (tmp_path / "big.bin").write_bytes(data)
    server.start()
    try:
        host, port = server.host, server.port
        seen = bytearray()
        size = asyncio.run(tftp.fetch(host, port, "big.bin", seen.extend, blksize=8, windowsize=16))
        assert size == len(data) and bytes(seen) == data

        def refuse(total: int) -> None:
            raise tftp.TftpError(f"{total} bytes do not fit")

        with pytest.raises(tftp.TftpError, match="do not fit"):
            asyncio.run(tftp.fetch(host, port, "big.bin", None, on_size=refuse))
        asyncio.run(tftp.send(host, port, "vstack/backup.cfg", b"x" * 5000))
        assert (tmp_path / "vstack" / "backup.cfg").read_bytes() == b"x" * 5000
        with pytest.raises(tftp.TftpError):
            asyncio.run(tftp.send(host, port, "outside.cfg", b"x"))
    finally:
        server.stop()


def test_dhcp_client_reads_the_smart_install_options() -> None:
    seen: list[DhcpRequest] = []

    def decide(request: DhcpRequest) -> DhcpDecision:
        seen.append(request)
        return DhcpDecision(SmiOptions(IP("192.168.1.1"), "vstack/imagelist_default.txt", "default.txt",
                                       IP("192.168.1.9"), "SI-c6.0140"), "a")

    server = DhcpServer("192.168.1.1", [PoolSpec("smi", ipaddress.ip_network("192.168.1.0/24"),
                                                 (IP("192.168.1.1"),), smart_install=True)], decide=decide)
    with ServerThread(server, host="127.0.0.1", port=0) as thread:
        network = SimNetwork.loopback(thread.address, ("127.0.0.1", 69), ("127.0.0.1", 4786))
        vlan1 = MacAddress.parse("0024.13c6.0140")
        lease = asyncio.run(DhcpClient(vlan1, network, network.allocate_alias()).obtain())
        bindings = thread.call(lambda: [lease for pool in server.store.pools.values() for lease in pool.by_ip.values()])
    assert lease is not None and lease.ip in ipaddress.ip_network("192.168.1.0/24") and lease.network.prefixlen == 24
    assert (lease.director, lease.image_list, lease.tftp_server, lease.config_file, lease.hostname) == \
        (IP("192.168.1.1"), "vstack/imagelist_default.txt", IP("192.168.1.9"), "default.txt", "SI-c6.0140")
    assert seen[0].mac == vlan1
    assert bindings[0].client_id == b"\x00cisco-0024.13c6.0140-Vl1" == client_id(vlan1)


def test_dhcp_client_gives_up_without_a_server() -> None:
    network = SimNetwork.loopback(("127.0.0.1", free_udp_port()), ("127.0.0.1", 69), ("127.0.0.1", 4786))
    client = DhcpClient(MacAddress(0x40), network, "127.0.0.1", timeout=0.05, retries=2)
    assert asyncio.run(client.obtain()) is None


def test_cdp_update_round_trip() -> None:
    report = extension.Report(MacAddress.parse("0024.13c6.0100"), "WS-C2960-24TT-L", None, "", "FOC1", "12.2(55)SE5",
                              True, Neighbor(IP("0.0.0.0"), parse_interface("GigabitEthernet1/0/4")), cdp=True)
    wire = extension.encode(report)
    assert wire[8:12] == extension.CDP.to_bytes(4, "big")
    decoded, rest = extension.decode(wire)
    assert decoded == report and rest == b""


@pytest.mark.parametrize(("name", "version"), [
    ("c2960-lanbasek9-tar.150-2.SE.tar", "15.0(2)SE"),
    ("c3750e-universalk9-tar.122-55.SE5.tar", "12.2(55)SE5"),
    ("vstack/c2960x-universalk9-mz.152-4.E10.bin", "15.2(4)E10"),
    ("custom.tar", "custom.tar"),
])
def test_image_version(name: str, version: str) -> None:
    assert image_version(name) == version
