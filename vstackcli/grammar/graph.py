"""Commands as data, compiled into token graphs.

A ``Command`` is a spec, help texts keyed by token, a handler and a few flags.
``compile_command`` turns its spec into position nodes (a Glushkov automaton: no
empty transitions), each knowing which nodes may follow it and whether the
command may end after it. ``no``/``default`` variants are compiled from the same
spec, with ``![...]`` parts made optional.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vstackcli.grammar.spec import Alt, Leaf, Seq, SpecError, parse_spec
from vstackcli.grammar.tokens import TokenType, lookup_token_type

__all__ = ["Command", "TokenNode", "compile_command"]

Handler = Callable[..., Any]


@dataclass(eq=False)
class Command:
    """One command of a mode.

    ``help`` maps a keyword or a placeholder name (``$name`` or its spelling) to
    its help text; shared texts come from the mode's help table. ``negatable``
    compiles ``no``/``default`` forms that call the same handler with
    ``negated=True``. ``available`` hides the command while it returns False
    (SMI proxy mode hides ``vstack director``). ``pipe`` allows ``| include``.
    """

    spec: str
    handler: Handler | None = None
    help: dict[str, str] = field(default_factory=dict)
    negatable: bool = False
    privilege: int = 1
    hidden: bool = False
    pipe: bool = False
    available: Callable[[Any], bool] | None = None
    only_negated: bool = False  # exists only as ``no ...`` (``no vstack``)
    shadow: bool = False  # an unmodelled keyword of the real mode, kept verbatim or refused
    opens_block: bool = False  # enters a submode (``interface``, ``line``, ``router``...)
    # filled by compile_command
    starts: list[TokenNode] = field(default_factory=list, repr=False)
    neg_starts: list[TokenNode] = field(default_factory=list, repr=False)
    order: int = 0

    @property
    def first_word(self) -> str:
        return self.spec.split()[0]


@dataclass(eq=False)
class TokenNode:
    """A position in a compiled command: a keyword or a typed value."""

    spelling: str
    ttype: TokenType | None  # None for a keyword
    name: str
    help: str
    command: Command
    negated: bool
    follow: list[TokenNode] = field(default_factory=list)
    ends: bool = False
    is_negator: bool = False  # the `no` / `default` that starts a negated form
    keyword: str = field(init=False)  # lower-cased spelling, matched against typed words

    def __post_init__(self) -> None:
        self.keyword = self.spelling.lower()

    @property
    def is_keyword(self) -> bool:
        return self.ttype is None

    def __repr__(self) -> str:
        return f"<{self.spelling}>"


@dataclass
class _Info:
    first: list[TokenNode]
    last: list[TokenNode]
    nullable: bool


class _Compiler:
    def __init__(self, command: Command, shared_help: dict[str, str], negated: bool):
        self.command = command
        self.shared_help = shared_help
        self.negated = negated
        self.prev_keyword = ""

    def help_for(self, leaf: Leaf, ttype: TokenType | None) -> str:
        keys = [f"${leaf.name}"] if leaf.name else []
        if self.prev_keyword:
            keys.append(f"{self.prev_keyword} {leaf.spelling}")
        keys.append(leaf.spelling)
        for table in (self.command.help, self.shared_help):
            for key in keys:
                if key in table:
                    return table[key]
        if ttype is not None:
            return ""
        raise SpecError(f"no help text for {leaf.spelling!r} in command {self.command.spec!r}")

    def leaf(self, leaf: Leaf) -> _Info:
        ttype = lookup_token_type(leaf.spelling)
        if ttype is None:
            name = leaf.name or leaf.spelling.lower().replace("-", "_")
            node = TokenNode(leaf.spelling, None, name, self.help_for(leaf, None), self.command, self.negated)
            self.prev_keyword = leaf.spelling
        else:
            default = self.prev_keyword.lower().replace("-", "_") or leaf.spelling.lower()
            name = leaf.name or default
            node = TokenNode(leaf.spelling, ttype, name, self.help_for(leaf, ttype), self.command, self.negated)
        return _Info([node], [node], False)

    def node(self, n: Leaf | Seq | Alt) -> _Info:
        if isinstance(n, Leaf):
            return self.leaf(n)
        if isinstance(n, Seq):
            return self.seq(n)
        return self.alt(n)

    def seq(self, seq: Seq) -> _Info:
        first: list[TokenNode] = []
        tails: list[TokenNode] = []
        nullable = True
        for item in seq.items:
            info = self.node(item)
            for t in tails:
                t.follow.extend(info.first)
            if nullable:
                first.extend(info.first)
            tails = info.last + (tails if info.nullable else [])
            nullable = nullable and info.nullable
        return _Info(first, tails, nullable)

    def alt(self, alt: Alt) -> _Info:
        first: list[TokenNode] = []
        last: list[TokenNode] = []
        nullable = alt.optional or (alt.negative_optional and self.negated)
        saved = self.prev_keyword
        for option in alt.options:
            self.prev_keyword = saved
            info = self.seq(option)
            first.extend(info.first)
            last.extend(info.last)
            nullable = nullable or info.nullable
        return _Info(first, last, nullable)


def _compile(command: Command, shared_help: dict[str, str], negated: bool) -> list[TokenNode]:
    tree = parse_spec(command.spec)
    info = _Compiler(command, shared_help, negated).seq(tree)
    if info.nullable:
        raise SpecError(f"command spec may match nothing: {command.spec!r}")
    for node in info.last:
        node.ends = True
    return info.first


def compile_command(command: Command, shared_help: dict[str, str]) -> Command:
    """Compile ``command`` in place: its positive and, when negatable, negative starts."""
    if not command.only_negated:
        command.starts = _compile(command, shared_help, negated=False)
    if command.negatable or command.only_negated:
        command.neg_starts = _compile(command, shared_help, negated=True)
    return command
