"""The interactive console: prompt_toolkit at the edge of a ``Session``.

Keys behave as on an IOS console: ``?`` lists help and keeps the typed text,
TAB completes a unique keyword, Ctrl-Z echoes ``^Z`` and ends configuration,
Ctrl-C abandons the line (and leaves configuration mode), Ctrl-V types the next
key literally, and a pasted block runs line by line. Output longer than
``terminal length`` pauses at `` --More-- ``. System messages print above the
prompt as they happen.
"""

from __future__ import annotations

import asyncio
import os
import sys
import termios
import tty
from collections.abc import Callable
from contextlib import AbstractContextManager

from prompt_toolkit import PromptSession
from prompt_toolkit.application import run_in_terminal
from prompt_toolkit.filters import Condition
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.patch_stdout import patch_stdout

from vstackcli.engine.syslog import LogMessage, shown_at
from vstackcli.net.attach import AttachConnection, AttachTarget, closed_text, pump, refused_text, trying_text
from vstackcli.shell.batch import complete_word
from vstackcli.shell.pager import write_paged
from vstackcli.shell.session import Session

__all__ = ["run_console"]


def _read_key() -> str:
    """One key from the terminal, without echo, for the pager."""
    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        return sys.stdin.read(1)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)


def _stdout_write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _terminal_write(text: str) -> None:
    """Straight to the terminal (the real stdout, even under patch_stdout), LF as CR LF outside raw data."""
    stream = sys.__stdout__
    if stream is None:
        return
    stream.write(text)
    stream.flush()


class Console:
    """A ``Session`` on a terminal; ``write`` and ``read_key`` default to the local one."""

    def __init__(self, session: Session, write: Callable[[str], None] = _stdout_write,
                 read_key: Callable[[], str] = _read_key):
        self.session = session
        self.write = write
        self.read_key = read_key
        self.pasted: list[str] = []
        self.prompt = PromptSession(history=InMemoryHistory(), key_bindings=self._bindings(),
                                    enable_suspend=False, complete_while_typing=False)

    def _bindings(self) -> KeyBindings:
        kb = KeyBindings()
        session = self.session
        not_asking = Condition(lambda: session.pending is None)

        @kb.add("?", filter=not_asking)
        def _help(event: KeyPressEvent) -> None:
            text = event.current_buffer.text
            lines = [session.prompt() + text + "?", *session.help(text)]
            run_in_terminal(lambda: self.write("\n".join(lines) + "\n"))

        @kb.add("tab", filter=not_asking)
        def _tab(event: KeyPressEvent) -> None:
            buf = event.current_buffer
            completed = complete_word(session, buf.text)
            if completed != buf.text:
                buf.text = completed
                buf.cursor_position = len(completed)

        @kb.add("c-z")
        def _ctrl_z(event: KeyPressEvent) -> None:
            event.current_buffer.text = "^Z"
            event.app.exit(result="\x1a")

        @kb.add("c-c")
        def _ctrl_c(event: KeyPressEvent) -> None:
            event.current_buffer.text = "^C"
            event.app.exit(result="\x03")

        @kb.add("c-v")
        def _quoted(event: KeyPressEvent) -> None:
            event.app.quoted_insert = True

        @kb.add(Keys.BracketedPaste)
        def _paste(event: KeyPressEvent) -> None:
            data = event.data.replace("\r\n", "\n").replace("\r", "\n")
            lines = data.split("\n")
            buf = event.current_buffer
            first = buf.text + lines[0]
            if len(lines) == 1:
                buf.insert_text(lines[0])
                return
            self.pasted = [first, *lines[1:]]
            if self.pasted and self.pasted[-1] == "":
                self.pasted.pop()
            event.app.exit(result="\x00paste")

        return kb

    def _print_message(self, message: LogMessage) -> None:
        if shown_at(self.session.device.config.logging_console, message):
            self.write(message.format() + "\n")

    def _show(self, lines: list[str]) -> None:
        write_paged(lines, self.session.length, self.write, self.read_key)

    async def run(self) -> int:
        session = self.session
        unsubscribe = session.device.log.subscribe(self._print_message)
        ticker = asyncio.ensure_future(self._tick())
        try:
            with patch_stdout(raw=True):
                while not session.closed:
                    if self.pasted:
                        line = self.pasted.pop(0)
                        self.write(session.prompt() + line + "\n")
                    else:
                        line = await self._read_line()
                        if line is None:
                            break
                    if line in ("\x1a", "\x03"):
                        session.pending = None
                        session.end_config()
                        continue
                    if line == "\x00paste":
                        continue
                    reply = session.execute(line)
                    if reply.lines:
                        await run_in_terminal(lambda r=reply: self._show(r.lines), in_executor=True)
                    if reply.attach is not None:
                        await self._attach(reply.attach)
        finally:
            ticker.cancel()
            unsubscribe()
        return 0

    async def _attach(self, target: AttachTarget) -> None:
        """``vstack attach``: the terminal talks to the client switch's vty until either side ends it.
        The bytes go straight to the terminal, not through prompt_toolkit's stdout proxy."""
        write = _terminal_write if self.write is _stdout_write else self.write
        write(trying_text(target))
        size = os.get_terminal_size() if sys.stdout.isatty() else os.terminal_size((80, 24))
        try:
            conn = await AttachConnection.open(target, size.columns, size.lines)
        except (OSError, TimeoutError) as exc:
            write("\n" + refused_text(exc) + "\n\n")
            return
        write("Open\n")
        local = await run_attached(conn, write)
        write("\n" + closed_text(target, local) + "\n")

    async def _tick(self) -> None:
        """Time moves the director: client health, the join window."""
        while True:
            await asyncio.sleep(1.0)
            with self.session.device.lock:
                self.session.device.director.tick()

    async def _read_line(self) -> str | None:
        session = self.session
        question = session.pending
        try:
            if question is not None:
                return await self.prompt.prompt_async(question.prompt, is_password=question.secret)
            return await self.prompt.prompt_async(session.prompt(), is_password=False)
        except EOFError:
            return None
        except KeyboardInterrupt:
            self.write(session.prompt() + "^C\n")
            return "\x03"


async def run_attached(conn: AttachConnection, write: Callable[[str], None]) -> bool:
    """Raw keys from the terminal to the connection, its bytes to the screen; True when ended locally."""
    loop = asyncio.get_running_loop()
    fd = sys.stdin.fileno()
    typed: asyncio.Queue[bytes] = asyncio.Queue()

    def readable() -> None:
        try:
            typed.put_nowait(os.read(fd, 1024))
        except OSError:
            typed.put_nowait(b"")

    saved = termios.tcgetattr(fd) if os.isatty(fd) else None
    if saved is not None:
        tty.setraw(fd)
    loop.add_reader(fd, readable)
    try:
        return await pump(conn, typed.get, lambda data: write(data.decode("utf-8", "replace")))
    finally:
        loop.remove_reader(fd)
        if saved is not None:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def terminal_transfer_bar(label: str) -> AbstractContextManager:
    """A rich progress bar on the real terminal for ``copy tftp:`` (rich loads only when a copy runs)."""
    from rich.console import Console as RichConsole

    from vstackcli.net.tftp.progress import TransferBar

    return TransferBar(RichConsole(file=sys.__stdout__), label)


def run_console(session: Session) -> int:
    """Run the console until the user exits."""
    if sys.stdout.isatty():
        session.transfer_bar = terminal_transfer_bar
    # No cursor-position requests: IOS draws no menus, and some terminals never answer them.
    os.environ.setdefault("PROMPT_TOOLKIT_NO_CPR", "1")
    print()
    print("Press RETURN to get started!")
    print()
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    # Ctrl-Z and Ctrl-C are keys of the IOS console, not job control: keep the terminal from turning
    # them into signals while output is printing between two prompts.
    quiet = termios.tcgetattr(fd)
    quiet[3] &= ~termios.ISIG
    termios.tcsetattr(fd, termios.TCSADRAIN, quiet)
    try:
        return asyncio.run(Console(session).run())
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
