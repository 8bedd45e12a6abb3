"""IOS enhanced editing for a vty line: a buffer, a cursor, and the bytes that redraw them. No I/O.

Each action changes the buffer and the cursor and returns the exact bytes to send so that a plain
terminal (backspace moves left, a character overwrites the cell under the cursor and moves right)
shows the prompt, then the buffer, with its cursor at the editor's cursor. IOS redraws that way too:
backspaces, spaces and the re-echoed tail, never ANSI cursor sequences, so every terminal follows.

One character of the buffer is one byte on the wire (the keys come in as latin-1 characters). The keys
are Cisco's "Editing Commands through Keystrokes" (``terminal editing``, on by default); ``handle``
maps one key to its action. Deleted words and line parts go into a delete buffer of the last ten, which
Ctrl-Y brings back and Esc Y cycles through, as IOS keeps them.

A line longer than ``width`` (the columns after the prompt) scrolls horizontally as on IOS: the view
jumps ten columns when the cursor reaches its edge, and a ``$`` in the first or last cell says there is
more text that side. While the line fits, every action sends its own short redraw; once it scrolls, the
view is repainted from the first cell that changes.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable
from typing import TypeVar

__all__ = ["BASIC_KEYS", "DELETE_BUFFER", "LineEditor"]

DELETE_BUFFER = 10  # entries kept for Ctrl-Y / Esc Y, as IOS
# What still works after `terminal no editing`, besides typing: Backspace/DEL, Ctrl-U/Ctrl-X and Ctrl-W
BASIC_KEYS = frozenset({"\x08", "\x7f", "\x15", "\x18", "\x17"})
SCROLL = 10  # columns the view jumps when the cursor reaches its edge, as IOS
MIN_WIDTH = 8  # narrower than this, the line never scrolls (there is no room for the $ markers)
BS = "\b"
F = TypeVar("F", bound=Callable[..., bytes])


def _viewed(action: F) -> F:
    """An editing action that keeps the screen right when the line scrolls (``LineEditor._view``)."""

    @functools.wraps(action)
    def run(self: LineEditor, *args: object) -> bytes:
        if self._depth:  # an action inside another: the outer one draws
            return action(self, *args)
        shown, col, scrolled = self._shown, self._col, self._scrolled
        self._depth += 1
        try:
            out = action(self, *args)
        finally:
            self._depth -= 1
        return self._view(out, shown, col, scrolled)

    return run  # type: ignore[return-value]


def _encode(text: str) -> bytes:
    return text.encode("latin-1", "replace")


class LineEditor:
    """One line being typed: ``text``, ``cursor`` (0..len), the delete buffer, and ``limit`` characters at most."""

    def __init__(self, limit: int = 8192, width: int | None = None):
        self.text = ""
        self.cursor = 0
        self.limit = limit
        self.width = width if width is not None and width >= MIN_WIDTH else None  # None: never scroll
        self.offset = 0  # the first character in view
        self._shown = ""  # what the screen shows after the prompt, and the cursor's column there
        self._col = 0
        self._scrolled = False
        self._depth = 0
        self.deleted: deque[str] = deque(maxlen=DELETE_BUFFER)  # newest last
        self._yanked: tuple[int, int, int] | None = None  # (start, length, entry from the newest) after Ctrl-Y
        self._keys: dict[str, Callable[[], bytes]] = {
            "\x02": self.back_char, "\x1b[D": self.back_char, "\x1bOD": self.back_char,
            "\x06": self.forward_char, "\x1b[C": self.forward_char, "\x1bOC": self.forward_char,
            "\x01": self.start, "\x05": self.end,
            "\x1bb": self.back_word, "\x1bf": self.forward_word,
            "\x08": self.backspace, "\x7f": self.backspace,
            "\x04": self.delete_char, "\x0b": self.kill_to_end,
            "\x15": self.kill_to_start, "\x18": self.kill_to_start,
            "\x17": self.kill_word_back, "\x1bd": self.kill_word_forward,
            "\x14": self.transpose, "\x19": self.yank, "\x1by": self.yank_next,
            "\x1bc": self.capitalize_word, "\x1bl": self.lower_word, "\x1bu": self.upper_word,
        }

    # ---- dispatch ---------------------------------------------------------------------------------

    def handle(self, key: str) -> bytes | None:
        """The action bound to ``key`` (Esc letters in either case), or inserting a printable character.

        Returns the bytes to send (b"" when nothing changes), or None for a key that is not an editing key.
        """
        if len(key) == 2 and key[0] == "\x1b":
            key = key.lower()
        action = self._keys.get(key)
        if action is not None:
            if action != self.yank_next:
                self._yanked = None
            return action()
        if len(key) == 1 and key >= " ":
            self._yanked = None
            return self.insert(key)
        return None

    @property
    def at_end(self) -> bool:
        return self.cursor == len(self.text)

    @property
    def view(self) -> tuple[str, int]:
        """What the screen shows after the prompt (``$`` markers included) and the cursor's column there."""
        return self._shown, self._col

    # ---- drawing helpers --------------------------------------------------------------------------

    def _set(self, text: str, cursor: int) -> None:
        self.text, self.cursor = text, cursor

    def _tail_back(self, tail: str, blank: int = 0) -> bytes:
        """The tail, ``blank`` spaces to erase what it leaves behind, then back to where the tail started."""
        return _encode(tail + " " * blank + BS * (len(tail) + blank))

    def redraw(self) -> bytes:
        """The line (its view, when it scrolls) from the line start, the cursor put back in place (after a
        fresh prompt)."""
        return _encode(self._shown + BS * (len(self._shown) - self._col))

    def end_shown(self) -> bytes:
        """What is shown after the cursor: echoed, it takes the terminal's cursor to the line end (before
        ``?`` help); the editor's cursor stays, and ``redraw`` after the next prompt puts it back."""
        return _encode(self._shown[self._col:])

    # ---- the horizontal view ----------------------------------------------------------------------

    def _fits(self) -> bool:
        return self.width is None or len(self.text) < self.width

    def _window(self) -> tuple[str, int]:
        """The view of the text at ``offset``, with its ``$`` markers, and the cursor's column in it."""
        assert self.width is not None
        cells = self.width - 1  # the last column stays empty: the cursor sits there at the line end
        view = list(self.text[self.offset:self.offset + cells])
        if self.offset > 0:
            view[0] = "$"
        if self.offset + cells < len(self.text):
            view[-1] = "$"
        return "".join(view), self.cursor - self.offset

    def _scroll(self) -> None:
        """Move ``offset`` by ``SCROLL`` columns until the cursor is in view and off the ``$`` markers."""
        assert self.width is not None
        cells = self.width - 1
        step = min(SCROLL, cells // 2)
        # after deletions, no more room on the right than a jump leaves
        self.offset = min(self.offset, max(0, len(self.text) - cells + 1 + step))
        while True:
            col = self.cursor - self.offset
            more = self.offset + cells < len(self.text)
            if col > cells - (2 if more else 1):
                self.offset += step
            elif self.offset > 0 and col < 1:
                self.offset = max(0, self.offset - step)
            else:
                return

    def _view(self, out: bytes, shown: str, col: int, scrolled: bool) -> bytes:
        """After an action: its own bytes while the line fits and fitted before; otherwise the view
        repainted from the first changed cell (``shown``, ``col``, ``scrolled``: the screen before)."""
        if not scrolled and self._fits():
            self._shown, self._col = self.text, self.cursor
            return out
        self._scrolled = not self._fits()
        if self._scrolled:
            self._scroll()
            new, new_col = self._window()
        else:
            self.offset = 0
            new, new_col = self.text, self.cursor
        self._shown, self._col = new, new_col
        same = 0
        while same < min(len(shown), len(new)) and shown[same] == new[same]:
            same += 1
        moved = BS * (col - same) if same < col else new[col:same]
        blank = max(0, len(shown) - len(new))
        end = max(len(shown), len(new))
        return _encode(moved + new[same:] + " " * blank + BS * (end - new_col))

    def redisplay(self, prompt: bytes) -> bytes:
        """Ctrl-L / Ctrl-R: a new line, the prompt, the buffer, the cursor back in place."""
        return b"\r\n" + prompt + self.redraw()

    # ---- moving -----------------------------------------------------------------------------------

    @_viewed
    def move_to(self, position: int) -> bytes:
        """Put the cursor at ``position``: backspaces to the left, the text itself re-echoed to the right."""
        position = max(0, min(position, len(self.text)))
        out = BS * (self.cursor - position) if position < self.cursor else self.text[self.cursor:position]
        self.cursor = position
        return _encode(out)

    @_viewed
    def back_char(self) -> bytes:
        return self.move_to(self.cursor - 1)

    @_viewed
    def forward_char(self) -> bytes:
        return self.move_to(self.cursor + 1)

    @_viewed
    def start(self) -> bytes:
        return self.move_to(0)

    @_viewed
    def end(self) -> bytes:
        return self.move_to(len(self.text))

    def _word_start(self) -> int:
        """Where the word before the cursor starts (spaces before the cursor skipped first)."""
        i = self.cursor
        while i > 0 and self.text[i - 1] == " ":
            i -= 1
        while i > 0 and self.text[i - 1] != " ":
            i -= 1
        return i

    def _word_end(self) -> int:
        """Where the word at or after the cursor ends (spaces after the cursor skipped first)."""
        i = self.cursor
        while i < len(self.text) and self.text[i] == " ":
            i += 1
        while i < len(self.text) and self.text[i] != " ":
            i += 1
        return i

    @_viewed
    def back_word(self) -> bytes:
        return self.move_to(self._word_start())

    @_viewed
    def forward_word(self) -> bytes:
        return self.move_to(self._word_end())

    # ---- inserting --------------------------------------------------------------------------------

    @_viewed
    def insert(self, chars: str) -> bytes:
        """Insert at the cursor (the tail shifts right); what does not fit in ``limit`` is dropped."""
        chars = chars[:max(0, self.limit - len(self.text))]
        if not chars:
            return b""
        tail = self.text[self.cursor:]
        self._set(self.text[:self.cursor] + chars + tail, self.cursor + len(chars))
        return _encode(chars) + self._tail_back(tail)

    @_viewed
    def replace(self, text: str) -> bytes:
        """The whole line becomes ``text`` with the cursor at its end (history recall)."""
        out = self.end() + _encode("\b \b" * len(self.text))
        self._set("", 0)
        return out + self.insert(text)

    @_viewed
    def complete(self, completed: str) -> bytes:
        """Tab at the end of the line: ``completed`` replaces the buffer, redrawn from the first change."""
        same = 0
        while same < min(len(self.text), len(completed)) and self.text[same] == completed[same]:
            same += 1
        old = len(self.text)
        out = self.end() + _encode(BS * (old - same) + completed[same:])
        blank = max(0, old - len(completed))
        self._set(completed, len(completed))
        return out + _encode(" " * blank + BS * blank)

    # ---- deleting ---------------------------------------------------------------------------------

    def _delete_before(self, count: int, keep: bool) -> bytes:
        """Delete ``count`` characters before the cursor; ``keep`` puts them in the delete buffer."""
        count = min(count, self.cursor)
        if count <= 0:
            return b""
        gone = self.text[self.cursor - count:self.cursor]
        if keep:
            self.deleted.append(gone)
        tail = self.text[self.cursor:]
        self._set(self.text[:self.cursor - count] + tail, self.cursor - count)
        if not tail:
            return _encode("\b \b" * count)
        return _encode(BS * count) + self._tail_back(tail, count)

    def _delete_after(self, count: int, keep: bool) -> bytes:
        """Delete ``count`` characters from the cursor on; ``keep`` puts them in the delete buffer."""
        count = min(count, len(self.text) - self.cursor)
        if count <= 0:
            return b""
        gone = self.text[self.cursor:self.cursor + count]
        if keep:
            self.deleted.append(gone)
        tail = self.text[self.cursor + count:]
        self.text = self.text[:self.cursor] + tail
        return self._tail_back(tail, count)

    @_viewed
    def backspace(self) -> bytes:
        return self._delete_before(1, keep=False)

    @_viewed
    def delete_char(self) -> bytes:
        return self._delete_after(1, keep=False)

    @_viewed
    def kill_to_end(self) -> bytes:
        return self._delete_after(len(self.text) - self.cursor, keep=True)

    @_viewed
    def kill_to_start(self) -> bytes:
        return self._delete_before(self.cursor, keep=True)

    @_viewed
    def kill_word_back(self) -> bytes:
        return self._delete_before(self.cursor - self._word_start(), keep=True)

    @_viewed
    def kill_word_forward(self) -> bytes:
        return self._delete_after(self._word_end() - self.cursor, keep=True)

    # ---- changing ---------------------------------------------------------------------------------

    @_viewed
    def transpose(self) -> bytes:
        """Ctrl-T: swap the character left of the cursor with the one at it and step past them; at the
        end of the line, swap the last two."""
        if len(self.text) < 2 or self.cursor == 0:
            return b""
        out = b""
        if self.at_end:
            out = self.move_to(self.cursor - 1)
        i = self.cursor
        swapped = self.text[i] + self.text[i - 1]
        self._set(self.text[:i - 1] + swapped + self.text[i + 1:], i + 1)
        return out + _encode(BS + swapped)

    @_viewed
    def yank(self) -> bytes:
        """Ctrl-Y: insert the newest entry of the delete buffer at the cursor."""
        if not self.deleted:
            return b""
        return self._yank_entry(0)

    @_viewed
    def yank_next(self) -> bytes:
        """Esc Y right after Ctrl-Y (or Esc Y): the yanked text becomes the next older entry, cycling."""
        if self._yanked is None or not self.deleted:
            return b""
        start, length, entry = self._yanked
        out = self.move_to(start + length) + self._delete_before(length, keep=False)
        return out + self._yank_entry((entry + 1) % len(self.deleted))

    def _yank_entry(self, entry: int) -> bytes:
        text = self.deleted[-1 - entry]
        start = self.cursor
        out = self.insert(text)
        self._yanked = (start, self.cursor - start, entry)
        return out

    def _case(self, change: Callable[[str], str]) -> bytes:
        """Rewrite the text from the cursor to the end of its word; the cursor ends after the word."""
        end = self._word_end()
        word = change(self.text[self.cursor:end])
        self._set(self.text[:self.cursor] + word + self.text[end:], end)
        return _encode(word)

    @_viewed
    def capitalize_word(self) -> bytes:
        return self._case(_capitalize)

    @_viewed
    def lower_word(self) -> bytes:
        return self._case(str.lower)

    @_viewed
    def upper_word(self) -> bytes:
        return self._case(str.upper)


def _capitalize(part: str) -> str:
    """Leading spaces kept, the first letter upper case, the rest lower case."""
    stripped = part.lstrip(" ")
    lead = len(part) - len(stripped)
    return part[:lead] + stripped[:1].upper() + stripped[1:].lower()
