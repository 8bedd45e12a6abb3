"""A rich progress bar for ``copy tftp://... flash:`` on an interactive terminal.

``copy_with_progress(console, url, fs, dest, ...)`` runs :func:`copy_from_tftp` and, when ``console`` is a
terminal and the server announces (tsize) at least ``min_bytes``, shows a transient bar (bytes, rate, time
left) on it while the transfer runs. The result, and so what IOS prints, is the same as without the bar.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from vstackcli.engine.storage import FileSystem
from vstackcli.net.tftp.client import CopyResult, copy_from_tftp

__all__ = ["MIN_BYTES", "TransferBar", "copy_with_progress"]

MIN_BYTES = 1 << 20  # smaller files finish before a bar is worth drawing


class TransferBar:
    """A ``progress(done, size)`` hook that draws a bar once the size is known to be large enough.

    Use as a context manager around the transfer; nothing is drawn when the console is not a terminal,
    when the size stays unknown or is below ``min_bytes``."""

    def __init__(self, console: Console, label: str, min_bytes: int = MIN_BYTES):
        self.console, self.label, self.min_bytes = console, label, min_bytes
        self.progress: Progress | None = None
        self.task: Any = None
        self.shown = False

    def __call__(self, done: int, size: int | None) -> None:
        if self.progress is None:
            if self.shown or size is None or size < self.min_bytes or not self.console.is_terminal:
                return
            self.shown = True
            self.progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
                                     TransferSpeedColumn(), TimeRemainingColumn(), console=self.console,
                                     transient=True, redirect_stdout=False, redirect_stderr=False)
            self.task = self.progress.add_task(self.label, total=size)
            self.progress.start()
        self.progress.update(self.task, completed=done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def __enter__(self) -> TransferBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def copy_with_progress(console: Console, url: str, fs: FileSystem, dest: str, *, min_bytes: int = MIN_BYTES,
                       **kwargs: Any) -> CopyResult:
    """:func:`copy_from_tftp` with a bar on ``console`` for large files on a terminal."""
    with TransferBar(console, dest, min_bytes) as bar:
        return copy_from_tftp(url, fs, dest, progress=bar, **kwargs)
