"""What the director knows about a client switch: the facts that group resolution,
replacement and hostname assignment work from. Plain data, shared by the engine modules."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from vstackcli.grammar.values import InterfaceName, MacAddress

__all__ = ["ClientFacts", "Neighbor", "StackMember"]


@dataclass(frozen=True)
class Neighbor:
    """The upstream neighbour of a client: its IP address and its interface that faces the client."""

    host: ipaddress.IPv4Address
    interface: InterfaceName


@dataclass(frozen=True)
class StackMember:
    number: int  # 1-9
    mac: MacAddress
    pid: str


@dataclass(frozen=True)
class ClientFacts:
    """A client as group resolution sees it."""

    mac: MacAddress
    pid: str
    upstream: Neighbor | None = None
    stack: tuple[StackMember, ...] = ()  # empty for a standalone switch
    in_database: bool = True

    @property
    def is_stack(self) -> bool:
        return len(self.stack) > 1
