"""Driving a session without a terminal: lines in, a console transcript out.

Each input line is echoed after the prompt, as a console shows it, and its
output follows. A ``?`` in a line shows help for the text before it, and a TAB
completes, as typed keys would; the text typed so far is shown again after the
help. Questions take the next line as their answer (not echoed when secret).
System messages appear after the output of the line that caused them. After ``vstack attach``, the
next lines go to the client switch's vty until it closes the connection.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from vstackcli.engine.syslog import LogMessage, shown_at
from vstackcli.shell.pager import write_paged
from vstackcli.shell.session import Reply, Session

__all__ = ["run_batch"]


def _edit(session: Session, raw: str, out: list[str]) -> tuple[str, bool]:
    """Apply the ``?`` and TAB keys typed in ``raw``; return the line and whether Enter ends it."""
    buffer = ""
    prompt = session.prompt()
    for ch in raw:
        if ch == "?":
            out.append(prompt + buffer + "?")
            out.extend(session.help(buffer))
        elif ch == "\t":
            buffer = complete_word(session, buffer)
        else:
            buffer += ch
    return buffer, not raw.rstrip().endswith("?")


def complete_word(session: Session, buffer: str) -> str:
    """TAB: complete the last word when exactly one keyword fits, adding a space."""
    if not buffer or buffer[-1].isspace():
        return buffer
    options = session.complete(buffer)
    if len(options) != 1:
        return buffer
    start = len(buffer) - len(buffer.split()[-1])
    return buffer[:start] + options[0] + " "


def run_batch(session: Session, lines: Iterable[str], output: TextIO) -> None:
    """Feed ``lines`` to ``session`` and write the console transcript to ``output``."""
    pending_messages: list[LogMessage] = []
    unsubscribe = session.device.log.subscribe(pending_messages.append)
    feed = iter(lines)

    def write(text: str) -> None:
        output.write(text)
        output.flush()

    try:
        for raw in feed:
            raw = raw.rstrip("\r\n")
            if session.pending is not None:
                question = session.pending
                write(question.prompt + ("" if question.secret else raw) + "\n")
                _reply(session, session.execute(raw), write, feed)
            else:
                shown: list[str] = []
                line, run = _edit(session, raw, shown)
                prompt = session.prompt()
                for item in shown:
                    write(item + "\n")
                if not run:
                    write(prompt + line + "\n")
                    continue
                write(prompt + line + "\n")
                _reply(session, session.execute(line), write, feed)
            for message in pending_messages:
                if shown_at(session.device.config.logging_console, message):
                    write(message.format() + "\n")
            pending_messages.clear()
            if session.closed:
                return
        if session.pending is not None:
            write(session.pending.prompt + "\n")
        else:
            write(session.prompt() + "\n")
    finally:
        unsubscribe()


def _reply(session: Session, reply: Reply, write, feed) -> None:
    """A command's output; after ``vstack attach``, the next lines go to the client switch until it closes."""
    _emit(session, reply.lines, write, feed)
    if reply.attach is not None:
        from vstackcli.net.attach import attach_lines

        attach_lines(reply.attach, feed, write)


def _emit(session: Session, lines: list[str], write, feed) -> None:
    """Write output, paging when ``terminal length`` asks for it; a line of input is a key."""

    def read_key() -> str:
        line = next(feed, None)
        if line is None:
            return "q"
        line = line.rstrip("\r\n")
        return line[:1] if line else "\n"

    write_paged(lines, session.length, write, read_key)
