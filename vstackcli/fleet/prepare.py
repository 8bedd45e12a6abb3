"""``vstackcli fleet --prepare CFG``: put the files a director configuration names into its flash:.

A fresh device root has an empty ``flash:``, so a director configured with
``vstack image flash:c2960x-universalk9-tar.152-2.E6.tar`` has nothing to serve.
``prepare`` reads the configuration text, finds every ``flash:`` file it names
(images, configurations, scripts) and writes the missing ones:

- an image (``.tar``) becomes a small tar archive (an ``info`` file and a padding
  file) of about ``image_size`` bytes; a simulated switch reads the IOS version it
  boots from the image's name, so the content is only there to be transferred;
- a configuration becomes a short IOS configuration (a description on Vlan1, and
  ``enable secret`` and a vty password, both ``cisco``, so that ``vstack attach`` can
  log in, as the guide requires), a script a ``do show version`` line.

Existing files are left alone. Files go through ``atomic_write``.
"""

from __future__ import annotations

import io
import re
import tarfile
from pathlib import Path

from vstackcli.engine.storage import atomic_write

__all__ = ["flash_files", "prepare", "write_image"]

_FLASH = re.compile(r"(?:^|\s)flash:/?([^\s]+)")
_SKIP = re.compile(r"^\s*(!|vstack backup file-server|boot )")  # a repository is a directory, not a file


def flash_files(config_text: str) -> list[str]:
    """The flash: file names a configuration mentions (images, configs, scripts), in order, once each."""
    names: list[str] = []
    for line in config_text.splitlines():
        if _SKIP.match(line):
            continue
        for name in _FLASH.findall(line):
            name = name.strip("/")
            if name and not name.endswith("/") and name not in names:
                names.append(name)
    return names


def write_image(path: Path, name: str, size: int) -> None:
    """A tar archive of about ``size`` bytes that looks like a Catalyst image bundle."""
    stem = Path(name).stem
    info = f"IMAGE_NAME={stem}\nDIR_SIZE={size}\nFILES=info {stem}.bin\nGENERATED_BY=vstackcli fleet --prepare\n"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        data = info.encode()
        entry = tarfile.TarInfo(f"{stem}/info")
        entry.size = len(data)
        tar.addfile(entry, io.BytesIO(data))
        padding = max(size - 4096, 0)
        entry = tarfile.TarInfo(f"{stem}/{stem}.bin")
        entry.size = padding
        tar.addfile(entry, io.BytesIO(bytes(padding)))
    atomic_write(path, buffer.getvalue())


def _text_for(name: str) -> bytes:
    if "script" in name or "post_install" in name:
        return b"do show version\n"
    return (f"!\n! {name}: written by vstackcli fleet --prepare\n!\nenable secret 0 cisco\n!\ninterface Vlan1\n"
            f" description configured by the Smart Install director\n!\nline vty 0 15\n password 0 cisco\n"
            f" login\n!\nend\n").encode()


def prepare(config_text: str, flash: Path, image_size: int) -> list[tuple[str, str]]:
    """Write the missing files; returns (name, "written"|"present") for each file named."""
    done = []
    for name in flash_files(config_text):
        path = flash / name
        if path.resolve().is_relative_to(flash.resolve()) is False:
            continue
        if path.exists():
            done.append((name, "present"))
            continue
        if name.endswith(".tar"):
            write_image(path, name, image_size)
        else:
            atomic_write(path, _text_for(name))
        done.append((name, "written"))
    return done
