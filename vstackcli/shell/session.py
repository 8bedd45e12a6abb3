"""One user's shell on the device: mode stack, privilege, terminal settings.

``Session.execute`` takes a typed line and returns what the console shows for
it; it never touches a terminal and does not import prompt_toolkit, so the
console, the batch driver, tests and (later) vty lines share it. Errors come
back as IOS prints them; nothing escapes as a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from vstackcli.engine.backend import ProgressHook
from vstackcli.engine.device import Device
from vstackcli.grammar.match import Ambiguous, Empty, HelpEntry, Incomplete, Invalid, Match, split_words
from vstackcli.modes import MODES
from vstackcli.modes.aliases import expand as expand_alias
from vstackcli.modes.base import Call, CommandError, Mode, Question
from vstackcli.shell.pipes import PIPE_GRAPH, PipeError, apply_pipe

__all__ = ["Frame", "Reply", "Session"]

log = logging.getLogger(__name__)

INVALID = "% Invalid input detected at '^' marker."
INCOMPLETE = "% Incomplete command."


@dataclass
class Frame:
    mode: Mode
    target: Any = None


@dataclass
class _Pipe:
    result: Any  # the modifier's Match, or why it did not match
    offset: int  # where the modifier starts in the line


@dataclass
class Reply:
    """What one line produced: output lines, a question the shell must ask next, and a connection to open
    (``vstack attach``: an ``net.attach.AttachTarget`` the front-end connects the terminal to)."""

    lines: list[str] = field(default_factory=list)
    question: Question | None = None
    failed: bool = False
    attach: Any = None

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class Session:
    """A console or vty session."""

    def __init__(self, device: Device, *, user: str = "console", line: str = "console",
                 source: str = "", privilege: int = 1, length: int = 24, width: int = 80):
        self.device = device
        self.user = user
        self.line = line
        self.source = source
        self.privilege = privilege
        self.length = length
        self.width = width
        self.frames: list[Frame] = [Frame(MODES["exec"])]
        self.pending: Question | None = None
        self._asking: Call | None = None  # the command whose question is pending
        self._reconciled = -1  # the configuration generation last handed to the director engine
        self.history: list[str] = []
        self.closed = False
        self.config_entered = False
        self.monitor = False
        self.editing = True  # `terminal no editing`: a vty line keeps only the basic keys (editor.BASIC_KEYS)
        self.replaying = False  # a startup-config or file replay: no prompt, stricter opaque walk-up
        # A front-end on an interactive terminal sets this: ``transfer_bar(label)`` is a context manager giving
        # a ``progress(done, size)`` hook that draws a bar while a large ``copy tftp:`` runs (the console's).
        self.transfer_bar: Callable[[str], AbstractContextManager[ProgressHook]] | None = None

    # ---- modes -------------------------------------------------------------------------------

    @property
    def mode(self) -> Mode:
        return self.frames[-1].mode

    @property
    def in_config(self) -> bool:
        return self.mode.name != "exec"

    def prompt(self) -> str:
        if self.replaying:
            return ""
        host = self.device.config.hostname
        if self.mode.name == "exec":
            return host + ("#" if self.privilege >= 15 else ">")
        return host[:20] + self.mode.prompt + "#"

    def push_mode(self, name: str, target: Any = None) -> None:
        mode = MODES[name]
        while self.mode.name != mode.parent and len(self.frames) > 1 and self.mode.name != "exec":
            self.frames.pop()
        self.frames.append(Frame(mode, target))
        if name == "config":
            self.config_entered = True

    def exit_mode(self) -> None:
        if self.mode.name == "config":
            self.end_config()
        elif len(self.frames) > 1:
            self.frames.pop()

    def end_config(self) -> None:
        if self.in_config:
            del self.frames[1:]
            self._config_done()

    def _config_done(self) -> None:
        if self.config_entered:
            self.config_entered = False
            if self.line == "console":
                by = self.user
            else:  # a vty; a line-password login has no user name
                by = f"{self.user} on {self.line} ({self.source})" if self.user else f"{self.line} ({self.source})"
            self.device.log.log("SYS", 5, "CONFIG_I", f"Configured from console by {by}")

    # ---- execution ---------------------------------------------------------------------------

    def execute(self, line: str) -> Reply:
        """Run one typed line (or answer the pending question)."""
        with self.device.lock:
            return self._execute(line)

    def _execute(self, line: str) -> Reply:
        if self.pending is not None:
            question, self.pending = self.pending, None
            call = self._asking or Call(self, {})
            call.out = []
            return self._run(lambda _call: question.answer(line), call)
        text = line.rstrip("\r\n")
        if not text.strip() or text.lstrip().startswith("!"):
            return Reply()
        self.history.append(text)
        text = expand_alias(self.device.config, self.mode.name, text)
        return self._execute_in(text, self.frames[-1], len(self.prompt()))

    def _execute_in(self, text: str, frame: Frame, prompt_len: int) -> Reply:
        if frame.mode.opaque and not text[:1].isspace() and not self._own_command(frame.mode, text):
            walked = self._walk_up(text, opaque=True)
            if walked is not None:
                return walked
        result, pipe = self._parse(frame.mode, text)
        if isinstance(result, Invalid) and len(self.frames) > 1 and frame is self.frames[-1]:
            walked = self._walk_up(text)
            if walked is not None:
                return walked
        return self._dispatch(result, pipe, text, frame, prompt_len)

    def _own_command(self, mode: Mode, text: str) -> bool:
        """Whether an opaque submode's own ``exit``/``end``/``do`` takes the line."""
        result = mode.graph.parse(text, self)
        return isinstance(result, Match) and "line" not in result.args

    def _walk_up(self, text: str, opaque: bool = False) -> Reply | None:
        """IOS fallback: a line invalid in a submode runs in the nearest ancestor that takes it.

        From an opaque submode, an unindented line leaves it when an ancestor takes it
        as a modelled command or a block opener (or any command, while replaying a file).
        """
        for depth in range(len(self.frames) - 2, 0, -1):
            frame = self.frames[depth]
            result, pipe = self._parse(frame.mode, text)
            if isinstance(result, Match) and opaque and not self.replaying and not _leaves_opaque(result):
                continue
            if isinstance(result, Match):
                del self.frames[depth + 1:]
                return self._dispatch(result, pipe, text, frame, 0)
        return None

    def _parse(self, mode: Mode, text: str) -> tuple[Any, _Pipe | None]:
        """Match ``text`` in ``mode``; split off ``| modifier`` for commands that take one."""
        bar = text.find("|")
        if bar > 0:
            left = mode.graph.parse(text[:bar], self)
            if isinstance(left, Match) and left.command.pipe:
                return left, _Pipe(PIPE_GRAPH.parse(text[bar + 1:], self), bar + 1)
        return mode.graph.parse(text, self), None

    def _dispatch(self, result: Any, pipe: _Pipe | None, text: str, frame: Frame, prompt_len: int) -> Reply:
        failure = self._failure(result, text, prompt_len, exec_mode=frame.mode.name == "exec")
        if failure is not None:
            return failure
        if pipe is not None:
            failure = self._failure(pipe.result, text, prompt_len + pipe.offset, exec_mode=False)
            if failure is not None:
                return failure
        if result.command.first_word == "do" and result.command.handler is None:
            return self._do(text, result, prompt_len)
        call = Call(self, result.args, result.negated, result.default, frame.target)
        reply = self._run(result.command.handler, call)
        if pipe is not None and not reply.question:
            reply.lines = self._filter(reply.lines, pipe.result)
        return reply

    def _failure(self, result: Any, text: str, caret_base: int, exec_mode: bool) -> Reply | None:
        if isinstance(result, Match):
            return None
        if isinstance(result, Empty | Incomplete):
            words = [w.text.lower() for w in split_words(text)]
            if exec_mode and len(words) == 1 and len(words[0]) >= 2 and "show".startswith(words[0]):
                return Reply(['% Type "show ?" for a list of subcommands'], failed=True)  # IOS's words for it
            return Reply([INCOMPLETE, ""], failed=True)
        if isinstance(result, Ambiguous):
            return Reply([f'% Ambiguous command:  "{text.strip()}"'], failed=True)
        assert isinstance(result, Invalid)
        if result.unrecognized and exec_mode and len(split_words(text)) == 1:
            # IOS takes an unknown word in exec for a host name to telnet to
            return Reply([f'Translating "{text.strip()}"', "% Bad IP address or host name",
                          "% Unknown command or computer name, or unable to find computer address"], failed=True)
        return Reply([" " * (caret_base + result.offset) + "^", INVALID, ""], failed=True)

    def _do(self, text: str, result: Match, prompt_len: int) -> Reply:
        """``do LINE``: run an exec command from a configuration mode, staying in that mode."""
        inner = result.args["line"]
        start = prompt_len + text.find(inner)
        saved = self.frames
        self.frames = [Frame(MODES["exec"])]
        try:
            return self._execute_in(inner, self.frames[0], start)
        finally:
            if not self.closed:
                self.frames = saved

    def _run(self, handler: Any, call: Call) -> Reply:
        failed = False
        try:
            question = handler(call) if handler is not None else None
        except CommandError as exc:
            call.out.extend(str(exc).split("\n"))
            question, failed = None, True
        except Exception:  # a bug must not kill the shell
            log.exception("command failed")
            call.out.append("%Error: internal error while executing the command (see log)")
            question, failed = None, True
        self.pending = question
        self._asking = call if question is not None else None
        if not self.replaying and self.device.generation != self._reconciled:
            self._reconciled = self.device.generation
            self.device.director.reconcile()
        return Reply(call.out, question, failed, call.attach)

    def _filter(self, lines: list[str], modifier: Match) -> list[str]:
        try:
            result = apply_pipe(modifier.command.first_word, _pipe_argument(modifier), lines)
        except PipeError as exc:
            return [str(exc)]
        if result.redirect is not None:
            from vstackcli.modes.files import write_url_text

            url, text, append = result.redirect
            try:
                write_url_text(self.device, url, text, append)
            except CommandError as exc:
                return [*result.lines, str(exc)]
        return result.lines

    # ---- help and completion -----------------------------------------------------------------

    def help(self, text: str) -> list[str]:
        """What `?` prints for the text typed before it."""
        frame = self.frames[-1]
        mode, offset, text = self._help_context(frame.mode, text)
        bar = text.find("|")
        if bar > 0:
            left = mode.graph.parse(text[:bar], self)
            if isinstance(left, Match) and left.command.pipe:
                entries = PIPE_GRAPH.help(text[bar + 1:], self)
                return self._format_help(entries, text, bar + 1 + offset)
        entries = mode.graph.help(text, self)
        if isinstance(entries, list) and not text.strip():
            return [mode.title, *self._format_entries(entries)]
        if isinstance(entries, list) and any(e.display == "<cr>" for e in entries):
            parsed = mode.graph.parse(text, self)
            if isinstance(parsed, Match) and parsed.command.pipe:
                entries.insert(len(entries) - 1, HelpEntry("|", "Output modifiers"))
        return self._format_help(entries, text, offset)

    def _help_context(self, mode: Mode, text: str) -> tuple[Mode, int, str]:
        words = split_words(text)
        if mode.name != "exec" and words and (len(words) > 1 or text.endswith(" ")):
            first = mode.graph.parse(words[0].text + " x", self)
            if isinstance(first, Match) and first.command.first_word == "do":
                start = words[1].offset if len(words) > 1 else len(text)
                return MODES["exec"], start, text[start:]
        return mode, 0, text

    def _format_help(self, entries: Any, text: str, offset: int) -> list[str]:
        if isinstance(entries, Ambiguous):
            return [f'% Ambiguous command:  "{text.strip()}"']
        if isinstance(entries, Invalid):
            if entries.unrecognized:
                return ["% Unrecognized command"]
            return [" " * (len(self.prompt()) + offset + entries.offset) + "^", INVALID, ""]
        if isinstance(entries, Incomplete | Empty):
            return [INCOMPLETE]
        if not entries:
            return ["% Unrecognized command"]
        if text and text[-1] not in " \t":
            return ["  ".join(e.display for e in entries) + "  "]
        return self._format_entries(entries)

    def _format_entries(self, entries: list[HelpEntry]) -> list[str]:
        width = max(len(e.display) for e in entries)
        lines = []
        text_col = 2 + width + 2
        wrap = max(20, (self.width or 512) - text_col)
        for e in entries:
            if not e.help:
                lines.append(f"  {e.display}")
                continue
            chunks = _wrap(e.help, wrap)
            lines.append(f"  {e.display.ljust(width)}  {chunks[0]}")
            lines.extend(" " * text_col + c for c in chunks[1:])
        return lines

    def active_clients(self) -> list[tuple[str, str]]:
        """`vstack attach ?`: the active clients, as the guide lists them."""
        return [(str(c.index), f"{c.hostname} @ IP {c.ip} : MAC {c.mac}")
                for c in self.device.director_db.active()]

    def complete(self, text: str) -> list[str]:
        mode, _offset, inner = self._help_context(self.mode, text)
        return mode.graph.complete(inner, self)


def _leaves_opaque(match: Match) -> bool:
    """A typed line in an opaque submode goes to the parent only for modelled commands or block openers."""
    return not match.command.shadow or match.command.opens_block


def _pipe_argument(match: Match) -> str:
    for key in ("regex", "url"):
        if key in match.args:
            return str(match.args[key])
    return ""


def _wrap(text: str, width: int) -> list[str]:
    words = text.split()
    lines: list[str] = []
    current = ""
    for w in words:
        if current and len(current) + 1 + len(w) > width:
            lines.append(current)
            current = w
        else:
            current = f"{current} {w}" if current else w
    lines.append(current)
    return lines
