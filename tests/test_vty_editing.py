"""IOS enhanced editing on a vty: the pure line editor (every action's buffer, cursor and bytes, replayed
through a minimal terminal model; random key sequences with hypothesis), then real sessions: a raw telnet
peer over loopback and an asyncssh client with a pty, fixing a typo with cursor keys before Enter."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import asyncssh
import pexpect
import pytest
from conftest import configure
from hypothesis import given, settings
from hypothesis import strategies as st
from ssh_switch import ADMIN, ADMIN_PASSWORD, ssh_switch
from vtyclient import GREETING, RawTelnet

from vstackcli.engine.device import Device
from vstackcli.net.vty.editor import DELETE_BUFFER, LineEditor

LEFT, RIGHT, UP = "\x1b[D", "\x1b[C", "\x1b[A"
PROMPT = "Switch#"


class Screen:
    """A dumb terminal line: cells and a cursor. BS moves left, CR LF starts a new line, any other byte
    overwrites the cell under the cursor and moves right. Nothing else (no ANSI) is understood."""

    def __init__(self, text: str = PROMPT, columns: int | None = None):
        self.cells = list(text)
        self.col = len(text)
        self.columns = columns  # the terminal's width: nothing may be written in its last column


    def feed(self, data: bytes) -> Screen:
        data = data.replace(b"\r\n", b"\n")
        for byte in data:
            if byte == 0x08:
                self.col = max(0, self.col - 1)
            elif byte == 0x0A:
                self.cells, self.col = [], 0
            else:
                assert 0x20 <= byte < 0x7F, f"the model knows no byte {byte:#x}"
                assert self.columns is None or self.col < self.columns - 1, "written past the line"
                if self.col == len(self.cells):
                    self.cells.append(chr(byte))
                else:
                    self.cells[self.col] = chr(byte)
                self.col += 1
        return self

    def shows(self, text: str, cursor: int) -> bool:
        """The line reads ``text`` (only blanks after it) and the cursor is at column ``cursor``."""
        screen = "".join(self.cells)
        return screen[:len(text)] == text and not screen[len(text):].strip(" ") and self.col == cursor


def editor_at(text: str, cursor: int | None = None) -> tuple[LineEditor, Screen]:
    """An editor holding ``text`` with its cursor at ``cursor``, and the screen showing exactly that."""
    editor = LineEditor()
    screen = Screen()
    screen.feed(editor.insert(text))
    if cursor is not None:
        screen.feed(editor.move_to(cursor))
    assert screen.shows(PROMPT + text, len(PROMPT) + editor.cursor)
    return editor, screen


# ---- each action on its own --------------------------------------------------------------------------------

CASES = [
    # text, cursor, key, text after, cursor after, bytes sent
    ("show", 4, "\x02", "show", 3, b"\b"),  # Ctrl-B
    ("show", 4, LEFT, "show", 3, b"\b"),
    ("show", 4, "\x1bOD", "show", 3, b"\b"),
    ("show", 0, LEFT, "show", 0, b""),  # nothing left of the start
    ("show", 1, "\x06", "show", 2, b"h"),  # Ctrl-F re-echoes the character it passes
    ("show", 1, RIGHT, "show", 2, b"h"),
    ("show", 4, "\x1bOC", "show", 4, b""),
    ("show clock", 10, "\x01", "show clock", 0, b"\b" * 10),  # Ctrl-A
    ("show clock", 2, "\x05", "show clock", 10, b"ow clock"),  # Ctrl-E
    ("show clock", 10, "\x1bb", "show clock", 5, b"\b" * 5),  # Esc B
    ("show clock", 7, "\x1bB", "show clock", 5, b"\b" * 2),
    ("show  clock", 6, "\x1bb", "show  clock", 0, b"\b" * 6),  # spaces first, then the word
    ("show clock", 0, "\x1bf", "show clock", 4, b"show"),  # Esc F: to the end of the word
    ("show clock", 4, "\x1bF", "show clock", 10, b" clock"),
    ("shoow", 5, "\x7f", "shoo", 4, b"\b \b"),  # backspace at the end: as before
    ("shoow", 3, "\x08", "show", 2, b"\bow \b\b\b"),  # in the middle: the tail moves left
    ("shoow", 2, "\x04", "show", 2, b"ow \b\b\b"),  # Ctrl-D: the character at the cursor
    ("show", 4, "\x04", "show", 4, b""),
    ("show clock", 4, "\x0b", "show", 4, b"      " + b"\b" * 6),  # Ctrl-K
    ("junk show", 5, "\x15", "show", 0, b"\b" * 5 + b"show" + b" " * 5 + b"\b" * 9),  # Ctrl-U: cursor to start
    ("junk", 4, "\x18", "", 0, b"\b \b" * 4),  # Ctrl-X at the end: as before
    ("show clock", 10, "\x17", "show ", 5, b"\b \b" * 5),  # Ctrl-W at the end
    ("show clock x", 10, "\x17", "show  x", 5, b"\b" * 5 + b" x" + b" " * 5 + b"\b" * 7),
    ("show clock detail", 5, "\x1bd", "show  detail", 5, b" detail" + b" " * 5 + b"\b" * 12),  # Esc D
    ("show clcok", 8, "\x14", "show clock", 9, b"\boc"),  # Ctrl-T swaps and steps past them
    ("show clokc", 10, "\x14", "show clock", 10, b"\b\bck"),  # at the end: the last two
    ("show", 0, "\x14", "show", 0, b""),
    ("show clock", 5, "\x1bc", "show Clock", 10, b"Clock"),  # Esc C
    ("SHOW clock", 0, "\x1bL", "show clock", 4, b"show"),  # Esc L
    ("show clock", 6, "\x1bu", "show cLOCK", 10, b"LOCK"),  # Esc U: from the cursor to the end of the word
    ("shw", 2, "o", "show", 3, b"ow\b"),  # inserting in the middle shifts the tail right
    ("show", 4, "\x1bz", "show", 4, None),  # not an editing key
    ("show", 4, "\x07", "show", 4, None),
]


@pytest.mark.parametrize(("text", "cursor", "key", "after", "cursor_after", "sent"), CASES)
def test_each_action(text: str, cursor: int, key: str, after: str, cursor_after: int, sent: bytes | None) -> None:
    editor, screen = editor_at(text, cursor)
    out = editor.handle(key)
    assert (editor.text, editor.cursor, out) == (after, cursor_after, sent)
    screen.feed(out or b"")
    assert screen.shows(PROMPT + after, len(PROMPT) + cursor_after), screen.cells


def test_the_delete_buffer_brings_back_ctrl_y_and_cycles_with_esc_y() -> None:
    editor, screen = editor_at("show clock detail", 10)
    for key in ("\x0b", "\x17", "\x15"):  # " detail", "clock", "show "
        screen.feed(editor.handle(key) or b"")
    assert (editor.text, list(editor.deleted)) == ("", [" detail", "clock", "show "])
    steps = [("\x19", "show "), ("\x1by", "clock"), ("\x1bY", " detail"), ("\x1by", "show ")]
    for key, shown in steps:
        screen.feed(editor.handle(key) or b"")
        assert (editor.text, editor.cursor) == (shown, len(shown))
        assert screen.shows(PROMPT + shown, len(PROMPT) + len(shown))
    assert editor.handle("a") == b"a"
    assert editor.handle("\x1by") == b""  # Esc Y only right after a yank
    for i in range(DELETE_BUFFER + 3):
        editor.insert(f" w{i}")
        editor.handle("\x17")
    assert len(editor.deleted) == DELETE_BUFFER and editor.deleted[-1] == f"w{DELETE_BUFFER + 2}"


def test_history_replace_completion_redisplay_and_the_limit() -> None:
    editor, screen = editor_at("sh ver", 2)
    screen.feed(editor.replace("show privilege"))  # history recall: the cursor at the end
    assert screen.shows(PROMPT + "show privilege", len(PROMPT) + 14) and editor.at_end
    screen.feed(editor.replace("sh"))  # a shorter line blanks what the longer one left
    assert screen.shows(PROMPT + "sh", len(PROMPT) + 2)
    assert editor.replace("show") == b"\b \b" * 2 + b"show"  # the bytes the vty always sent
    editor, screen = editor_at("show privi")
    assert editor.complete("show privilege ") == b"lege "
    editor, screen = editor_at("sh clock", 3)
    screen.feed(editor.redisplay(b"Switch#"))
    assert screen.shows(PROMPT + "sh clock", len(PROMPT) + 3)
    assert editor.end_shown() == b"clock" and editor.cursor == 3
    small = LineEditor(limit=5)
    assert small.insert("abcdefg") == b"abcde" and small.handle("x") == b"" and small.text == "abcde"


KEYS = st.sampled_from(["a", "b", " ", "Z", "\x02", "\x06", LEFT, RIGHT, "\x01", "\x05", "\x1bb", "\x1bF", "\x7f",
                        "\x08", "\x04", "\x0b", "\x15", "\x18", "\x17", "\x1bd", "\x14", "\x19", "\x1by",
                        "\x1bc", "\x1bL", "\x1bu", "\x1bOD", "\x1bOC"])


@settings(max_examples=300, deadline=None)
@given(st.lists(KEYS, max_size=60), st.integers(min_value=4, max_value=40))
def test_any_key_sequence_keeps_the_screen_equal_to_the_buffer(keys: list[str], limit: int) -> None:
    editor = LineEditor(limit=limit)
    screen = Screen()
    for key in keys:
        screen.feed(editor.handle(key) or b"")
        assert 0 <= editor.cursor <= len(editor.text) <= limit
        assert screen.shows(PROMPT + editor.text, len(PROMPT) + editor.cursor), (keys, editor.text, screen.cells)


# ---- lines longer than the terminal: horizontal scrolling with $ ----------------------------------------


def check_view(editor: LineEditor, screen: Screen) -> None:
    """The screen shows the editor's view; the view is the text at ``offset`` with ``$`` where more is hidden."""
    view, col = editor.view
    assert screen.shows(PROMPT + view, len(PROMPT) + col), (editor.text, view, screen.cells)
    assert editor.width is not None
    if len(editor.text) < editor.width:
        assert (view, col, editor.offset) == (editor.text, editor.cursor, 0)
        return
    cells = editor.width - 1
    assert view == ("$" if editor.offset else editor.text[editor.offset]) + editor.text[
        editor.offset + 1:editor.offset + cells - 1] + ("$" if editor.offset + cells < len(editor.text)
                                                        else editor.text[editor.offset + cells - 1:][:1])
    assert col == editor.cursor - editor.offset and len(view) >= 2  # never a view of nothing but $
    assert (1 if editor.offset else 0) <= col <= len(view) - (1 if view.endswith("$") else 0)


def test_a_long_line_scrolls_ten_columns_with_dollar_markers_as_ios() -> None:
    command = "access-list 101 permit tcp 10.15.22.25 255.255.255.0 10.15.22.35 255.255.255.0 eq 45"
    width = 80 - len(PROMPT)
    editor, screen = LineEditor(width=width), Screen(columns=80)
    screen.feed(editor.insert(command[:width - 1]))
    assert editor.offset == 0 and editor.view == (command[:width - 1], width - 1)  # fits: plain echo
    screen.feed(editor.insert(command[width - 1]))  # the cursor reaches the edge: the view jumps 10 columns
    check_view(editor, screen)
    assert editor.offset == 10 and editor.view[0].startswith("$ 101 permit")
    for char in command[width:]:
        screen.feed(editor.insert(char))
        check_view(editor, screen)
    offsets = set()
    for _ in range(len(command) - 5):  # left arrow: the view jumps back ten columns at the left edge
        screen.feed(editor.handle(LEFT) or b"")
        check_view(editor, screen)
        offsets.add(editor.offset)
    assert offsets == {20, 10, 0}
    screen.feed(editor.handle("\x01") or b"")  # Ctrl-A: back to the start, $ at the right edge
    check_view(editor, screen)
    assert editor.offset == 0 and editor.view == (command[:width - 2] + "$", 0)
    screen.feed(editor.handle("\x0b") or b"")  # Ctrl-K: all of it fits again
    check_view(editor, screen)
    assert editor.view == ("", 0) and "".join(screen.cells).strip() == PROMPT


@settings(max_examples=300, deadline=None)
@given(st.lists(KEYS, max_size=80), st.integers(min_value=8, max_value=24), st.integers(min_value=0, max_value=30))
def test_any_key_sequence_on_a_narrow_terminal_keeps_the_view_right(keys: list[str], width: int, start: int) -> None:
    editor = LineEditor(limit=60, width=width)
    screen = Screen(columns=len(PROMPT) + width)
    screen.feed(editor.insert("abc defgh ijklmnop qrs tuvwxyz 0123456789"[:start]))
    check_view(editor, screen)
    for key in keys:
        screen.feed(editor.handle(key) or b"")
        check_view(editor, screen)
    screen.feed(editor.replace("show running-config | include hostname"))
    check_view(editor, screen)
    redrawn = Screen(columns=len(PROMPT) + width).feed(editor.redraw())  # after a new prompt
    assert redrawn.shows(PROMPT + editor.view[0], len(PROMPT) + editor.view[1])


# ---- over telnet ---------------------------------------------------------------------------------------------






def typed_line(client: RawTelnet, keys: bytes) -> Screen:
    """Send ``keys`` then Enter; the echo up to the first CR LF, replayed on a fresh prompt line."""
    client.send(keys + b"\r")
    return Screen().feed(client.read_until(b"\r\n")[:-2])


def test_fixing_a_typo_over_telnet_with_cursor_keys(device: Device, telnet_server) -> None:
    configure(device, "line vty 0 15", "no login", "privilege level 15", "length 0")
    with RawTelnet(telnet_server) as client:
        assert client.read_until(b"Switch#") == GREETING + b"\r\nSwitch#"
        # "shw verison": Esc B twice, Ctrl-F twice, insert o; Ctrl-E, left arrow three times, Ctrl-T
        screen = typed_line(client, b"shw verison\x1bb\x1bB\x06\x06o\x05" + b"\x1b[D" * 3 + b"\x14")
        assert screen.shows("Switch#show version", len("Switch#show versi"))
        assert client.read_until(b"Switch#").startswith(b"Cisco IOS Software, C3750E Software")
        # junk at the start: Ctrl-A, Esc D deletes "junk", Ctrl-D the space; Ctrl-Y would bring "junk" back
        screen = typed_line(client, b"junk show clock\x01\x1bd\x04")
        assert screen.shows("Switch#show clock", len("Switch#"))
        assert client.read_until(b"Switch#") == b"*00:00:00.000 UTC Mon Mar 1 1993\r\nSwitch#"
        # in the middle of the line: backspace, Ctrl-K, Ctrl-U; Ctrl-Y puts the cut back
        screen = typed_line(client, b"show clockk detail\x1bb\x02\x7f\x0b\x19")
        assert screen.shows("Switch#show clock detail", len("Switch#show clock detail"))
        assert b"No time source" in client.read_until(b"Switch#")


def test_help_mid_line_puts_the_cursor_back_and_tab_only_completes_at_the_end(device: Device, telnet_server) -> None:
    configure(device, "line vty 0 15", "no login", "privilege level 15")
    with RawTelnet(telnet_server) as client:
        client.read_until(b"Switch#")
        client.send(b"show clo\x02\x02?")  # help on the whole line; then the line again, cursor where it was
        shown = client.read_until(b"Switch#show clo")
        assert shown == b"show clo\b\blo?\r\nclock  \r\nSwitch#show clo"
        client.send(b"\t")  # the cursor is not at the end: Tab does nothing
        client.send(b"\x05\tdetail\x0c")  # at the end it completes; Ctrl-L redisplays
        screen = Screen("Switch#show clo").feed(client.read_until(b"detail\r\nSwitch#show clock detail"))
        assert screen.shows("Switch#show clock detail", len("Switch#show clock detail"))
        client.send(b"\x01\x1bf\x1bf\x16?\r")  # Ctrl-V: a literal ? in the middle of the line
        out = client.read_until(b"Switch#")
        assert b"% Invalid input detected" in out


def test_a_line_wider_than_the_terminal_scrolls_and_still_runs(device: Device, telnet_server) -> None:
    configure(device, "line vty 0 15", "no login", "privilege level 15")
    with RawTelnet(telnet_server) as client:
        client.send(b"terminal width 40\r")
        client.read_until(b"Switch#terminal width 40\r\nSwitch#")
        command = "show running-config | include hostname"  # 38 characters, 33 columns after the prompt
        screen = Screen(columns=40)
        client.send(command.encode() + b"\r")
        screen.feed(client.read_until(b"\r\n")[:-2])
        assert screen.shows("Switch#$" + command[11:], len("Switch#") + len(command) - 10)  # jumped 10 columns
        assert client.read_until(b"Switch#") == b"hostname Switch\r\nSwitch#"
        client.send(command.encode() + b"\x01\r")  # Ctrl-A: the start again, $ at the right edge
        screen = Screen(columns=40).feed(client.read_until(b"\r\n")[:-2])
        assert screen.shows("Switch#" + command[:31] + "$", len("Switch#"))
        assert client.read_until(b"Switch#") == b"hostname Switch\r\nSwitch#"


def test_passwords_edit_without_any_echo(device: Device, telnet_server) -> None:
    configure(device, "username admin privilege 15 secret s3cret", "line vty 0 15", "login local")
    with RawTelnet(telnet_server) as client:
        client.read_until(b"Username: ")
        client.send(b"admin\r\n")
        client.read_until(b"Password: ")
        client.send(b"s3Xcret\x1b[D\x1b[D\x1b[D\x1b[D\x7f\x01\x05\r\n")  # fixed with arrows, never echoed
        assert client.read_until(b"Switch#") == b"\r\n\r\nSwitch#"


@pytest.mark.skipif(shutil.which("telnet") is None, reason="needs the telnet client (Debian telnet)")
def test_the_system_telnet_client_on_a_pty_edits_mid_line(device: Device, telnet_server) -> None:
    configure(device, "line vty 0 15", "no login", "privilege level 15")
    host, port = telnet_server
    child = pexpect.spawn("telnet", [host, str(port)], dimensions=(24, 80), timeout=20, encoding="latin-1")
    try:
        child.expect("Switch#")
        # Ctrl-A, Ctrl-F twice, "o", Ctrl-E, left arrow twice, Ctrl-T, Esc B, Esc F: "show clock"
        child.send("shw clcok\x01\x06\x06o\x05" + LEFT * 2 + "\x14\x1bb\x1bf\r")
        child.expect("\r\n")
        assert Screen().feed(child.before.encode("latin-1")).shows("Switch#show clock", len("Switch#show clock"))
        child.expect(r"\*00:00:00\.000 UTC Mon Mar 1 1993\r\nSwitch#")
        child.send("exit\r")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


# ---- over SSH ------------------------------------------------------------------------------------------------


def test_fixing_a_typo_over_ssh_with_left_arrows(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        async def session() -> str:
            async with asyncssh.connect("127.0.0.1", switch.port, username=ADMIN, password=ADMIN_PASSWORD,
                                        known_hosts=None, client_keys=None, preferred_auth="password") as conn:
                process = await conn.create_process(term_type="vt100", term_size=(80, 24), encoding="latin-1")
                text = ""
                while not text.endswith("Director#"):
                    text += await asyncio.wait_for(process.stdout.read(4096), 20)
                process.stdin.write("show clcok" + LEFT * 2 + "\x14\r")
                echo = ""
                while "Director#" not in echo:
                    echo += await asyncio.wait_for(process.stdout.read(4096), 20)
                process.stdin.write("exit\r")
                await asyncio.wait_for(process.wait_closed(), 20)
                return echo

        echo = asyncio.run(session())
        line, _, rest = echo.partition("\r\n")
        assert Screen("Director#").feed(line.encode("latin-1")).shows("Director#show clock", len("Director#show cloc"))
        assert rest.startswith("*00:00:00.000 UTC Mon Mar 1 1993"), echo


def test_terminal_no_editing_keeps_only_the_basic_keys(device: Device, telnet_server) -> None:
    configure(device, "line vty 0 15", "no login", "privilege level 15", "length 0")
    with RawTelnet(telnet_server) as client:
        client.read_until(b"Switch#")
        client.send(b"terminal no editing\r\n")
        client.read_until(b"Switch#")
        # Ctrl-A and the left arrow do nothing now; backspace and Ctrl-W still work
        screen = typed_line(client, b"show clockx\x7f\x01\x1b[D junk\x17")
        assert screen.shows("Switch#show clock ", len("Switch#show clock "))
        assert client.read_until(b"Switch#") == b"*00:00:00.000 UTC Mon Mar 1 1993\r\nSwitch#"
        client.send(b"terminal editing\r\n")
        client.read_until(b"Switch#")
        screen = typed_line(client, b"clock\x01show ")  # editing again: Ctrl-A moves to the start
        assert screen.shows("Switch#show clock", len("Switch#show "))
        assert client.read_until(b"Switch#") == b"*00:00:00.000 UTC Mon Mar 1 1993\r\nSwitch#"
