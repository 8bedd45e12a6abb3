"""Exec commands that automation clients run around file transfers and merges.

netmiko's ``FileTransfer`` checks a pushed file with ``verify /md5 flash:FILE``;
napalm's ios driver asks ``show archive`` (whether a commit could be rolled back
by a timer), diffs a merge file with ``show archive config incremental-diffs
flash:FILE ignorecase`` and reads the domain from ``show hosts``.
"""

from __future__ import annotations

import hashlib

from vstackcli.engine.render import config_lines
from vstackcli.engine.storage import StorageError
from vstackcli.grammar.graph import Command
from vstackcli.grammar.values import FileUrl
from vstackcli.modes.base import Call, CommandError
from vstackcli.modes.files import resolve_local
from vstackcli.modes.show import SHOW_HELP

__all__ = ["AUTOMATION_COMMANDS", "incremental_diffs"]


def _read(call: Call, url: FileUrl) -> tuple[str, bytes]:
    fs, name = resolve_local(call.device, url)
    try:
        return f"{fs.name}{name}", fs.read(name)
    except StorageError as exc:
        raise CommandError(str(exc)) from None


def _verify(call: Call) -> None:
    """``verify /md5 flash:FILE``: IOS prints dots while it reads, then the digest."""
    label, data = _read(call, call.arg("url"))
    dots = "." * max(1, min(len(data) // 65536 + 1, 60))
    call.print(f"{dots}Done!")
    call.print(f"verify /md5 ({label}) = {hashlib.md5(data, usedforsecurity=False).hexdigest()}")
    call.print()


def _show_archive(call: Call) -> None:
    call.print("%Archive feature not enabled")


def _context_lines(text: str) -> list[tuple[tuple[str, ...], str]]:
    """Each configuration line with the block lines above it (by indentation), comments and ``end`` left out."""
    out: list[tuple[tuple[str, ...], str]] = []
    parents: list[tuple[int, str]] = []
    for raw in text.splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped or stripped.startswith("!") or stripped == "end":
            continue
        indent = len(line) - len(line.lstrip())
        while parents and parents[-1][0] >= indent:
            parents.pop()
        out.append((tuple(p for _, p in parents), stripped))
        parents.append((indent, stripped))
    return out


def incremental_diffs(candidate: str, running: str, ignorecase: bool = False) -> list[str]:
    """The lines of ``candidate`` that ``running`` lacks, in context, as IOS's incremental-diffs lists them."""
    def key(parents: tuple[str, ...], line: str) -> tuple[str, ...]:
        words = (*parents, line)
        return tuple(" ".join(w.split()).lower() if ignorecase else " ".join(w.split()) for w in words)

    have = {key(parents, line) for parents, line in _context_lines(running)}
    out: list[str] = []
    printed_parents: tuple[str, ...] = ()
    for parents, line in _context_lines(candidate):
        if key(parents, line) in have:
            continue
        for depth, parent in enumerate(parents):
            if printed_parents[:depth + 1] != parents[:depth + 1]:
                out.append(" " * depth + parent)
        printed_parents = (*parents, line)
        out.append(" " * len(parents) + line)
    return out


def _incremental_diffs(call: Call) -> None:
    _label, data = _read(call, call.arg("url"))
    running = "\n".join(config_lines(call.device.config))
    changes = incremental_diffs(data.decode("utf-8", "replace"), running, bool(call.arg("ignorecase")))
    call.print("!List of Commands:")
    for line in changes:
        call.print(line)
    call.print("end")
    if not changes:
        call.print("!No changes were found")


def _show_hosts(call: Call) -> None:
    domain = call.config.domain_name
    call.print(f"Default domain is {domain}" if domain else "Default domain is not set")
    call.print("Name/address lookup uses static mappings")
    call.print()
    call.print("Codes: UN - unknown, EX - expired, OK - OK, ?? - revalidate")
    call.print("       temp - temporary, perm - permanent")
    call.print("       NA - Not Applicable None - Not defined")
    call.print()
    call.print("Host                      Port  Flags      Age Type   Address(es)")


_HELP = {
    **SHOW_HELP,
    "verify": "Verify a file",
    "/md5": "Compute MD5 signature for a file",
    "$url": "File to compute MD5 signature",
    "archive": "Archive functions",
    "config": "Config files in the archive",
    "incremental-diffs": "Show the incremental diffs of a file with respect to the running config",
    "ignorecase": "Ignore the case of the lines",
    "hosts": "IP domain-name, lookup style, nameservers, and host table",
}

AUTOMATION_COMMANDS = [
    Command("verify /md5 URL$url", _verify, help=_HELP, privilege=15),
    Command("show archive", _show_archive, help=_HELP, privilege=15),
    Command("show archive config incremental-diffs URL$url [ignorecase]", _incremental_diffs,
            help={**_HELP, "$url": "File to compare"}, privilege=15),
    Command("show hosts", _show_hosts, help=_HELP, pipe=True),
]
