"""Command aliases: ``alias exec sv show vstack status`` makes ``sv`` run ``show vstack status``.

IOS expands the first word of a line when it is exactly an alias of the current mode, keeping the
words after it (``sv detail`` runs ``show vstack status detail``). Exec mode has IOS's built-in aliases
(``s`` is ``show``, ``h`` is ``help``...). ``show aliases [MODE]`` lists them; the ``alias`` lines
themselves are kept verbatim in the running-config.
"""

from __future__ import annotations

from vstackcli.engine.model import RunningConfig
from vstackcli.grammar.graph import Command
from vstackcli.modes.base import Call

__all__ = ["ALIAS_COMMANDS", "BUILT_IN", "aliases", "expand"]

BUILT_IN = {"exec": {"h": "help", "lo": "logout", "p": "ping", "r": "resume", "s": "show", "u": "undebug",
                     "un": "undebug", "w": "where"}}
_MODE_KINDS = {"exec": "exec", "config": "configure", "config-if": "interface", "config-line": "line",
               "dhcp-config": "dhcp"}
_TITLES = {"exec": "Exec", "configure": "Global configuration", "interface": "Interface configuration",
           "line": "Line configuration", "dhcp": "DHCP pool configuration"}


def aliases(config: RunningConfig, kind: str) -> dict[str, str]:
    """The aliases of one alias mode (``exec``, ``configure``...): built-in first, then configured."""
    found = dict(BUILT_IN.get(kind, {}))
    prefix = f"alias {kind} "
    for block in config.extra:
        if block.line.startswith(prefix):  # checked on every typed line: no split for the others
            words = block.line.split(None, 3)
            if len(words) == 4:
                found[words[2]] = words[3]
    return found


def expand(config: RunningConfig, mode_name: str, text: str) -> str:
    """``text`` with its first word replaced when it is an alias of the mode ``mode_name``."""
    kind = _MODE_KINDS.get(mode_name)
    if kind is None:
        return text
    word, _, rest = text.strip().partition(" ")
    target = aliases(config, kind).get(word)
    if target is None:
        return text
    return f"{target} {rest}".rstrip() if rest else target


def _show_aliases(call: Call) -> None:
    wanted = call.arg("mode")
    kinds = [wanted] if wanted else ["exec", "configure", "interface", "line", "dhcp"]
    for kind in kinds:
        found = aliases(call.config, kind)
        if not found and not wanted and kind != "exec":
            continue
        call.print(f"{_TITLES[kind]} mode aliases:")
        for name, target in found.items():
            call.print(f"  {name:<22}{target}")
        call.print("")


ALIAS_COMMANDS = [
    Command("show aliases [<exec$mode|configure$mode|interface$mode|line$mode|dhcp$mode>]", _show_aliases, pipe=True,
            help={"show": "Show running system information", "aliases": "Display alias commands",
                  "exec": "Exec mode", "configure": "Global configuration mode",
                  "interface": "Interface configuration mode", "line": "Line configuration mode",
                  "dhcp": "DHCP pool configuration mode"}),
]
