"""Snooping an external DHCP server: the relay logic in-process (no root), then udhcpc <-> director <-> dnsmasq
across three network namespaces, with a real Device + Director deciding."""

from __future__ import annotations

import dataclasses
import ipaddress
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from conftest import run
from netns import needs_netns, veth_namespace
from test_dhcp_server import PID, director_device
from test_dhcp_wire import env_file, udhcpc

from vstackcli.engine.core import DhcpDecision, SmiOptions
from vstackcli.net.dhcp.codec import (
    ACK,
    BOOTREPLY,
    DISCOVER,
    OFFER,
    Message,
    Opt,
    decode,
    decode_vi_vendor,
    encode,
)
from vstackcli.net.dhcp.snoop import SERVER_SIDE, ClientSide, DhcpSnooper, SnoopThread, insert_smi_options

IP = ipaddress.IPv4Address
SIDE = ClientSide("cli0", IP("198.18.11.1"), vlan=1)
SERVER = IP("198.18.12.2")
CHADDR = bytes.fromhex("02000000aa01")
SMI = SmiOptions(IP("198.18.1.1"), "vstack/imagelist_default.txt", "default.txt", IP("198.18.1.1"), "SI-00.aa01")


def server_reply(kind: int, **options: bytes) -> Message:
    opts = {Opt.MESSAGE_TYPE: bytes((kind,)), Opt.SERVER_ID: SERVER.packed, Opt.LEASE_TIME: b"\x00\x00\x0e\x10",
            Opt.SUBNET_MASK: b"\xff\xff\xff\x00", Opt.BOOTFILE: b"theirs.cfg"}
    opts.update({int(code[1:]): value for code, value in options.items()})
    return Message(op=BOOTREPLY, xid=7, chaddr=CHADDR, yiaddr=IP("198.18.11.20"), giaddr=SIDE.address,
                   options=opts)


def test_requests_are_relayed_with_giaddr_and_a_hop() -> None:
    snooper = DhcpSnooper([SIDE], [SERVER, "198.18.12.3"])
    discover = encode(Message(chaddr=CHADDR, xid=7, options={Opt.MESSAGE_TYPE: bytes((DISCOVER,))}))
    sends = snooper.from_client(discover, "cli0")
    assert [(dest, side) for _, dest, side in sends] == [(("198.18.12.2", 67), SERVER_SIDE),
                                                        (("198.18.12.3", 67), SERVER_SIDE)]
    relayed = decode(sends[0][0])
    assert relayed.giaddr == SIDE.address and relayed.hops == 1
    assert sends[0][0][:3] == discover[:3] and sends[0][0][28:] == discover[28:]  # nothing else changed
    already = encode(Message(chaddr=CHADDR, giaddr=IP("10.0.0.1"), hops=2, options={Opt.MESSAGE_TYPE: b"\x01"}))
    again = decode(snooper.from_client(already, "cli0")[0][0])
    assert again.giaddr == IP("10.0.0.1") and again.hops == 3
    assert snooper.from_client(encode(Message(chaddr=CHADDR, hops=16, options={53: b"\x01"})), "cli0") == []
    assert snooper.from_client(b"\x01garbage", "cli0") == [] and snooper.stats["malformed"] == 1


def test_offers_and_acks_get_the_options_the_director_decides() -> None:
    calls = []

    def decide(request):
        calls.append(request)
        return DhcpDecision(SMI, "a")

    snooper = DhcpSnooper([dataclasses.replace(SIDE, vlan=30)], [SERVER], decide)
    offer = server_reply(OFFER, o82=b"\x01\x02ab", o66=b"their.tftp")
    (payload, dest, side), = snooper.from_server(encode(offer), (str(SERVER), 67))
    assert dest == ("255.255.255.255", 68) and side == "cli0"
    got = decode(payload)
    assert got.options[Opt.HOSTNAME] == b"SI-00.aa01" and got.options[Opt.BOOTFILE] == b"default.txt"
    assert got.options[Opt.CISCO_TFTP] == IP("198.18.1.1").packed
    assert decode_vi_vendor(got.options[Opt.VI_VENDOR]) == {9: {5: b"vstack/imagelist_default.txt",
                                                                16: IP("198.18.1.1").packed}}
    assert got.options[Opt.SERVER_ID] == SERVER.packed and got.options[66] == b"their.tftp"  # theirs kept
    assert list(got.options)[-1] == Opt.RELAY_AGENT and got.yiaddr == offer.yiaddr and got.xid == 7
    assert calls[0].mac.value == int.from_bytes(CHADDR, "big") and calls[0].vlan == 30
    assert calls[0].ip == IP("198.18.11.20")
    snooper.from_server(encode(server_reply(ACK)))
    assert len(calls) == 1  # the ACK of the same exchange reuses the OFFER's decision
    renewing = dataclasses.replace(server_reply(ACK), ciaddr=IP("198.18.11.20"), xid=8)
    (_, dest, _), = snooper.from_server(encode(renewing))
    assert dest == ("198.18.11.20", 68) and len(calls) == 2


def test_plain_replies_pass_byte_for_byte() -> None:
    snooper = DhcpSnooper([SIDE], [SERVER], lambda request: DhcpDecision(None, "d", "join window"))
    data = encode(server_reply(OFFER))
    assert snooper.from_server(data)[0][0] == data
    failing = DhcpSnooper([SIDE], [SERVER], lambda request: 1 / 0)
    assert failing.from_server(data)[0][0] == data and failing.stats["decide_errors"] == 1
    nak = encode(dataclasses.replace(server_reply(6), yiaddr=IP(0)))
    assert snooper.from_server(nak)[0][0] == nak
    assert snooper.from_server(encode(dataclasses.replace(server_reply(OFFER), giaddr=IP("10.9.9.9")))) == []
    assert snooper.from_server(encode(Message(chaddr=CHADDR, options={53: b"\x01"}))) == []  # a request
    assert snooper.from_server(b"") == [] and snooper.stats["malformed"] == 1


def test_overloaded_options_are_rewritten_into_the_options_field() -> None:
    reply = server_reply(OFFER)
    raw = bytearray(encode(dataclasses.replace(reply, options={**reply.options, Opt.OVERLOAD: b"\x01"})))
    raw[108:108 + 12] = bytes((66, 10)) + b"their.tftp"  # option 66 in the file field, then END
    raw[120] = 255
    got = decode(encode(insert_smi_options(decode(bytes(raw)), SMI)))
    assert Opt.OVERLOAD not in got.options and got.options[66] == b"their.tftp" and got.file == b""
    assert got.options[Opt.BOOTFILE] == b"default.txt"


# ---- three namespaces: udhcpc | director (relay, snooping) | dnsmasq --------------------------------


@contextmanager
def snooped_network(tmp: Path, decide, index: int = 11):
    """Client namespace (no address) on the director's client side 198.18.<i>.1, dnsmasq at 198.18.<i+1>.2 on
    the server side 198.18.<i+1>.1, serving 198.18.<i>.0/24 through the relay."""
    with veth_namespace("snpc", index, client_address=False) as clients, veth_namespace("snps", index + 1) as srv:
        srv.run("ip", "route", "add", f"198.18.{index}.0/24", "via", srv.server_ip, check=True)
        dnsmasq = subprocess.Popen(srv.cmd("dnsmasq", "--keep-in-foreground", "--port=0", "--bind-interfaces",
                                           f"--interface={srv.client_if}", "--except-interface=lo",
                                           "--conf-file=/dev/null", "--no-ping",
                                           f"--dhcp-leasefile={tmp / 'dnsmasq.leases'}",
                                           f"--pid-file={tmp / 'dnsmasq.pid'}",
                                           f"--dhcp-range=198.18.{index}.10,198.18.{index}.50,255.255.255.0,1h",
                                           f"--dhcp-option=3,198.18.{index}.1"),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            side = ClientSide(clients.server_if, IP(clients.server_ip), vlan=1)
            snooper = DhcpSnooper([side], [srv.client_ip], decide)
            with SnoopThread(snooper, srv.server_if):
                time.sleep(0.3)
                yield clients, snooper
        finally:
            dnsmasq.terminate()
            dnsmasq.wait(10)


def director_decide(tmp: Path):
    device, session, _ = director_device(tmp / "director")

    def decide(request):
        return device.director.on_dhcp(dataclasses.replace(request, pid=PID))

    return device, session, decide


def log_texts(device) -> list[str]:
    return [m.format(timestamps=False) for m in device.log.buffer]


@needs_netns
def test_udhcpc_gets_dnsmasqs_lease_with_the_directors_options(tmp_path: Path) -> None:
    device, _, decide = director_decide(tmp_path)
    with snooped_network(tmp_path, decide) as (clients, snooper):
        got = udhcpc(clients, tmp_path)
        assert got.returncode == 0, got.stderr
    env = env_file(tmp_path / "env.bound")
    assert IP(env["ip"]) in ipaddress.IPv4Network("198.18.11.0/24") and 10 <= int(env["ip"].rsplit(".")[-1]) <= 50
    assert env["serverid"] == "198.18.12.2" and env["router"] == "198.18.11.1"  # dnsmasq's lease
    assert env["lease"] == "3600"
    assert decode_vi_vendor(bytes.fromhex(env["opt125"])) == {9: {5: b"vstack/imagelist_default.txt",
                                                                  16: IP("198.18.1.1").packed}}
    assert env["opt150"] == IP("198.18.1.1").packed.hex() and env["bootfile"] == "default.txt"
    assert env["hostname"].startswith("SI-")
    assert snooper.stats["inserted"] == 2 and snooper.stats["to_server"] == 2
    mac = device.director.db.clients[0].mac
    assert f"%SMI-6-SWITCH_ADD: New Device detected by Director with mac address: {mac}" in log_texts(device)
    assert str(device.director.db.clients[0].ip) == env["ip"]


@needs_netns
def test_outside_the_join_window_dnsmasqs_lease_is_unchanged(tmp_path: Path) -> None:
    device, session, decide = director_decide(tmp_path)
    run(session, "configure terminal", "vstack join-window close", "end")
    seen = []

    def recording(request):
        decision = decide(request)
        seen.append(decision)
        return decision

    with snooped_network(tmp_path, recording) as (clients, snooper):
        passed = []
        original = snooper.from_server

        def from_server(data, source):
            sends = original(data, source)
            passed.append((data, [payload for payload, _, _ in sends]))
            return sends

        snooper.from_server = from_server
        got = udhcpc(clients, tmp_path)
        assert got.returncode == 0, got.stderr
    assert len(passed) == 2 and all(out == [data] for data, out in passed)  # dnsmasq's OFFER and ACK, as sent
    env = env_file(tmp_path / "env.bound")
    assert IP(env["ip"]) in ipaddress.IPv4Network("198.18.11.0/24") and env["serverid"] == "198.18.12.2"
    assert not {"opt125", "opt150", "bootfile", "hostname"} & set(env)
    assert snooper.stats["inserted"] == 0 and snooper.stats["plain"] == 2
    assert seen and all(d.options is None and d.join == "d" for d in seen)
    assert any("SWITCH_ADD" in t for t in log_texts(device))  # learned all the same
    assert device.director.db.clients[0].join == "d"


def test_only_smart_install_vlans_are_snooped(tmp_path: Path) -> None:
    """A real Director: VLAN 30 is not named by `vstack vlan` (plain reply, client not learned) until it is."""
    device, session, decide = director_decide(tmp_path)
    snooper = DhcpSnooper([dataclasses.replace(SIDE, vlan=30)], [SERVER], decide)
    data = encode(server_reply(OFFER))
    assert snooper.from_server(data)[0][0] == data and device.director.db.clients == []
    run(session, "configure terminal", "vstack vlan 30", "end")
    got = decode(snooper.from_server(data)[0][0])
    assert decode_vi_vendor(got.options[Opt.VI_VENDOR])[9][16] == IP("198.18.1.1").packed
    assert [c.mac.value for c in device.director.db.clients] == [int.from_bytes(CHADDR, "big")]
