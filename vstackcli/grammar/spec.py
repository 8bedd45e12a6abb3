"""The spec language: ``"vstack group custom WORD$name <mac|connectivity|stack|product-id>"``.

pyparsing turns a spec string into a small syntax tree once, at import. A bad
spec raises ``SpecError`` with a caret under the offending column, so a typo in
a command declaration fails loudly at start-up rather than at the prompt.

Syntax:
  keyword          a literal word, matched by unique prefix (case-insensitive)
  PLACEHOLDER      a value type from ``tokens.TOKEN_TYPES`` or a range ``<1-4094>``
  X$name           binds the token's value to handler argument ``name``
  <a|b c>          exactly one of the alternatives (each a sequence)
  [a|b c]          optional, at most one of the alternatives
  ![a b]           required in the command, optional after ``no``/``default``
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyparsing as pp

__all__ = ["Alt", "Leaf", "Node", "Seq", "SpecError", "parse_spec"]


class SpecError(ValueError):
    """A command spec that cannot be parsed."""


@dataclass
class Leaf:
    spelling: str
    name: str | None = None


@dataclass
class Seq:
    items: list[Node] = field(default_factory=list)


@dataclass
class Alt:
    options: list[Seq]
    optional: bool = False
    negative_optional: bool = False  # the ![...] form


Node = Leaf | Seq | Alt


def _grammar() -> pp.ParserElement:
    name = pp.Regex(r"\$[a-z_][a-z0-9_]*")
    word = pp.Regex(r"[^\s<>\[\]|!$]+")
    range_tok = pp.Regex(r"<\d+-\d+>")
    expr = pp.Forward()
    seq = pp.Group(pp.OneOrMore(expr))
    options = pp.DelimitedList(seq, delim="|")

    leaf = (range_tok | word) + pp.Optional(name)
    leaf.set_parse_action(lambda t: Leaf(t[0], t[1][1:] if len(t) > 1 else None))
    alt = pp.Suppress("<") + options + pp.Suppress(">")
    alt.set_parse_action(lambda t: Alt([Seq(list(s)) for s in t]))
    neg = pp.Suppress("![") + options + pp.Suppress("]")
    neg.set_parse_action(lambda t: Alt([Seq(list(s)) for s in t], negative_optional=True))
    opt = pp.Suppress("[") + options + pp.Suppress("]")
    opt.set_parse_action(lambda t: Alt([Seq(list(s)) for s in t], optional=True))
    expr <<= leaf | alt | neg | opt
    return pp.OneOrMore(expr) + pp.StringEnd()


_GRAMMAR = _grammar()


def parse_spec(spec: str) -> Seq:
    """Parse a spec string into a ``Seq``; raise ``SpecError`` with a caret on failure."""
    try:
        return Seq(list(_GRAMMAR.parse_string(spec, parse_all=True)))
    except pp.ParseException as exc:
        caret = " " * exc.col + "^"
        raise SpecError(f"bad command spec:\n  {spec}\n  {caret[1:]}\n  {exc.msg}") from None
