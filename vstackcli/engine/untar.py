"""``vstack untar source-url [destination-url]``: extract a tar (a client's archive, an image) into flash.

Only regular files and directories are extracted. A member that would land
outside the destination (absolute paths, ``..``, links, devices) is refused
before anything is written, and so is an archive that does not fit in free
flash; each file is written atomically.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import PurePosixPath

from vstackcli.engine.storage import FileSystem, StorageError

__all__ = ["UntarError", "untar"]


class UntarError(Exception):
    """The archive cannot be extracted; the text is the IOS-style error."""


def _members(archive: tarfile.TarFile, label: str) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        path = PurePosixPath(member.name)
        if path.is_absolute() or ".." in path.parts or not member.name.strip("/"):
            raise UntarError(f"%Error: {label}: member {member.name!r} would leave the destination")
        if not (member.isfile() or member.isdir()):
            raise UntarError(f"%Error: {label}: member {member.name!r} is not a regular file or directory")
        members.append(member)
    return members


def untar(data: bytes, fs: FileSystem, destination: str, label: str) -> list[str]:
    """Extract ``data`` (a tar archive) under ``destination`` on ``fs``; return the lines IOS prints."""
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")  # noqa: SIM115 - closed by the with below
    except (tarfile.TarError, EOFError) as exc:
        raise UntarError(f"%Error: {label} is not a tar archive ({exc})") from None
    with archive:
        members = _members(archive, label)
        need = sum(m.size for m in members if m.isfile())
        if need > fs.free():
            raise UntarError(f"%Error extracting {label} (Not enough space on device)")
        base = destination.strip("/")
        lines = []
        for member in members:
            name = f"{base}/{member.name.strip('/')}" if base else member.name.strip("/")
            if member.isdir():
                fs.path(name).mkdir(parents=True, exist_ok=True)
                continue
            extracted = archive.extractfile(member)
            content = extracted.read() if extracted is not None else b""
            try:
                fs.write(name, content)
            except StorageError as exc:
                raise UntarError(str(exc)) from None
            lines.append(f"extracting {name} ({len(content)} bytes)")
    return lines
