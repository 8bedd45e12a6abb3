"""Zero-touch replacement: is a newly seen client the replacement of an inactive one?

The guide ("Replacing a Client Switch"): "If another client MAC address with
the same product-ID is detected on the same port, this client is considered a
replacement client. The director gives it the same image and configuration
that the previous client had." and "Only one Smart Install client can be
replaced at a time on the same branch and only if there is one path to the
director." A client put elsewhere in the network, or of another product ID, is
a new client.

Decisions where the guide is silent:

* A candidate is a non-director database entry that is inactive (health
  ``I``), has the new client's product ID (compared case-insensitively), a
  different MAC, and the same upstream neighbour (host IP and interface,
  compared canonically, so ``Gi1/0/3`` equals ``GigabitEthernet1/0/3``).
* "The same port" is read from the entry by ``upstream_of``. The default
  (``first_neighbor``) takes the first ``(host, interface)`` of
  ``ClientEntry.neighbors``, which the engine must keep upstream-first; an
  entry whose host is not an IP address or whose interface does not parse has
  no known upstream and is never a candidate. The engine may pass its own.
* A client whose upstream is unknown, or whose MAC is already in the database
  (a known client coming back), is never a replacement.
* Two or more candidates on the same port: the replacement is ambiguous, so
  none is chosen and the client is treated as new. ``match_replacement``
  returns a ``ReplacementMatch`` that says why; ``find_replaced`` is its
  ``.old``.
* The replacement's configuration is the old client's last backup (``.rev2``);
  with none (backup disabled, the file deleted or unreadable, no backup ever
  made) it gets the seed configuration: ``(None, "seed")``, and the engine
  sends the group's or default config.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from vstackcli.engine.backup import BackupStore
from vstackcli.engine.clients import ClientFacts, Neighbor
from vstackcli.engine.director import ClientEntry
from vstackcli.engine.messages import smi
from vstackcli.engine.syslog import LogMessage, SystemLog
from vstackcli.grammar.values import MacAddress, parse_interface

__all__ = [
    "ReplacementMatch",
    "announce_replacement",
    "find_replaced",
    "first_neighbor",
    "match_replacement",
    "replacement_plan",
]

UpstreamOf = Callable[[ClientEntry], Neighbor | None]
ConfigSource = Literal["backup", "seed"]


def first_neighbor(entry: ClientEntry) -> Neighbor | None:
    """The entry's upstream neighbour: the first of its ``neighbors``, if it parses."""
    if not entry.neighbors:
        return None
    host, interface = entry.neighbors[0]
    try:
        return Neighbor(ipaddress.IPv4Address(host.strip()), parse_interface(interface))
    except ValueError:
        return None


@dataclass(frozen=True)
class ReplacementMatch:
    """The decision for one new client: ``old`` is the entry it replaces, or None with ``reason``."""

    old: ClientEntry | None
    reason: str
    candidates: tuple[ClientEntry, ...] = ()

    @property
    def is_replacement(self) -> bool:
        return self.old is not None


def match_replacement(entries: Iterable[ClientEntry], new: ClientFacts,
                      upstream_of: UpstreamOf = first_neighbor) -> ReplacementMatch:
    """Decide whether ``new`` replaces one of ``entries`` (see the module docstring for the rules)."""
    entries = [e for e in entries if not e.is_director]
    if any(e.mac == new.mac for e in entries):
        return ReplacementMatch(None, f"{new.mac} is already in the director database")
    if new.upstream is None:
        return ReplacementMatch(None, f"the port of {new.mac} is not known")
    pid = new.pid.strip().casefold()
    candidates = tuple(e for e in entries
                       if e.health == "I" and e.pid.strip().casefold() == pid and upstream_of(e) == new.upstream)
    port = f"{new.upstream.host} {new.upstream.interface}"
    if not candidates:
        return ReplacementMatch(None, f"no inactive {new.pid} on {port}: {new.mac} is a new client")
    if len(candidates) > 1:
        macs = ", ".join(str(e.mac) for e in candidates)
        return ReplacementMatch(None, f"{len(candidates)} inactive {new.pid} on {port} ({macs}): "
                                      "only one client can be replaced at a time", candidates)
    old = candidates[0]
    return ReplacementMatch(old, f"{new.mac} replaces {old.mac} on {port}", candidates)


def find_replaced(entries: Iterable[ClientEntry], new: ClientFacts,
                  upstream_of: UpstreamOf = first_neighbor) -> ClientEntry | None:
    """The inactive entry ``new`` replaces, or None when it is a new client."""
    return match_replacement(entries, new, upstream_of).old


def replacement_plan(old: ClientEntry, backup_store: BackupStore | None) -> tuple[bytes | None, ConfigSource]:
    """The configuration the replacement gets: the old client's last backup, else the seed configuration.

    ``backup_store`` None, or disabled (``no vstack backup``), gives the seed: the
    guide sends Rev2 only "with backup enabled and Rev2 accessible on the SMI director".
    """
    if backup_store is not None and backup_store.enabled:
        config = backup_store.latest(old.mac)
        if config is not None:
            return config, "backup"
    return None, "seed"


def announce_replacement(log: SystemLog, old_mac: MacAddress, new_mac: MacAddress) -> LogMessage:
    """``%SMI-6-SWITCH_REPLACE: Device OLD is being replaced by NEW Device``."""
    return smi(log, "SWITCH_REPLACE", enet=old_mac, new=new_mac)
