"""IOS enhanced editing for a vty line: a buffer, a cursor, and the bytes that redraw them. No I/O.

Each action changes the buffer and the cursor and returns the exact bytes to send so that a plain
terminal (backspace moves left, a character overwrites the cell under the cursor and moves right)
shows the prompt, then the buffer, with its cursor at the editor's cursor. IOS redraws that way too:
backspaces, spaces and the re-echoed tail, never ANSI cursor sequences, so every terminal follows.

One character of the buffer is one byte on the wire (the keys come in as latin-1 characters). The keys
are Cisco's "Editing Commands through Keystrokes" (``terminal editing``, on by default); ``handle``
maps one key to its action. Deleted words and line parts go into a delete buffer of the last ten, which
Ctrl-Y brings back and Esc Y cycles through, as IOS keeps them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

__all__ = ["DELETE_BUFFER", "LineEditor"]

DELETE_BUFFER = 10  # entries kept for Ctrl-Y / Esc Y, as IOS
BS = "\b"


def _encode(text: str) -> bytes:
    return text.encode("latin-1", "replace")


class LineEditor:
    """One line being typed: ``text``, ``cursor`` (0..len), the delete buffer, and ``limit`` characters at most."""

    def __init__(self, text: str = "", limit: int = 8192):
        self.text = text
        self.cursor = len(text)
        self.limit = limit
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
        if len(key) == 1 and (key >= " " and key != "\x7f"):
            self._yanked = None
            return self.insert(key)
        return None

    @property
    def at_end(self) -> bool:
        return self.cursor == len(self.text)

    # ---- drawing helpers --------------------------------------------------------------------------

    def _set(self, text: str, cursor: int) -> None:
        self.text, self.cursor = text, cursor

    def _tail_back(self, tail: str, blank: int = 0) -> bytes:
        """The tail, ``blank`` spaces to erase what it leaves behind, then back to where the tail started."""
        return _encode(tail + " " * blank + BS * (len(tail) + blank))

    def redraw(self) -> bytes:
        """The whole buffer from the line start, the cursor put back in place (after a fresh prompt)."""
        return _encode(self.text + BS * (len(self.text) - self.cursor))

    def end_shown(self) -> bytes:
        """The text after the cursor: echoed, it takes the terminal's cursor to the line end (before ``?``
        help); the editor's cursor stays, and ``redraw`` after the next prompt puts it back."""
        return _encode(self.text[self.cursor:])

    def redisplay(self, prompt: bytes) -> bytes:
        """Ctrl-L / Ctrl-R: a new line, the prompt, the buffer, the cursor back in place."""
        return b"\r\n" + prompt + self.redraw()

    # ---- moving -----------------------------------------------------------------------------------

    def move_to(self, position: int) -> bytes:
        """Put the cursor at ``position``: backspaces to the left, the text itself re-echoed to the right."""
        position = max(0, min(position, len(self.text)))
        out = BS * (self.cursor - position) if position < self.cursor else self.text[self.cursor:position]
        self.cursor = position
        return _encode(out)

    def back_char(self) -> bytes:
        return self.move_to(self.cursor - 1)

    def forward_char(self) -> bytes:
        return self.move_to(self.cursor + 1)

    def start(self) -> bytes:
        return self.move_to(0)

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

    def back_word(self) -> bytes:
        return self.move_to(self._word_start())

    def forward_word(self) -> bytes:
        return self.move_to(self._word_end())

    # ---- inserting --------------------------------------------------------------------------------

    def insert(self, chars: str) -> bytes:
        """Insert at the cursor (the tail shifts right); what does not fit in ``limit`` is dropped."""
        chars = chars[:max(0, self.limit - len(self.text))]
        if not chars:
            return b""
        tail = self.text[self.cursor:]
        self._set(self.text[:self.cursor] + chars + tail, self.cursor + len(chars))
        return _encode(chars) + self._tail_back(tail)

    def replace(self, text: str) -> bytes:
        """The whole line becomes ``text`` with the cursor at its end (history recall)."""
        out = self.end() + _encode("\b \b" * len(self.text))
        self._set("", 0)
        return out + self.insert(text)

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

    def backspace(self) -> bytes:
        return self._delete_before(1, keep=False)

    def delete_char(self) -> bytes:
        return self._delete_after(1, keep=False)

    def kill_to_end(self) -> bytes:
        return self._delete_after(len(self.text) - self.cursor, keep=True)

    def kill_to_start(self) -> bytes:
        return self._delete_before(self.cursor, keep=True)

    def kill_word_back(self) -> bytes:
        return self._delete_before(self.cursor - self._word_start(), keep=True)

    def kill_word_forward(self) -> bytes:
        return self._delete_after(self._word_end() - self.cursor, keep=True)

    # ---- changing ---------------------------------------------------------------------------------

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

    def yank(self) -> bytes:
        """Ctrl-Y: insert the newest entry of the delete buffer at the cursor."""
        if not self.deleted:
            return b""
        return self._yank_entry(0)

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

    def capitalize_word(self) -> bytes:
        return self._case(_capitalize)

    def lower_word(self) -> bytes:
        return self._case(str.lower)

    def upper_word(self) -> bytes:
        return self._case(str.upper)


def _capitalize(part: str) -> str:
    """Leading spaces kept, the first letter upper case, the rest lower case."""
    stripped = part.lstrip(" ")
    lead = len(part) - len(stripped)
    return part[:lead] + stripped[:1].upper() + stripped[1:].lower()
