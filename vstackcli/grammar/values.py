"""Typed values that tokens convert to: MAC addresses, file URLs, number lists, interface names.

They know how to parse the forms an engineer types and how to print the one
canonical form IOS shows in its running-config.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["FileUrl", "IndexList", "InterfaceName", "MacAddress", "VlanList", "parse_interface"]


@dataclass(frozen=True, order=True)
class MacAddress:
    """A 48-bit MAC, printed as IOS does: ``0023.34ca.c180``."""

    value: int

    @classmethod
    def parse(cls, text: str) -> MacAddress:
        t = text.strip().lower()
        if re.fullmatch(r"[0-9a-f]{1,4}\.[0-9a-f]{1,4}\.[0-9a-f]{1,4}", t):
            groups = t.split(".")
            return cls(int("".join(g.zfill(4) for g in groups), 16))
        if re.fullmatch(r"[0-9a-f]{1,2}([:-][0-9a-f]{1,2}){5}", t):
            groups = re.split(r"[:-]", t)
            return cls(int("".join(g.zfill(2) for g in groups), 16))
        if re.fullmatch(r"[0-9a-f]{12}", t):
            return cls(int(t, 16))
        raise ValueError(f"not a MAC address: {text!r}")

    @property
    def hex(self) -> str:
        return f"{self.value:012x}"

    def __str__(self) -> str:
        h = self.hex
        return f"{h[0:4]}.{h[4:8]}.{h[8:12]}"


FILESYSTEMS = ("flash:", "flash0:", "flash1:", "usb:")


@dataclass(frozen=True)
class FileUrl:
    """A file location as typed in ``vstack image`` and friends.

    ``scheme`` keeps its colon (``flash:``, ``tftp:``); ``host`` is set for
    network schemes; ``path`` is the file path without a leading slash.
    """

    scheme: str
    path: str
    host: str = ""

    @classmethod
    def parse(cls, text: str) -> FileUrl:
        scheme, colon, rest = text.partition(":")
        if not colon:
            raise ValueError(f"not a URL: {text!r}")
        scheme = scheme.lower() + ":"
        if rest.startswith("//"):
            host, _, path = rest[2:].partition("/")
            return cls(scheme, path, host)
        return cls(scheme, rest.lstrip("/"))

    @property
    def is_local(self) -> bool:
        return self.scheme in FILESYSTEMS

    def __str__(self) -> str:
        if self.host:
            return f"{self.scheme}//{self.host}/{self.path}"
        return f"{self.scheme}{self.path}"


class _NumberList(tuple):
    """A sorted tuple of unique numbers parsed from ``1-3,5``; printed back compressed."""

    @classmethod
    def parse(cls, text: str, low: int, high: int) -> _NumberList:
        numbers: set[int] = set()
        if not text or text.startswith(",") or text.endswith(","):
            raise ValueError(text)
        for part in text.split(","):
            m = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
            if not m:
                raise ValueError(part)
            first = int(m.group(1))
            last = int(m.group(2) or first)
            if not (low <= first <= last <= high):
                raise ValueError(part)
            numbers.update(range(first, last + 1))
        return cls(sorted(numbers))

    @classmethod
    def of(cls, numbers: object) -> _NumberList:
        return cls(sorted(set(numbers)))  # type: ignore[call-overload]

    def __str__(self) -> str:
        parts: list[str] = []
        items = list(self)
        i = 0
        while i < len(items):
            j = i
            while j + 1 < len(items) and items[j + 1] == items[j] + 1:
                j += 1
            parts.append(str(items[i]) if i == j else f"{items[i]}-{items[j]}")
            i = j + 1
        return ",".join(parts)


class VlanList(_NumberList):
    """VLAN IDs 1-4094."""


class IndexList(_NumberList):
    """Director database indexes 1-255."""


@dataclass(frozen=True, order=True)
class InterfaceName:
    """``GigabitEthernet1/0/3``: a canonical type and its number."""

    kind: str
    number: str

    def __str__(self) -> str:
        return f"{self.kind}{self.number}"

    @property
    def short(self) -> str:
        abbrev = {"GigabitEthernet": "Gi", "FastEthernet": "Fa", "TenGigabitEthernet": "Te",
                  "Loopback": "Lo", "Port-channel": "Po", "Vlan": "Vl", "Tunnel": "Tu"}
        return f"{abbrev.get(self.kind, self.kind)}{self.number}"


_JOINED = re.compile(r"^([A-Za-z][A-Za-z\-]*?)\s*(\d+(?:/\d+){0,2}(?:\.\d+)?)$")


def parse_interface(text: str, kind: str | None = None) -> InterfaceName:
    """Parse ``gi1/0/3``, ``GigabitEthernet 1/0/3`` or a number for a known ``kind``."""
    from vstackcli.grammar.tokens import INTERFACE_TYPES

    if kind is None:
        m = _JOINED.match(text.strip())
        if not m:
            raise ValueError(f"not an interface name: {text!r}")
        prefix, number = m.group(1), m.group(2)
        hits = [k for k in INTERFACE_TYPES if k.lower().startswith(prefix.lower())]
        exact = [k for k in hits if k.lower() == prefix.lower()]
        if exact:
            hits = exact
        if len(hits) != 1:
            raise ValueError(f"not an interface name: {text!r}")
        kind = hits[0]
    else:
        number = text.strip()
    shape = INTERFACE_TYPES[kind][1]
    if shape == "vlan":
        if not number.isdigit() or not 1 <= int(number) <= 4094:
            raise ValueError(f"VLAN out of range: {text!r}")
    elif shape == "number" and not number.isdigit():
        raise ValueError(f"not an interface number: {text!r}")
    return InterfaceName(kind, number)
