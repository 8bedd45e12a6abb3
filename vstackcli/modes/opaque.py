"""Opaque submodes: ``line vty 0 4``, ``router ospf 1``, ``vlan 10``... opened by shadow keywords.

vstackcli does not model what is typed inside them; each line is kept verbatim
under the block that opened the mode, so real configurations replay and render
back whole.
"""

from __future__ import annotations

from vstackcli.engine.model import OpaqueBlock
from vstackcli.grammar.graph import Command
from vstackcli.modes.base import Call, Mode, config_mode_commands

__all__ = ["opaque_mode"]


def _keep(call: Call) -> None:
    block: OpaqueBlock = call.target
    line = call.arg("line")
    if call.negated:
        line = "no " + line
    key = line.removeprefix("no ")
    block.children[:] = [c for c in block.children if c.removeprefix("no ") != key]
    block.children.append(line)
    call.changed()


def opaque_mode(name: str, parent: str) -> Mode:
    commands = [
        *config_mode_commands("Exit from this configuration mode"),
        Command("LINE$line", _keep, help={"$line": "Configuration line (kept verbatim)"}, negatable=True),
    ]
    mode = Mode(f"{parent}/{name}", f"({name})", "Configuration commands:", parent, commands)
    mode.opaque = True
    return mode
