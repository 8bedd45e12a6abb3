"""Which Smart Install group a client belongs to, and so which image, config and script it gets.

Pure logic over the running-config and the client's facts; no I/O. The guide's
rules ("Smart Install Groups" and the custom-group sections):

- precedence, high to low: custom stack group, custom MAC group, custom
  connectivity group, custom product-id group, built-in group (family and port
  configuration from the client's PID), the default ``vstack image/config/script``;
- a switch stack is updated only through a custom stack group, never through the
  default or any other group ("It cannot belong to the default group");
- a stack group matches when every member's (number, family, ports) is named by a
  ``match N FAMILY PORTS`` line; a homogeneous stack (all members one family and
  port configuration) also matches a group whose match lines all name that family
  and port configuration, without naming every member number;
- connectivity groups take standalone switches that are in the director database;
  product-id and built-in groups take standalone switches;
- a product-id line matches the client PID, case-insensitively, when equal to it or
  followed by ``-`` and a suffix (``WS-C2960X-24TD`` matches ``WS-C2960X-24TD-L``).

A matching group wins even when it has neither image nor config (the caller reports
that, ``%SMI-6-INCORRECT_CFG``); the default counts only when it has an image or a
config. ``GroupIndex.build`` turns the configuration into dictionaries once, so
``resolve`` costs a few lookups per client.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass

from vstackcli.engine.clients import ClientFacts
from vstackcli.engine.families import family_for_pid
from vstackcli.engine.model import CustomGroup, VstackConfig
from vstackcli.grammar.values import FileUrl, InterfaceName, MacAddress

__all__ = ["Assignment", "GroupIndex", "cached_family", "resolve"]

FamilyPorts = tuple[str, str]
StackKey = tuple[int, str, str]  # (member number, family, ports)


@dataclass(frozen=True)
class Assignment:
    """The files a client gets and the group they come from.

    ``group`` names the source as show commands do: ``stack group NAME``,
    ``mac group NAME``, ``connectivity group NAME``, ``product-id group NAME``,
    ``built-in FAMILY PORTS`` or ``default``.
    """

    group: str
    image: FileUrl | None
    config: FileUrl | None
    script: FileUrl | None
    member_images: tuple[tuple[int, FileUrl], ...] = ()  # stacks: (member number, image) for each member

    @property
    def has_files(self) -> bool:
        """True when the group gives an image or a config (a script alone is no upgrade)."""
        return self.image is not None or self.config is not None


@functools.lru_cache(maxsize=8192)
def cached_family(pid: str) -> FamilyPorts | None:
    """``family_for_pid`` memoised: the built-in (family, ports) of a PID, or None."""
    return family_for_pid(pid)


def _custom(group: CustomGroup) -> Assignment:
    return Assignment(f"{group.kind} group {group.name}", group.image, group.config, group.script)


@dataclass(frozen=True)
class _StackGroup:
    order: int
    assignment: Assignment
    keys: frozenset[StackKey]
    homogeneous: FamilyPorts | None  # the one (family, ports) all match lines name, if they name one


class GroupIndex:
    """The groups of one configuration, indexed for resolution. Build it again after a change."""

    def __init__(self) -> None:
        self.macs: dict[MacAddress, Assignment] = {}
        self.hosts: dict[tuple[ipaddress.IPv4Address, InterfaceName], Assignment] = {}
        self.pids: dict[str, Assignment] = {}  # upper-case PID -> group
        self.builtin: dict[FamilyPorts, Assignment] = {}
        self.default: Assignment | None = None
        self.stack_groups: list[_StackGroup] = []
        self._stack_by_key: dict[StackKey, list[_StackGroup]] = {}
        self._stack_homogeneous: dict[FamilyPorts, _StackGroup] = {}

    @classmethod
    def build(cls, cfg: VstackConfig) -> GroupIndex:
        index = cls()
        for group in cfg.custom_groups.values():  # configuration order: the first group naming a key wins
            assignment = _custom(group)
            if group.kind == "mac":
                for mac in group.macs:
                    index.macs.setdefault(mac, assignment)
            elif group.kind == "connectivity":
                for host, interface in group.hosts:
                    index.hosts.setdefault((host, interface), assignment)
            elif group.kind == "product-id":
                for pid in group.product_ids:
                    index.pids.setdefault(pid.upper(), assignment)
            elif group.kind == "stack":
                index._add_stack_group(group, assignment)
        for (family, ports), builtin in cfg.builtin_groups.items():
            index.builtin[(family, ports)] = Assignment(f"built-in {family} {ports}", builtin.image,
                                                        builtin.config, builtin.script)
        if cfg.image is not None or cfg.config is not None:
            index.default = Assignment("default", cfg.image, cfg.config, cfg.script)
        return index

    def _add_stack_group(self, group: CustomGroup, assignment: Assignment) -> None:
        keys = frozenset((m.switch, m.family, m.ports) for m in group.stack)
        if not keys:
            return  # a stack group without match lines matches no stack
        kinds = {(family, ports) for _n, family, ports in keys}
        homogeneous = next(iter(kinds)) if len(kinds) == 1 else None
        entry = _StackGroup(len(self.stack_groups), assignment, keys, homogeneous)
        self.stack_groups.append(entry)
        for key in keys:
            self._stack_by_key.setdefault(key, []).append(entry)
        if homogeneous is not None:
            self._stack_homogeneous.setdefault(homogeneous, entry)

    # ------------------------------------------------------------------ resolution

    def resolve(self, client: ClientFacts) -> Assignment | None:
        """The assignment for ``client``, or None when no group and no usable default applies."""
        if client.is_stack:
            return self._resolve_stack(client)
        found = self.macs.get(client.mac)
        if found is not None:
            return found
        if client.in_database and client.upstream is not None and self.hosts:
            found = self.hosts.get((client.upstream.host, client.upstream.interface))
            if found is not None:
                return found
        pid = client.pid.upper()
        if self.pids:
            found = self._resolve_pid(pid)
            if found is not None:
                return found
        if self.builtin:
            family = cached_family(pid)
            if family is not None:
                found = self.builtin.get(family)
                if found is not None:
                    return found
        return self.default

    def _resolve_pid(self, pid: str) -> Assignment | None:
        """The product-id group of the longest configured PID that ``pid`` equals or extends with ``-``."""
        found = self.pids.get(pid)
        if found is not None:
            return found
        cut = pid.rfind("-")
        while cut > 0:
            found = self.pids.get(pid[:cut])
            if found is not None:
                return found
            cut = pid.rfind("-", 0, cut)
        return None

    def _resolve_stack(self, client: ClientFacts) -> Assignment | None:
        if not self.stack_groups:
            return None
        members = sorted(client.stack, key=lambda m: m.number)
        keys: list[StackKey] = []
        for member in members:
            family = cached_family(member.pid)
            if family is None:
                return None  # a member no family names: no match line can name it
            keys.append((member.number, *family))
        group = self._exact_stack_group(keys)
        if group is None:
            kinds = {(k[1], k[2]) for k in keys}
            if len(kinds) == 1:
                group = self._stack_homogeneous.get(kinds.pop())
        if group is None:
            return None
        base = group.assignment
        if base.image is None:
            return base
        return Assignment(base.group, base.image, base.config, base.script,
                          tuple((m.number, base.image) for m in members))

    def _exact_stack_group(self, keys: list[StackKey]) -> _StackGroup | None:
        """The first-configured stack group whose match lines name every member."""
        candidates = self._stack_by_key.get(keys[0])
        if not candidates:
            return None
        for group in candidates:  # in configuration order
            if all(k in group.keys for k in keys):
                return group
        return None


def resolve(cfg: VstackConfig, client: ClientFacts) -> Assignment | None:
    """Convenience for one client: ``GroupIndex.build(cfg).resolve(client)``."""
    return GroupIndex.build(cfg).resolve(client)
