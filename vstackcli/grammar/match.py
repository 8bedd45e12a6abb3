"""The only walker: one pass over a mode's commands for execute, `?`, Tab and the caret.

The walk is IOS's: word by word, no look-ahead. At each word the candidate
tokens of every live path are matched; an exact keyword or a typed value beats
a keyword abbreviation, which beats WORD/LINE. Two different keywords that the
word abbreviates make the line ambiguous at that word. When nothing can match,
the caret goes under the first character at which no candidate can still match.
Results are frozen dataclasses; nothing here prints.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vstackcli.grammar.graph import Command, TokenNode, compile_command
from vstackcli.grammar.tokens import Level

__all__ = [
    "Ambiguous",
    "Empty",
    "HelpEntry",
    "Incomplete",
    "Invalid",
    "Match",
    "ModeGraph",
    "Word",
    "split_words",
]


@dataclass(frozen=True)
class Word:
    text: str
    offset: int


def split_words(line: str) -> list[Word]:
    """Split on blanks, remembering where each word starts."""
    words: list[Word] = []
    i, n = 0, len(line)
    while i < n:
        while i < n and line[i] in " \t":
            i += 1
        start = i
        while i < n and line[i] not in " \t":
            i += 1
        if i > start:
            words.append(Word(line[start:i], start))
    return words


@dataclass(frozen=True)
class Match:
    command: Command
    args: dict[str, Any]
    negated: bool
    default: bool = False


@dataclass(frozen=True)
class Incomplete:
    pass


@dataclass(frozen=True)
class Ambiguous:
    offset: int


@dataclass(frozen=True)
class Invalid:
    offset: int
    unrecognized: bool = False  # the first word matched nothing at all


@dataclass(frozen=True)
class Empty:
    pass


Result = Match | Incomplete | Ambiguous | Invalid | Empty


@dataclass(frozen=True)
class HelpEntry:
    display: str
    help: str


@dataclass
class _Thread:
    nexts: list[TokenNode]
    bindings: tuple[tuple[TokenNode, str], ...] = ()
    ends: bool = False
    done: bool = False  # a LINE token took the rest of the line


@dataclass
class _Walk:
    threads: list[_Thread] = field(default_factory=list)
    failure: Result | None = None


NEGATORS = {"no": "Negate a command or set its defaults", "default": "Set a command to its defaults"}


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _level(node: TokenNode, word: str) -> Level:
    if node.ttype is None:
        kw, w = node.keyword, word.lower()
        if kw == w:
            return Level.EXACT
        return Level.PARTIAL if kw.startswith(w) else Level.NONE
    return node.ttype.level(word)


class ModeGraph:
    """All commands of one mode, compiled, with a first-keyword index."""

    def __init__(self, commands: Iterable[Command], shared_help: dict[str, str], negation: bool,
                 list_default: bool = True):
        self.commands = [compile_command(c, shared_help) for c in commands]
        for i, c in enumerate(self.commands):
            c.order = i
        self.negation = negation
        self._by_keyword: dict[str, list[TokenNode]] = {}
        self._value_starts: list[TokenNode] = []
        for command in self.commands:
            for node in command.starts:
                if node.is_keyword:
                    self._by_keyword.setdefault(node.keyword, []).append(node)
                else:
                    self._value_starts.append(node)
        self._negators: dict[str, TokenNode] = {}
        if negation and any(c.neg_starts for c in self.commands):
            for word, text in NEGATORS.items():
                dummy = Command(word, help={word: text}, hidden=word == "default" and not list_default)
                node = TokenNode(word, None, word, text, dummy, negated=True, is_negator=True)
                self._negators[word] = node
                self._by_keyword.setdefault(word, []).append(node)
        self._keywords = sorted(self._by_keyword)

    # ---- candidates -------------------------------------------------------------------------

    def _visible(self, command: Command, ctx: Any) -> bool:
        if command.privilege > getattr(ctx, "privilege", 15):
            return False
        return command.available is None or command.available(ctx)

    def _start_nodes(self, ctx: Any, word: str | None) -> list[TokenNode]:
        """Start nodes whose keyword the word abbreviates (all of them when word is None)."""
        if word is None:
            keys: Iterable[str] = self._keywords
        else:
            w = word.lower()
            i = bisect.bisect_left(self._keywords, w)
            keys = []
            while i < len(self._keywords) and self._keywords[i].startswith(w):
                keys.append(self._keywords[i])
                i += 1
        nodes = [n for k in keys for n in self._by_keyword[k]]
        nodes.extend(self._value_starts)
        privilege = getattr(ctx, "privilege", 15)
        return [n for n in nodes if n.is_negator or (
            n.command.privilege <= privilege and (n.command.available is None or n.command.available(ctx)))]

    def _visible_node(self, node: TokenNode, ctx: Any) -> bool:
        return node.is_negator or self._visible(node.command, ctx)

    def _follow(self, node: TokenNode, ctx: Any) -> list[TokenNode]:
        if node.is_negator:
            return [n for c in self.commands if c.neg_starts and self._visible(c, ctx) for n in c.neg_starts]
        return node.follow

    def _caret(self, word: Word, nodes: Iterable[TokenNode]) -> int:
        w = word.text.lower()
        best = 0
        for node in nodes:
            if node.is_keyword:
                best = max(best, _common_prefix(node.keyword, w))
        return word.offset + min(best, len(w))

    def _first_word_caret(self, word: Word, ctx: Any) -> int:
        w = word.text.lower()
        best = 0
        for k in self._keywords:
            if k[:1] == w[:1] and any(self._visible_node(n, ctx) for n in self._by_keyword[k]):
                best = max(best, _common_prefix(k, w))
        return word.offset + min(best, len(w))

    # ---- the walk ---------------------------------------------------------------------------

    def _walk(self, line: str, words: list[Word], ctx: Any) -> _Walk:
        walk = _Walk()
        if not words:
            walk.threads = [_Thread(self._start_nodes(ctx, None))]
            return walk
        threads = [_Thread(self._start_nodes(ctx, words[0].text))]
        for index, word in enumerate(words):
            live = [t for t in threads if not t.done]
            done = [t for t in threads if t.done]
            cands: list[tuple[_Thread, TokenNode, Level]] = []
            text, lowered = word.text, word.text.lower()
            for thread in live:
                for node in thread.nexts:
                    if node.ttype is None:
                        if node.keyword == lowered:
                            cands.append((thread, node, Level.EXACT))
                        elif node.keyword.startswith(lowered):
                            cands.append((thread, node, Level.PARTIAL))
                    elif node.ttype.level(text) is Level.EXACT:
                        cands.append((thread, node, Level.EXACT))
            chosen = self._choose(cands)
            if isinstance(chosen, Ambiguous):
                walk.failure = Ambiguous(word.offset)
                return walk
            if not chosen:
                if done:
                    walk.threads = done
                    return walk
                if index == 0:
                    offset = self._first_word_caret(word, ctx)
                    walk.failure = Invalid(offset, unrecognized=True)
                else:
                    nodes = [n for t in live for n in t.nexts]
                    walk.failure = Invalid(self._caret(word, nodes))
                return walk
            threads = done
            for thread, node in chosen:
                if node.ttype is not None and node.ttype.greedy:
                    raw = line[word.offset:].rstrip()
                    threads.append(_Thread([], (*thread.bindings, (node, raw)), node.ends, done=True))
                else:
                    threads.append(
                        _Thread(self._follow(node, ctx), (*thread.bindings, (node, word.text)), node.ends)
                    )
        walk.threads = threads
        return walk

    @staticmethod
    def _choose(
        cands: list[tuple[_Thread, TokenNode, Level]],
    ) -> list[tuple[_Thread, TokenNode]] | Ambiguous:
        if len(cands) == 1:
            return [(cands[0][0], cands[0][1])]
        strong = [(t, n) for t, n, lv in cands if lv is Level.EXACT and (n.ttype is None or n.ttype.precedence < 4)]
        if strong:
            return strong
        partial = [(t, n) for t, n, lv in cands if n.is_keyword and lv is Level.PARTIAL]
        if any(not n.command.hidden for _, n in partial):
            partial = [(t, n) for t, n in partial if not n.command.hidden]
        if partial:
            if len({n.keyword for _, n in partial}) > 1:
                return Ambiguous(0)
            return partial
        return [(t, n) for t, n, lv in cands if lv is Level.EXACT]

    # ---- public queries ---------------------------------------------------------------------

    def parse(self, line: str, ctx: Any = None) -> Result:
        """Match a whole line: a command with its typed arguments, or why not."""
        words = split_words(line)
        if not words:
            return Empty()
        walk = self._walk(line, words, ctx)
        if walk.failure is not None:
            return walk.failure
        complete = [t for t in walk.threads if t.ends]
        if not complete:
            return Incomplete()
        best = min(complete, key=_thread_rank)
        return _to_match(best)

    def help(self, line: str, ctx: Any = None) -> list[HelpEntry] | Result:
        """The `?` listing for ``line`` (which ends just before the ``?``)."""
        words = split_words(line)
        partial = bool(line) and line[-1] not in " \t"
        if partial:
            walk = self._walk(line, words[:-1], ctx)
            if walk.failure is not None:
                return walk.failure
            return self._partial_entries(walk, words[-1].text, ctx, first=len(words) == 1)
        walk = self._walk(line, words, ctx)
        if walk.failure is not None:
            return walk.failure
        return self._next_entries(walk, ctx)

    def _next_entries(self, walk: _Walk, ctx: Any = None) -> list[HelpEntry]:
        entries: dict[str, HelpEntry] = {}
        can_end = False
        for thread in walk.threads:
            can_end = can_end or thread.ends
            if thread.done:
                continue
            for node in thread.nexts:
                if node.command.hidden:
                    continue
                if node.ttype is None:
                    entries.setdefault(node.spelling.lower(), HelpEntry(node.spelling, node.help))
                elif not node.ttype.hidden:
                    for display, text in node.ttype.help_entries(node.help, ctx):
                        entries.setdefault(display.lower(), HelpEntry(display, text))
        ordered = sorted(entries.values(), key=_help_order)
        if can_end:
            ordered.append(HelpEntry("<cr>", ""))
        return ordered

    def _partial_entries(self, walk: _Walk, partial: str, ctx: Any, first: bool) -> list[HelpEntry]:
        entries: dict[str, HelpEntry] = {}
        nodes = self._start_nodes(ctx, partial) if first else [n for t in walk.threads if not t.done
                                                                   for n in t.nexts]
        for node in nodes:
            level = _level(node, partial)
            if level is Level.NONE or node.command.hidden:
                continue
            if node.ttype is None:
                entries.setdefault(node.spelling.lower(), HelpEntry(node.spelling, node.help))
            elif node.ttype.completions(partial):
                for c in node.ttype.completions(partial):
                    entries.setdefault(c, HelpEntry(c, ""))
            elif not node.ttype.hidden:
                entries.setdefault(node.spelling, HelpEntry(node.spelling, node.help))
        return sorted(entries.values(), key=_help_order)

    def complete(self, line: str, ctx: Any = None) -> list[str]:
        """Tab: the keywords (and URL schemes) that the last partial word may become."""
        split_words(line)
        if not line or line[-1] in " \t":
            return []
        entries = self.help(line, ctx)
        if not isinstance(entries, list):
            return []
        return [e.display for e in entries if not e.display.startswith("<") and not e.display.isupper()
                and "." not in e.display[:2]]

    def first_keywords(self, ctx: Any = None) -> list[str]:
        return [k for k in self._keywords if any(self._visible_node(n, ctx) for n in self._by_keyword[k])]


def _thread_rank(thread: _Thread) -> tuple[int, int]:
    command = thread.bindings[-1][0].command if thread.bindings else None
    precedence = sum(n.ttype.precedence if n.ttype else 1 for n, _ in thread.bindings)
    return (precedence, command.order if command else 0)


def _to_match(thread: _Thread) -> Match:
    args: dict[str, Any] = {}
    negated = default = False
    command: Command | None = None
    for node, text in thread.bindings:
        if node.is_negator:
            negated = True
            default = node.keyword == "default"
            continue
        command = node.command
        if node.ttype is None:
            args[node.name] = node.spelling
        else:
            args[node.name] = node.ttype.convert(text)
            args[node.name + "_str"] = text
    assert command is not None
    return Match(command, args, negated, default)


def _help_order(entry: HelpEntry) -> tuple[int, str]:
    d = entry.display
    if d.startswith("<") and d[1:2].isdigit():
        return (0, d)
    if d == "|":
        return (2, d)
    return (1, d.lower().replace(":", " "))
