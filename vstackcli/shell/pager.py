"""The `` --More-- `` pager of ``terminal length N``.

Space shows the next page, Enter the next line, any other key stops the output.
After a key the prompt erases itself with 9 backspaces, 8 spaces and 9
backspaces, as IOS does. ``pages`` is the logic; ``write_paged`` drives it with
a blocking key reader (the console, the batch driver) and the vty drives it
with an asynchronous one.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

__all__ = ["MORE", "MORE_ERASE", "pages", "write_paged"]

MORE = " --More-- "
MORE_ERASE = "\b" * 9 + " " * 8 + "\b" * 9


def pages(lines: list[str], length: int) -> Generator[tuple[list[str], bool], str, bool]:
    """Yield ``(stretch, more)``: lines to print, and whether `` --More-- `` follows them.

    After a stretch with ``more``, send the key typed at the prompt. Returns False when the reader stopped it.
    """
    if length <= 0 or len(lines) < length:
        yield lines, False
        return True
    budget = length - 1
    start = 0
    while True:
        stretch = lines[start:start + budget]
        start += len(stretch)
        if start >= len(lines):
            yield stretch, False
            return True
        key = yield stretch, True
        if key == " ":
            budget = length - 1
        elif key in ("\r", "\n", ""):
            budget = 1
        else:
            return False


def write_paged(lines: list[str], length: int, write: Callable[[str], None], read_key: Callable[[], str]) -> bool:
    """Write ``lines``, pausing every ``length - 1`` lines; return False when the reader stopped it."""
    gen = pages(lines, length)
    key: str | None = None
    try:
        while True:
            stretch, more = gen.send(key) if key is not None else next(gen)
            for line in stretch:
                write(line + "\n")
            if not more:
                return True
            write(MORE)
            key = read_key()
            write(MORE_ERASE)
    except StopIteration as stop:
        return bool(stop.value)
