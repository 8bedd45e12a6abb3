"""The `` --More-- `` pager of ``terminal length N``.

Space shows the next page, Enter the next line, any other key stops the output.
After a key the prompt erases itself with 9 backspaces, 8 spaces and 9
backspaces, as IOS does.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["MORE", "MORE_ERASE", "write_paged"]

MORE = " --More-- "
MORE_ERASE = "\b" * 9 + " " * 8 + "\b" * 9


def write_paged(lines: list[str], length: int, write: Callable[[str], None], read_key: Callable[[], str]) -> bool:
    """Write ``lines``, pausing every ``length - 1`` lines; return False when the reader stopped it."""
    if length <= 0 or len(lines) < length:
        for line in lines:
            write(line + "\n")
        return True
    budget = length - 1
    for i, line in enumerate(lines):
        write(line + "\n")
        budget -= 1
        if budget == 0 and i + 1 < len(lines):
            write(MORE)
            key = read_key()
            write(MORE_ERASE)
            if key == " ":
                budget = length - 1
            elif key in ("\r", "\n", ""):
                budget = 1
            else:
                return False
    return True
