"""The director database, as far as the shell needs it today.

Entry 0 is the director itself while the device is director. Client entries
are added by the director engine (zero-touch discovery, Smart Install reports);
until those backends run, the database holds the director alone, which is what
a real director shows before any client has joined.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from vstackcli.grammar.values import MacAddress

__all__ = ["ClientEntry", "DirectorDatabase"]


@dataclass
class ClientEntry:
    index: int
    mac: MacAddress
    pid: str
    ip: ipaddress.IPv4Address | None
    hostname: str
    device_type: str = "S"  # S smart install, N non smart install, P pending
    health: str = "A"  # A active, I inactive
    join: str = "a"  # a allowed, h on-hold, d denied
    image: str = ""  # i in progress, I done, X failed
    config: str = ""  # c in progress, C done, x failed
    is_director: bool = False
    serial: str = ""
    version: str = ""
    neighbors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.is_director:
            return "Director"
        return " ".join(x for x in (self.device_type, self.health, self.join, self.image, self.config) if x)


class DirectorDatabase:
    """Clients known to the director, numbered from 1 in order of discovery."""

    def __init__(self) -> None:
        self.clients: list[ClientEntry] = []

    def clear(self, index: int | None = None) -> bool:
        if index is None:
            self.clients.clear()
            return True
        before = len(self.clients)
        self.clients = [c for c in self.clients if c.index != index]
        return len(self.clients) != before

    def by_index(self, index: int) -> ClientEntry | None:
        return next((c for c in self.clients if c.index == index), None)

    def by_ip(self, ip: ipaddress.IPv4Address) -> ClientEntry | None:
        return next((c for c in self.clients if c.ip == ip), None)

    def active(self) -> list[ClientEntry]:
        return [c for c in self.clients if c.health == "A"]
