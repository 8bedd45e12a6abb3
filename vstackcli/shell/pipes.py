"""Output modifiers: ``| include``, ``exclude``, ``begin``, ``section``, ``count``, ``redirect``...

The regular expression is the whole rest of the line, as IOS takes it, and
``_`` stands for a delimiter (start, end, space, comma, brace, parenthesis) as
in IOS regular expressions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vstackcli.grammar.graph import Command
from vstackcli.grammar.match import ModeGraph

__all__ = ["PIPE_GRAPH", "PipeError", "apply_pipe", "compile_ios_regex"]


class PipeError(Exception):
    pass


_HELP = {
    "append": "Append redirected output to URL (URLs supporting append operation only)",
    "begin": "Begin with the line that matches",
    "count": "Count number of lines which match regexp",
    "exclude": "Exclude lines that match",
    "format": "Format the output using the specified spec file",
    "include": "Include lines that match",
    "redirect": "Redirect output to URL",
    "section": "Filter a section of output",
    "tee": "Copy output to URL",
    "$regex": "Regular Expression",
    "$url": "Output URL",
}

PIPE_GRAPH = ModeGraph(
    [
        Command("append LINE$url", help=_HELP),
        Command("begin LINE$regex", help=_HELP),
        Command("count [LINE$regex]", help=_HELP),
        Command("exclude LINE$regex", help=_HELP),
        Command("format LINE$url", help=_HELP),
        Command("include LINE$regex", help=_HELP),
        Command("redirect LINE$url", help=_HELP),
        Command("section LINE$regex", help=_HELP),
        Command("tee LINE$url", help=_HELP),
    ],
    {},
    negation=False,
)


def compile_ios_regex(text: str) -> re.Pattern[str]:
    """Translate an IOS regular expression (``_`` is a delimiter) to Python's."""
    out = []
    escaped = False
    for ch in text:
        if escaped:
            out.append("\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "_":
            out.append(r"(?:^|$|[ ,{}()])")
        else:
            out.append(ch)
    try:
        return re.compile("".join(out))
    except re.error:
        raise PipeError("% Invalid regular expression") from None


@dataclass
class PipeResult:
    lines: list[str]
    redirect: tuple[str, str, bool] | None = None  # (url, text, append)
    show: bool = True


def _sections(lines: list[str]) -> list[list[str]]:
    sections: list[list[str]] = []
    for line in lines:
        if line.startswith(" ") and sections:
            sections[-1].append(line)
        else:
            sections.append([line])
    return sections


def apply_pipe(verb: str, argument: str, lines: list[str]) -> PipeResult:
    """Filter command output lines through one modifier."""
    if verb in ("include", "exclude", "begin", "section") or (verb == "count" and argument):
        rx = compile_ios_regex(argument)
    if verb == "include":
        return PipeResult([ln for ln in lines if rx.search(ln)])
    if verb == "exclude":
        return PipeResult([ln for ln in lines if not rx.search(ln)])
    if verb == "begin":
        for i, ln in enumerate(lines):
            if rx.search(ln):
                return PipeResult(lines[i:])
        return PipeResult([])
    if verb == "section":
        kept = [ln for s in _sections(lines) if any(rx.search(x) for x in s) for ln in s]
        return PipeResult(kept)
    if verb == "count":
        n = sum(1 for ln in lines if rx.search(ln)) if argument else len(lines)
        return PipeResult([f"Number of lines which match regexp = {n}"])
    if verb in ("redirect", "append", "tee"):
        text = "\n".join(lines) + "\n"
        return PipeResult(lines if verb == "tee" else [], (argument.strip(), text, verb == "append"),
                          show=verb == "tee")
    raise PipeError(f"% Output modifier '{verb}' is not supported")
