"""Client hostnames the director hands out with ``vstack hostname-prefix``.

The guide: "The last part of the switch hostname for a switch that had a DHCP
request snooped through the director contains the last 3 bytes of the switch
MAC address", and its example gives ``CISCO-bf.97c0`` for ``vstack
hostname-prefix Cisco``. So the name is ``<PREFIX upper-cased>-<b4>.<b5b6>``,
made from the MAC the DHCP request came from: a Catalyst's Vlan1 MAC, its base
MAC + 0x40. The ``show vstack status`` sample agrees: client 0024.13c6.b580 is
``DEV-c6.b5c`` there, ``DEV-c6.b5c0`` cut to the table's 10 columns.

Unlike the ``hostname`` command (letters, digits, hyphens), a DHCP-assigned
name has dots; it is checked as a DNS name: dot-separated labels of letters,
digits and hyphens, each starting and ending with a letter or digit, the whole
name starting with a letter and at most 63 characters.
"""

from __future__ import annotations

import re

from vstackcli.grammar.values import MacAddress

__all__ = ["MAX_HOSTNAME", "VLAN_MAC_OFFSET", "client_hostname", "is_legal_hostname", "vlan_mac"]

MAX_HOSTNAME = 63
VLAN_MAC_OFFSET = 0x40  # a Catalyst's Vlan1 (SVI) MAC is its base MAC + 0x40

_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$")


def is_legal_hostname(name: str) -> bool:
    """True for a name IOS accepts as a DHCP-assigned hostname (see the module docstring)."""
    if not name or len(name) > MAX_HOSTNAME or not name[0].isascii() or not name[0].isalpha():
        return False
    return all(_LABEL.match(label) for label in name.split("."))


def vlan_mac(base: MacAddress) -> MacAddress:
    """The MAC a Catalyst's Vlan1 interface uses, and so its DHCP requests: base MAC + 0x40 (carrying)."""
    value = base.value + VLAN_MAC_OFFSET
    if value > 0xFFFF_FFFF_FFFF:
        raise ValueError(f"no VLAN MAC above base MAC {base}")
    return MacAddress(value)


def client_hostname(prefix: str, dhcp_mac: MacAddress) -> str:
    """The hostname the director assigns: ``PREFIX-b4.b5b6`` from the DHCP request's MAC.

    An empty prefix (``no vstack hostname-prefix``) returns "": no hostname is
    assigned. Raises ValueError when the result is not a legal hostname (a
    prefix with characters such as ``_`` or ``.`` in odd places); the
    ``vstack hostname-prefix`` command accepts any WORD of up to 40 characters,
    so the engine should catch this and assign no hostname.
    """
    if not prefix:
        return ""
    h = dhcp_mac.hex
    name = f"{prefix.upper()}-{h[6:8]}.{h[8:12]}"
    if not is_legal_hostname(name):
        raise ValueError(f"{name!r} is not a legal hostname (prefix {prefix!r})")
    return name
