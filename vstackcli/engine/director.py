"""The director database: one entry per client switch and stack member, with the
status letters of ``show vstack status``.

Entry 0 is the director itself (rendered from the configuration); client
entries are numbered from 1 in order of discovery. Health turns Inactive after
three missed keepalive periods (``DirectorDatabase.age``).
"""

from __future__ import annotations

import bisect
import ipaddress
from dataclasses import dataclass, field

from vstackcli.engine.clients import Neighbor, StackMember
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
    neighbors: list[tuple[str, str]] = field(default_factory=list)  # (neighbour host, its interface) for show
    upstream: Neighbor | None = None
    stack: tuple[StackMember, ...] = ()
    stack_of: int | None = None  # for a stack member's own entry: the index of the stack's first entry
    last_seen: float = 0.0
    hops: int = 1
    join_override: bool = False  # set by `vstack join-window-status` / `vstack on-hold-clients`
    # zero-touch progress: discovered -> offered -> downloading -> reloading -> joined
    # (or denied, on hold, waiting for an upstream hop, not configured, failed)
    phase: str = "discovered"
    script: str = ""  # the post-install script still to run after this zero-touch update

    @property
    def status(self) -> str:
        if self.is_director:
            return "Director"
        return " ".join(x for x in (self.device_type, self.health, self.join, self.image, self.config) if x)


class DirectorDatabase:
    """Clients known to the director."""

    def __init__(self) -> None:
        self.clients: list[ClientEntry] = []
        self._by_mac: dict[MacAddress, ClientEntry] = {}

    def add(self, entry: ClientEntry) -> ClientEntry:
        bisect.insort(self.clients, entry, key=lambda c: c.index)
        self._by_mac[entry.mac] = entry
        return entry

    def next_index(self) -> int:
        """The lowest free index (the next one when there are no gaps)."""
        if not self.clients or self.clients[-1].index == len(self.clients):
            return len(self.clients) + 1
        used = {c.index for c in self.clients}
        return next(i for i in range(1, len(used) + 2) if i not in used)

    def remove(self, entry: ClientEntry) -> None:
        """Take an entry out (``add`` it back under a new MAC to re-key it; it keeps its index)."""
        self.clients = [c for c in self.clients if c is not entry]
        if self._by_mac.get(entry.mac) is entry:
            del self._by_mac[entry.mac]

    def clear(self, index: int | None = None) -> bool:
        if index is None:
            self.clients.clear()
            self._by_mac.clear()
            return True
        entry = self.by_index(index)
        if entry is None:
            return False
        self.remove(entry)
        for member in [c for c in self.clients if c.stack_of == index]:
            self.remove(member)
        return True

    def by_index(self, index: int) -> ClientEntry | None:
        return next((c for c in self.clients if c.index == index), None)

    def by_mac(self, mac: MacAddress) -> ClientEntry | None:
        return self._by_mac.get(mac)

    def by_ip(self, ip: ipaddress.IPv4Address) -> ClientEntry | None:
        return next((c for c in self.clients if c.ip == ip and c.stack_of is None), None)

    def active(self) -> list[ClientEntry]:
        return [c for c in self.clients if c.health == "A" and c.stack_of is None]

    def age(self, now: float, keepalive: float) -> list[ClientEntry]:
        """Mark clients that missed three keepalive periods Inactive; return the ones that just turned."""
        turned = []
        for c in self.clients:
            if c.health == "A" and now - c.last_seen > 3 * keepalive:
                c.health = "I"
                turned.append(c)
        return turned
