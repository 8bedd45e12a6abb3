"""The device's file systems: ``flash:`` and ``nvram:`` as directories under one root.

Every write is atomic (a temporary file, fsync, rename), so a crash mid-write
leaves the old file whole. ``flash:`` has a capacity, as a real switch's does.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

__all__ = ["FileSystem", "FlashFull", "Storage", "StorageError", "atomic_write"]

CATALYST_3750X_FLASH = 57_931_776  # bytes total on a 64 MB 3750-X flash, as `dir flash:` reports
NVRAM_SIZE = 524_288


class StorageError(Exception):
    """A file-system operation that IOS would refuse, with its IOS-style reason."""


class FlashFull(StorageError):
    """Not enough space on the device."""


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@dataclass(frozen=True)
class DirEntry:
    index: int
    name: str
    size: int
    is_dir: bool
    mtime: datetime


class FileSystem:
    """One IOS file system (``flash:``) backed by a directory, with a capacity in bytes."""

    def __init__(self, name: str, root: Path, capacity: int):
        self.name = name
        self.root = root
        self.capacity = capacity
        root.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        """The host path for a file name on this file system; never outside the root."""
        clean = PurePosixPath("/" + name.replace("\\", "/"))
        parts = [p for p in clean.parts[1:] if p not in ("", ".")]
        if ".." in parts or any(p.startswith(".tmp-") for p in parts):
            raise StorageError(f"%Error opening {self.name}{name} (Invalid argument)")
        path = self.root.joinpath(*parts) if parts else self.root
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise StorageError(f"%Error opening {self.name}{name} (Invalid argument)")
        return path

    def used(self) -> int:
        total = 0
        for dirpath, _dirs, files in os.walk(self.root):
            for f in files:
                with contextlib.suppress(OSError):
                    total += (Path(dirpath) / f).stat().st_size
        return total

    def free(self) -> int:
        return max(0, self.capacity - self.used())

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def read(self, name: str) -> bytes:
        p = self.path(name)
        if not p.is_file():
            raise StorageError(f"%Error opening {self.name}{name} (No such file or directory)")
        return p.read_bytes()

    def write(self, name: str, data: bytes) -> None:
        p = self.path(name)
        if p.is_dir():
            raise StorageError(f"%Error opening {self.name}{name} (Is a directory)")
        old = p.stat().st_size if p.is_file() else 0
        if len(data) - old > self.free():
            raise FlashFull(f"%Error copying {self.name}{name} (Not enough space on device)")
        atomic_write(p, data)

    def delete(self, name: str) -> None:
        p = self.path(name)
        if not p.is_file():
            raise StorageError(f"%Error deleting {self.name}{name} (No such file or directory)")
        p.unlink()

    def listing(self, directory: str = "") -> list[DirEntry]:
        base = self.path(directory)
        if not base.is_dir():
            raise StorageError(f"%Error opening {self.name}{directory} (No such file or directory)")
        entries = []
        for i, p in enumerate(sorted(x for x in base.iterdir() if not x.name.startswith(".tmp-")), start=2):
            st = p.stat()
            size = st.st_size if p.is_file() else 512
            entries.append(DirEntry(i, p.name, size, p.is_dir(), datetime.fromtimestamp(st.st_mtime, UTC)))
        return entries


class Storage:
    """``flash:`` and ``nvram:`` of one device root."""

    def __init__(self, root: Path, flash_size: int = CATALYST_3750X_FLASH):
        self.root = root
        self.flash = FileSystem("flash:", root / "flash", flash_size)
        self.nvram = FileSystem("nvram:", root / "nvram", NVRAM_SIZE)
        self.on_startup_saved: Callable[[str], None] | None = None  # told after each save (simulated switches)
        self.host_key_listeners: list[Callable[[], None]] = []  # told when the RSA key is made or removed (SSH)

    def filesystem(self, scheme: str) -> FileSystem:
        if scheme in ("flash:", "flash0:", "flash1:", "usb:"):
            return self.flash
        if scheme == "nvram:":
            return self.nvram
        raise StorageError(f"%Error: file system {scheme} is not available")

    def startup_config(self) -> str | None:
        if not self.nvram.exists("startup-config"):
            return None
        return self.nvram.read("startup-config").decode("utf-8", "replace")

    def save_startup_config(self, text: str) -> None:
        self.nvram.write("startup-config", text.encode())
        if self.on_startup_saved is not None:
            self.on_startup_saved(text)

    def host_key_changed(self) -> None:
        """``crypto key generate rsa`` or ``zeroize`` changed nvram:'s host key: tell whoever serves with it."""
        for listener in list(self.host_key_listeners):
            listener()

    def erase_startup_config(self) -> None:
        if self.nvram.exists("startup-config"):
            self.nvram.delete("startup-config")
