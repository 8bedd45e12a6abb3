"""The spec language: ``"vstack group custom WORD$name <mac|connectivity|stack|product-id>"``.

A small recursive-descent parser turns a spec string into a syntax tree when a
mode is first built. A bad spec raises ``SpecError`` with a caret under the
offending column, so a typo in a declaration fails loudly rather than at the
prompt. (pyparsing did this job first; at about 0.2 ms a spec it was 94 % of
building the command graphs, see docs/grammar.md, so this parser replaced it.)

Syntax:
  keyword          a literal word, matched by unique prefix (case-insensitive)
  PLACEHOLDER      a value type from ``tokens.TOKEN_TYPES`` or a range ``<1-4094>``
  X$name           binds the token's value to handler argument ``name``
  <a|b c>          exactly one of the alternatives (each a sequence)
  [a|b c]          optional, at most one of the alternatives
  ![a b]           required in the command, optional after ``no``/``default``
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

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

_TOKEN = re.compile(r"\s*(?:(<\d+-\d+>)|(!\[|[<>\[\]|])|([^\s<>\[\]|!$]+))(\$[a-z_][a-z0-9_]*)?")


class _Parser:
    def __init__(self, spec: str):
        self.spec = spec
        self.tokens: list[tuple[str, str, str | None, int]] = []  # (kind, text, name, column)
        pos = 0
        while pos < len(spec):
            if spec[pos:].strip() == "":
                break
            m = _TOKEN.match(spec, pos)
            if m is None or m.end() == pos:
                self.fail(len(spec) - len(spec[pos:].lstrip()), "unexpected character")
            column = m.start(1) if m.group(1) else (m.start(2) if m.group(2) else m.start(3))
            if m.group(2):
                if m.group(4):
                    self.fail(m.start(4), "a $name must follow a word")
                self.tokens.append(("punct", m.group(2), None, column))
            else:
                name = m.group(4)[1:] if m.group(4) else None
                self.tokens.append(("word", m.group(1) or m.group(3), name, column))
            pos = m.end()
        self.index = 0

    def fail(self, column: int, message: str) -> None:
        raise SpecError(f"bad command spec:\n  {self.spec}\n  {' ' * column}^\n  {message}")

    def peek(self) -> tuple[str, str, str | None, int] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def sequence(self, closers: str) -> Seq:
        items: list[Node] = []
        while True:
            token = self.peek()
            if token is None or (token[0] == "punct" and token[1] in closers):
                break
            kind, text, name, column = token
            self.index += 1
            if kind == "word":
                items.append(Leaf(text, name))
            elif text in ("<", "[", "!["):
                close = ">" if text == "<" else "]"
                options = self.options(close, column)
                items.append(Alt(options, optional=text == "[", negative_optional=text == "!["))
            else:
                self.fail(column, f"unexpected {text!r}")
        if not items:
            token = self.peek()
            self.fail(token[3] if token else len(self.spec), "expected a word or a group")
        return Seq(items)

    def options(self, close: str, opened_at: int) -> list[Seq]:
        options = [self.sequence("|" + close)]
        while True:
            token = self.peek()
            if token is None:
                self.fail(opened_at, f"this group is never closed with {close!r}")
            self.index += 1
            if token[1] == close:
                return options
            if token[1] != "|":
                self.fail(token[3], f"expected '|' or {close!r}")
            options.append(self.sequence("|" + close))


@lru_cache(maxsize=4096)
def parse_spec(spec: str) -> Seq:
    """Parse a spec string into a ``Seq``; raise ``SpecError`` with a caret on failure.

    Trees are cached and must be treated as read-only.
    """
    parser = _Parser(spec)
    tree = parser.sequence("")
    if parser.peek() is not None:
        parser.fail(parser.peek()[3], f"unexpected {parser.peek()[1]!r}")
    return tree
