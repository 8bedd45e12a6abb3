"""TFTP wire format (RFC 1350) with option extension (RFC 2347): parse requests, build packets.

Only what the server and client need, kept small and allocation-light: the data path builds a
DATA packet as a 4-byte header plus the block, and parses an ACK with one ``struct`` call.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

__all__ = [
    "ACK", "DATA", "ERROR", "OACK", "RRQ", "WRQ",
    "ErrorCode", "PacketError", "Request",
    "ack", "data_header", "error", "netascii_decode", "netascii_encode", "oack", "parse_error",
    "parse_oack", "parse_request", "request",
]

RRQ, WRQ, DATA, ACK, ERROR, OACK = 1, 2, 3, 4, 5, 6

_HDR = struct.Struct("!HH")


class ErrorCode:
    """RFC 1350 error codes, and RFC 2347's option refusal."""

    UNDEFINED = 0
    NOT_FOUND = 1
    ACCESS = 2
    DISK_FULL = 3
    ILLEGAL = 4
    UNKNOWN_TID = 5
    EXISTS = 6
    NO_USER = 7
    OPTIONS = 8

    TEXT = {
        0: "Undefined error",
        1: "File not found",
        2: "Access violation",
        3: "Disk full or allocation exceeded",
        4: "Illegal TFTP operation",
        5: "Unknown transfer ID",
        6: "File already exists",
        7: "No such user",
        8: "Option negotiation refused",
    }


class PacketError(Exception):
    """A datagram that is not a well-formed TFTP packet of the expected kind."""


@dataclass
class Request:
    opcode: int
    filename: bytes
    mode: str
    options: dict[str, str] = field(default_factory=dict)


def parse_request(pkt: bytes) -> Request:
    """Parse an RRQ or WRQ: ``opcode filename\\0 mode\\0 [name\\0 value\\0]...``; option names lower-cased."""
    if len(pkt) < 4:
        raise PacketError("short request")
    opcode = _HDR.unpack_from(pkt)[0]
    if opcode not in (RRQ, WRQ):
        raise PacketError(f"opcode {opcode} is not a request")
    fields = pkt[2:].split(b"\0")
    if len(fields) < 3 or fields[-1] != b"":
        raise PacketError("request fields are not NUL-terminated")
    fields = fields[:-1]
    filename, mode = fields[0], fields[1].decode("ascii", "replace").lower()
    if not filename:
        raise PacketError("empty file name")
    options: dict[str, str] = {}
    rest = fields[2:]
    if len(rest) % 2:
        rest = rest[:-1]  # a dangling option name: ignore it, as tftpd-hpa does
    for i in range(0, len(rest), 2):
        name = rest[i].decode("ascii", "replace").lower()
        if name and name not in options:
            options[name] = rest[i + 1].decode("ascii", "replace")
    return Request(opcode, filename, mode, options)


def request(opcode: int, filename: str, mode: str = "octet", options: dict[str, str] | None = None) -> bytes:
    parts = [filename.encode(), mode.encode()]
    for k, v in (options or {}).items():
        parts += [k.encode(), str(v).encode()]
    return struct.pack("!H", opcode) + b"\0".join(parts) + b"\0"


def data_header(block: int) -> bytes:
    return _HDR.pack(DATA, block & 0xFFFF)


def ack(block: int) -> bytes:
    return _HDR.pack(ACK, block & 0xFFFF)


def error(code: int, message: str | None = None) -> bytes:
    text = ErrorCode.TEXT.get(code, "Undefined error") if message is None else message
    return _HDR.pack(ERROR, code) + text.encode("ascii", "replace") + b"\0"


def parse_error(pkt: bytes) -> tuple[int, str]:
    code = _HDR.unpack_from(pkt)[1] if len(pkt) >= 4 else 0
    return code, pkt[4:].split(b"\0", 1)[0].decode("ascii", "replace")


def oack(options: dict[str, str]) -> bytes:
    body = b"".join(k.encode() + b"\0" + str(v).encode() + b"\0" for k, v in options.items())
    return struct.pack("!H", OACK) + body


def parse_oack(pkt: bytes) -> dict[str, str]:
    fields = pkt[2:].split(b"\0")
    if fields and fields[-1] == b"":
        fields = fields[:-1]
    return {fields[i].decode("ascii", "replace").lower(): fields[i + 1].decode("ascii", "replace")
            for i in range(0, len(fields) - 1, 2)}


def netascii_encode(data: bytes) -> bytes:
    """Host text to netascii: CR becomes CR NUL, LF becomes CR LF."""
    return data.replace(b"\r", b"\r\0").replace(b"\n", b"\r\n")


def netascii_decode(data: bytes) -> bytes:
    """Netascii to host text: CR LF becomes LF, CR NUL becomes CR."""
    return data.replace(b"\r\n", b"\n").replace(b"\r\0", b"\r")
