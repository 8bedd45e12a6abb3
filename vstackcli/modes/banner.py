"""``banner motd|login|exec``: multi-line text between delimiters, as IOS reads it.

``banner motd #`` starts a banner whose text runs until the next ``#``; the
console asks for the following lines. Config files use ``^C`` as delimiter.
"""

from __future__ import annotations

from vstackcli.grammar.graph import Command
from vstackcli.modes.base import Call, Question

__all__ = ["BANNER_COMMANDS", "SHOW_BANNER_COMMANDS"]


def _delimiter(text: str) -> tuple[str, str]:
    if text.startswith("^C"):
        return "^C", text[2:]
    return text[0], text[1:]


def _store(call: Call, kind: str, body: str) -> None:
    call.config.banners[kind] = body
    call.changed()


def _banner(call: Call) -> Question | None:
    kind = call.arg("kind")
    if call.negated:
        call.config.banners.pop(kind, None)
        call.changed()
        return None
    delim, rest = _delimiter(call.arg("text"))
    if delim in rest:
        _store(call, kind, rest[: rest.index(delim)])
        return None
    collected = [rest]
    shown = "^C" if delim == "^C" else delim

    def more(line: str) -> Question | None:
        if delim in line:
            collected.append(line[: line.index(delim)])
            _store(call, kind, "\n".join(collected))
            return None
        collected.append(line)
        return Question("", more)

    call.print(f"Enter TEXT message.  End with the character '{shown}'.")
    return Question("", more)


def _show_banner(call: Call) -> None:
    """The banner's text as it was entered, without the delimiters' line breaks; nothing when none is set."""
    body = call.config.banners.get(call.arg("kind"))
    if body:
        call.out.extend(body.removeprefix("\n").removesuffix("\n").split("\n"))


SHOW_BANNER_COMMANDS = [
    Command("show banner <motd$kind|login$kind|exec$kind|incoming$kind>", _show_banner, pipe=True,
            help={"show": "Show running system information", "banner": "Display banner information",
                  "motd": "MOTD banner", "login": "Login banner", "exec": "EXEC banner",
                  "incoming": "Incoming banner"}),
]

BANNER_COMMANDS = [
    Command("banner <motd$kind|login$kind|exec$kind|incoming$kind> ![LINE$text]", _banner, negatable=True,
            help={"banner": "Define a login banner", "motd": "Set Message of the Day banner",
                  "login": "Set login banner", "exec": "Set EXEC process creation banner",
                  "incoming": "Set incoming terminal line banner",
                  "$text": "c  banner-text c, where 'c' is a delimiting character"}),
]
