"""Exec commands on files and saved configuration: copy, write, erase, dir, delete, more.

Questions (``Destination filename [startup-config]?``, ``[confirm]``) are
returned as ``Question`` continuations; every write goes through the atomic
storage layer.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime

from vstackcli.engine.backend import ProgressHook
from vstackcli.engine.device import Device
from vstackcli.engine.render import config_lines
from vstackcli.engine.storage import FileSystem, StorageError
from vstackcli.grammar.graph import Command
from vstackcli.grammar.values import FileUrl
from vstackcli.modes.base import Call, CommandError, Question

__all__ = ["FILE_COMMANDS", "confirm", "prompts_quiet", "resolve_local", "startup_text", "write_url_text"]

UNSUPPORTED = {"ftp:", "http:", "https:", "null:", "rcp:", "scp:", "system:", "tmpsys:"}


def resolve_local(device: Device, url: FileUrl) -> tuple[FileSystem, str]:
    """The file system and file name for a local URL; refuse network and unsupported ones."""
    if url.scheme == "tftp:":
        raise CommandError(f"%Error opening {url} (TFTP transfers are not available yet)")
    if url.scheme in UNSUPPORTED:
        raise CommandError(f"%Error: {url.scheme} is not supported by vstackcli")
    try:
        return device.storage.filesystem(url.scheme), url.path
    except StorageError as exc:
        raise CommandError(str(exc)) from None


def write_url_text(device: Device, url_text: str, text: str, append: bool = False) -> None:
    """``| redirect`` / ``| append`` / ``| tee``: write command output to a local file."""
    try:
        fs, name = resolve_local(device, FileUrl.parse(url_text))
        data = (fs.read(name) if append and fs.exists(name) else b"") + text.encode()
        fs.write(name, data)
    except (ValueError, StorageError) as exc:
        raise CommandError(str(exc) if isinstance(exc, StorageError) else f"%Error: bad URL {url_text}") from None


def startup_text(device: Device) -> str:
    """The text ``copy running-config startup-config`` saves."""
    return "\n".join(config_lines(device.config)) + "\n"


def prompts_quiet(device: Device) -> bool:
    """``file prompt quiet``: file commands ask no questions (automation sets it; napalm does)."""
    return any(block.line == "file prompt quiet" for block in device.config.extra)


def confirm(prompt: str, action: Callable[[], Question | None]) -> Question:
    """An IOS ``[confirm]``: Enter or y proceeds, anything else aborts."""

    def answer(text: str) -> Question | None:
        if text.strip().lower() in ("", "y", "yes"):
            return action()
        return None

    return Question(prompt, answer)


def _bytes_copied(call: Call, size: int, started: float) -> None:
    secs = max(time.monotonic() - started, 0.001)
    call.print(f"{size} bytes copied in {secs:.3f} secs ({int(size / secs)} bytes/sec)")


def save_startup(call: Call) -> None:
    call.print("Building configuration...")
    try:
        call.device.storage.save_startup_config(startup_text(call.device))
    except StorageError as exc:
        raise CommandError(str(exc)) from None
    call.device.saved_at = call.device.clock.now()
    call.device.dirty = False
    call.print("[OK]")


def _merge_into_running(call: Call, text: str, source: str) -> None:
    from vstackcli.shell.replay import replay

    started = time.monotonic()
    report = replay(call.device, text, source=source, user=call.session.user)
    call.out.extend(report.error_lines())
    _bytes_copied(call, len(text.encode()), started)


def _copy(call: Call) -> Question | None:
    src = "running-config" if call.arg("running_config") else None
    dst = None
    args = call.args
    src_url: FileUrl | None = args.get("src")
    if args.get("src_name"):  # a bare name is relative to the working directory, flash: (`copy FILE running-config`)
        src_url = FileUrl("flash:", str(args["src_name"]).lstrip("/"))
    dst_url: FileUrl | None = args.get("dst")
    if args.get("startup_config_src"):
        src = "startup-config"
    if args.get("dst_running"):
        dst = "running-config"
    elif args.get("dst_startup"):
        dst = "startup-config"
    default_name = dst or (dst_url.path if dst_url else "")
    if not default_name:
        # a bare file system (`flash:`): IOS offers the source's file name
        default_name = (src_url.path.rsplit("/", 1)[-1] if src_url else src) or ""

    def run(name: str) -> Question | None:
        target = name.strip() or default_name
        return _do_copy(call, src, src_url, dst, dst_url, target)

    if prompts_quiet(call.device):
        return run("")
    return Question(f"Destination filename [{default_name}]? ", run)


def _read_source(call: Call, src: str | None, src_url: FileUrl | None) -> bytes:
    if src == "running-config":
        return startup_text(call.device).encode()
    if src == "startup-config":
        text = call.device.storage.startup_config()
        if text is None:
            raise CommandError("%Error opening nvram:startup-config (No such file or directory)")
        return text.encode()
    assert src_url is not None
    if src_url.scheme == "null:":  # `copy null: flash:FILE` empties FILE (napalm's discard_config)
        return b""
    fs, name = resolve_local(call.device, src_url)
    try:
        return fs.read(name)
    except StorageError as exc:
        raise CommandError(str(exc)) from None


def _transfers(call: Call, url: FileUrl) -> object:
    transfers = call.device.transfers
    if transfers is None:
        raise CommandError(f"%Error opening {url} (the TFTP client is not running; start vstackcli with its servers)")
    return transfers


def _bar(call: Call, label: str) -> AbstractContextManager[ProgressHook | None]:
    """The session's progress bar for a transfer (an interactive console's), or no hook."""
    factory = call.session.transfer_bar
    return factory(label) if factory is not None else contextlib.nullcontext(None)


def _copy_tftp(call: Call, src: str | None, src_url: FileUrl | None, dst_url: FileUrl | None,
               target: str) -> bool:
    """``copy tftp://... flash:X`` and ``copy flash:X|running-config tftp://...``; False when not a TFTP copy."""
    if src_url is not None and src_url.scheme == "tftp:" and dst_url is not None and dst_url.is_local:
        fs, _ = resolve_local(call.device, dst_url)
        transfers = _transfers(call, src_url)
        with _bar(call, target) as progress:
            lines, _ok = transfers.copy_in(str(src_url), fs, target, progress=progress)
        call.out.extend(lines)
        return True
    if dst_url is not None and dst_url.scheme == "tftp:":
        url = f"tftp://{dst_url.host}/{target}"
        transfers = _transfers(call, dst_url)
        if src_url is not None and src_url.is_local:
            fs, name = resolve_local(call.device, src_url)
            with _bar(call, name) as progress:
                lines, _ok = transfers.copy_out(fs, name, url, progress=progress)
            call.out.extend(lines)
            return True
        data = _read_source(call, src, src_url)
        started = time.monotonic()
        try:
            transfers.put(url, data)
        except Exception as exc:  # the TFTP client's errors carry the reason
            raise CommandError(f"%Error opening {url} ({exc})") from None
        call.print("!!")
        _bytes_copied(call, len(data), started)
        return True
    return False


def _do_copy(call: Call, src: str | None, src_url: FileUrl | None, dst: str | None, dst_url: FileUrl | None,
             target: str) -> Question | None:
    if _copy_tftp(call, src, src_url, dst_url, target):
        return None
    data = _read_source(call, src, src_url)
    started = time.monotonic()
    if dst == "startup-config" or (dst_url and dst_url.scheme == "nvram:" and target == "startup-config"):
        if src == "running-config":
            save_startup(call)
            return None
        try:
            call.device.storage.save_startup_config(data.decode("utf-8", "replace"))
        except StorageError as exc:
            raise CommandError(str(exc)) from None
        _bytes_copied(call, len(data), started)
        return None
    if dst == "running-config":
        _merge_into_running(call, data.decode("utf-8", "replace"), str(src_url or src))
        return None
    assert dst_url is not None
    fs, _ = resolve_local(call.device, dst_url)

    def write() -> None:
        try:
            fs.write(target, data)
        except StorageError as exc:
            raise CommandError(str(exc)) from None
        _bytes_copied(call, len(data), started)

    if fs.exists(target) and not prompts_quiet(call.device):
        call.print("%Warning:There is a file already existing with this name")
        return confirm("Do you want to over write? [confirm]", write)
    write()
    return None


def _write(call: Call) -> Question | None:
    if call.arg("erase"):
        return _erase_nvram(call)
    if call.arg("terminal"):
        from vstackcli.engine.render import render_config

        call.print(render_config(call.device.config).rstrip("\n"))
        return None
    save_startup(call)
    return None


def _erase_nvram(call: Call) -> Question:
    def erase() -> None:
        call.device.storage.erase_startup_config()
        call.print("[OK]")
        call.print("Erase of nvram: complete")
        call.device.log.log("SYS", 7, "NV_BLOCK_INIT", "Initialized the geometry of nvram")

    return confirm("Erasing the nvram filesystem will remove all configuration files! Continue? [confirm]", erase)


def _erase(call: Call) -> Question | None:
    url: FileUrl | None = call.arg("url")
    if call.arg("startup_config") or (url is not None and url.scheme == "nvram:"):
        return _erase_nvram(call)
    raise CommandError("%Error: erasing flash: is not allowed on a director emulation; use delete")


def _dir(call: Call) -> None:
    url: FileUrl = call.arg("url") or FileUrl("flash:", "")
    fs, name = resolve_local(call.device, url)
    try:
        entries = _one_file(fs, name) if name and fs.exists(name) else fs.listing(name)
    except StorageError as exc:
        raise CommandError(str(exc)) from None
    call.print(f"Directory of {fs.name}/{name}")
    call.print()
    if not entries:
        call.print("No files in directory")
    for e in entries:
        stamp = _stamp(e.mtime)
        call.print(f"{e.index:>5}  {'d' if e.is_dir else '-'}rwx  {e.size:>10}  {stamp}  {e.name}")
    call.print()
    call.print(f"{fs.capacity} bytes total ({fs.free()} bytes free)")


def _one_file(fs: FileSystem, name: str) -> list:
    """``dir flash:FILE``: IOS lists that file alone, under ``Directory of flash:/FILE``."""
    parent, _, base = name.rpartition("/")
    return [e for e in fs.listing(parent) if e.name == base]


def _stamp(when: datetime) -> str:
    return f"{when:%b} {when.day:2d} {when.year} {when:%H:%M:%S} +00:00"


def _delete(call: Call) -> Question:
    url: FileUrl = call.arg("url")
    fs, name = resolve_local(call.device, url)

    def ask_confirm(typed: str) -> Question:
        target = typed.strip() or name

        def delete() -> None:
            try:
                fs.delete(target)
            except StorageError as exc:
                raise CommandError(str(exc)) from None

        return confirm(f"Delete {fs.name}/{target}? [confirm]", delete)

    return Question(f"Delete filename [{name}]? ", ask_confirm)


def _more(call: Call) -> None:
    url: FileUrl = call.arg("url")
    fs, name = resolve_local(call.device, url)
    try:
        data = fs.read(name)
    except StorageError as exc:
        raise CommandError(str(exc)) from None
    call.print(data.decode("utf-8", "replace").rstrip("\n"))


_HELP = {
    "copy": "Copy from one file to another",
    "running-config": "Copy from current system configuration",
    "startup-config": "Copy from startup configuration",
    "$src": "Source URL",
    "$dst": "Destination URL",
    "$dst_running": "Update (merge with) current system configuration",
    "$dst_startup": "Copy to startup configuration",
    "$startup_config_src": "Copy from startup configuration",
    "write": "Write running configuration to memory, network, or terminal",
    "memory": "Write to NV memory",
    "erase": "Erase a filesystem",
    "terminal": "Write to terminal",
    "dir": "List files on a filesystem",
    "$url": "Directory or file name",
    "delete": "Delete a file",
    "more": "Display the contents of a file",
}

FILE_COMMANDS = [
    Command("copy <running-config|startup-config$startup_config_src|URL$src> "
            "<running-config$dst_running|startup-config$dst_startup|URL$dst>", _copy, help=_HELP, privilege=15),
    # `copy FILE running-config`: a bare name is on the working directory (flash:); IOS lists no WORD here
    Command("copy WORD$src_name <running-config$dst_running|startup-config$dst_startup|URL$dst>", _copy,
            help=_HELP, privilege=15, hidden=True),
    Command("write [memory|erase|terminal]", _write, help={**_HELP, "erase": "Erase NV memory"}, privilege=15),
    Command("erase <startup-config|URL$url>", _erase,
            help={**_HELP, "startup-config": "Erase contents of configuration memory"}, privilege=15),
    Command("dir [URL$url]", _dir, help=_HELP, privilege=15),
    Command("delete URL$url", _delete, help=_HELP, privilege=15),
    Command("more URL$url", _more, help=_HELP, privilege=15),
]
