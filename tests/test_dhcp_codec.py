"""DHCP wire format: our encoder against fixed bytes and an independent decoder (scapy); the decoder fuzzed."""

from __future__ import annotations

import contextlib
import ipaddress

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scapy.layers.dhcp import BOOTP, DHCP

from vstackcli.engine.core import SmiOptions
from vstackcli.net.dhcp.codec import (
    MAGIC_COOKIE,
    OFFER,
    DecodeError,
    Message,
    Opt,
    decode,
    decode_vi_vendor,
    encode,
    encode_vi_vendor,
)
from vstackcli.net.dhcp.server import smi_vi_vendor

IP = ipaddress.IPv4Address
MAC = bytes.fromhex("001122334455")


def test_option_125_matches_the_worked_example() -> None:
    """Research 1.1: dnsmasq's vi-encap:9 bytes for director 192.0.2.1 and imagelist.txt, sub-option 16 first."""
    expected = bytes.fromhex("00000009" "15" "1004c0000201" "050d") + b"imagelist.txt"
    assert encode_vi_vendor(9, [(16, IP("192.0.2.1").packed), (5, b"imagelist.txt")]) == expected
    ours = smi_vi_vendor(SmiOptions(IP("192.0.2.1"), "imagelist.txt"))
    assert len(ours) == 26 and ours[4] == 21
    assert decode_vi_vendor(ours) == {9: {5: b"imagelist.txt", 16: bytes.fromhex("c0000201")}}


def test_option_125_without_image_list_carries_the_director_only() -> None:
    assert smi_vi_vendor(SmiOptions(IP("10.0.0.1"))) == bytes.fromhex("00000009" "06" "10040a000001")


def test_long_values_are_split_rfc_3396() -> None:
    long_file = ("dir/" * 100 + "config.txt").encode()  # 410 bytes
    msg = Message(op=2, xid=7, chaddr=MAC, options={Opt.MESSAGE_TYPE: bytes((OFFER,)), Opt.BOOTFILE: long_file,
                                                   Opt.VI_VENDOR: smi_vi_vendor(SmiOptions(IP("10.0.0.1"),
                                                                                           long_file.decode()))})
    wire = encode(msg)
    i, seen = 240, []
    while wire[i] != Opt.END:
        seen.append((wire[i], wire[i + 1]))
        i += 2 + wire[i + 1]
    assert seen.count((Opt.BOOTFILE, 255)) == 1 and (Opt.BOOTFILE, 155) in seen
    assert all(length <= 255 for _, length in seen)
    back = decode(wire)
    assert back.options[Opt.BOOTFILE] == long_file
    vendor = decode_vi_vendor(back.options[Opt.VI_VENDOR])
    assert vendor == {9: {5: long_file, 16: IP("10.0.0.1").packed}}
    blocks, j, data = [], 0, back.options[Opt.VI_VENDOR]
    while j < len(data):  # every enterprise block's data-len is correct
        assert data[j:j + 4] == b"\x00\x00\x00\x09"
        blocks.append(data[j + 4])
        j += 5 + data[j + 4]
    assert j == len(data) and len(blocks) == 2


def test_round_trip_and_scapy_reads_our_offer() -> None:
    options = {Opt.MESSAGE_TYPE: bytes((OFFER,)), Opt.SERVER_ID: IP("10.0.0.1").packed,
               Opt.LEASE_TIME: (3600).to_bytes(4, "big"), Opt.SUBNET_MASK: IP("255.255.255.0").packed,
               Opt.HOSTNAME: b"SI-33.4455", Opt.CISCO_TFTP: IP("10.0.0.1").packed, Opt.BOOTFILE: b"default.txt"}
    msg = Message(op=2, xid=0xDEADBEEF, flags=0x8000, yiaddr=IP("10.0.0.5"), chaddr=MAC, options=options)
    wire = encode(msg)
    assert len(wire) >= 300
    assert decode(wire) == msg
    pkt = BOOTP(wire)
    assert pkt.xid == 0xDEADBEEF and pkt.yiaddr == "10.0.0.5" and pkt.flags == 0x8000
    assert pkt.chaddr[:6] == MAC
    got = dict(o for o in pkt[DHCP].options if isinstance(o, tuple) and len(o) == 2)
    assert got["message-type"] == 2 and got["server_id"] == "10.0.0.1" and got["lease_time"] == 3600
    assert got["subnet_mask"] == "255.255.255.0" and got["hostname"] == b"SI-33.4455"
    assert got["boot-file-name"] == b"default.txt"


def test_we_read_a_scapy_discover() -> None:
    pkt = BOOTP(chaddr=MAC + bytes(10), xid=42, flags=0x8000) / DHCP(options=[
        ("message-type", "discover"), ("client_id", b"\x00cisco-0011.2233.4455-Vl1"),
        ("param_req_list", [1, 3, 150, 125]), ("relay_agent_information", b"\x01\x04port"), "end"])
    msg = decode(bytes(pkt))
    assert msg.message_type == 1 and msg.xid == 42 and msg.broadcast and msg.chaddr == MAC
    assert msg.options[Opt.CLIENT_ID] == b"\x00cisco-0011.2233.4455-Vl1"
    assert msg.options[Opt.RELAY_AGENT] == b"\x01\x04port"


def test_option_overload_reads_the_file_field() -> None:
    wire = bytearray(encode(Message(chaddr=MAC, options={Opt.MESSAGE_TYPE: b"\x01", Opt.OVERLOAD: b"\x01"})))
    file_at = 236 - 128
    wire[file_at:file_at + 7] = bytes((Opt.HOSTNAME, 4)) + b"host" + bytes((Opt.END,))
    assert decode(bytes(wire)).options[Opt.HOSTNAME] == b"host"


VALID = encode(Message(chaddr=MAC, xid=1, options={Opt.MESSAGE_TYPE: b"\x01"}))


@pytest.mark.parametrize("bad", [
    b"", VALID[:100], VALID[:239],
    VALID[:236] + b"\x00\x00\x00\x00" + VALID[240:],  # wrong cookie
    VALID[:240] + bytes((Opt.HOSTNAME, 200)) + b"abc",  # option length past the end
    VALID[:240] + bytes((Opt.HOSTNAME,)),  # no length byte
    b"\x05" + VALID[1:],  # bad op
    VALID[:2] + b"\x20" + VALID[3:],  # hlen 32
])
def test_malformed_messages_raise_decode_error(bad: bytes) -> None:
    with pytest.raises(DecodeError):
        decode(bad)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_fuzz_arbitrary_bytes(data: bytes) -> None:
    with contextlib.suppress(DecodeError):
        decode(data)


@settings(max_examples=1500, deadline=None)
@given(st.binary(max_size=400), st.integers(0, 255))
def test_fuzz_valid_header_random_options(options: bytes, overload: int) -> None:
    head = VALID[:240]
    for tail in (options, bytes((Opt.OVERLOAD, 1, overload % 4)) + options):
        try:
            msg = decode(head + tail)
        except DecodeError:
            continue
        assert isinstance(msg.options, dict)
        for value in msg.options.values():
            assert isinstance(value, bytes)


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_option_125(data: bytes) -> None:
    with contextlib.suppress(DecodeError):
        decode_vi_vendor(data)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.integers(1, 254), st.binary(max_size=700), max_size=8))
def test_fuzz_encode_decode_round_trip(options: dict[int, bytes]) -> None:
    options = {k: v for k, v in options.items() if k != Opt.OVERLOAD}
    msg = Message(chaddr=MAC, options=options)
    back = decode(encode(msg))
    assert back.options == {k: v for k, v in options.items()}


def test_cookie_constant() -> None:
    assert bytes((99, 130, 83, 99)) == MAGIC_COOKIE
