"""The DHCP server without root: the protocol in-process with a real Device + Director deciding, and over UDP
on loopback. Pools, Smart Install options, join window, relays, broadcast, remember, bad input."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import socket
from pathlib import Path

import pytest
from conftest import run
from hypothesis import given, settings
from hypothesis import strategies as st

from vstackcli.engine.backend import PoolSpec, RecordingBackend
from vstackcli.engine.clock import FakeClock
from vstackcli.engine.device import Device
from vstackcli.net.dhcp.codec import (
    ACK,
    DECLINE,
    DISCOVER,
    NAK,
    OFFER,
    RELEASE,
    REQUEST,
    Message,
    Opt,
    decode,
    decode_vi_vendor,
    encode,
)
from vstackcli.net.dhcp.leases import LeaseStore
from vstackcli.net.dhcp.server import DhcpServer, ServerThread
from vstackcli.shell.session import Session

IP = ipaddress.IPv4Address
SERVER = IP("198.18.1.1")
PID = "WS-C2960-24TT-L"

CONFIG = """configure terminal
hostname Director
interface vlan 1
ip address 198.18.1.1 255.255.255.0
exit
vstack director 198.18.1.1
vstack basic
vstack hostname-prefix SI
vstack image flash:c2960-lanbase-tar.122-52.SE.tar
vstack config flash:default.txt
vstack dhcp-localserver smi
address-pool 198.18.1.0 255.255.255.0
default-router 198.18.1.1
file-server 198.18.1.1
exit
ip dhcp pool plain
network 198.18.2.0 255.255.255.0
default-router 198.18.2.1
option 150 ip 198.18.2.1
bootfile boot.cfg
remember
end"""


def director_device(root: Path) -> tuple[Device, Session, RecordingBackend]:
    device = Device(root, clock=FakeClock())
    backend = RecordingBackend()
    device.director.backend = backend
    session = Session(device, privilege=15, length=0)
    out = run(session, *CONFIG.split("\n"))
    assert not [line for line in out if line.startswith("%")], out
    device.director.reconcile()
    return device, session, backend


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def env(tmp_path: Path):
    device, session, backend = director_device(tmp_path / "director")
    calls = []

    def decide(request):  # the PID a director learns from CDP; here every client is a 2960
        calls.append(request)
        return device.director.on_dhcp(dataclasses.replace(request, pid=PID))

    clock = Clock()
    server = DhcpServer(SERVER, backend.current.pools, decide=decide, store=LeaseStore(tmp_path / "bindings.json"),
                        clock=clock)
    return server, session, calls, clock, tmp_path


def mac(n: int) -> bytes:
    return bytes.fromhex(f"0011223344{n:02x}")


def packet(kind: int, n: int, xid: int = 1, **kw) -> bytes:
    options = {Opt.MESSAGE_TYPE: bytes((kind,)), **kw.pop("options", {})}
    return encode(Message(chaddr=mac(n), xid=xid, options=options, **kw))


def one(server: DhcpServer, data: bytes) -> tuple[Message, tuple[str, int]]:
    replies = server.handle(data)
    assert len(replies) == 1, server.stats
    payload, dest = replies[0]
    return decode(payload), dest


def lease(server: DhcpServer, n: int, xid: int = 1, pool_giaddr: IP | None = None) -> Message:
    extra = {"giaddr": pool_giaddr} if pool_giaddr else {}
    offer, _ = one(server, packet(DISCOVER, n, xid, **extra))
    ack, _ = one(server, packet(REQUEST, n, xid, options={Opt.SERVER_ID: SERVER.packed,
                                                          Opt.REQUESTED_IP: offer.yiaddr.packed}, **extra))
    assert ack.message_type == ACK and ack.yiaddr == offer.yiaddr
    return ack


def test_smart_install_offer_and_ack_carry_the_directors_options(env) -> None:
    server, _, calls, _, _ = env
    offer, dest = one(server, packet(DISCOVER, 1, xid=9))
    assert dest == ("255.255.255.255", 68)
    o = offer.options
    assert offer.message_type == OFFER and offer.yiaddr in ipaddress.IPv4Network("198.18.1.0/24")
    assert offer.yiaddr != SERVER
    assert o[Opt.SUBNET_MASK] == IP("255.255.255.0").packed and o[Opt.ROUTER] == SERVER.packed
    assert o[Opt.SERVER_ID] == SERVER.packed and int.from_bytes(o[Opt.LEASE_TIME], "big") == 86400
    assert o[Opt.HOSTNAME] == b"SI-33.4401"  # prefix + last 3 MAC bytes
    assert o[Opt.CISCO_TFTP] == SERVER.packed and o[Opt.BOOTFILE] == b"default.txt"
    assert decode_vi_vendor(o[Opt.VI_VENDOR]) == {9: {5: b"vstack/imagelist_default.txt", 16: SERVER.packed}}
    ack, _ = one(server, packet(REQUEST, 1, xid=9, options={Opt.SERVER_ID: SERVER.packed,
                                                            Opt.REQUESTED_IP: offer.yiaddr.packed}))
    assert ack.message_type == ACK and ack.yiaddr == offer.yiaddr
    assert {k: v for k, v in ack.options.items() if k != Opt.MESSAGE_TYPE} == {
        k: v for k, v in o.items() if k != Opt.MESSAGE_TYPE}
    assert len(calls) == 1 and calls[0].ip == offer.yiaddr  # one decision per exchange
    assert server.stats["offers"] == 1 and server.stats["acks"] == 1


def test_outside_the_join_window_a_plain_lease(env) -> None:
    server, session, _, _, _ = env
    run(session, "configure terminal", "vstack join-window close", "end")
    ack = lease(server, 2)
    assert ack.yiaddr in ipaddress.IPv4Network("198.18.1.0/24")
    assert Opt.SUBNET_MASK in ack.options and Opt.ROUTER in ack.options and Opt.LEASE_TIME in ack.options
    assert not {Opt.VI_VENDOR, Opt.BOOTFILE, Opt.HOSTNAME} & ack.options.keys()


def test_ios_pool_relayed_with_option_82(env) -> None:
    server, _, calls, _, _ = env
    relay = IP("198.18.2.1")
    agent = b"\x01\x06port-1\x02\x04abcd"
    offer, dest = one(server, packet(DISCOVER, 3, giaddr=relay, hops=1, options={Opt.RELAY_AGENT: agent}))
    assert dest == ("198.18.2.1", 67) and offer.giaddr == relay
    assert offer.yiaddr in ipaddress.IPv4Network("198.18.2.0/24") and offer.yiaddr != relay
    assert offer.options[Opt.CISCO_TFTP] == relay.packed and offer.options[Opt.BOOTFILE] == b"boot.cfg"
    assert Opt.VI_VENDOR not in offer.options and not calls  # an IOS pool asks no director
    assert offer.options[Opt.RELAY_AGENT] == agent and list(offer.options)[-1] == Opt.RELAY_AGENT
    unknown, _ = server.handle(packet(DISCOVER, 4, giaddr=IP("10.9.9.9"))), None
    assert unknown == [] and server.stats["no_pool"] == 1


def test_renewal_keeps_the_address_and_replies_unicast(env) -> None:
    server, _, _, clock, _ = env
    ack = lease(server, 5)
    clock.now += 50_000
    renewed, dest = one(server, packet(REQUEST, 5, xid=77, ciaddr=ack.yiaddr))
    assert renewed.message_type == ACK and renewed.yiaddr == ack.yiaddr and dest == (str(ack.yiaddr), 68)
    reboot, _ = one(server, packet(REQUEST, 5, xid=78, options={Opt.REQUESTED_IP: ack.yiaddr.packed}))
    assert reboot.yiaddr == ack.yiaddr  # INIT-REBOOT
    again, _ = one(server, packet(DISCOVER, 5, xid=79))
    assert again.yiaddr == ack.yiaddr


def test_an_address_bound_to_another_mac_is_refused(env) -> None:
    server, _, _, _, _ = env
    ack = lease(server, 6)
    nak, dest = one(server, packet(REQUEST, 7, options={Opt.REQUESTED_IP: ack.yiaddr.packed}))
    assert nak.message_type == NAK and dest == ("255.255.255.255", 68) and nak.yiaddr == IP(0)
    offer, _ = one(server, packet(DISCOVER, 7, options={Opt.REQUESTED_IP: ack.yiaddr.packed}))
    assert offer.yiaddr != ack.yiaddr
    wrong_net, _ = one(server, packet(REQUEST, 7, options={Opt.REQUESTED_IP: IP("10.1.1.1").packed}))
    assert wrong_net.message_type == NAK


def test_request_for_another_server_drops_our_offer(env) -> None:
    server, _, _, _, _ = env
    offer, _ = one(server, packet(DISCOVER, 8))
    assert server.handle(packet(REQUEST, 8, options={Opt.SERVER_ID: IP("198.18.1.250").packed,
                                                     Opt.REQUESTED_IP: offer.yiaddr.packed})) == []
    other, _ = one(server, packet(DISCOVER, 9, options={Opt.REQUESTED_IP: offer.yiaddr.packed}))
    assert other.yiaddr == offer.yiaddr  # no longer held for client 8


def test_release_and_decline(env) -> None:
    server, _, _, _, tmp = env
    ack = lease(server, 10, pool_giaddr=IP("198.18.2.1"))
    assert any(b["mac"] == mac(10).hex() for b in json.loads((tmp / "bindings.json").read_text())["pools"]["plain"])
    assert server.handle(packet(RELEASE, 10, ciaddr=ack.yiaddr, giaddr=IP("198.18.2.1"))) == []
    assert json.loads((tmp / "bindings.json").read_text())["pools"]["plain"] == []
    ack = lease(server, 11)
    assert server.handle(packet(DECLINE, 11, options={Opt.REQUESTED_IP: ack.yiaddr.packed,
                                                      Opt.SERVER_ID: SERVER.packed})) == []
    offer, _ = one(server, packet(DISCOVER, 12, options={Opt.REQUESTED_IP: ack.yiaddr.packed}))
    assert offer.yiaddr != ack.yiaddr


def test_exhausted_pool_is_counted_and_silent() -> None:
    pool = PoolSpec("tiny", ipaddress.IPv4Network("10.5.0.0/29"), (IP("10.5.0.1"),))  # 6 hosts - router - server
    server = DhcpServer("10.5.0.6", [pool])
    given_out = {decode(server.handle(packet(DISCOVER, n))[0][0]).yiaddr for n in range(4)}
    assert given_out == {IP(f"10.5.0.{i}") for i in range(2, 6)}
    for n in range(4, 40):
        assert server.handle(packet(DISCOVER, n)) == []
    assert server.stats["exhausted"] == 36


def test_remember_survives_a_restart(tmp_path: Path) -> None:
    pools = [PoolSpec("keep", ipaddress.IPv4Network("10.6.0.0/24"), remember=True),
             PoolSpec("forget", ipaddress.IPv4Network("10.7.0.0/24"))]
    path = tmp_path / "bindings.json"
    first = DhcpServer("10.6.0.1", pools, store=LeaseStore(path))
    kept = {n: lease_on(first, n, "10.6.0.1", None) for n in (20, 21, 22)}
    forgotten = {n: lease_on(first, n, "10.6.0.1", IP("10.7.0.1")) for n in (23, 24)}
    assert first.store.writes == 3  # one write per new remembered binding, none for the other pool
    restarted = DhcpServer("10.6.0.1", pools, store=LeaseStore(path))
    for n in (22, 21, 20):  # asking in another order, and a newcomer first
        lease_on(restarted, 40, "10.6.0.1", None)
        assert lease_on(restarted, n, "10.6.0.1", None) == kept[n]
    assert all(ip in ipaddress.IPv4Network("10.7.0.0/24") for ip in forgotten.values())
    assert "forget" not in json.loads(path.read_text())["pools"]


def lease_on(server: DhcpServer, n: int, server_id: str, giaddr: IP | None) -> IP:
    extra = {"giaddr": giaddr} if giaddr else {}
    offer = decode(server.handle(packet(DISCOVER, n, **extra))[0][0])
    ack = decode(server.handle(packet(REQUEST, n, options={Opt.SERVER_ID: IP(server_id).packed,
                                                           Opt.REQUESTED_IP: offer.yiaddr.packed}, **extra))[0][0])
    assert ack.message_type == ACK
    return ack.yiaddr


def test_a_failing_director_means_a_plain_lease(tmp_path: Path) -> None:
    def broken(request):
        raise RuntimeError("boom")

    server = DhcpServer(SERVER, [PoolSpec("smi", ipaddress.IPv4Network("198.18.1.0/24"), smart_install=True)],
                        decide=broken)
    offer, _ = one(server, packet(DISCOVER, 1))
    assert offer.message_type == OFFER and Opt.VI_VENDOR not in offer.options
    assert server.stats["decide_errors"] == 1


@pytest.mark.parametrize(("data", "kind"), [
    (b"short", "malformed"),
    (packet(DISCOVER, 1)[:236] + b"\x00" * 4 + packet(DISCOVER, 1)[240:], "malformed"),
    (packet(DISCOVER, 1)[:240] + bytes((Opt.HOSTNAME, 250)) + b"x" * 10, "malformed"),
    (encode(Message(op=2, chaddr=mac(1), options={Opt.MESSAGE_TYPE: b"\x02"})), "not_request"),
    (encode(Message(chaddr=mac(1))), "bootp"),
    (encode(Message(chaddr=mac(1) + b"\x00\x00", options={Opt.MESSAGE_TYPE: b"\x01"})), "bad_hardware"),
    (encode(Message(chaddr=mac(1), options={Opt.MESSAGE_TYPE: b"\x63"})), "unexpected_type"),
    (packet(REQUEST, 1), "malformed"),  # a REQUEST that names no address
])
def test_bad_input_is_counted_and_dropped(env, data: bytes, kind: str) -> None:
    server = env[0]
    assert server.handle(data) == []
    assert server.stats[kind] == 1 and server.stats["errors"] == 0


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=500))
def test_fuzz_server_never_raises(data: bytes) -> None:
    server = DhcpServer(SERVER, [PoolSpec("p", ipaddress.IPv4Network("198.18.1.0/24"))])
    head = packet(DISCOVER, 1)[:240]
    for sample in (data, head + data):
        replies = server.handle(sample)
        assert isinstance(replies, list)
    assert server.stats["errors"] == 0


def test_over_udp_on_loopback_with_a_flood_of_garbage(env) -> None:
    server = env[0]
    with ServerThread(server, host="127.0.0.1", port=0) as runner, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.settimeout(2)
        client.bind(("127.0.0.1", 0))
        for i in range(2000):
            client.sendto(bytes([i % 256]) * (i % 400), runner.address)
        for _attempt in range(5):  # a loopback socket buffer may drop part of the flood, ours included
            client.sendto(packet(DISCOVER, 30, xid=1234), runner.address)
            try:
                reply = decode(client.recv(2048))
                break
            except TimeoutError:
                continue
        assert reply.xid == 1234 and reply.message_type == OFFER and Opt.VI_VENDOR in reply.options
        assert server.stats["errors"] == 0 and server.stats["malformed"] >= 1000
