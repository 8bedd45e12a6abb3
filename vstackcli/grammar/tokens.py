"""Value token types: one row per placeholder spelling.

Each type answers, for one typed word, whether it matches exactly, could still
match with more characters (partial), or cannot match (none), and converts an
exact word to a typed value. Keywords are not here: the walker matches them by
unique prefix. A new type is one class and one entry in ``TOKEN_TYPES``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from vstackcli.grammar.values import (
    FileUrl,
    IndexList,
    InterfaceName,
    MacAddress,
    VlanList,
    parse_interface,
)

__all__ = [
    "INTERFACE_TYPES",
    "TOKEN_TYPES",
    "Level",
    "RangeType",
    "TokenType",
    "lookup_token_type",
]


class Level(IntEnum):
    """How well a word matches a token."""

    NONE = 0
    PARTIAL = 1
    EXACT = 2


@dataclass(frozen=True)
class TokenType:
    """A placeholder type such as ``A.B.C.D``; subclasses override ``level`` and ``convert``."""

    spelling: str
    precedence: int = 2  # lower wins; keywords are 1 when exact, WORD/LINE are 4
    greedy: bool = False  # consumes the rest of the line (LINE)
    hidden: bool = False  # never listed by `?` (joined interface names)

    def level(self, word: str) -> Level:
        raise NotImplementedError

    def convert(self, word: str) -> Any:
        return word

    def help_entries(self, default_help: str, ctx: Any = None) -> list[tuple[str, str]]:
        """What `?` lists for this token: (display, help) pairs."""
        return [(self.spelling, default_help)]

    def completions(self, partial: str) -> list[str]:
        """Keyword-like completions for a partial word (URL schemes, months)."""
        return []


_IP_PARTIAL = re.compile(r"^\d{0,3}(\.\d{0,3}){0,3}$")


@dataclass(frozen=True)
class IPv4Type(TokenType):
    def level(self, word: str) -> Level:
        if not _IP_PARTIAL.match(word):
            return Level.NONE
        parts = word.split(".")
        if any(p and int(p) > 255 for p in parts):
            return Level.NONE
        if any(len(p) > 1 and p.startswith("0") for p in parts):
            return Level.NONE
        if len(parts) == 4 and all(parts):
            return Level.EXACT
        return Level.PARTIAL

    def convert(self, word: str) -> ipaddress.IPv4Address:
        return ipaddress.IPv4Address(word)


@dataclass(frozen=True)
class IPv4PrefixType(TokenType):
    def level(self, word: str) -> Level:
        addr, slash, bits = word.partition("/")
        ip_level = IPv4Type("A.B.C.D").level(addr)
        if ip_level is Level.NONE:
            return Level.NONE
        if not slash:
            return Level.PARTIAL
        if ip_level is not Level.EXACT or (bits and (not bits.isdigit() or int(bits) > 32)):
            return Level.NONE
        return Level.EXACT if bits else Level.PARTIAL

    def convert(self, word: str) -> ipaddress.IPv4Interface:
        return ipaddress.IPv4Interface(word)


@dataclass(frozen=True)
class MaskPrefixType(TokenType):
    """``/nn``: a prefix length typed as its own word (``address-pool 1.1.1.0 /24``)."""

    def level(self, word: str) -> Level:
        if word == "/":
            return Level.PARTIAL
        if re.fullmatch(r"/\d{1,2}", word) and int(word[1:]) <= 32:
            return Level.EXACT
        return Level.NONE

    def convert(self, word: str) -> int:
        return int(word[1:])


_MAC_DOTTED = re.compile(r"^[0-9a-fA-F]{1,4}(\.[0-9a-fA-F]{0,4}){0,2}$")
_MAC_SEPARATED = re.compile(r"^[0-9a-fA-F]{1,2}([:-][0-9a-fA-F]{0,2}){0,5}$")


@dataclass(frozen=True)
class MacType(TokenType):
    def level(self, word: str) -> Level:
        try:
            MacAddress.parse(word)
            return Level.EXACT
        except ValueError:
            pass
        if _MAC_DOTTED.match(word) or _MAC_SEPARATED.match(word):
            return Level.PARTIAL
        return Level.NONE

    def convert(self, word: str) -> MacAddress:
        return MacAddress.parse(word)


@dataclass(frozen=True)
class WordType(TokenType):
    precedence: int = 4

    def level(self, word: str) -> Level:
        return Level.EXACT


@dataclass(frozen=True)
class LineType(TokenType):
    precedence: int = 4
    greedy: bool = True

    def level(self, word: str) -> Level:
        return Level.EXACT


@dataclass(frozen=True)
class RangeType(TokenType):
    low: int = 0
    high: int = 0

    def level(self, word: str) -> Level:
        if not word.isdigit():
            return Level.NONE
        value = int(word)
        if self.low <= value <= self.high:
            return Level.EXACT
        # a shorter number may still grow into the range
        if value < self.low and len(word) < len(str(self.high)):
            return Level.PARTIAL
        return Level.NONE

    def convert(self, word: str) -> int:
        return int(word)


_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_TIME_PARTIAL = re.compile(r"^\d{0,2}(:\d{0,2})?$")


@dataclass(frozen=True)
class TimeType(TokenType):
    """``hh:mm``: 00:00 to 23:59, a one-digit hour allowed (the guide types ``6:30``)."""

    def level(self, word: str) -> Level:
        m = _TIME.match(word)
        if m and int(m.group(1)) <= 23 and int(m.group(2)) <= 59:
            return Level.EXACT
        if _TIME_PARTIAL.match(word) and not m:
            return Level.PARTIAL
        return Level.NONE

    def convert(self, word: str) -> tuple[int, int]:
        hours, minutes = word.split(":")
        return int(hours), int(minutes)


SUPPORTED_SCHEMES = ("flash:", "flash0:", "flash1:", "usb:", "tftp:")
UNSUPPORTED_SCHEMES = ("ftp:", "http:", "https:", "null:", "nvram:", "rcp:", "scp:", "system:", "tmpsys:")
_SCHEME_HELP = {
    "flash:": "URL of the file on flash:",
    "flash0:": "URL of the file on flash0:",
    "flash1:": "URL of the file on flash1:",
    "ftp:": "URL of the file on ftp:",
    "http:": "URL of the file on http:",
    "https:": "URL of the file on https:",
    "null:": "URL of the file on null:",
    "nvram:": "URL of the file on nvram:",
    "rcp:": "URL of the file on rcp:",
    "scp:": "URL of the file on scp:",
    "system:": "URL of the file on system:",
    "tftp:": "URL of the file on tftp:",
    "tmpsys:": "URL of the file on tmpsys:",
    "usb:": "URL of the file on usb:",
}
ALL_SCHEMES = tuple(sorted(SUPPORTED_SCHEMES + UNSUPPORTED_SCHEMES))


@dataclass(frozen=True)
class UrlType(TokenType):
    """A file location: ``flash:name``, ``usb:dir/name``, ``tftp://host/path``...

    Every scheme IOS lists in help is recognised; whether it is supported is the
    handler's business, so that it can say so in words rather than with a caret.
    """

    def level(self, word: str) -> Level:
        scheme, colon, _rest = word.partition(":")
        if colon:
            return Level.EXACT if (scheme + ":").lower() in ALL_SCHEMES else Level.NONE
        if any(s.startswith(word.lower()) for s in ALL_SCHEMES):
            return Level.PARTIAL
        return Level.NONE

    def convert(self, word: str) -> FileUrl:
        return FileUrl.parse(word)

    def help_entries(self, default_help: str, ctx: Any = None) -> list[tuple[str, str]]:
        return [(s, _SCHEME_HELP[s]) for s in ALL_SCHEMES]

    def completions(self, partial: str) -> list[str]:
        return [s for s in ALL_SCHEMES if s.startswith(partial.lower())]


@dataclass(frozen=True)
class ListType(TokenType):
    """A list of numbers and ranges such as ``1-3,5`` (VLAN lists, director indexes)."""

    low: int = 1
    high: int = 4094
    factory: type = VlanList

    def level(self, word: str) -> Level:
        try:
            self.factory.parse(word, self.low, self.high)
            return Level.EXACT
        except ValueError:
            pass
        if re.fullmatch(r"[0-9,\-]*", word):
            return Level.PARTIAL
        return Level.NONE

    def convert(self, word: str) -> Any:
        return self.factory.parse(word, self.low, self.high)


INTERFACE_TYPES: dict[str, tuple[str, str]] = {
    # canonical spelling: (help, number shape)
    "FastEthernet": ("FastEthernet IEEE 802.3", "slot"),
    "GigabitEthernet": ("GigabitEthernet IEEE 802.3z", "slot"),
    "TenGigabitEthernet": ("Ten Gigabit Ethernet", "slot"),
    "Loopback": ("Loopback interface", "number"),
    "Port-channel": ("Ethernet Channel of interfaces", "number"),
    "Tunnel": ("Tunnel interface", "number"),
    "Vlan": ("Catalyst Vlans", "vlan"),
}

_IFNUM_SLOT = re.compile(r"^\d{1,2}(/\d{1,2}){0,2}(\.\d{1,4})?$")
_IFNUM_PARTIAL = re.compile(r"^\d{0,2}(/\d{0,2}){0,2}$")


@dataclass(frozen=True)
class InterfaceNumberType(TokenType):
    """The number after an interface type: ``1/0/3``, ``0/1`` or ``1``."""

    def level(self, word: str) -> Level:
        if _IFNUM_SLOT.match(word):
            return Level.EXACT
        if _IFNUM_PARTIAL.match(word):
            return Level.PARTIAL
        return Level.NONE


@dataclass(frozen=True)
class JoinedInterfaceType(TokenType):
    """``gi1/0/3``, ``Vlan1``, ``lo0``: a type prefix and a number in one word."""

    hidden: bool = True

    def level(self, word: str) -> Level:
        try:
            parse_interface(word)
            return Level.EXACT
        except ValueError:
            return Level.NONE

    def convert(self, word: str) -> InterfaceName:
        return parse_interface(word)


@dataclass(frozen=True)
class ClientIndexType(RangeType):
    """A director-database index; `?` lists the active clients, as ``vstack attach ?`` does."""

    def help_entries(self, default_help: str, ctx: Any = None) -> list[tuple[str, str]]:
        lister = getattr(ctx, "active_clients", None)
        return list(lister()) if lister else []


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


@dataclass(frozen=True)
class MonthType(TokenType):
    def level(self, word: str) -> Level:
        low = word.lower()
        hits = [m for m in MONTHS if m.lower().startswith(low)]
        if len(hits) == 1 and len(low) >= 3:
            return Level.EXACT
        return Level.PARTIAL if hits else Level.NONE

    def convert(self, word: str) -> int:
        low = word.lower()
        return next(i for i, m in enumerate(MONTHS, 1) if m.lower().startswith(low))


TOKEN_TYPES: dict[str, TokenType] = {
    t.spelling: t
    for t in (
        IPv4Type("A.B.C.D"),
        IPv4PrefixType("A.B.C.D/nn"),
        MaskPrefixType("/nn"),
        MacType("H.H.H"),
        WordType("WORD"),
        LineType("LINE"),
        TimeType("hh:mm"),
        UrlType("URL"),
        ListType("VLAN-LIST", low=1, high=4094, factory=VlanList),
        ListType("INDEX-LIST", low=1, high=255, factory=IndexList),
        InterfaceNumberType("IFNUM"),
        JoinedInterfaceType("IFNAME"),
        MonthType("MONTH"),
        ClientIndexType("CLIENT-INDEX", low=1, high=255),
    )
}

_RANGE = re.compile(r"^<(\d+)-(\d+)>$")


def lookup_token_type(spelling: str) -> TokenType | None:
    """The value type for a placeholder spelling, or None when it is a keyword."""
    found = TOKEN_TYPES.get(spelling)
    if found:
        return found
    m = _RANGE.match(spelling)
    if m:
        return RangeType(spelling, low=int(m.group(1)), high=int(m.group(2)))
    return None
