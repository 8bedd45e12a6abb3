"""Shadow keywords: the real mode's commands that vstackcli does not model.

They come from ``data/shadows/<mode>.tsv`` (``words<TAB>kind<TAB>help``) and
make abbreviation, ambiguity, carets and `?` listings those of a real switch.
In configuration modes their lines are kept verbatim (``verbatim.py`` says which
line replaces which), and ``submode:`` kinds open an opaque submode whose
lines are kept under the block. In exec modes they are refused in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from vstackcli.engine.device import factory_lines
from vstackcli.engine.model import OpaqueBlock
from vstackcli.grammar.graph import Command
from vstackcli.modes.base import Call, CommandError
from vstackcli.modes.verbatim import key_of, negate, store_verbatim

__all__ = ["ShadowEntry", "config_shadows", "exec_shadows", "load_shadows", "store_verbatim"]


@dataclass(frozen=True)
class ShadowEntry:
    words: tuple[str, ...]
    kind: str
    help: str

    @property
    def submode(self) -> str | None:
        return self.kind.split(":", 1)[1] if self.kind.startswith("submode:") else None


@cache
def load_shadows(table: str) -> tuple[ShadowEntry, ...]:
    """Read one shadow table; a missing table is empty."""
    try:
        text = resources.files("vstackcli.data").joinpath(f"shadows/{table}.tsv").read_text()
    except FileNotFoundError:
        return ()
    entries = []
    for raw in text.splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) != 3:
            raise ValueError(f"shadows/{table}.tsv: bad line {raw!r}")
        entries.append(ShadowEntry(tuple(parts[0].split()), parts[1].strip(), parts[2].strip()))
    return tuple(entries)


def _blocks(call: Call) -> tuple[list[OpaqueBlock], bool]:
    """Where a verbatim line of this mode goes, and whether it is a global (ranked) line."""
    extra = getattr(call.target, "extra", None)
    return (extra, False) if isinstance(extra, list) else (call.config.extra, True)


def _make_config_handler(entry: ShadowEntry):
    def handler(call: Call) -> None:
        words = [*entry.words]
        rest = call.args.get("rest_str", "")
        line = " ".join(words) + (f" {rest}" if rest else "")
        blocks, ranked = _blocks(call)
        if call.negated:
            if entry.submode is not None:
                # `no line vty 5 15`, `no router ospf 1`: the block goes
                blocks[:] = [b for b in blocks if key_of(b.line) != line]
            else:
                negate(blocks, line, factory_lines(call.device.platform) if ranked else [], ranked)
            call.changed()
            return
        block = store_verbatim(blocks, line, ranked=ranked)
        call.changed()
        if entry.submode is not None:
            call.enter(f"{call.session.mode.name}/{entry.submode}", block)

    return handler


def _make_exec_handler(entry: ShadowEntry):
    def handler(call: Call) -> None:
        raise CommandError(f"% '{' '.join(entry.words)}' is not supported by vstackcli")

    return handler


def config_shadows(table: str, modelled: dict[str, str]) -> list[Command]:
    """Commands for a configuration mode's shadow table; ``modelled`` gives help for parent words."""
    commands = []
    for entry in load_shadows(table):
        rest = {"line": " LINE$rest", "bare": " [LINE$rest]"}.get(entry.kind, " [LINE$rest]")
        help_ = {**modelled, entry.words[-1]: entry.help}
        commands.append(Command(" ".join(entry.words) + rest, _make_config_handler(entry), help=help_,
                                negatable=True, shadow=True, opens_block=entry.submode is not None))
        if entry.kind == "line":
            # IOS takes `no speed` without the value it needs to set one
            commands.append(Command(" ".join(entry.words), _make_config_handler(entry), help=help_,
                                    only_negated=True, shadow=True))
    return commands


def exec_shadows(table: str, modelled: dict[str, str], privilege: int = 1) -> list[Command]:
    """Commands for an exec shadow table: recognised, then refused in words."""
    return [
        Command(" ".join(e.words) + " [LINE$rest]", _make_exec_handler(e), help={**modelled, e.words[-1]: e.help},
                privilege=privilege, shadow=True)
        for e in load_shadows(table)
    ]


def opaque_submodes(*tables: str) -> set[str]:
    """Every opaque submode name the shadow tables open."""
    return {e.submode for t in tables for e in load_shadows(t) if e.submode}
