"""The Smart Install wire format as pure functions over bytes.

Every message is a 16-byte header of four big-endian 32-bit words (``msg_from``,
``version``, ``type``, ``data_length``) followed by exactly ``data_length`` payload
bytes (research ``smi-protocol.md`` sections 2-4). The layouts below are the
public tools' captures; the meanings of most words are unknown, so unknown words
are kept as fields with the captured values as defaults: encoding then decoding
gives back the same message, and the defaults reproduce the research's hex.

``decode(data)`` returns ``(message, rest)`` or raises a ``CodecError``:
``Incomplete`` when more bytes are needed (never for a message over the caps),
or a ``Malformed`` subclass when the bytes can never be a valid message
(section 5.3: length caps, fixed sizes per sender and type, TLV bounds, NUL
inside every fixed-width string, ``tftp://host/path`` URLs).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field

__all__ = [
    "CHANGE_CONFIG_URL_WIDTH",
    "DIRECTOR",
    "DIRECTOR_EXEC",
    "EXECUTE_URL_WIDTH",
    "HEADER_SIZE",
    "IMAGE_URL_WIDTH",
    "MAX_BODY",
    "SLOT_WIDTH",
    "BadField",
    "BadHeader",
    "BadLength",
    "BadUrl",
    "ChangeConfig",
    "CodecError",
    "Discovery",
    "ExecCommands",
    "ExecuteFile",
    "Header",
    "ImageUpgrade",
    "Incomplete",
    "Malformed",
    "Message",
    "Probe",
    "ProbeReply",
    "Reject",
    "UnknownType",
    "check_header",
    "decode",
    "decode_header",
    "encode",
    "parse_tftp_url",
    "plausible_prefix",
]

HEADER_SIZE = 16
MAX_BODY = 4096  # rule 1: the biggest legitimate body is 1032 (type 8); anything larger is rejected unread

DIRECTOR = 1  # msg_from of every director message but type 5
DIRECTOR_EXEC = 2  # msg_from of type 5
CLIENT = 4  # msg_from of client replies

CHANGE_CONFIG_URL_WIDTH = 132
IMAGE_URL_WIDTH = 415
EXECUTE_URL_WIDTH = 131
SLOT_WIDTH = 336
DISCOVERY_TLV_MAX = 64  # rule 3: TLV type 1 overflowed an 88-byte frame (CVE-2018-0171); cap well below


# ---- errors ------------------------------------------------------------------------------------


class CodecError(Exception):
    """The bytes are not (yet) one valid message."""


class Incomplete(CodecError):
    """More bytes are needed; ``needed`` is the total the message will take (when known)."""

    def __init__(self, needed: int):
        super().__init__(f"need {needed} bytes")
        self.needed = needed


class Malformed(CodecError):
    """The bytes can never become a valid message; ``header`` is set once the header was readable."""

    def __init__(self, reason: str, header: Header | None = None):
        super().__init__(reason)
        self.header = header


class BadHeader(Malformed):
    """An implausible sender or version."""


class UnknownType(Malformed):
    """No message of this type from this sender."""


class BadLength(Malformed):
    """The declared length is over the cap or not the type's fixed size."""


class BadField(Malformed):
    """A field holds a value the layout does not allow (string without NUL, TLV out of bounds...)."""


class BadUrl(BadField):
    """A URL field is not ``tftp://host/path``."""


# ---- header ------------------------------------------------------------------------------------

_HEADER = struct.Struct(">4I")


@dataclass(frozen=True)
class Header:
    msg_from: int
    version: int
    type: int
    length: int

    def pack(self) -> bytes:
        return _HEADER.pack(self.msg_from, self.version, self.type, self.length)


def decode_header(data: bytes) -> Header:
    """The first 16 bytes as a header (no validation); ``Incomplete`` when shorter."""
    if len(data) < HEADER_SIZE:
        raise Incomplete(HEADER_SIZE)
    return Header(*_HEADER.unpack_from(data))


def plausible_prefix(data: bytes) -> bool:
    """Whether these first bytes (any length up to 16) can still start a header we accept.

    Lets an endpoint reject text such as ``GET / HTTP/1.0`` after its first byte
    instead of waiting for 16 bytes that may never come.
    """
    head = data[:8]
    if head[:3].strip(b"\0"):
        return False
    if len(head) >= 4 and head[3] not in (DIRECTOR, DIRECTOR_EXEC, CLIENT):
        return False
    return not head[4:7].strip(b"\0")


# Fixed body sizes per (msg_from, version, type); type 8 takes 1 to 3 slots, type 7 is TLVs.
_SIZES: dict[tuple[int, int, int], frozenset[int]] = {
    (DIRECTOR, 1, 4): frozenset({8}),
    (DIRECTOR, 1, 3): frozenset({296}),
    (DIRECTOR, 1, 2): frozenset({452}),
    (DIRECTOR_EXEC, 1, 5): frozenset({528}),
    (DIRECTOR, 1, 8): frozenset({24 + n * SLOT_WIDTH for n in (1, 2, 3)}),
    (CLIENT, 0, 3): frozenset({8}),
    (CLIENT, 0, 4): frozenset({4}),
}
_VARIABLE: dict[tuple[int, int, int], int] = {(DIRECTOR, 1, 7): 1024}  # type 7: TLVs up to this many bytes


def check_header(header: Header, extra: dict[tuple[int, int, int], tuple[int, int]] | None = None) -> int:
    """Validate a header before its body is read; return the body length to read.

    ``extra`` adds (msg_from, version, type) -> (min, max) body lengths (vstackcli's extension).
    """
    key = (header.msg_from, header.version, header.type)
    if header.msg_from not in (DIRECTOR, DIRECTOR_EXEC, CLIENT):
        raise BadHeader(f"unknown sender {header.msg_from}", header)
    if extra and key in extra:
        low, high = extra[key]
        if not low <= header.length <= high:
            raise BadLength(f"length {header.length} outside {low}..{high}", header)
        return header.length
    if header.length > MAX_BODY:
        raise BadLength(f"length {header.length} over the cap {MAX_BODY}", header)
    if key in _SIZES:
        if header.length not in _SIZES[key]:
            raise BadLength(f"length {header.length} is not a size of type {header.type}", header)
        return header.length
    if key in _VARIABLE:
        if header.length > _VARIABLE[key]:
            raise BadLength(f"length {header.length} over {_VARIABLE[key]}", header)
        return header.length
    if header.version not in (0, 1):
        raise BadHeader(f"unknown version {header.version}", header)
    raise UnknownType(f"no type {header.type} from sender {header.msg_from}", header)


# ---- field helpers ----------------------------------------------------------------------------

_HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,252})")
_PATH = re.compile(r"[!-~]+")  # printable ASCII, no space


def parse_tftp_url(url: str) -> tuple[str, str]:
    """``tftp://host/path`` -> (host, path); ``BadUrl`` for anything else."""
    if not url.lower().startswith("tftp://"):
        raise BadUrl(f"not a tftp URL: {url[:40]!r}")
    host, slash, path = url[7:].partition("/")
    if not slash or not _HOST.fullmatch(host) or not _PATH.fullmatch(path) or ".." in path.split("/"):
        raise BadUrl(f"bad tftp URL: {url[:40]!r}")
    return host, path


def _pack_str(text: str, width: int) -> bytes:
    raw = text.encode("ascii")
    if len(raw) >= width or b"\0" in raw:
        raise ValueError(f"{text[:40]!r}: at most {width - 1} characters fit in a {width}-byte field")
    return raw.ljust(width, b"\0")


def _unpack_str(data: bytes, width: int, what: str, header: Header) -> str:
    end = data.find(b"\0", 0, width)
    if end < 0:
        raise BadField(f"{what}: no NUL inside its {width} bytes", header)
    raw = data[:end]
    if any(b < 0x20 or b > 0x7E for b in raw):
        raise BadField(f"{what}: not printable ASCII", header)
    return raw.decode("ascii")


def _url(data: bytes, width: int, header: Header) -> str:
    url = _unpack_str(data, width, "URL", header)
    try:
        parse_tftp_url(url)
    except BadUrl as exc:
        raise BadUrl(str(exc), header) from None
    return url


def _check_url(url: str) -> None:
    try:
        parse_tftp_url(url)
    except BadUrl as exc:
        raise ValueError(str(exc)) from None


def _words(data: bytes, count: int) -> tuple[int, ...]:
    return struct.unpack_from(f">{count}I", data)


# ---- messages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """Director type 4, the "hello" every scanner sends (4.1)."""

    a: int = 1
    b: int = 0


@dataclass(frozen=True)
class ProbeReply:
    """Client type 3, the 24-byte answer to the probe (4.2)."""

    a: int = 1
    b: int = 0


@dataclass(frozen=True)
class Reject:
    """Client type 4, the 20-byte answer to a message the client rejects (4.3)."""

    value: int = 1


@dataclass(frozen=True)
class ChangeConfig:
    """Director type 3 (4.5): fetch a startup-config by TFTP, reload after HH:MM when ``reload``."""

    url: str
    reload: bool = False
    hour: int = 0
    minute: int = 0
    words: tuple[int, int, int, int, int] = (3, 0, 0, 2, 0)
    reserved: bytes = bytes(132)


@dataclass(frozen=True)
class ImageUpgrade:
    """Director type 2 (4.6): fetch the image list at ``url``, then the image; reload now or at HH:MM.

    ``reload_now`` selects SIET's "00:00" variant (flags 0x821, word 32 = 1);
    otherwise ``reload`` is the flag at offset 36 with ``hour``/``minute``.
    """

    url: str
    reload_now: bool = False
    reload: bool = True
    hour: int = 0
    minute: int = 0
    head: int = 2
    flags: int | None = None  # None: 0x821 when reload_now else 0x801
    words: tuple[int, int] = (0, 0)
    tail_word: int = 1
    tail_byte: int = 1

    @property
    def flag_word(self) -> int:
        if self.flags is not None:
            return self.flags
        return 0x821 if self.reload_now else 0x801


EXEC_PREFIX = (0x00010014, 1, 0, 0xFC994737, 0x86600000)  # one capture reused by SIET, NSE and MSF (4.7)


@dataclass(frozen=True)
class ExecCommands:
    """Director type 8 (4.7): up to three IOS exec commands, 336 bytes each.

    ``slots`` is how many slots go on the wire (SIET/NSE/MSF always send 3, empty ones NUL).
    """

    commands: tuple[str, ...]
    slots: int = 3
    prefix: tuple[int, int, int, int, int] = EXEC_PREFIX
    count_word: int | None = None  # None: (slots << 16) | (slots * 336 + 4)

    @property
    def size_word(self) -> int:
        if self.count_word is not None:
            return self.count_word
        return (self.slots << 16) | (self.slots * SLOT_WIDTH + 4)


@dataclass(frozen=True)
class ExecuteFile:
    """Director type 5 (4.8), sender 2: fetch a file of quoted CLI commands by TFTP and run it."""

    url: str
    head: int = 1
    c1: bytes = bytes(128)
    c2: bytes = bytes(264)
    tail_byte: int = 1


@dataclass(frozen=True)
class Discovery:
    """Director type 7 ``ibd_init_discovery`` (5.2): TLVs of (type, value), meaning unknown."""

    tlvs: tuple[tuple[int, bytes], ...] = field(default_factory=tuple)


Message = Probe | ProbeReply | Reject | ChangeConfig | ImageUpgrade | ExecCommands | ExecuteFile | Discovery


# ---- encode -----------------------------------------------------------------------------------


def _frame(msg_from: int, version: int, type_: int, body: bytes) -> bytes:
    return Header(msg_from, version, type_, len(body)).pack() + body


def _hour_minute(hour: int, minute: int) -> None:
    if not (0 <= hour <= 23 and 0 <= minute <= 60):
        raise ValueError(f"reload time {hour}:{minute} out of range")


def encode(message: Message) -> bytes:
    """The wire bytes of a message; ``ValueError`` for a value that does not fit its field."""
    if isinstance(message, Probe):
        return _frame(DIRECTOR, 1, 4, struct.pack(">2I", message.a, message.b))
    if isinstance(message, ProbeReply):
        return _frame(CLIENT, 0, 3, struct.pack(">2I", message.a, message.b))
    if isinstance(message, Reject):
        return _frame(CLIENT, 0, 4, struct.pack(">I", message.value))
    if isinstance(message, ChangeConfig):
        _check_url(message.url)
        _hour_minute(message.hour, message.minute)
        if len(message.reserved) != 132:
            raise ValueError("reserved field is 132 bytes")
        body = struct.pack(">8I", *message.words, int(message.reload), message.hour, message.minute)
        body += message.reserved + _pack_str(message.url, CHANGE_CONFIG_URL_WIDTH)
        return _frame(DIRECTOR, 1, 3, body)
    if isinstance(message, ImageUpgrade):
        _check_url(message.url)
        _hour_minute(message.hour, message.minute)
        now = message.reload_now
        body = struct.pack(">9I", message.head, message.flag_word, *message.words, int(now),
                           0 if now else int(message.reload), 0 if now else message.hour,
                           0 if now else message.minute, message.tail_word)
        body += _pack_str(message.url, IMAGE_URL_WIDTH) + bytes([message.tail_byte])
        return _frame(DIRECTOR, 1, 2, body)
    if isinstance(message, ExecCommands):
        if not 1 <= message.slots <= 3 or not 1 <= len(message.commands) <= message.slots:
            raise ValueError("type 8 carries 1 to 3 commands in 1 to 3 slots")
        cmds = list(message.commands) + [""] * (message.slots - len(message.commands))
        body = struct.pack(">6I", *message.prefix, message.size_word)
        body += b"".join(_pack_str(c, SLOT_WIDTH) for c in cmds)
        return _frame(DIRECTOR, 1, 8, body)
    if isinstance(message, ExecuteFile):
        _check_url(message.url)
        if len(message.c1) != 128 or len(message.c2) != 264:
            raise ValueError("type 5 fields c1/c2 are 128/264 bytes")
        body = struct.pack(">I", message.head) + message.c1 + message.c2
        body += _pack_str(message.url, EXECUTE_URL_WIDTH) + bytes([message.tail_byte])
        return _frame(DIRECTOR_EXEC, 1, 5, body)
    if isinstance(message, Discovery):
        body = b"".join(struct.pack(">2I", t, len(v)) + v for t, v in message.tlvs)
        return _frame(DIRECTOR, 1, 7, body)
    raise TypeError(f"not a Smart Install message: {message!r}")


# ---- decode -----------------------------------------------------------------------------------


def _decode_discovery(body: bytes, header: Header) -> Discovery:
    tlvs, at = [], 0
    while at < len(body):
        if len(body) - at < 8:
            raise BadField("TLV header cut short", header)
        t, n = struct.unpack_from(">2I", body, at)
        at += 8
        if n > len(body) - at:
            raise BadField(f"TLV {t} length {n} runs past the declared body", header)
        if t == 1 and n > DISCOVERY_TLV_MAX:
            raise BadField(f"TLV 1 length {n} over {DISCOVERY_TLV_MAX}", header)
        tlvs.append((t, bytes(body[at:at + n])))
        at += n
    return Discovery(tuple(tlvs))


def _decode_body(header: Header, body: bytes) -> Message:
    key = (header.msg_from, header.type)
    if key == (DIRECTOR, 4):
        return Probe(*_words(body, 2))
    if key == (CLIENT, 3):
        return ProbeReply(*_words(body, 2))
    if key == (CLIENT, 4):
        return Reject(*_words(body, 1))
    if key == (DIRECTOR, 3):
        w = _words(body, 8)
        if w[5] not in (0, 1) or w[6] > 23 or w[7] > 60:
            raise BadField("reload flag/time out of range", header)
        return ChangeConfig(_url(body[164:], CHANGE_CONFIG_URL_WIDTH, header), bool(w[5]), w[6], w[7],
                            w[:5], bytes(body[32:164]))
    if key == (DIRECTOR, 2):
        w = _words(body, 9)
        now = bool(w[4])
        if w[4] not in (0, 1) or w[5] not in (0, 1) or w[6] > 23 or w[7] > 60 or (now and any(w[5:8])):
            raise BadField("reload flags/time out of range", header)
        default_flags = 0x821 if now else 0x801
        return ImageUpgrade(_url(body[36:], IMAGE_URL_WIDTH, header), now, bool(w[5]) if not now else True,
                            w[6], w[7], w[0], None if w[1] == default_flags else w[1], (w[2], w[3]), w[8],
                            body[451])
    if key == (DIRECTOR, 8):
        w = _words(body, 6)
        slots = (len(body) - 24) // SLOT_WIDTH
        commands = [_unpack_str(body[24 + i * SLOT_WIDTH:], SLOT_WIDTH, f"command {i + 1}", header)
                    for i in range(slots)]
        while commands and not commands[-1]:
            commands.pop()
        if not commands or "" in commands:
            raise BadField("type 8 without a command, or with an empty slot between commands", header)
        default = (slots << 16) | (slots * SLOT_WIDTH + 4)
        return ExecCommands(tuple(commands), slots, w[:5], None if w[5] == default else w[5])
    if key == (DIRECTOR_EXEC, 5):
        return ExecuteFile(_url(body[396:], EXECUTE_URL_WIDTH, header), _words(body, 1)[0], bytes(body[4:132]),
                           bytes(body[132:396]), body[527])
    if key == (DIRECTOR, 7):
        return _decode_discovery(body, header)
    raise UnknownType(f"no type {header.type} from sender {header.msg_from}", header)  # pragma: no cover


def decode(data: bytes) -> tuple[Message, bytes]:
    """One message from the start of ``data`` and the bytes after it.

    Raises ``Incomplete`` (more bytes needed) or a ``Malformed`` subclass. Never
    looks at more than 16 + ``MAX_BODY`` bytes.
    """
    header = decode_header(data)
    length = check_header(header)
    end = HEADER_SIZE + length
    if len(data) < end:
        raise Incomplete(end)
    return _decode_body(header, bytes(data[HEADER_SIZE:end])), bytes(data[end:])
