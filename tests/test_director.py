"""The director engine end to end, without sockets: a network of fake clients through zero-touch,
on-demand updates, backups, replacement and role changes, with a fake clock."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from conftest import run

from vstackcli.engine.backend import RecordingBackend
from vstackcli.engine.clients import Neighbor, StackMember
from vstackcli.engine.clock import FakeClock
from vstackcli.engine.core import ClientReport, DhcpRequest
from vstackcli.engine.device import Device
from vstackcli.grammar.values import MacAddress, parse_interface
from vstackcli.shell.session import Session

DIRECTOR = ipaddress.IPv4Address("10.0.0.1")

CONFIG = """configure terminal
hostname Director
interface vlan 1
ip address 10.0.0.1 255.255.255.0
exit
vstack director 10.0.0.1
vstack basic
vstack hostname-prefix SI
vstack image flash:c2960-lanbase-tar.122-52.SE.tar
vstack config flash:default.txt
vstack group built-in 3560 24
image flash:c3560-ipbase-tar.122-52.SE.tar
config flash:3560.txt
vstack group custom pharmacy mac
match mac 0000.0000.0300
config flash:pharmacy.txt
image flash:c2960-lanbase-tar.122-52.SE.tar
vstack group custom floor connectivity
match host 10.0.0.1 interface GigabitEthernet1/0/10
config flash:floor.txt
image flash:c2960-lanbase-tar.122-52.SE.tar
vstack group custom pos product-id
match WS-C2960-48TC-L
config flash:pos.txt
image flash:c2960-lanbase-tar.122-52.SE.tar
vstack group custom stk stack
match 1 3750 24poe
match 2 3750 24poe
image flash:c3750-ipbase-tar.122-52.SE.tar
config flash:stack.txt
end"""


def mac(n: int) -> MacAddress:
    return MacAddress(n * 0x100)


def ip(n: int) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(f"10.0.0.{100 + n}")


def port(host: ipaddress.IPv4Address, number: int) -> Neighbor:
    return Neighbor(host, parse_interface(f"GigabitEthernet1/0/{number}"))


@pytest.fixture
def net(tmp_path: Path):
    clock = FakeClock()
    device = Device(tmp_path / "director", clock=clock)
    backend = RecordingBackend()
    device.director.backend = backend
    session = Session(device, privilege=15, length=0)
    out = run(session, *CONFIG.split("\n"))
    assert not [line for line in out if line.startswith("%")], out
    return device, session, backend, clock


def join(device: Device, n: int, pid: str, upstream: Neighbor, stack: tuple[StackMember, ...] = ()):
    """A client's zero-touch: DHCP, downloads, then its Smart Install join report."""
    director = device.director
    decision = director.on_dhcp(DhcpRequest(mac(n), pid=pid, upstream=upstream, stack=stack, ip=ip(n)))
    if decision.options is not None:
        for kind, present in (("image", decision.options.image_list), ("config", decision.options.config_file)):
            if present:
                director.on_download(mac(n), kind, "started")
                director.on_download(mac(n), kind, "done")
    director.on_report(ClientReport(mac(n), pid, ip(n), decision.options.hostname if decision.options else "",
                                    f"FOC{n:04d}", "12.2(55)SE", upstream=upstream, stack=stack))
    return decision


def status_rows(session: Session) -> dict[str, str]:
    rows = {}
    for line in run(session, "show vstack status"):
        if line[:1].isdigit():
            rows[line[6:20]] = line[66:]  # the fixed columns of the guide's table
    return rows


def test_reconcile_tells_the_backends_and_writes_the_director_files(net) -> None:
    device, session, backend, _ = net
    state = backend.current
    assert state.director_ip == DIRECTOR and state.smi_port_open and list(state.snooping_vlans) == [1]
    files = {e.name for e in device.storage.flash.listing("vstack")}
    assert {"imagelist_default.txt", "imagelist_builtin_3560_24.txt", "tailored_config.txt"} <= files
    assert device.storage.flash.read("vstack/imagelist_default.txt") == b"c2960-lanbase-tar.122-52.SE.tar\n"
    assert "%SMI-5-DIRECTOR: Director is Enabled" in [m.format(timestamps=False) for m in device.log.buffer]
    run(session, "configure terminal", "no vstack", "end")
    assert not backend.current.smi_port_open and backend.current.director_ip is None
    assert device.log.buffer[-2].format(timestamps=False) == "%SMI-5-DIRECTOR: Director is Disabled"
    assert run(session, "show vstack status") == ["SmartInstall: DISABLED"]


def test_a_network_of_a_dozen_clients(net) -> None:
    device, session, backend, clock = net
    director = device.director
    d = join(device, 1, "WS-C2960-24TT-L", port(DIRECTOR, 1))  # default
    assert d.options.image_list == "vstack/imagelist_default.txt" and d.options.config_file == "default.txt"
    assert d.options.director == DIRECTOR and d.options.tftp_server == DIRECTOR
    assert d.options.hostname == "SI-00.0100"
    assert director.db.by_mac(mac(1)).phase == "joined"
    assert join(device, 2, "WS-C3560-24TS-S", port(DIRECTOR, 2)).options.config_file == "3560.txt"
    assert join(device, 3, "WS-C2960-24TT-L", port(DIRECTOR, 3)).options.config_file == "pharmacy.txt"
    assert join(device, 4, "WS-C2960-24TT-L", port(DIRECTOR, 10)).options.config_file == "floor.txt"
    assert join(device, 5, "WS-C2960-48TC-L", port(DIRECTOR, 5)).options.config_file == "pos.txt"
    members = (StackMember(1, mac(6), "WS-C3750-24PS-S"), StackMember(2, mac(60), "WS-C3750-24PS-S"))
    assert join(device, 6, "WS-C3750-24PS-S", port(DIRECTOR, 6), members).options.config_file == "stack.txt"
    for n in range(7, 11):  # hop 2, behind client 1
        assert join(device, n, "WS-C2960-24TT-L", port(ip(1), n)).options is not None
    # a stack that no stack group matches gets nothing: stacks never take the default
    lonely = (StackMember(1, mac(11), "WS-C2960S-48FPS-L"), StackMember(2, mac(111), "WS-C2960S-48FPS-L"))
    unknown = join(device, 11, "WS-C2960S-48FPS-L", port(DIRECTOR, 11), lonely)
    assert unknown.options is None
    texts = [m.format(timestamps=False) for m in device.log.buffer]
    assert f"%SMI-6-SWITCH_ADD: New Device detected by Director with mac address: {mac(11)}" in texts
    assert "%SMI-6-INCORRECT_CFG: No image and config configured for this switch-stack WS-C2960S-48FPS-L" in texts
    assert any(t.startswith("%SMI-3-IMG_CFG_NOT_CONFIGURED: ") and t.endswith("for this Product-ID") for t in texts)
    assert f"%SMI-6-UPGRD_SUCCESS: Device (IP address: {ip(2)}) flash:c3560-ipbase-tar.122-52.SE.tar " \
           "has upgraded successfully" in texts

    rows = status_rows(session)
    assert rows[str(mac(1))] == "S A a I C"
    assert rows[str(mac(60))] == "S A a"  # the stack member has its own entry
    assert rows[str(mac(11))] == "S A a"
    assert len(rows) == 14  # the director, eleven clients and two stack members
    assert director.db.by_mac(mac(7)).hops == 2

    # the zero-touch phases, as show vstack status detail tells them; the post-install script runs last
    run(session, "configure terminal", "vstack group built-in 3560 24", "script flash:post.txt", "end")
    fresh = director.on_dhcp(DhcpRequest(mac(30), pid="WS-C3560-24TS-S", upstream=port(DIRECTOR, 30), ip=ip(30)))
    entry = director.db.by_mac(mac(30))
    assert fresh.options.script == "post.txt" and entry.phase == "offered"
    director.on_download(mac(30), "image", "started")
    assert entry.phase == "downloading"
    director.on_download(mac(30), "image", "done")
    assert entry.phase == "downloading"  # the configuration is still to come
    director.on_download(mac(30), "config", "done")
    assert entry.phase == "reloading"
    assert backend.commands[-1].kind == "script" and backend.commands[-1].url == "flash:post.txt"
    director.on_report(ClientReport(mac(30), "WS-C3560-24TS-S", ip(30)))
    assert entry.phase == "joined"
    assert "Zero-touch: joined" in "\n".join(run(session, "show vstack status detail"))

    # one hop at a time: a hop-2 client waits while its hop-1 neighbour upgrades
    director.on_download(mac(1), "image", "started")
    waiting = director.on_dhcp(DhcpRequest(mac(12), pid="WS-C2960-24TT-L", upstream=port(ip(1), 12), ip=ip(12)))
    assert waiting.options is None and "upstream" in waiting.reason
    director.on_download(mac(1), "image", "done")

    # on-demand to index ranges, with a scheduled reload
    out = run(session, "vstack download-image tar flash:c2960-lanbasek9-tar.150-2.SE.tar index 8-9,10 none "
                       "override reload in 06:30")
    assert out == []
    sent = [c for c in backend.commands if c.kind == "image"]
    assert [str(c.client_ip) for c in sent] == [str(ip(7)), str(ip(8)), str(ip(9))]
    assert sent[0].reload_in == (6, 30) and sent[0].override
    assert device.storage.flash.read(sent[0].image_list) == b"c2960-lanbasek9-tar.150-2.SE.tar\n"
    download = run(session, "show vstack download-status")
    assert sum("Scheduled" in line for line in download) == 3
    out = run(session, "vstack download-config flash:new.txt 10.0.0.105 none startup reload")
    assert out == [] and backend.commands[-1].kind == "config" and str(backend.commands[-1].client_ip) == str(ip(5))
    assert run(session, "vstack download-image tar flash:x.tar index 99 none reload")[0].startswith(
        "%Error: no client with index 99")

    # health: three missed keepalives make a client Inactive; reports keep the others alive
    clock.advance(100)
    for n in (2, 3, 4, 5, 6, 7, 8, 9, 10, 11):
        director.on_report(ClientReport(mac(n), "", ip(n)))
    director.tick()
    rows = status_rows(session)
    assert rows[str(mac(1))].startswith("S I") and rows[str(mac(2))].startswith("S A")

    # replacement: same PID on client 1's port gets client 1's image, backup and hostname
    assert director.on_backup(mac(1), b"hostname SI-00.0100\n")
    new = director.on_dhcp(DhcpRequest(mac(21), pid="WS-C2960-24TT-L", upstream=port(DIRECTOR, 1), ip=ip(21)))
    assert new.options is not None and new.options.config_file == "vstack/SI-00.0100" + str(mac(1)) + ".rev2"
    texts = [m.format(timestamps=False) for m in device.log.buffer]
    assert f"%SMI-6-SWITCH_REPLACE: Device {mac(1)} is being replaced by {mac(21)} Device" in texts
    assert director.db.by_mac(mac(1)) is None
    # the same PID elsewhere is a new client
    other = director.on_dhcp(DhcpRequest(mac(22), pid="WS-C2960-24TT-L", upstream=port(DIRECTOR, 22), ip=ip(22)))
    assert other.options is not None and other.options.config_file == "default.txt"

    # clear the database entry by entry
    lonely_index = director.db.by_mac(mac(11)).index
    assert run(session, f"clear vstack director-db entry {lonely_index}") == []
    assert director.db.by_mac(mac(11)) is None and director.db.by_mac(mac(111)) is None  # its member too
    run(session, "clear vstack download-list")
    assert run(session, "show vstack download-status")[-1] == "No download requests in the download list"


def test_join_window_closed_denies_and_manual_mode_holds(net) -> None:
    device, session, _, _ = net
    director = device.director
    run(session, "configure terminal", "vstack join-window close", "end")
    denied = director.on_dhcp(DhcpRequest(mac(1), pid="WS-C2960-24TT-L", upstream=port(DIRECTOR, 1), ip=ip(1)))
    assert denied.options is None and denied.join == "d"
    run(session, "configure terminal", "no vstack join-window close", "no vstack join-window mode auto", "end")
    held = director.on_dhcp(DhcpRequest(mac(2), pid="WS-C2960-24TT-L", upstream=port(DIRECTOR, 2), ip=ip(2)))
    assert held.options is None and held.join == "h"
    assert status_rows(session)[str(mac(2))] == "P A h"
    run(session, "configure terminal", "vstack on-hold-clients install 2", "end")
    allowed = director.on_dhcp(DhcpRequest(mac(2), pid="WS-C2960-24TT-L", upstream=port(DIRECTOR, 2), ip=ip(2)))
    assert allowed.options is not None
    # the denied client is moved to allowed by hand
    assert run(session, "vstack join-window-status index 1 allowed") == []
    again = director.on_dhcp(DhcpRequest(mac(1), pid="WS-C2960-24TT-L", upstream=port(DIRECTOR, 1), ip=ip(1)))
    assert again.options is not None


def test_backup_rotation_and_failure(net) -> None:
    device, _, _, _ = net
    director = device.director
    join(device, 1, "WS-C2960-24TT-L", port(DIRECTOR, 1))
    for n in (1, 2, 3):
        assert director.on_backup(mac(1), f"rev {n}\n".encode())
    base = f"vstack/SI-00.0100{mac(1)}"
    assert device.storage.flash.read(base + ".rev2") == b"rev 3\n"
    assert device.storage.flash.read(base + ".rev1") == b"rev 2\n"
    device.storage.flash.capacity = device.storage.flash.used() + 10
    assert not director.on_backup(mac(1), b"x" * 1000)
    assert device.storage.flash.read(base + ".rev2") == b"rev 3\n"
    assert device.log.buffer[-1].format(timestamps=False) == (
        f"%SMI-3-SMI_DIRECTOR_BACKUP_FAILURE: Client Device ({ip(1)}) startup configuration backup fail on "
        "repository: flash:/vstack - reason: Not enough space on device")


def test_director_becomes_a_client_when_its_interface_shuts(net) -> None:
    device, session, backend, _ = net
    run(session, "configure terminal", "interface vlan 1", "shutdown", "end")
    assert not device.director.operational and backend.current.director_ip is None
    assert any(m.format(timestamps=False) == "%SMI-5-DIRECTOR: Director is Disabled" for m in device.log.buffer)
    assert "Role: Client" in "\n".join(run(session, "show vstack config"))
    run(session, "configure terminal", "interface vlan 1", "no shutdown", "end")
    assert device.director.operational


def test_not_a_director_gives_plain_leases(tmp_path: Path) -> None:
    device = Device(tmp_path, clock=FakeClock())
    decision = device.director.on_dhcp(DhcpRequest(mac(1), pid="WS-C2960-24TT-L"))
    assert decision.options is None



def test_director_becomes_a_client_when_its_interface_goes_or_its_address_changes(net) -> None:
    device, session, backend, _ = net
    run(session, "configure terminal", "no interface vlan 1", "end")
    assert not device.director.operational
    assert "vstack director 10.0.0.1" in run(session, "show running-config | include ^vstack")  # config stays
    run(session, "configure terminal", "interface vlan 1", "ip address 10.0.0.1 255.255.255.0", "end")
    assert device.director.operational
    run(session, "configure terminal", "vstack director 10.9.9.9", "end")
    assert not device.director.operational and backend.current.director_ip is None
    disabled = [m for m in device.log.buffer if m.format(timestamps=False) == "%SMI-5-DIRECTOR: Director is Disabled"]
    assert len(disabled) == 2
