"""BOOTP/DHCPv4 messages: decode and encode (RFC 951, 2131, 2132), long options (RFC 3396), option 125 (RFC 3925).

``decode`` takes any bytes and either returns a ``Message`` or raises ``DecodeError``; nothing else escapes it.
Options are kept as an ordered ``dict`` code -> bytes; several instances of one code (in the options field,
then ``file`` and ``sname`` when option 52 overloads them) are concatenated as RFC 3396 says. ``encode`` splits
any option longer than 255 bytes into consecutive instances of the same code and pads the message to the
300 bytes old BOOTP relays expect.
"""

from __future__ import annotations

import contextlib
import ipaddress
import struct
from dataclasses import dataclass, field

__all__ = [
    "ACK",
    "BOOTREPLY",
    "BOOTREQUEST",
    "BROADCAST_FLAG",
    "DECLINE",
    "DISCOVER",
    "INFORM",
    "MAGIC_COOKIE",
    "NAK",
    "OFFER",
    "RELEASE",
    "REQUEST",
    "DecodeError",
    "Message",
    "Opt",
    "decode",
    "decode_vi_vendor",
    "encode",
    "encode_vi_vendor",
    "ip_list",
]

MAGIC_COOKIE = b"\x63\x82\x53\x63"
_ZERO = ipaddress.IPv4Address(0)
BOOTREQUEST, BOOTREPLY = 1, 2
BROADCAST_FLAG = 0x8000
DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE, INFORM = range(1, 9)
MESSAGE_NAMES = {DISCOVER: "DISCOVER", OFFER: "OFFER", REQUEST: "REQUEST", DECLINE: "DECLINE", ACK: "ACK",
                 NAK: "NAK", RELEASE: "RELEASE", INFORM: "INFORM"}

_HEADER = struct.Struct("!BBBBIHH4s4s4s4s16s64s128s")  # 236 bytes
HEADER_LEN = _HEADER.size
MIN_MESSAGE = 300  # RFC 1542: relays may drop shorter BOOTP messages


class Opt:
    """Option codes used here (RFC 2132 and friends)."""

    PAD = 0
    SUBNET_MASK = 1
    ROUTER = 3
    HOSTNAME = 12
    REQUESTED_IP = 50
    LEASE_TIME = 51
    OVERLOAD = 52
    MESSAGE_TYPE = 53
    SERVER_ID = 54
    PARAMETER_LIST = 55
    MESSAGE = 56
    MAX_SIZE = 57
    RENEWAL_TIME = 58
    REBINDING_TIME = 59
    VENDOR_CLASS = 60
    CLIENT_ID = 61
    TFTP_SERVER_NAME = 66
    BOOTFILE = 67
    RELAY_AGENT = 82
    VI_VENDOR = 125
    CISCO_TFTP = 150
    END = 255


class DecodeError(ValueError):
    """The bytes are not a DHCP message we can read (the reason says why; counted and dropped by the server)."""


@dataclass
class Message:
    op: int = BOOTREQUEST
    xid: int = 0
    secs: int = 0
    flags: int = 0
    ciaddr: ipaddress.IPv4Address = _ZERO
    yiaddr: ipaddress.IPv4Address = _ZERO
    siaddr: ipaddress.IPv4Address = _ZERO
    giaddr: ipaddress.IPv4Address = _ZERO
    chaddr: bytes = b"\x00" * 6  # hlen bytes of the client hardware address
    htype: int = 1
    hops: int = 0
    sname: bytes = b""
    file: bytes = b""
    options: dict[int, bytes] = field(default_factory=dict)

    @property
    def message_type(self) -> int | None:
        value = self.options.get(Opt.MESSAGE_TYPE)
        return value[0] if value and len(value) == 1 else None

    @property
    def broadcast(self) -> bool:
        return bool(self.flags & BROADCAST_FLAG)

    def address(self, code: int) -> ipaddress.IPv4Address | None:
        """An option holding one IPv4 address, or None when absent or of the wrong length."""
        value = self.options.get(code)
        return ipaddress.IPv4Address(value) if value is not None and len(value) == 4 else None


def _parse_options(data: bytes, into: dict[int, bytes], where: str) -> bool:
    """Parse a run of TLV options into ``into`` (concatenating repeats); True when END was seen."""
    i, n = 0, len(data)
    while i < n:
        code = data[i]
        if code == Opt.PAD:
            i += 1
            continue
        if code == Opt.END:
            return True
        if i + 1 >= n:
            raise DecodeError(f"option {code} in {where} has no length byte")
        length = data[i + 1]
        end = i + 2 + length
        if end > n:
            raise DecodeError(f"option {code} in {where} runs {end - n} bytes past the end")
        into[code] = into.get(code, b"") + data[i + 2:end]
        i = end
    return False


def decode(data: bytes) -> Message:
    """Decode a BOOTP/DHCP message; raise ``DecodeError`` for anything malformed."""
    if len(data) < HEADER_LEN + len(MAGIC_COOKIE):
        raise DecodeError(f"truncated: {len(data)} bytes")
    (op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr, sname,
     file) = _HEADER.unpack_from(data)
    if op not in (BOOTREQUEST, BOOTREPLY):
        raise DecodeError(f"bad op {op}")
    if hlen > 16:
        raise DecodeError(f"bad hlen {hlen}")
    if data[HEADER_LEN:HEADER_LEN + 4] != MAGIC_COOKIE:
        raise DecodeError("wrong magic cookie")
    options: dict[int, bytes] = {}
    _parse_options(data[HEADER_LEN + 4:], options, "options")
    overload = options.get(Opt.OVERLOAD)
    if overload is not None:
        if len(overload) != 1 or overload[0] not in (1, 2, 3):
            raise DecodeError("bad option 52")
        if overload[0] & 1:
            _parse_options(file, options, "file")
            file = b""
        if overload[0] & 2:
            _parse_options(sname, options, "sname")
            sname = b""
    return Message(op, xid, secs, flags, ipaddress.IPv4Address(ciaddr), ipaddress.IPv4Address(yiaddr),
                   ipaddress.IPv4Address(siaddr), ipaddress.IPv4Address(giaddr), chaddr[:hlen], htype, hops,
                   sname.split(b"\x00", 1)[0], file.split(b"\x00", 1)[0], options)


def _option_bytes(code: int, value: bytes) -> bytes:
    if not value:
        return bytes((code, 0))
    out = bytearray()
    for start in range(0, len(value), 255):  # RFC 3396: split into consecutive instances
        chunk = value[start:start + 255]
        out += bytes((code, len(chunk))) + chunk
    return bytes(out)


def encode(message: Message) -> bytes:
    """Encode ``message``; options in dict order, each split at 255 bytes, END, padding to 300 bytes."""
    if len(message.chaddr) > 16 or len(message.sname) > 63 or len(message.file) > 127:
        raise ValueError("chaddr, sname or file too long")
    head = _HEADER.pack(message.op, message.htype, len(message.chaddr), message.hops, message.xid,
                        message.secs, message.flags, message.ciaddr.packed, message.yiaddr.packed,
                        message.siaddr.packed, message.giaddr.packed, message.chaddr, message.sname,
                        message.file)
    body = bytearray(head + MAGIC_COOKIE)
    for code, value in message.options.items():
        if code in (Opt.PAD, Opt.END):
            continue
        body += _option_bytes(code, value)
    body.append(Opt.END)
    if len(body) < MIN_MESSAGE:
        body += bytes(MIN_MESSAGE - len(body))
    return bytes(body)


def ip_list(addresses) -> bytes:
    """Options 3, 150, 54...: IPv4 addresses, 4 raw bytes each."""
    return b"".join(ipaddress.IPv4Address(a).packed for a in addresses)


def encode_vi_vendor(enterprise: int, suboptions: list[tuple[int, bytes]]) -> bytes:
    """Option 125 data for one enterprise: enterprise number, data-len, sub-option TLVs (RFC 3925 section 4).

    A sub-option value longer than 253 bytes is split into consecutive instances; when the sub-options pass
    the one-byte data-len, they continue in further blocks with the same enterprise number. The option itself
    may then pass 255 bytes: ``encode`` splits it (RFC 3396, as RFC 3925 requires).
    """
    pieces = []
    for code, value in suboptions:  # each instance must fit a block whose data-len is one byte: 253 + 2
        pieces += [bytes((code, len(value[i:i + 253]))) + value[i:i + 253] for i in range(0, max(len(value), 1), 253)]
    blocks, current = [], b""
    for piece in pieces:
        if len(current) + len(piece) > 255:
            blocks.append(current)
            current = b""
        current += piece
    blocks.append(current)
    return b"".join(struct.pack("!IB", enterprise, len(block)) + block for block in blocks)


def decode_vi_vendor(data: bytes) -> dict[int, dict[int, bytes]]:
    """Option 125 data -> {enterprise: {sub-option: value}} (repeats concatenated). Tolerates a wrong data-len
    in the last block by falling back to the option length (Cisco's own guide example has one)."""
    if 0 < len(data) < 5:
        raise DecodeError("option 125 shorter than one vendor block")
    out: dict[int, dict[int, bytes]] = {}
    i = 0
    while i + 5 <= len(data):
        enterprise, length = struct.unpack_from("!IB", data, i)
        block = data[i + 5:i + 5 + length]  # a data-len past the end: the rest of the option
        i += 5 + length
        subs = out.setdefault(enterprise, {})
        with contextlib.suppress(DecodeError):
            _parse_options(block, subs, f"option 125 enterprise {enterprise}")
    return out
