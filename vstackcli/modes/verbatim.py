"""How verbatim lines (keywords vstackcli keeps as typed) replace each other, as IOS keeps one line per setting.

A line replaces the line with the same words (``no`` aside), or, for a single-valued command, the line of the
same command whatever its value (``spanning-tree mode rapid-pvst`` replaces the factory ``spanning-tree mode
pvst`` in place). ``switchport trunk allowed vlan add|remove|except|all|none`` edits the allowed list as IOS
does. ``no`` returns to what IOS shows for the default (``negate``).
"""

from __future__ import annotations

import functools

from vstackcli.engine.model import OpaqueBlock
from vstackcli.engine.render import opaque_rank
from vstackcli.grammar.values import VlanList

__all__ = ["KEYED", "SINGLE_VALUED", "key_of", "negate", "store_verbatim"]

# Commands that hold one value: a new line replaces the old one whatever its argument, as IOS keeps one
# (`spanning-tree mode rapid-pvst` replaces the default `spanning-tree mode pvst`). A line that edits a list
# (`switchport trunk allowed vlan add 30`) is resolved against the current one first (`_edit_allowed`).
SINGLE_VALUED = frozenset({
    # global configuration
    "spanning-tree mode", "vtp mode", "vtp domain", "vtp version", "vtp password", "system mtu",
    "system mtu routing", "system mtu jumbo", "clock timezone", "ip domain-name", "ip domain name",
    "ip default-gateway", "logging buffered", "logging console", "logging monitor", "logging trap",
    "logging source-interface", "logging facility", "snmp-server location", "snmp-server contact",
    "snmp-server chassis-id", "ip tftp source-interface", "ip ftp source-interface", "ntp source",
    "ip ssh version", "ip ssh time-out", "ip ssh authentication-retries", "ip ssh source-interface",
    "errdisable recovery interval", "service timestamps debug", "service timestamps log",
    "ip http port", "ip http authentication", "ip http secure-port", "vlan internal allocation policy",
    "mac address-table aging-time", "ip radius source-interface", "ip tacacs source-interface",
    "spanning-tree pathcost method", "port-channel load-balance",
    # interface configuration
    "switchport mode", "switchport access vlan", "switchport voice vlan", "switchport trunk native vlan",
    "switchport trunk encapsulation", "switchport trunk allowed vlan", "speed", "duplex", "mtu",
    "channel-group", "spanning-tree port-priority", "spanning-tree cost", "load-interval", "bandwidth", "delay",
})  # not here: commands whose first words name several settings (`power inline`, `storm-control action`)
# Commands keyed by their first N words: one line per alias name, community, NTP server or syslog host,
# whatever options follow (`alias exec sv show vstack status` replaces an earlier `alias exec sv ...`).
KEYED = {"alias exec": 3, "alias configure": 3, "alias interface": 3, "alias line": 3,
         "snmp-server community": 3, "ntp server": 3, "ntp peer": 3, "logging host": 3}
_LIST_EDITS = {"add", "remove", "except"}
_ALLOWED = "switchport trunk allowed vlan"
_ALL_VLANS = range(1, 4095)
_NEGATION_SHOWN = frozenset({"logging console", "logging monitor", "logging buffered", "logging trap"})


@functools.lru_cache(maxsize=1 << 16)
def key_of(line: str) -> str:
    """What a new line replaces: the same words (``no`` aside), or the command of a single-valued one.

    Cached: every new line is compared with every kept one, so a config of thousands of verbatim lines
    (numbered access lists) would otherwise split the same strings millions of times."""
    words = line.split()
    if words and words[0] == "no":
        words = words[1:]
    for n in range(min(4, len(words)), 0, -1):
        prefix = " ".join(words[:n])
        if prefix in SINGLE_VALUED and not (len(words) > n and words[n] in _LIST_EDITS):
            return prefix
        if prefix in KEYED and len(words) >= KEYED[prefix]:
            return " ".join(words[:KEYED[prefix]])
    return " ".join(words)


def store_verbatim(blocks: list[OpaqueBlock], line: str, children: list[str] | None = None,
                   ranked: bool = False) -> OpaqueBlock:
    """Keep ``line`` in ``blocks``, replacing the block with the same words (``no`` aside).

    With ``ranked`` (global lines) a new block goes after the last block of its
    running-config section, so the list is always in the order it renders.
    """
    if line.startswith(_ALLOWED + " "):
        edited = _edit_allowed(blocks, line)
        if edited is None:  # every VLAN again: the default, which IOS does not show
            blocks[:] = [b for b in blocks if key_of(b.line) != _ALLOWED]
            return OpaqueBlock(line)
        line = edited
    key = key_of(line)
    for i, block in enumerate(blocks):
        if key_of(block.line) == key:
            blocks[i] = OpaqueBlock(line, children if children is not None else block.children)
            return blocks[i]
    block = OpaqueBlock(line, children or [])
    if ranked:
        rank = opaque_rank(line)
        position = len(blocks)
        while position > 0 and opaque_rank(blocks[position - 1].line) > rank:
            position -= 1
        blocks.insert(position, block)
    else:
        blocks.append(block)
    return block


def _edit_allowed(blocks: list[OpaqueBlock], line: str) -> str | None:
    """``switchport trunk allowed vlan [add|remove|except] LIST|all|none`` applied to the current list:
    the line IOS then shows, or None for all VLANs. A malformed list is kept as typed."""
    words = line.split()[4:]
    current_line = next((b.line for b in blocks if key_of(b.line) == _ALLOWED), None)
    current = set(_ALL_VLANS) if current_line is None else _vlans(current_line.split()[4])
    try:
        op = words[0]
        if op in _LIST_EDITS:
            given = set(VlanList.parse(words[1], 1, 4094))
            result = {"add": current | given, "remove": current - given, "except": set(_ALL_VLANS) - given}[op]
        else:
            result = _vlans(op)
    except (ValueError, IndexError):
        return line
    if result == set(_ALL_VLANS):
        return None
    return f"{_ALLOWED} {VlanList.of(result) if result else 'none'}"


def _vlans(text: str) -> set[int]:
    """An allowed-VLAN value: ``all``, ``none`` or a list."""
    if text == "all":
        return set(_ALL_VLANS)
    if text == "none":
        return set()
    return set(VlanList.parse(text, 1, 4094))


def negate(blocks: list[OpaqueBlock], line: str, defaults: list[str], ranked: bool) -> None:
    """``no LINE`` on a verbatim line, as IOS shows the result.

    A single-valued command goes back to its default: the factory line again (``no spanning-tree mode``
    shows ``spanning-tree mode pvst``), ``no`` and the command where disabling is a state of its own (``no
    logging console``), else nothing. A keyed line goes (``no alias exec sv``, ``no ntp server 10.0.0.1``).
    A line whose factory form is its ``no`` form returns to it (``no service password-encryption``).
    Otherwise a line the switch has by default is shown negated (``no ip
    http server``), a line the user set goes (``no file prompt quiet``: IOS does not show the default), and
    anything else is kept as ``no LINE`` (``no ip domain-lookup``).
    """
    key = key_of(line)
    default = next((d for d in defaults if key_of(d) == key), None)
    if key in SINGLE_VALUED:
        if default is not None:
            store_verbatim(blocks, default, ranked=ranked)  # in place of the current value, if any
            return
        blocks[:] = [b for b in blocks if key_of(b.line) != key]
        if key in _NEGATION_SHOWN:
            store_verbatim(blocks, "no " + key, ranked=ranked)
    elif any(key.startswith(prefix + " ") and len(key.split()) == n for prefix, n in KEYED.items()):
        blocks[:] = [b for b in blocks if key_of(b.line) != key]  # `no alias exec sv`, `no ntp server X`
    elif default is not None and default != line:
        store_verbatim(blocks, default, ranked=ranked)  # `no service password-encryption`: the factory line again
    elif default == line or not any(b.line == line for b in blocks):
        store_verbatim(blocks, "no " + line, ranked=ranked)
    else:
        blocks[:] = [b for b in blocks if b.line != line]


