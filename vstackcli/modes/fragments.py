"""Spec fragments shared by several modes: interface names and built-in product families.

The product families and their port configurations come from one data table,
``data/families.toml``, so correcting the list needs no code change.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from vstackcli.engine.families import Family, family_for_pid, load_families
from vstackcli.grammar.tokens import INTERFACE_TYPES
from vstackcli.grammar.values import InterfaceName, parse_interface

__all__ = [
    "Family",
    "family_for_pid",
    "family_help",
    "family_spec",
    "interface_from",
    "interface_help",
    "interface_spec",
    "load_families",
]


@cache
def family_spec(family: str = "family", ports: str = "ports") -> str:
    """``<2960 <24|48>|3750 <24|24poe>|...>`` binding the chosen words to ``family`` and ``ports``."""
    options = []
    for name, fam in load_families().items():
        port_words = "|".join(f"{p}${ports}" for p in fam.ports)
        options.append(f"{name}${family} <{port_words}>")
    return "<" + "|".join(options) + ">"


@cache
def family_help() -> dict[str, str]:
    """Help texts keyed as the grammar looks them up: ``3750`` and ``3750 24poe``."""
    table: dict[str, str] = {}
    for name, fam in load_families().items():
        table[name] = fam.help
        for port, (text, _pids) in fam.ports.items():
            table[f"{name} {port}"] = text
    return table


def interface_spec(prefix: str) -> str:
    """``<GigabitEthernet IFNUM|Vlan <1-4094>|...|IFNAME>`` binding to ``<prefix>_type``/``_num``/``_joined``."""
    options = []
    for kind, (_help, shape) in INTERFACE_TYPES.items():
        number = "<1-4094>" if shape == "vlan" else ("<0-2147483647>" if shape == "number" else "IFNUM")
        options.append(f"{kind}${prefix}_type {number}${prefix}_num")
    options.append(f"IFNAME${prefix}_joined")
    return "<" + "|".join(options) + ">"


def interface_help(prefix: str) -> dict[str, str]:
    table = {kind: text for kind, (text, _shape) in INTERFACE_TYPES.items()}
    for kind, (_text, shape) in INTERFACE_TYPES.items():
        table[f"{kind} <1-4094>" if shape == "vlan" else f"{kind} IFNUM"] = f"{kind} interface number"
        table[f"{kind} <0-2147483647>"] = f"{kind} interface number"
    table[f"${prefix}_joined"] = "Interface name"
    return table


def interface_from(args: dict[str, Any], prefix: str) -> InterfaceName | None:
    """The interface a matched ``interface_spec(prefix)`` named."""
    joined = args.get(f"{prefix}_joined")
    if joined is not None:
        return joined
    kind = args.get(f"{prefix}_type")
    if kind is None:
        return None
    return parse_interface(str(args[f"{prefix}_num_str"]), kind)
