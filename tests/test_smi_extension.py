"""vstackcli's own report messages (docs/smi-extension.md): round trips, the documented example bytes,
TLV bounds and caps, and a property test on random bodies under an extension header."""

from __future__ import annotations

import ipaddress
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vstackcli.engine.clients import Neighbor, StackMember
from vstackcli.grammar.values import MacAddress, parse_interface
from vstackcli.net.smi import codec, extension
from vstackcli.net.smi.codec import BadField, BadLength, CodecError, Incomplete
from vstackcli.net.smi.extension import BACKUP_MAX, BackupData, DownloadReport, Report

MAC = MacAddress.parse("0018.7363.4242")


def tlv(tag: int, value: bytes) -> bytes:
    return struct.pack(">2I", tag, len(value)) + value


def frame(type_: int, body: bytes, length: int | None = None) -> bytes:
    return struct.pack(">4I", 4, 1, type_, len(body) if length is None else length) + body


def test_the_documented_keepalive_example() -> None:
    data = extension.encode(Report(MAC, keepalive=True))
    assert data.hex() == ("00000004" "00000001" "56530002" "00000017" "00000001" "00000006" "001873634242"
                          "00000007" "00000001" "01")
    assert extension.decode(data) == (Report(MAC, keepalive=True), b"")


@pytest.mark.parametrize("message", [
    Report(MAC, "WS-C2960-24TT-L", ipaddress.IPv4Address("10.0.0.101"), "SI-00.0100", "FOC0001", "12.2(55)SE",
           True, Neighbor(ipaddress.IPv4Address("10.0.0.1"), parse_interface("GigabitEthernet1/0/3")),
           (StackMember(1, MAC, "WS-C3750E-24PD"), StackMember(2, MacAddress(0x10), "WS-C3750E-24PD"))),
    Report(MAC, smart_install=False, keepalive=True),
    DownloadReport(MAC, "image", "started"),
    DownloadReport(MAC, "config", "failed", "TFTP timeout"),
    BackupData(MAC, b"hostname SI-00.0100\n!\nend\n"),
    BackupData(MAC, b""),
])
def test_round_trip(message) -> None:
    data = extension.encode(message)
    assert extension.decode(data + b"\n") == (message, b"\n")


def test_report_becomes_the_engines_client_report_with_the_peer_as_fallback_ip() -> None:
    report = Report(MAC, "WS-C2960-24TT-L").to_client_report(ipaddress.IPv4Address("10.0.0.9"))
    assert report.mac == MAC and report.ip == ipaddress.IPv4Address("10.0.0.9") and report.pid == "WS-C2960-24TT-L"


def test_public_messages_still_decode() -> None:
    assert extension.decode(codec.encode(codec.Probe())) == (codec.Probe(), b"")


def test_backup_of_half_a_megabyte_fits_and_more_does_not() -> None:
    big = BackupData(MAC, b"!" * BACKUP_MAX)
    assert extension.decode(extension.encode(big))[0] == big
    with pytest.raises(ValueError):
        extension.encode(BackupData(MAC, b"!" * (BACKUP_MAX + 1)))
    with pytest.raises(BadLength):
        extension.decode(struct.pack(">4I", 4, 1, extension.BACKUP, 0x7FFFFFFF))


@pytest.mark.parametrize(("data", "match"), [
    (frame(extension.JOIN, tlv(2, b"WS-C2960")), "TLV 1 missing"),
    (frame(extension.JOIN, tlv(1, b"\0" * 6) + struct.pack(">2I", 2, 500)), "runs past"),
    (frame(extension.JOIN, tlv(1, b"\0" * 6) + b"\0\0\0\2"), "cut short"),
    (frame(extension.JOIN, tlv(1, b"\0" * 6) + tlv(1, b"\0" * 6)), "repeated"),
    (frame(extension.JOIN, tlv(1, b"\0" * 5) + tlv(2, b"x")), "not 6 bytes"),
    (frame(extension.JOIN, tlv(1, b"\0" * 6) + tlv(2, b"x" * 33)), "over 32"),
    (frame(extension.JOIN, tlv(1, b"\0" * 6) + tlv(4, b"bad\0name")), "printable"),
    (frame(extension.JOIN, tlv(1, b"\0" * 6) + tlv(8, b"\n\0\0\1Nonsense9")), "interface"),
    (frame(extension.JOIN, tlv(1, b"\0" * 6) + b"".join(tlv(9, b"\1" + bytes(6)) for _ in range(10))), "9 stack"),
    (frame(extension.DOWNLOAD, tlv(1, b"\0" * 6) + tlv(10, b"\3") + tlv(11, b"\1") + tlv(12, b"")), "kind"),
    (frame(extension.JOIN, tlv(1, b"\0" * 6) + tlv(7, b"\2")), "0/1"),
])
def test_malformed_bodies(data: bytes, match: str) -> None:
    with pytest.raises(BadField, match=match):
        extension.decode(data)


def test_unknown_tags_are_skipped_and_lengths_are_checked_before_the_body() -> None:
    data = frame(extension.KEEPALIVE, tlv(1, MAC.value.to_bytes(6, "big")) + tlv(99, b"future"))
    assert extension.decode(data)[0] == Report(MAC, keepalive=True)
    with pytest.raises(Incomplete):
        extension.decode(data[:-1])
    with pytest.raises(BadLength):
        extension.decode(frame(extension.JOIN, b"", length=4000))


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from([extension.JOIN, extension.KEEPALIVE, extension.DOWNLOAD, extension.BACKUP]),
       st.lists(st.tuples(st.integers(0, 14), st.binary(max_size=60)), max_size=8), st.binary(max_size=12))
def test_random_tlv_bodies_only_raise_codec_errors(type_: int, tlvs, junk: bytes) -> None:
    data = frame(type_, b"".join(tlv(t, v) for t, v in tlvs) + junk)
    try:
        message, rest = extension.decode(data)
    except CodecError:
        return
    assert rest == b"" and extension.decode(extension.encode(message))[0] == message
