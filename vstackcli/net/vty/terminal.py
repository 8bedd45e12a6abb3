"""One vty session over any byte transport: the contract telnet and SSH share.

A transport (``telnet.py``, the SSH server) wraps its connection in a
``TerminalIO`` and awaits ``serve_terminal``, which runs the whole session: the
login dialogue (``login.py``; skipped when SSH authenticated the user), the
prompt, line editing with exact echo, ``?`` help and Tab completion, ``--More--``
paging, ``terminal monitor`` messages, and ``exit``. Commands run on a small
thread pool under ``device.lock`` so a slow command never stalls the event loop,
and the prompt is written only after their output. A peer that stops reading
is dropped after ``DRAIN_TIMEOUT`` seconds; one that stops typing after the
line's ``exec-timeout``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from vstackcli.engine.device import Device
from vstackcli.engine.syslog import LogMessage, shown_at
from vstackcli.net.attach import AttachConnection, AttachTarget, closed_text, pump, refused_text, trying_text
from vstackcli.net.vty.access import LinePolicy, vty_policy
from vstackcli.net.vty.editor import BASIC_KEYS, LineEditor
from vstackcli.net.vty.guard import login_guard
from vstackcli.net.vty.keys import ENTER, MESSAGE, Keys
from vstackcli.net.vty.lines import VtyLine, registry, session_closer
from vstackcli.shell.batch import complete_word
from vstackcli.shell.pager import MORE, MORE_ERASE, pages
from vstackcli.shell.session import Reply, Session

__all__ = ["DRAIN_TIMEOUT", "Hangup", "TerminalIO", "VtyTerminal", "serve_terminal"]

log = logging.getLogger(__name__)

DRAIN_TIMEOUT = 30.0  # seconds a peer may leave our output unread before it is dropped
MAX_LINE = 8192  # characters of one typed line; more are not echoed or kept
DEFAULT_PORTS = {"telnet": 23, "ssh": 22}
CTRL_C, CTRL_Z = "\x03", "\x1a"
_PREVIOUS = ("\x10", "\x1b[A", "\x1bOA")  # Ctrl-P, up arrow
_HISTORY_KEYS = (*_PREVIOUS, "\x0e", "\x1b[B", "\x1bOB")  # and Ctrl-N, down arrow
_REDISPLAY = ("\x0c", "\x12")  # Ctrl-L, Ctrl-R
_QUOTE = ("\x16", "\x1bq", "\x1bQ")  # Ctrl-V, Esc Q

_EXECUTOR = ThreadPoolExecutor(max_workers=4, thread_name_prefix="vty")
T = TypeVar("T")


class TerminalIO(Protocol):
    """A vty transport: raw bytes both ways, the peer's window size when it tells it.

    A transport may also set ``local_port`` (the port the peer connected to) for the login messages.
    """

    width: int | None
    height: int | None

    async def read(self) -> bytes:
        """Raw bytes from the peer; b"" at EOF."""
        ...

    def write(self, data: bytes) -> None:
        """Raw bytes to the peer (already CRLF-translated)."""
        ...

    async def drain(self) -> None:
        ...

    def close(self) -> None:
        ...


class Hangup(Exception):
    """The peer went away, stopped reading, or stopped typing: end the session quietly."""

    def __init__(self, why: str, timed_out: bool = False):
        super().__init__(why)
        self.timed_out = timed_out


async def run_locked(device: Device, fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(*args)`` under ``device.lock`` on the vty thread pool."""

    def call() -> T:
        with device.lock:
            return fn(*args)

    return await asyncio.get_running_loop().run_in_executor(_EXECUTOR, call)


class VtyTerminal:
    """The line discipline and shell loop of one claimed vty line."""

    def __init__(self, device: Device, io: TerminalIO, keys: Keys, line: VtyLine, policy: LinePolicy):
        self.device = device
        self.io = io
        self.keys = keys
        self.line = line
        self.policy = policy
        self.local_port = int(getattr(io, "local_port", None) or DEFAULT_PORTS.get(line.transport, 0))
        self.session: Session | None = None
        self._window: tuple[int | None, int | None] = (None, None)
        self._out = bytearray()  # output not yet handed to the transport
        keys.before_wait = self.flush

    # ---- output -----------------------------------------------------------------------------------

    def write(self, text: str) -> None:
        """Queue text for the peer (LF becomes CR LF); ``flush`` sends it."""
        self._out += text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8", "replace")

    def echo(self, text: str) -> None:
        """Typed characters go back as the bytes they came as."""
        self._out += text.encode("latin-1", "replace")

    def send(self, data: bytes) -> None:
        """Queue raw bytes (the line editor's redraws) for the peer."""
        self._out += data

    async def flush(self) -> None:
        """Send what is queued and wait until the peer has taken enough of it (``DRAIN_TIMEOUT``)."""
        if self._out:
            data, self._out = bytes(self._out), bytearray()
            self.io.write(data)
        try:
            await asyncio.wait_for(self.io.drain(), DRAIN_TIMEOUT)
        except (TimeoutError, ConnectionError, OSError) as exc:
            raise Hangup("peer does not read") from exc

    # ---- input ------------------------------------------------------------------------------------

    async def key(self, timeout: float | None, messages: bool = True) -> str:
        """The next key; what is queued for the peer goes out before waiting for input."""
        try:
            key = await self.keys.next(timeout, messages)
        except TimeoutError as exc:
            raise Hangup("no input before the timeout", timed_out=True) from exc
        if key == "":
            raise Hangup("end of input")
        if key != MESSAGE:
            self.line.touch()
        return key

    async def read_line(self, prompt: str, *, echo: bool = True, timeout: float | None = None,
                        session: Session | None = None) -> str:
        """Edit one line after ``prompt`` (already written); Enter ends it. ``session`` enables ``?``, Tab
        and history. The editing keys are IOS's enhanced editing (``editor.LineEditor``); with ``echo``
        False (passwords) they still edit, but nothing is echoed.

        Returns the text, or CTRL_C / CTRL_Z.
        """
        editor = LineEditor(limit=MAX_LINE, width=self._line_width(prompt))
        recalled = len(session.history) if session is not None else 0  # Ctrl-P / Ctrl-N position
        quoted = False  # Ctrl-V / Esc Q: the next character is text, even `?`
        while True:
            key = await self.key(timeout)
            out: bytes | None = b""
            if key == MESSAGE:
                self.write("\n")
                self._write_messages()
                self.write(prompt)
                out = editor.redraw()
            elif key == ENTER:
                self.write("\n")
                return editor.text
            elif quoted:
                quoted = False
                if len(key) == 1 and (key >= " " or key == "\t"):
                    out = editor.insert(key)
            elif key in (CTRL_C, CTRL_Z):
                if session is not None:
                    self.write(("^C" if key == CTRL_C else "^Z") + "\n")
                    return key
            elif key in _QUOTE:
                quoted = True
            elif key in _REDISPLAY:
                if echo:
                    self.write("\n" + prompt)
                    out = editor.redraw()
            elif key in _HISTORY_KEYS and session is not None and echo:
                step = -1 if key in _PREVIOUS else 1
                if 0 <= recalled + step <= len(session.history):
                    recalled += step
                    out = editor.replace(session.history[recalled] if recalled < len(session.history) else "")
            elif key == "?" and session is not None:
                help_lines = await run_locked(self.device, session.help, editor.text)
                self.send(editor.end_shown() + b"?")  # the ? goes after the line; the cursor comes back
                self.write("\n")
                await self.show(Reply(help_lines), session)  # long lists page too
                self.write(session.prompt())
                out = editor.redraw()
            elif key == "\t" and session is not None:
                if editor.at_end:  # IOS completes only the word the line ends with
                    completed = await run_locked(self.device, complete_word, session, editor.text)
                    if completed != editor.text:
                        out = editor.complete(completed)
            elif key == "\t":
                out = editor.insert(key)
            elif session is None or session.editing or key in BASIC_KEYS or (len(key) == 1 and key >= " "):
                out = editor.handle(key)  # `terminal no editing` leaves typing and the basic keys
            if out and echo:
                self.send(out)

    def _line_width(self, prompt: str) -> int | None:
        """Columns left after ``prompt`` on a ``terminal width`` line (None: width 0, the line never scrolls)."""
        session = self.session
        if session is None or not session.width:
            return None
        return session.width - len(prompt.rsplit("\n", 1)[-1])

    def _write_messages(self) -> None:
        for message in self.keys.take_messages():
            self.write(message.format() + "\n")  # type: ignore[attr-defined]

    # ---- the shell --------------------------------------------------------------------------------

    def _on_message(self, message: LogMessage) -> None:
        """A system message (any thread): shown on this vty after ``terminal monitor``."""
        session = self.session
        if session is not None and session.monitor and shown_at(self.device.config.logging_monitor, message):
            self.keys.post(message)

    def _apply_window(self, session: Session) -> None:
        """The peer's window size (telnet NAWS, SSH window-change) sets width and length when it changes."""
        size = (self.io.width, self.io.height)
        if size != self._window:
            self._window = size
            if size[0]:
                session.width = size[0]
            if size[1]:
                session.length = size[1]

    async def shell(self, user: str, privilege: int) -> None:
        """The EXEC loop, until ``exit`` or a hang-up."""
        session = Session(self.device, user=user, line=self.line.name, source=self.line.peer[0],
                          privilege=privilege, length=self.policy.length, width=self.policy.width)
        self.session = session
        self.line.user = user
        # list append/remove are atomic, and SystemLog.log iterates over a copy: no lock needed (nor awaited,
        # so a cancelled session still unsubscribes)
        unsubscribe = self.device.log.subscribe(self._on_message)
        timeout = self.policy.exec_timeout or None
        try:
            self.write("\n")
            while not session.closed:
                self._apply_window(session)
                self._write_messages()
                question = session.pending
                prompt = question.prompt if question is not None else session.prompt()
                self.write(prompt)
                if question is not None:
                    line = await self.read_line(prompt, echo=not question.secret, timeout=timeout)
                else:
                    line = await self.read_line(prompt, timeout=timeout, session=session)
                if line in (CTRL_C, CTRL_Z):
                    session.pending = None
                    await run_locked(self.device, session.end_config)
                    continue
                self._apply_window(session)  # a window change while the line was typed counts for this command
                await self.flush()  # the echo goes out before the command runs
                reply = await run_locked(self.device, session.execute, line)
                await self.show(reply, session)
                if reply.attach is not None:
                    await self.attach(reply.attach, session)
            await self.flush()
        finally:
            unsubscribe()
            if session.in_config:  # a vty that hangs up in configuration mode still logs CONFIG_I
                await run_locked(self.device, session.end_config)

    async def attach(self, target: AttachTarget, session: Session) -> None:
        """``vstack attach`` from a vty: this line talks to the client switch's vty until either side ends it."""
        self.write(trying_text(target))
        await self.flush()
        try:
            conn = await AttachConnection.open(target, session.width, session.length or 24)
        except (OSError, TimeoutError) as exc:
            self.write("\n" + refused_text(exc) + "\n\n")
            return
        self.write("Open\n")
        await self.flush()  # our buffered text first: the client's bytes go straight to the transport

        async def typed() -> bytes:
            key = await self.key(None, messages=False)
            return b"\r\n" if key == ENTER else key.encode("latin-1", "replace")

        local = await pump(conn, typed, self.io.write)
        self.write("\n" + closed_text(target, local) + "\n")

    async def show(self, reply: Reply, session: Session) -> None:
        """A command's output, `` --More-- `` every ``terminal length`` lines."""
        gen = pages(reply.lines, session.length)
        key: str | None = None
        try:
            while True:
                stretch, more = gen.send(key) if key is not None else next(gen)
                self.write("".join(line + "\n" for line in stretch))
                await self.flush()
                if not more:
                    return
                self.write(MORE)
                await self.flush()
                key = await self.key(self.policy.exec_timeout or None, messages=False)
                self.echo(MORE_ERASE)
        except StopIteration:
            return


async def serve_terminal(device: Device, io: TerminalIO, *, peer: tuple[str, int], transport: str,
                         user: str | None = None, privilege: int | None = None) -> None:
    """Run one vty session to its end: login dialogue (skipped when `user` is given: SSH authenticated it),
    prompt, line editing, echo, Enter handling, ? help / Tab, --More-- paging, terminal monitor messages,
    `exit`/`logout`/`quit` closing. Never raises (but lets cancellation through); closes io at the end.

    The session takes the lowest free vty line whose ``transport input`` lets ``transport`` in; when the
    address is blocked after failed logins, the transport is not let in or every line is busy, io is closed
    at once.
    """
    from vstackcli.net.vty.login import login

    lines = registry(device)
    line: VtyLine | None = None
    keys: Keys | None = None
    try:
        if login_guard(device).blocked(peer[0]):
            log.info("vty: %s refused: blocked after failed logins", peer[0])
            return
        policy = await run_locked(device, vty_policy, device)
        allowed = policy.free_lines(transport)
        if not allowed:
            log.info("vty: %s refused: no vty line takes %s", peer[0], transport)
            return
        line = lines.claim(allowed, transport, peer)
        if line is None:
            log.info("vty: %s refused: all vty lines busy", peer[0])
            return
        line.closer = session_closer()  # `clear line` ends this session
        keys = Keys(io)
        term = VtyTerminal(device, io, keys, line, policy.lines[line.index])
        granted = await login(term, user, privilege)
        if granted is not None:
            await term.shell(*granted)
    except Hangup as exc:
        log.debug("vty: %s hung up: %s", peer[0], exc)
    except Exception:
        log.exception("vty session from %s failed", peer[0])
    finally:
        if keys is not None:
            keys.close()
        if line is not None:
            lines.release(line)
        try:
            io.close()
        except Exception:
            log.debug("closing a vty transport failed", exc_info=True)
