"""An index of the subnets configured on interfaces, for IOS's overlap check.

``ip address`` must refuse a subnet that overlaps another interface's. Scanning
every interface made a 10,000-line replay with hundreds of VLAN interfaces
quadratic; this index answers in time proportional to the number of distinct
prefix lengths.
"""

from __future__ import annotations

import bisect
import ipaddress

__all__ = ["SubnetIndex"]


class SubnetIndex:
    """Subnets by prefix length: network address (int) -> owner name."""

    def __init__(self) -> None:
        self._by_length: dict[int, dict[int, str]] = {}
        self._sorted: dict[int, list[int]] = {}

    def add(self, subnet: ipaddress.IPv4Interface, owner: str) -> None:
        length = subnet.network.prefixlen
        net = int(subnet.network.network_address)
        nets = self._by_length.setdefault(length, {})
        if net not in nets:
            bisect.insort(self._sorted.setdefault(length, []), net)
        nets[net] = owner

    def remove(self, subnet: ipaddress.IPv4Interface, owner: str) -> None:
        length = subnet.network.prefixlen
        net = int(subnet.network.network_address)
        nets = self._by_length.get(length, {})
        if nets.get(net) == owner:
            del nets[net]
            keys = self._sorted[length]
            keys.pop(bisect.bisect_left(keys, net))

    def overlapping(self, subnet: ipaddress.IPv4Interface, ignore: str) -> str | None:
        """The owner of a subnet that contains or lies inside ``subnet`` (other than ``ignore``)."""
        length = subnet.network.prefixlen
        net = int(subnet.network.network_address)
        size = 1 << (32 - length)
        for other_length, nets in self._by_length.items():
            if other_length <= length:
                mask = (0xFFFFFFFF << (32 - other_length)) & 0xFFFFFFFF
                owner = nets.get(net & mask)
                if owner is not None and owner != ignore:
                    return owner
            else:
                keys = self._sorted[other_length]
                i = bisect.bisect_left(keys, net)
                while i < len(keys) and keys[i] < net + size:
                    owner = nets[keys[i]]
                    if owner != ignore:
                        return owner
                    i += 1
        return None
