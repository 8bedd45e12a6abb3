"""vstackcli's own client-to-director messages on the Smart Install framing.

No public source shows how a client registers with a director, keeps alive,
reports downloads or sends a backup (research section 8), so vstackcli defines
its own messages (``docs/smi-extension.md``): sender 4 (client), version 1, type
numbers ``0x56530001``-``0x56530004`` ("VS" in the high half; no public tool
uses them), and a body of TLVs, each a 32-bit tag, a 32-bit length and that many
value bytes, no padding. Every length is checked against the bytes left and
against a per-tag cap; strings are printable ASCII without NUL.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

from vstackcli.engine.clients import Neighbor, StackMember
from vstackcli.engine.core import ClientReport
from vstackcli.grammar.values import MacAddress, parse_interface
from vstackcli.net.smi import codec
from vstackcli.net.smi.codec import BadField, Header, Incomplete

__all__ = [
    "BACKUP",
    "BACKUP_MAX",
    "CDP",
    "DOWNLOAD",
    "EXTENSION_SIZES",
    "JOIN",
    "KEEPALIVE",
    "BackupData",
    "DownloadReport",
    "Report",
    "decode",
    "encode",
    "is_extension",
]

JOIN = 0x56530001
KEEPALIVE = 0x56530002
DOWNLOAD = 0x56530003
BACKUP = 0x56530004
CDP = 0x56530005
VERSION = 1
BACKUP_MAX = 512 * 1024  # NVRAM of the largest Catalyst in the families table is 512 KiB

EXTENSION_SIZES: dict[tuple[int, int, int], tuple[int, int]] = {
    (codec.CLIENT, VERSION, JOIN): (14, 2048),
    (codec.CLIENT, VERSION, KEEPALIVE): (14, 2048),
    (codec.CLIENT, VERSION, DOWNLOAD): (14 + 9 + 9, 512),
    (codec.CLIENT, VERSION, BACKUP): (14, BACKUP_MAX + 64),
    (codec.CLIENT, VERSION, CDP): (14, 2048),
}

# tags
T_MAC, T_PID, T_IP, T_HOSTNAME, T_SERIAL, T_VERSION, T_SMART, T_UPSTREAM, T_MEMBER = range(1, 10)
T_KIND, T_PHASE, T_DETAIL, T_DATA = 10, 11, 12, 13

_STR_CAPS = {T_PID: 32, T_HOSTNAME: 63, T_SERIAL: 32, T_VERSION: 64, T_DETAIL: 128}
_KINDS = {1: "image", 2: "config"}
_PHASES = {1: "started", 2: "done", 3: "failed"}


@dataclass(frozen=True)
class Report:
    """A join (``keepalive=False``) or keepalive: who the client is, its neighbour and stack.

    With ``cdp=True`` it is a CDP database update instead: what an upstream device
    learnt of a neighbour by CDP (its PID before it has an address, or a non-Smart
    Install client), sent on the neighbour's behalf; an upstream host of 0.0.0.0
    means the director itself heard it.
    """

    mac: MacAddress
    pid: str = ""
    ip: ipaddress.IPv4Address | None = None
    hostname: str = ""
    serial: str = ""
    version: str = ""
    smart_install: bool = True
    upstream: Neighbor | None = None
    stack: tuple[StackMember, ...] = ()
    keepalive: bool = False
    cdp: bool = False

    def to_client_report(self, peer: ipaddress.IPv4Address | None = None) -> ClientReport:
        """The engine's ``ClientReport``; the TCP peer stands in for a missing IP."""
        return ClientReport(self.mac, self.pid, self.ip or peer, self.hostname, self.serial, self.version,
                            self.smart_install, self.upstream, self.stack)


@dataclass(frozen=True)
class DownloadReport:
    """A client's image or config download ``started``, ``done`` or ``failed``."""

    mac: MacAddress
    kind: str
    phase: str
    detail: str = ""


@dataclass(frozen=True)
class BackupData:
    """A client's startup-config after ``write memory`` (to ``Director.on_backup``)."""

    mac: MacAddress
    data: bytes


Extension = Report | DownloadReport | BackupData


def is_extension(header: Header) -> bool:
    return (header.msg_from, header.version, header.type) in EXTENSION_SIZES


# ---- encode ------------------------------------------------------------------------------------


def _tlv(tag: int, value: bytes) -> bytes:
    return struct.pack(">2I", tag, len(value)) + value


def _str(tag: int, text: str) -> bytes:
    raw = text.encode("ascii")
    if len(raw) > _STR_CAPS[tag] or any(b < 0x20 or b > 0x7E for b in raw):
        raise ValueError(f"{text[:40]!r} does not fit tag {tag}")
    return _tlv(tag, raw) if raw else b""


def _mac(mac: MacAddress) -> bytes:
    return _tlv(T_MAC, mac.value.to_bytes(6, "big"))


def encode(message: Extension) -> bytes:
    """The wire bytes of an extension message; ``ValueError`` when a value does not fit."""
    if isinstance(message, Report):
        body = _mac(message.mac) + _str(T_PID, message.pid)
        if message.ip is not None:
            body += _tlv(T_IP, message.ip.packed)
        body += _str(T_HOSTNAME, message.hostname) + _str(T_SERIAL, message.serial)
        body += _str(T_VERSION, message.version) + _tlv(T_SMART, bytes([int(message.smart_install)]))
        if message.upstream is not None:
            name = str(message.upstream.interface).encode("ascii")
            if len(name) > 48:
                raise ValueError("interface name too long")
            body += _tlv(T_UPSTREAM, message.upstream.host.packed + name)
        if len(message.stack) > 9:
            raise ValueError("at most 9 stack members")
        for m in message.stack:
            pid = m.pid.encode("ascii")
            if not 1 <= m.number <= 9 or len(pid) > 32:
                raise ValueError(f"bad stack member {m}")
            body += _tlv(T_MEMBER, bytes([m.number]) + m.mac.value.to_bytes(6, "big") + pid)
        kind = CDP if message.cdp else KEEPALIVE if message.keepalive else JOIN
    elif isinstance(message, DownloadReport):
        kinds = {v: k for k, v in _KINDS.items()}
        phases = {v: k for k, v in _PHASES.items()}
        body = _mac(message.mac) + _tlv(T_KIND, bytes([kinds[message.kind]]))
        body += _tlv(T_PHASE, bytes([phases[message.phase]])) + _str(T_DETAIL, message.detail)
        kind = DOWNLOAD
    elif isinstance(message, BackupData):
        if len(message.data) > BACKUP_MAX:
            raise ValueError(f"backup over {BACKUP_MAX} bytes")
        body = _mac(message.mac) + _tlv(T_DATA, message.data)
        kind = BACKUP
    else:
        raise TypeError(f"not an extension message: {message!r}")
    return Header(codec.CLIENT, VERSION, kind, len(body)).pack() + body


# ---- decode ------------------------------------------------------------------------------------

_SINGLE_CAPS = {T_MAC: 6, T_IP: 4, T_SMART: 1, T_UPSTREAM: 4 + 48, T_MEMBER: 7 + 32, T_KIND: 1, T_PHASE: 1,
                T_DATA: BACKUP_MAX, **_STR_CAPS}


def _tlvs(body: bytes, header: Header) -> dict[int, list[bytes]]:
    out: dict[int, list[bytes]] = {}
    at = 0
    while at < len(body):
        if len(body) - at < 8:
            raise BadField("TLV header cut short", header)
        tag, n = struct.unpack_from(">2I", body, at)
        at += 8
        if n > len(body) - at:
            raise BadField(f"TLV {tag} length {n} runs past the body", header)
        if tag in _SINGLE_CAPS and n > _SINGLE_CAPS[tag]:
            raise BadField(f"TLV {tag} length {n} over {_SINGLE_CAPS[tag]}", header)
        values = out.setdefault(tag, [])
        if values and tag != T_MEMBER:
            raise BadField(f"TLV {tag} repeated", header)
        if len(values) >= 9:
            raise BadField("more than 9 stack members", header)
        values.append(bytes(body[at:at + n]))  # unknown tags are skipped, bounded by the body
        at += n
    return out


def _text(raw: bytes, header: Header) -> str:
    if any(b < 0x20 or b > 0x7E for b in raw):
        raise BadField("string is not printable ASCII", header)
    return raw.decode("ascii")


def _one(tlvs: dict[int, list[bytes]], tag: int, header: Header, size: int | None = None) -> bytes:
    values = tlvs.get(tag)
    if not values:
        raise BadField(f"TLV {tag} missing", header)
    if size is not None and len(values[0]) != size:
        raise BadField(f"TLV {tag} is not {size} bytes", header)
    return values[0]


def _opt_text(tlvs: dict[int, list[bytes]], tag: int, header: Header) -> str:
    return _text(tlvs[tag][0], header) if tag in tlvs else ""


def _interface(raw: bytes, header: Header):
    try:
        return parse_interface(_text(raw, header))
    except (ValueError, KeyError) as exc:
        raise BadField(f"bad interface name: {exc}", header) from None


def _decode_body(header: Header, body: bytes) -> Extension:
    tlvs = _tlvs(body, header)
    mac = MacAddress(int.from_bytes(_one(tlvs, T_MAC, header, 6), "big"))
    if header.type in (JOIN, KEEPALIVE, CDP):
        ip = ipaddress.IPv4Address(_one(tlvs, T_IP, header, 4)) if T_IP in tlvs else None
        smart = _one(tlvs, T_SMART, header, 1)[0] if T_SMART in tlvs else 1
        if smart not in (0, 1):
            raise BadField("smart-install flag not 0/1", header)
        upstream = None
        if T_UPSTREAM in tlvs:
            raw = tlvs[T_UPSTREAM][0]
            if len(raw) < 5:
                raise BadField("upstream neighbour too short", header)
            upstream = Neighbor(ipaddress.IPv4Address(raw[:4]), _interface(raw[4:], header))
        stack = []
        for raw in tlvs.get(T_MEMBER, []):
            if len(raw) < 7 or not 1 <= raw[0] <= 9:
                raise BadField("bad stack member", header)
            stack.append(StackMember(raw[0], MacAddress(int.from_bytes(raw[1:7], "big")), _text(raw[7:], header)))
        return Report(mac, _opt_text(tlvs, T_PID, header), ip, _opt_text(tlvs, T_HOSTNAME, header),
                      _opt_text(tlvs, T_SERIAL, header), _opt_text(tlvs, T_VERSION, header), bool(smart),
                      upstream, tuple(stack), header.type == KEEPALIVE, header.type == CDP)
    if header.type == DOWNLOAD:
        kind = _KINDS.get(_one(tlvs, T_KIND, header, 1)[0])
        phase = _PHASES.get(_one(tlvs, T_PHASE, header, 1)[0])
        if kind is None or phase is None:
            raise BadField("unknown download kind or phase", header)
        return DownloadReport(mac, kind, phase, _opt_text(tlvs, T_DETAIL, header))
    return BackupData(mac, _one(tlvs, T_DATA, header))


def decode(data: bytes) -> tuple[codec.Message | Extension, bytes]:
    """Like ``codec.decode``, with vstackcli's extension messages as well."""
    header = codec.decode_header(data)
    if not is_extension(header):
        return codec.decode(data)
    length = codec.check_header(header, EXTENSION_SIZES)
    end = codec.HEADER_SIZE + length
    if len(data) < end:
        raise Incomplete(end)
    try:
        return _decode_body(header, bytes(data[codec.HEADER_SIZE:end])), bytes(data[end:])
    except (ValueError, IndexError) as exc:  # an address or interface the value types refuse
        raise BadField(str(exc), header) from None
