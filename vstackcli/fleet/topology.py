"""A fleet's topology: which simulated switches exist and who hangs off whom.

Two sources, one result (``Topology``, a list of ``SwitchSpec`` upstream-first):

- ``load(path)`` reads a TOML file (docs/fleet.md has the format)::

      [defaults]
      version = "12.2(55)SE5"
      flash_size = "64mb"
      seed = 1

      [[switch]]
      name = "access-1"
      pid = "WS-C2960X-48FPD-L"
      port = "GigabitEthernet1/0/1"      # on the director (no upstream)

      [[switch]]
      name = "access-2"
      pid = "WS-C2960X-48FPD-L"
      upstream = "access-1"
      port = "GigabitEthernet1/0/2"      # on access-1

  Every mistake is one ``TopologyError`` whose text names the file, the line and
  the field; nothing raises anything else.
- ``generate(count, pids)`` builds ``count`` switches with a product-ID mix
  (``parse_pid_mix("WS-C2960X-48FPD-L:3,WS-C3750X-24P-L:1")``): deterministic MACs
  and serials from a seed, a tree so updates go hop by hop (a few switches on the
  director's ports, the others behind them, at most four per upstream switch).
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from vstackcli.grammar.values import MacAddress, parse_interface
from vstackcli.sim.spec import FAULTS, MemberSpec, SwitchSpec

__all__ = [
    "DIRECTOR",
    "Topology",
    "TopologyError",
    "generate",
    "load",
    "parse",
    "parse_pid_mix",
    "parse_size",
]

DIRECTOR = "director"  # the name that means "attached to the director" in ``upstream``
DEFAULT_VERSION = "12.2(55)SE5"
DEFAULT_FLASH = 64 * 1024**2
DIRECTOR_PORTS = 24  # GigabitEthernet1/0/1-24 on the director (a WS-C3750X-24P, as running-config.example)
FANOUT = 4  # switches behind one generated switch
MAX_COUNT = 10000  # generated MACs are 0x100 apart in 24 bits; loopback aliases run out later
_MAC_BASE = 0x0200_5E00_0000  # a locally administered range: never a real vendor's MAC
_SIZES = {"kb": 1024, "k": 1024, "mb": 1024**2, "m": 1024**2, "gb": 1024**3, "g": 1024**3, "": 1}
_SWITCH_FIELDS = {"name", "pid", "mac", "serial", "version", "flash_size", "upstream", "port", "members",
                  "smart_install", "replaces", "fault"}
_DEFAULT_FIELDS = {"version", "flash_size", "seed", "pid"}
_MEMBER_FIELDS = {"number", "pid", "mac", "serial"}


class TopologyError(ValueError):
    """A topology that cannot be used; the message is one line for the user."""


@dataclass
class Topology:
    """The switches of a fleet, upstream before downstream."""

    switches: list[SwitchSpec]
    source: str = "<generated>"

    def by_name(self, name: str) -> SwitchSpec | None:
        return next((s for s in self.switches if s.name == name), None)

    def depth(self, spec: SwitchSpec) -> int:
        """Hops from the director (1: attached to the director)."""
        hops, current = 1, spec
        while current.upstream is not None:
            parent = self.by_name(current.upstream)
            if parent is None:
                break
            hops, current = hops + 1, parent
        return hops

    def pids(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for s in self.switches:
            counts[s.pid] = counts.get(s.pid, 0) + 1
        return counts


# ---- helpers shared by both sources -----------------------------------------------------------

def parse_size(value: object) -> int:
    """Bytes from an int or a text such as ``64mb``, ``512k``, ``1048576``; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("a size, not true/false")
    if isinstance(value, int):
        number = value
    else:
        match = re.fullmatch(r"\s*(\d+)\s*([a-zA-Z]*)\s*", str(value))
        if match is None or match.group(2).lower() not in _SIZES:
            raise ValueError(f"not a size: {value!r} (bytes, or a number with kb/mb/gb)")
        number = int(match.group(1)) * _SIZES[match.group(2).lower()]
    if number <= 0:
        raise ValueError("a size must be positive")
    return number


def parse_pid_mix(text: str) -> list[tuple[str, int]]:
    """``"WS-C2960X-48FPD-L:3,WS-C3750X-24P-L:1"`` -> [(pid, weight), ...]; a PID alone weighs 1."""
    mix: list[tuple[str, int]] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        pid, _, weight = item.partition(":")
        pid = pid.strip().upper()
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9+/-]*", pid):
            raise TopologyError(f"--pids: {pid!r} is not a product ID (such as WS-C2960X-48FPD-L)")
        if weight and (not weight.strip().isdigit() or int(weight) <= 0):
            raise TopologyError(f"--pids: the weight of {pid} must be a positive whole number, not {weight!r}")
        mix.append((pid, int(weight) if weight else 1))
    if not mix:
        raise TopologyError("--pids: no product IDs given (such as WS-C2960X-48FPD-L:3,WS-C3750X-24P-L:1)")
    return mix


def generated_mac(seed: int, key: str) -> MacAddress:
    """A deterministic MAC for ``key``: base MACs 0x100 apart (room for the Vlan1 MAC and members)."""
    digest = hashlib.sha256(f"{seed}/{key}".encode()).digest()
    slot = int.from_bytes(digest[:3], "big") & 0xFFFF
    return MacAddress(_MAC_BASE + (slot << 8))


def generated_serial(mac: MacAddress) -> str:
    """A Cisco-looking serial number (``FOC`` + 8) derived from the MAC."""
    digest = hashlib.sha256(mac.hex.encode()).hexdigest().upper()
    return f"FOC{int(digest[:6], 16) % 10000:04d}{digest[6:10]}"


def _member_macs(base: MacAddress, count: int) -> list[MacAddress]:
    return [MacAddress(base.value + 0x80 * n) for n in range(count)]  # 0x00, 0x80: not the Vlan1 MAC (+0x40)


# ---- the generator -----------------------------------------------------------------------------

def generate(count: int, pids: list[tuple[str, int]] | str, seed: int = 1, version: str = DEFAULT_VERSION,
             flash_size: int = DEFAULT_FLASH) -> Topology:
    """``count`` switches in the PID mix, as a tree: a few on the director's ports, the rest behind them."""
    if not 1 <= count <= MAX_COUNT:
        raise TopologyError(f"--count must be 1 to {MAX_COUNT}")
    mix = parse_pid_mix(pids) if isinstance(pids, str) else pids
    cycle = [pid for pid, weight in mix for _ in range(weight)]
    roots = min(DIRECTOR_PORTS, max(1, math.ceil(count / (1 + FANOUT))))
    specs: list[SwitchSpec] = []
    level: list[SwitchSpec] = []
    next_level: list[SwitchSpec] = []
    slots: Iterator[tuple[SwitchSpec, int]] = iter(())
    for i in range(count):
        mac = MacAddress(_MAC_BASE + ((seed & 0xFF) << 24) + ((i + 1) << 8))
        spec = SwitchSpec(f"sw{i + 1}", cycle[i % len(cycle)], mac, generated_serial(mac), version, flash_size)
        if i < roots:
            spec.upstream_port = f"GigabitEthernet1/0/{i + 1}"
            next_level.append(spec)
        else:
            slot = next(slots, None)
            if slot is None:  # the level above is full: the switches made since then take over
                level, next_level = next_level, []
                slots = iter([(parent, port) for port in range(1, FANOUT + 1) for parent in level])
                slot = next(slots)
            spec.upstream, spec.upstream_port = slot[0].name, f"GigabitEthernet1/0/{slot[1]}"
            next_level.append(spec)
        specs.append(spec)
    return Topology(specs, f"--count {count}")


# ---- the TOML file -----------------------------------------------------------------------------

class _Lines:
    """Finds the line of the N-th ``[[switch]]`` table and of a field inside it, for error messages."""

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.starts = [n for n, line in enumerate(self.lines, 1) if re.match(r"\s*\[\[\s*switch\s*\]\]", line)]
        self.defaults = next((n for n, line in enumerate(self.lines, 1)
                              if re.match(r"\s*\[\s*defaults\s*\]", line)), 1)

    def of(self, index: int | None, key: str | None = None) -> int:
        if index is None:
            start, end = self.defaults, len(self.lines) + 1
        elif index < len(self.starts):
            start = self.starts[index]
            end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.lines) + 1
        else:
            return 1
        if key is not None:
            for n in range(start, end):
                if re.match(rf"\s*{re.escape(key)}\s*=", self.lines[n - 1]):
                    return n
        return start


def load(path: str | Path) -> Topology:
    """Read a topology file; every problem (missing file, bad TOML, bad field) is a TopologyError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TopologyError(f"{path}: cannot read the topology file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise TopologyError(f"{path}: not a text (UTF-8) file") from None
    return parse(text, str(path))


def parse(text: str, source: str = "<topology>") -> Topology:
    """Parse topology TOML ``text``; ``source`` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TopologyError(f"{source}: not valid TOML: {exc}") from None
    lines = _Lines(text)

    def fail(index: int | None, key: str | None, message: str) -> TopologyError:
        where = f"{source}:{lines.of(index, key)}"
        what = "[defaults]" if index is None else f"switch #{index + 1}"
        name = data.get("switch", [{}])[index].get("name") if index is not None else None
        if isinstance(name, str) and name:
            what = f"switch {name!r}"
        field = f" field {key!r}" if key else ""
        return TopologyError(f"{where}: {what}{field}: {message}")

    unknown = set(data) - {"defaults", "switch"}
    if unknown:
        raise TopologyError(f"{source}: unknown table(s) {', '.join(sorted(unknown))}: expected [defaults] "
                            "and [[switch]]")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise TopologyError(f"{source}: defaults must be a table ([defaults])")
    for key in defaults:
        if key not in _DEFAULT_FIELDS:
            raise fail(None, key, f"unknown field (known: {', '.join(sorted(_DEFAULT_FIELDS))})")
    version = _text(defaults, "version", DEFAULT_VERSION, lambda k, m: fail(None, k, m))
    default_pid = _text(defaults, "pid", "", lambda k, m: fail(None, k, m))
    try:
        flash = parse_size(defaults.get("flash_size", DEFAULT_FLASH))
    except ValueError as exc:
        raise fail(None, "flash_size", str(exc)) from None
    seed = defaults.get("seed", 1)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise fail(None, "seed", "must be a whole number")
    tables = data.get("switch")
    if not isinstance(tables, list) or not tables:
        raise TopologyError(f"{source}: no switches: add at least one [[switch]] table")

    specs: list[SwitchSpec] = []
    for index, table in enumerate(tables):
        specs.append(_switch(table, index, version, default_pid, flash, seed, lambda k, m, i=index: fail(i, k, m)))
    _check_references(specs, lambda i, k, m: fail(i, k, m))
    return Topology(_upstream_first(specs), source)


def _text(table: dict, key: str, default: str, fail) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise fail(key, "must be a text in quotes")
    return value.strip()


def _switch(table: dict, index: int, version: str, default_pid: str, flash: int, seed: int, fail) -> SwitchSpec:
    for key in table:
        if key not in _SWITCH_FIELDS:
            raise fail(key, f"unknown field (known: {', '.join(sorted(_SWITCH_FIELDS))})")
    name = _text(table, "name", "", fail)
    if not name:
        raise fail("name", "every switch needs a name")
    if name.lower() == DIRECTOR or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise fail("name", f"{name!r} is not a usable name (letters, digits, - _ .; not {DIRECTOR!r})")
    pid = _text(table, "pid", default_pid, fail).upper()
    if not pid:
        raise fail("pid", "missing (or set pid in [defaults])")
    mac_text = _text(table, "mac", "", fail)
    try:
        mac = MacAddress.parse(mac_text) if mac_text else generated_mac(seed, name)
    except ValueError:
        raise fail("mac", f"{mac_text!r} is not a MAC address (0023.34ca.c180)") from None
    serial = _text(table, "serial", "", fail) or generated_serial(mac)
    try:
        size = parse_size(table.get("flash_size", flash))
    except ValueError as exc:
        raise fail("flash_size", str(exc)) from None
    upstream = _text(table, "upstream", DIRECTOR, fail) or DIRECTOR
    port = _text(table, "port", "GigabitEthernet1/0/1", fail)
    try:
        port = str(parse_interface(port))
    except ValueError:
        raise fail("port", f"{port!r} is not an interface name (GigabitEthernet1/0/1)") from None
    smart_install = table.get("smart_install", True)
    if not isinstance(smart_install, bool):
        raise fail("smart_install", "must be true or false")
    fault = _text(table, "fault", "", fail) or None
    if fault is not None and fault not in FAULTS:
        raise fail("fault", f"unknown fault {fault!r}; one of {', '.join(FAULTS)}")
    replaces = _text(table, "replaces", "", fail) or None
    members = _members(table.get("members"), pid, mac, seed, name, fail)
    return SwitchSpec(name, pid, mac, serial, _text(table, "version", version, fail), size,
                      None if upstream.lower() == DIRECTOR else upstream, port, members, smart_install, replaces,
                      fault)


def _members(value: object, pid: str, mac: MacAddress, seed: int, name: str, fail) -> list[MemberSpec]:
    """``members = 3`` (three of the switch's PID) or a list of tables ``{number, pid, mac, serial}``."""
    if value is None:
        return []
    if isinstance(value, int) and not isinstance(value, bool):
        if not 2 <= value <= 9:
            raise fail("members", "a stack has 2 to 9 members")
        return [MemberSpec(n + 1, pid, m, generated_serial(m)) for n, m in enumerate(_member_macs(mac, value))]
    if not isinstance(value, list) or not all(isinstance(m, dict) for m in value):
        raise fail("members", "a number (2-9) or a list of {number, pid, mac} tables")
    if not 2 <= len(value) <= 9:
        raise fail("members", "a stack has 2 to 9 members")
    members: list[MemberSpec] = []
    for n, table in enumerate(value, 1):
        for key in table:
            if key not in _MEMBER_FIELDS:
                raise fail("members", f"member {n}: unknown field {key!r} (known: number, pid, mac, serial)")
        number = table.get("number", n)
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 9:
            raise fail("members", f"member {n}: number must be 1-9")
        member_pid = str(table.get("pid", pid)).strip().upper()
        mac_text = str(table.get("mac", "")).strip()
        try:
            member_mac = MacAddress.parse(mac_text) if mac_text else (
                mac if n == 1 else generated_mac(seed, f"{name}/member{number}"))
        except ValueError:
            raise fail("members", f"member {n}: {mac_text!r} is not a MAC address") from None
        members.append(MemberSpec(number, member_pid, member_mac,
                                  str(table.get("serial", "")).strip() or generated_serial(member_mac)))
    if len({m.number for m in members}) != len(members):
        raise fail("members", "two members have the same number")
    if members[0].mac != mac:
        raise fail("members", f"the first member is the switch itself: its mac must be the switch's ({mac})")
    return members


def _check_references(specs: list[SwitchSpec], fail) -> None:
    names: dict[str, int] = {}
    macs: dict[int, str] = {}
    for i, s in enumerate(specs):
        if s.name in names:
            raise fail(i, "name", f"the name is already used by switch #{names[s.name] + 1}")
        names[s.name] = i
        for mac in [s.mac, *(m.mac for m in s.members)]:
            other = macs.get(mac.value)
            if other is not None and other != s.name:
                raise fail(i, "mac", f"MAC {mac} is already used by switch {other!r}")
            macs[mac.value] = s.name
    for i, s in enumerate(specs):
        if s.upstream is not None:
            if s.upstream not in names:
                raise fail(i, "upstream", f"no switch is named {s.upstream!r} (or use {DIRECTOR!r})")
            if s.upstream == s.name:
                raise fail(i, "upstream", "a switch cannot be its own upstream")
        if s.replaces is not None:
            old = specs[names[s.replaces]] if s.replaces in names else None
            if old is None or old is s:
                raise fail(i, "replaces", f"no other switch is named {s.replaces!r}")
            if old.pid != s.pid:
                raise fail(i, "replaces", f"{old.name!r} is a {old.pid}: a replacement has the same product ID")
            if (old.upstream, old.upstream_port) != (s.upstream, s.upstream_port):
                raise fail(i, "replaces", f"a replacement sits on the same port as {old.name!r} "
                                          f"({old.upstream or DIRECTOR} {old.upstream_port})")
            if any(o.replaces == s.replaces for o in specs if o is not s):
                raise fail(i, "replaces", f"{s.replaces!r} is replaced twice")
    for i, s in enumerate(specs):  # no cycles
        seen, current = {s.name}, s
        while current.upstream is not None:
            current = specs[names[current.upstream]]
            if current.name in seen:
                raise fail(i, "upstream", f"upstream loop through {current.name!r}")
            seen.add(current.name)
    ports: dict[tuple[str | None, str], str] = {}
    for i, s in enumerate(specs):
        key = (s.upstream, s.upstream_port)
        other = ports.get(key)
        if other is not None and s.replaces != other and specs[names[other]].replaces != s.name:
            raise fail(i, "port", f"{s.upstream or DIRECTOR} {s.upstream_port} already has {other!r} "
                                  "(only a replacement shares a port)")
        ports.setdefault(key, s.name)


def _upstream_first(specs: list[SwitchSpec]) -> list[SwitchSpec]:
    """Stable order where every switch comes after its upstream switch."""
    placed: set[str] = set()
    ordered: list[SwitchSpec] = []
    pending = list(specs)
    while pending:
        rest = []
        for s in pending:
            if s.upstream is None or s.upstream in placed:
                ordered.append(s)
                placed.add(s.name)
            else:
                rest.append(s)
        pending = rest
    return ordered
