"""Address bindings per pool, offers in flight, declined addresses, and ``remember`` persistence.

Bindings are keyed by the client hardware address (chaddr), not option 61: the hostname rule and IOS
``ip dhcp remember`` are MAC-based and a Catalyst's option 61 embeds the same MAC. An acknowledged binding is
never given to another MAC while it is active; once expired it is kept for its MAC and reclaimed for another
only when the pool has no never-used or released address left (oldest expiry first). Pools with ``remember``
are written to one JSON file with ``atomic_write`` before the ACK leaves, so a restart or a kill -9 loses no
acknowledged lease.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from vstackcli.engine.backend import PoolSpec
from vstackcli.engine.storage import atomic_write

__all__ = ["OFFER_HOLD", "Lease", "LeaseStore", "PoolLeases"]

OFFER_HOLD = 60.0  # seconds an offered address stays reserved for the client it was offered to
DECLINE_HOLD = 600.0  # seconds a declined address (in use by someone else) stays out of use
FORMAT = 1

log = logging.getLogger("vstackcli.net.dhcp")

IPv4 = ipaddress.IPv4Address


@dataclass
class Lease:
    mac: bytes
    ip: IPv4
    expires: float
    client_id: bytes = b""
    hostname: str = ""

    def to_json(self) -> dict:
        return {"mac": self.mac.hex(), "ip": str(self.ip), "expires": self.expires,
                "client_id": self.client_id.hex(), "hostname": self.hostname}

    @classmethod
    def from_json(cls, d: dict) -> Lease:
        return cls(bytes.fromhex(d["mac"]), IPv4(d["ip"]), float(d["expires"]), bytes.fromhex(d.get("client_id", "")),
                   str(d.get("hostname", "")))


class PoolLeases:
    """The bindings of one pool and the choice of an address for a client."""

    def __init__(self, spec: PoolSpec, excluded: Iterable[IPv4] = ()):
        self.spec = spec
        net = spec.network
        self.excluded = {IPv4(a) for a in excluded} | set(spec.routers)
        self.first = int(net.network_address) + (1 if net.prefixlen < 31 else 0)
        self.last = int(net.broadcast_address) - (1 if net.prefixlen < 31 else 0)
        self.by_ip: dict[IPv4, Lease] = {}
        self.by_mac: dict[bytes, Lease] = {}
        self.offers: dict[bytes, tuple[IPv4, float]] = {}
        self.offered_ips: dict[IPv4, bytes] = {}
        self.declined: dict[IPv4, float] = {}
        self._cursor = self.first

    def contains(self, ip: IPv4) -> bool:
        return self.first <= int(ip) <= self.last and ip not in self.excluded

    def lease_of(self, mac: bytes) -> Lease | None:
        return self.by_mac.get(mac)

    def owner(self, ip: IPv4) -> bytes | None:
        lease = self.by_ip.get(ip)
        return lease.mac if lease is not None else None

    def _offered_to_other(self, ip: IPv4, mac: bytes, now: float) -> bool:
        other = self.offered_ips.get(ip)
        if other is None or other == mac:
            return False
        held = self.offers.get(other)
        if held is None or held[0] != ip or held[1] < now:
            self._drop_offer(other)
            return False
        return True

    def is_free_for(self, ip: IPv4, mac: bytes, now: float) -> bool:
        """True when ``ip`` may be given to ``mac`` without taking it from anyone (expired leases included)."""
        if not self.contains(ip):
            return False
        if self.declined.get(ip, 0.0) > now:
            return False
        owner = self.owner(ip)
        if owner is not None and owner != mac:
            return False
        return not self._offered_to_other(ip, mac, now)

    def choose(self, mac: bytes, requested: IPv4 | None, now: float) -> IPv4 | None:
        """The address to offer ``mac``: its binding, its pending offer, the one it asks for, the next free one,
        or (pool exhausted) the oldest expired lease of another client. None: nothing left."""
        lease = self.by_mac.get(mac)
        if lease is not None and self.is_free_for(lease.ip, mac, now):
            return lease.ip
        held = self.offers.get(mac)
        if held is not None and held[1] >= now and self.is_free_for(held[0], mac, now):
            return held[0]
        if requested is not None and self.is_free_for(requested, mac, now):
            return requested
        size = self.last - self.first + 1
        for step in range(max(size, 0)):
            ip = IPv4(self.first + (self._cursor - self.first + step) % size)
            if self.is_free_for(ip, mac, now):
                self._cursor = int(ip) + 1 if int(ip) < self.last else self.first
                return ip
        expired = sorted((lease for lease in self.by_ip.values() if lease.expires < now and lease.mac != mac
                          and not self._offered_to_other(lease.ip, mac, now)), key=lambda le: le.expires)
        for old in expired:
            if self.declined.get(old.ip, 0.0) <= now:
                log.info("pool %s exhausted: reclaiming %s, expired lease of %s", self.spec.name, old.ip,
                         old.mac.hex())
                self.remove(old)
                return old.ip
        return None

    def offer(self, mac: bytes, ip: IPv4, now: float, hold: float = OFFER_HOLD) -> None:
        self._drop_offer(mac)
        self.offers[mac] = (ip, now + hold)
        self.offered_ips[ip] = mac

    def _drop_offer(self, mac: bytes) -> None:
        held = self.offers.pop(mac, None)
        if held is not None and self.offered_ips.get(held[0]) == mac:
            del self.offered_ips[held[0]]

    def bind(self, mac: bytes, ip: IPv4, expires: float, client_id: bytes = b"", hostname: str = "") -> Lease:
        self._drop_offer(mac)
        old = self.by_mac.get(mac)
        if old is not None and old.ip != ip:
            self.remove(old)
        lease = Lease(mac, ip, expires, client_id, hostname)
        self.by_mac[mac] = lease
        self.by_ip[ip] = lease
        return lease

    def remove(self, lease: Lease) -> None:
        if self.by_mac.get(lease.mac) is lease:
            del self.by_mac[lease.mac]
        if self.by_ip.get(lease.ip) is lease:
            del self.by_ip[lease.ip]

    def release(self, mac: bytes, ip: IPv4) -> bool:
        self._drop_offer(mac)
        lease = self.by_mac.get(mac)
        if lease is None or lease.ip != ip:
            return False
        self.remove(lease)
        return True

    def decline(self, mac: bytes, ip: IPv4, now: float) -> None:
        """The client found ``ip`` in use: drop its binding and keep the address out of use for a while."""
        self.release(mac, ip)
        if self.contains(ip):
            self.declined[ip] = now + DECLINE_HOLD

    def load(self, leases: Iterable[Lease]) -> None:
        for lease in leases:
            if self.contains(lease.ip) and lease.ip not in self.by_ip and lease.mac not in self.by_mac:
                self.by_mac[lease.mac] = lease
                self.by_ip[lease.ip] = lease


class LeaseStore:
    """All pools' bindings; the ``remember`` ones persisted to ``path`` (None: memory only)."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self.pools: dict[str, PoolLeases] = {}
        self._saved: dict[str, list[Lease]] = {}  # file content for pools not configured now: kept as they were
        self.writes = 0
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text())
                for name, leases in data.get("pools", {}).items():
                    self._saved[name] = [Lease.from_json(d) for d in leases]
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.error("DHCP bindings file %s unreadable (%s): starting with no remembered bindings", path, exc)

    def configure(self, specs: Iterable[PoolSpec], excluded: Iterable[IPv4] = ()) -> None:
        """Use these pools; bindings of a pool that keeps its name carry over (those still in its network)."""
        excluded = tuple(excluded)
        old = self.pools
        self.pools = {}
        for spec in specs:
            pool = PoolLeases(spec, excluded)
            previous = old.get(spec.name)
            if previous is not None:
                pool.load(previous.by_ip.values())
                pool.declined = previous.declined
            elif spec.remember:
                pool.load(self._saved.get(spec.name, ()))
            self.pools[spec.name] = pool
        for name, previous in old.items():
            if name not in self.pools and previous.spec.remember:
                self._saved[name] = list(previous.by_ip.values())

    def commit(self) -> None:
        """Write the remembered pools' bindings (atomically) if any pool remembers."""
        if self.path is None:
            return
        content = dict(self._saved)
        for name, pool in self.pools.items():
            if pool.spec.remember:
                content[name] = list(pool.by_ip.values())
            else:
                content.pop(name, None)
        data = {"format": FORMAT, "pools": {name: [lease.to_json() for lease in sorted(leases, key=lambda x: x.ip)]
                                            for name, leases in sorted(content.items())}}
        atomic_write(self.path, json.dumps(data, indent=1).encode())
        self.writes += 1
