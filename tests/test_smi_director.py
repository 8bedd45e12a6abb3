"""The director endpoint and ``SmiBackend`` live on loopback: smi_check's director rule, reports making the
director database live, ``no vstack``/``vstack`` closing and reopening the port, and on-demand commands
reaching a client endpoint, which carries them out and reports back."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import run
from test_smi_client import PROBE, FakeTransfers, exchange, siet_exec

from vstackcli.engine.backend import ClientCommand, RecordingBackend
from vstackcli.engine.clients import Neighbor
from vstackcli.engine.clock import FakeClock
from vstackcli.engine.device import Device
from vstackcli.grammar.values import MacAddress, parse_interface
from vstackcli.net.live import LoopThread
from vstackcli.net.smi import codec, extension
from vstackcli.net.smi.client_endpoint import ClientEndpoint, ClientState
from vstackcli.net.smi.codec import ChangeConfig, ExecCommands, ImageUpgrade
from vstackcli.net.smi.director_endpoint import DirectorEndpoint, SmiBackend, command_message
from vstackcli.net.smi.server import send_bytes
from vstackcli.shell.session import Session

DIRECTOR = ipaddress.IPv4Address("10.0.0.1")
LOOPBACK = ipaddress.IPv4Address("127.0.0.1")
MAC = MacAddress.parse("0018.7363.4242")
CONFIG = """configure terminal
hostname Director
interface vlan 1
ip address 10.0.0.1 255.255.255.0
exit
vstack director 10.0.0.1
vstack basic
vstack image flash:c2960-lanbase-tar.122-52.SE.tar
vstack config flash:default.txt
end"""


class FlashTransfers(FakeTransfers):
    """The director's TFTP server: ``tftp://10.0.0.1/PATH`` is PATH on the director's flash."""

    def __init__(self, device: Device):
        super().__init__()
        self.device = device

    def read(self, url: str) -> bytes:
        self.reads.append(url)
        prefix = f"tftp://{DIRECTOR}/"
        if not url.startswith(prefix):
            raise FileNotFoundError(url)
        return self.device.storage.flash.read(url[len(prefix):])


def wait_until(condition: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


@pytest.fixture
def net(tmp_path: Path) -> Iterator[tuple[Device, Session, SmiBackend, LoopThread]]:
    """A director device whose backend is the live Smart Install backend on 127.0.0.1 (unprivileged)."""
    loop = LoopThread()
    device = Device(tmp_path / "director", clock=FakeClock())
    backend = SmiBackend(device.director, loop.loop, inner=RecordingBackend(), privileged=False, client_port=0)
    device.director.backend = backend
    session = Session(device, privilege=15, length=0)
    out = run(session, *CONFIG.split("\n"))
    assert not [line for line in out if line.startswith("%")], out
    backend.wait()
    try:
        yield device, session, backend, loop
    finally:
        loop.run(backend.close())
        loop.stop()


def director_port(backend: SmiBackend) -> int:
    assert backend.endpoint is not None
    port = backend.endpoint.bound_port
    assert port is not None
    return port


# ---- the endpoint -------------------------------------------------------------------------------


def test_smi_check_judges_the_director_active(net) -> None:
    _device, _session, backend, _ = net
    port = director_port(backend)
    assert backend.endpoint.host == "127.0.0.1" and backend.inner.current.smi_port_open
    started = time.monotonic()
    assert exchange(port, PROBE, timeout=10) == b""  # EOF on the first read: "Director feature active"
    assert time.monotonic() - started < 1
    assert exchange(port, PROBE + b"\n", timeout=5) == b""  # Metasploit's probe too
    assert backend.endpoint.rejected == 0


def test_reports_make_the_director_database_live(net) -> None:
    device, session, backend, loop = net
    port = director_port(backend)
    director = device.director
    join = extension.Report(MAC, "WS-C2960-24TT-L", None, "SI-Client", "FOC1234", "12.2(55)SE", True,
                            Neighbor(DIRECTOR, parse_interface("GigabitEthernet1/0/3")))
    loop.run(send_bytes("127.0.0.1", port, [extension.encode(join)]))
    wait_until(lambda: director.db.by_mac(MAC) is not None)
    entry = director.db.by_mac(MAC)
    assert entry.ip == LOOPBACK and entry.pid == "WS-C2960-24TT-L" and entry.serial == "FOC1234"
    assert entry.upstream.host == DIRECTOR and entry.health == "A"
    assert any(str(MAC) in line for line in run(session, "show vstack status"))

    device.clock.advance(200)
    director.tick()
    assert entry.health == "I"  # three keepalives missed
    loop.run(send_bytes("127.0.0.1", port, [extension.encode(extension.Report(MAC, keepalive=True))]))
    wait_until(lambda: entry.health == "A")

    download = [extension.encode(extension.DownloadReport(MAC, "config", "started")),
                extension.encode(extension.DownloadReport(MAC, "config", "done"))]
    loop.run(send_bytes("127.0.0.1", port, download))  # several messages on one connection
    wait_until(lambda: entry.config == "C")

    loop.run(send_bytes("127.0.0.1", port, [extension.encode(extension.BackupData(MAC, b"hostname SI-Client\n"))]))
    wait_until(lambda: director.backups().files(MAC))
    assert backend.endpoint.rejected == 0


def test_bad_input_to_the_director_is_logged_and_it_keeps_serving(net) -> None:
    device, _session, backend, _loop = net
    port = director_port(backend)
    oversized_backup = bytes.fromhex("0000000400000001565300040fffffff")
    for payload in (siet_exec("show version"), b"GET / HTTP/1.0\r\n\r\n", oversized_backup,
                    extension.encode(extension.Report(MAC))[:-3]):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            assert s.recv(512) == b""  # closed without a byte
    assert backend.endpoint.rejected == 4
    texts = [m.format(timestamps=False) for m in device.log.buffer if m.mnemonic == "SMI_INVALID_MESSAGE"]
    assert texts[0] == ("%SMI-6-SMI_INVALID_MESSAGE: Received invalid message from IBD (IP Address : 127.0.0.1), "
                        "SMI Version : 1 Message Type : 8")
    assert device.director.db.by_mac(MAC) is None
    assert exchange(port, PROBE) == b""


def test_no_vstack_closes_the_port_at_once_and_vstack_reopens_it(net) -> None:
    _device, session, backend, _loop = net
    port = director_port(backend)
    held = socket.create_connection(("127.0.0.1", port), timeout=5)  # an open connection is cut too
    run(session, "configure terminal", "no vstack", "end")
    backend.wait()
    assert backend.endpoint is None and refused(port)
    held.settimeout(2)
    with contextlib.suppress(ConnectionResetError):
        assert held.recv(10) == b""
    held.close()
    run(session, "configure terminal", "vstack", "end")
    backend.wait()
    assert director_port(backend) == port  # the same free port again
    assert exchange(port, PROBE) == b""
    run(session, "configure terminal", "no vstack director", "end")
    backend.wait()
    assert refused(port)


# ---- commands -----------------------------------------------------------------------------------


def test_engine_commands_become_the_researched_messages() -> None:
    config = command_message(ClientCommand("config", LOOPBACK, "flash:new.txt", reload=True, reload_in=(6, 30)),
                             DIRECTOR)
    assert config == ChangeConfig("tftp://10.0.0.1/new.txt", True, 6, 30)
    assert len(codec.encode(config)) == 312
    image = command_message(ClientCommand("image", LOOPBACK, "flash:c.tar", "vstack/imagelist_x.txt", reload=True),
                            DIRECTOR)
    assert image == ImageUpgrade("tftp://10.0.0.1/vstack/imagelist_x.txt", reload_now=True)
    remote = command_message(ClientCommand("image", LOOPBACK, "tftp://10.0.0.9/i/c.tar", "i/list.txt",
                                           reload_in=(1, 2)), DIRECTOR)
    assert remote == ImageUpgrade("tftp://10.0.0.9/i/list.txt", hour=1, minute=2)
    backup = command_message(ClientCommand("backup", LOOPBACK, "flash:vstack/SI-Client.cfg"), DIRECTOR)
    assert backup == ExecCommands(("copy nvram:startup-config tftp://10.0.0.1/vstack/SI-Client.cfg",))
    assert codec.encode(backup)[16:40].hex() == "00010014" "00000001" "00000000" "fc994737" "86600000" "000303f4"
    for bad in (ClientCommand("config", LOOPBACK, "http://10.0.0.9/x"), ClientCommand("image", LOOPBACK, "flash:x"),
                ClientCommand("reload", LOOPBACK, "flash:x"),
                ClientCommand("config", LOOPBACK, "flash:" + "x" * 200)):
        with pytest.raises(ValueError):
            command_message(bad, DIRECTOR)


def _client(loop: LoopThread, transfers, director_port_: int) -> tuple[ClientEndpoint, int]:
    client = ClientEndpoint(transfers, "127.0.0.1", 0, director="127.0.0.1", state=ClientState(mac=MAC),
                            report_to=("127.0.0.1", director_port_))
    return client, loop.run(client.start())


def test_download_config_reaches_the_client_which_fetches_it_and_reports_back(net) -> None:
    device, session, backend, loop = net
    director = device.director
    device.storage.flash.write("new.txt", b"hostname FROM-DIRECTOR\n")
    client, client_port = _client(loop, FlashTransfers(device), director_port(backend))
    backend.client_port = client_port
    try:
        loop.run(client.send_report(extension.Report(MAC, "WS-C2960-24TT-L", LOOPBACK)))  # join first
        wait_until(lambda: director.db.by_mac(MAC) is not None)
        assert run(session, "vstack download-config flash:new.txt 127.0.0.1 none startup reload in 00:05") == []
        backend.wait()
        wait_until(lambda: director.db.by_mac(MAC).config == "C")
        assert client.state.startup_config == b"hostname FROM-DIRECTOR\n" and client.state.reload == "in 00:05"
        assert client.transfers.reads == ["tftp://10.0.0.1/new.txt"]
        # the director asked for the joining client's configuration (type 8), then sent the new one (type 3)
        assert len(backend.sent) == 2 and len(backend.sent[-1]) == 312
        texts = [m.format(timestamps=False) for m in device.log.buffer]
        assert "%SMI-6-UPGRD_SUCCESS: Device (IP address: 127.0.0.1) flash:new.txt has upgraded successfully" in texts
    finally:
        loop.run(client.stop())


def test_download_image_sends_the_image_list_the_engine_wrote(net) -> None:
    device, session, backend, loop = net
    director = device.director
    tar = "c2960-lanbasek9-tar.150-2.SE.tar"
    device.storage.flash.write(tar, b"TAR" * 1000)
    client, client_port = _client(loop, FlashTransfers(device), director_port(backend))
    backend.client_port = client_port
    try:
        loop.run(client.send_report(extension.Report(MAC, "WS-C2960-24TT-L", LOOPBACK)))
        wait_until(lambda: director.db.by_mac(MAC) is not None)
        assert run(session, f"vstack download-image tar flash:{tar} 127.0.0.1 none reload") == []
        backend.wait()
        wait_until(lambda: director.db.by_mac(MAC).image == "I")
        listing = client.transfers.reads[0]
        assert listing.startswith("tftp://10.0.0.1/vstack/imagelist_ondemand_")
        assert client.transfers.reads[1] == f"tftp://10.0.0.1/{tar}"
        assert client.state.boot_image == tar and client.state.reload == "now"
    finally:
        loop.run(client.stop())


def test_backup_trigger_is_a_type_8_copy_to_the_directors_tftp(net) -> None:
    _device, _session, backend, loop = net
    transfers = FakeTransfers()
    client, client_port = _client(loop, transfers, director_port(backend))
    client.state.startup_config = b"hostname SI-Client\n"
    backend.client_port = client_port
    try:
        backend.send(ClientCommand("backup", LOOPBACK, "flash:vstack/SI-Client-backup.cfg"))
        backend.wait()
        loop.run(client.idle())
        wait_until(lambda: transfers.writes)
        assert transfers.writes == [("tftp://10.0.0.1/vstack/SI-Client-backup.cfg", b"hostname SI-Client\n")]
    finally:
        loop.run(client.stop())


def test_an_unreachable_client_is_a_failed_download(net) -> None:
    device, session, backend, loop = net
    director = device.director
    loop.run(send_bytes("127.0.0.1", director_port(backend),
                        [extension.encode(extension.Report(MAC, "WS-C2960-24TT-L", LOOPBACK))]))
    wait_until(lambda: director.db.by_mac(MAC) is not None)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        backend.client_port = s.getsockname()[1]
    assert run(session, "vstack download-config flash:default.txt 127.0.0.1 none") == []
    backend.wait()
    wait_until(lambda: director.db.by_mac(MAC).config == "x")
    texts = [m.format(timestamps=False) for m in device.log.buffer]
    assert "%SMI-3-UPGRD_FAILED: Device (IP address: 127.0.0.1) config upgrade failed" in texts


def test_commands_are_refused_while_the_port_is_closed(net) -> None:
    _device, session, backend, _loop = net
    run(session, "configure terminal", "no vstack", "end")
    backend.wait()
    with pytest.raises(ConnectionError):
        backend.send(ClientCommand("config", LOOPBACK, "flash:default.txt"))


def test_endpoint_alone_with_an_explicit_port() -> None:
    async def main() -> None:
        endpoint = DirectorEndpoint(None, "127.0.0.1", 0, idle_timeout=1)
        port = await endpoint.start()
        assert port == endpoint.bound_port and port > 0
        assert await asyncio.to_thread(exchange, port, PROBE) == b""
        await endpoint.stop()
        assert endpoint.bound_port is None

    asyncio.run(main())


@pytest.mark.skipif(os.geteuid() != 0, reason="binding TCP 4786 needs root")
def test_privileged_director_listens_on_4786(tmp_path: Path) -> None:
    loop = LoopThread()
    device = Device(tmp_path / "director", clock=FakeClock())
    backend = SmiBackend(device.director, loop.loop, privileged=True, host="127.0.0.1")
    device.director.backend = backend
    try:
        run(Session(device, privilege=15, length=0), *CONFIG.split("\n"))
        backend.wait()
        assert director_port(backend) == 4786
        assert exchange(4786, PROBE) == b""
        # without the host override it binds the director's address, which this machine may not have
        backend.host = None
        run(Session(device, privilege=15, length=0), "configure terminal", "no vstack", "vstack", "end")
        backend.wait()
        texts = [m.format(timestamps=False) for m in device.log.buffer]
        assert backend.endpoint is not None or any("Smart Install port 10.0.0.1:4786" in t for t in texts)
    finally:
        loop.run(backend.close())
        loop.stop()
