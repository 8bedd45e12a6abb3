"""Saving and files: copy running-config startup-config, write, erase, reload, dir, copy, delete, more."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import run, transcript

from vstackcli.engine.storage import FileSystem, FlashFull, StorageError, atomic_write
from vstackcli.shell.session import Session


def test_copy_running_config_startup_config_asks_the_destination(enabled: Session) -> None:
    run(enabled, "configure terminal", "hostname Director", "vstack director 1.1.1.20", "end")
    text = transcript(enabled, "copy running-config startup-config\n\n")
    assert "Director#copy running-config startup-config\nDestination filename [startup-config]? \n" in text
    assert "Building configuration...\n[OK]\n" in text
    saved = enabled.device.storage.startup_config()
    assert "hostname Director" in saved and "vstack director 1.1.1.20" in saved
    shown = run(enabled, "show startup-config")
    assert shown[0].startswith("Using ") and "vstack director 1.1.1.20" in shown


def test_write_memory_and_erase(enabled: Session) -> None:
    assert run(enabled, "write memory") == ["Building configuration...", "[OK]"]
    assert enabled.device.storage.startup_config() is not None
    reply = enabled.execute("write erase")
    assert reply.question.prompt.endswith("Continue? [confirm]")
    assert enabled.execute("").lines == ["[OK]", "Erase of nvram: complete"]
    assert enabled.device.storage.startup_config() is None
    assert run(enabled, "show startup-config") == ["startup-config is not present"]


def test_reload_replays_the_saved_configuration(enabled: Session) -> None:
    run(enabled, "configure terminal", "hostname Saved", "end", "write")
    run(enabled, "configure terminal", "hostname Unsaved", "end")
    reply = enabled.execute("reload")
    assert reply.question.prompt == "System configuration has been modified. Save? [yes/no]: "
    assert enabled.execute("no").question.prompt == "Proceed with reload? [confirm]"
    lines = enabled.execute("").lines
    assert "Press RETURN to get started!" in lines
    assert enabled.prompt() == "Saved>"


def test_dir_shows_free_and_total_bytes(enabled: Session) -> None:
    enabled.device.storage.flash.write("image.tar", b"x" * 1000)
    lines = run(enabled, "dir flash:")
    assert lines[0] == "Directory of flash:/"
    assert any(line.endswith("image.tar") and " 1000 " in line for line in lines)
    total = enabled.device.storage.flash.capacity
    assert lines[-1] == f"{total} bytes total ({total - 1000} bytes free)"


def test_copy_delete_more(enabled: Session) -> None:
    flash = enabled.device.storage.flash
    flash.write("a.txt", b"hello\n")
    enabled.execute("copy flash:a.txt flash:b.txt")
    assert enabled.execute("").lines[0].startswith("6 bytes copied in ")
    assert flash.read("b.txt") == b"hello\n"
    assert run(enabled, "more flash:b.txt") == ["hello"]
    assert enabled.execute("delete flash:b.txt").question.prompt == "Delete filename [b.txt]? "
    assert enabled.execute("").question.prompt == "Delete flash:/b.txt? [confirm]"
    enabled.execute("")
    assert not flash.exists("b.txt")
    assert run(enabled, "more flash:b.txt") == ["%Error opening flash:b.txt (No such file or directory)"]


def test_copy_a_file_into_the_running_config(enabled: Session) -> None:
    data = b"vstack director 2.2.2.2\nvstack basic\nbogus line\n"
    enabled.device.storage.flash.write("merge.txt", data)
    enabled.execute("copy flash:merge.txt running-config")
    lines = enabled.execute("").lines
    assert enabled.device.config.vstack.director is not None
    assert any("line 3" in line for line in lines)
    assert lines[-1].startswith(f"{len(data)} bytes copied in ")


def test_flash_full_is_a_clean_error_and_no_half_file(tmp_path: Path) -> None:
    fs = FileSystem("flash:", tmp_path / "flash", capacity=100)
    fs.write("a", b"x" * 60)
    with pytest.raises(FlashFull, match="Not enough space"):
        fs.write("b", b"y" * 60)
    assert not fs.exists("b")
    assert sorted(os.listdir(tmp_path / "flash")) == ["a"]


@pytest.mark.parametrize("name", ["../../etc/passwd", "a/../../b", "..", "vstack/../../x"])
def test_paths_never_leave_the_root(tmp_path: Path, name: str) -> None:
    fs = FileSystem("flash:", tmp_path / "flash", capacity=10_000)
    with pytest.raises(StorageError, match="Invalid argument"):
        fs.path(name)


def test_symlinks_out_of_the_root_are_refused(tmp_path: Path) -> None:
    fs = FileSystem("flash:", tmp_path / "flash", capacity=10_000)
    (tmp_path / "secret").write_text("s")
    (tmp_path / "flash" / "link").symlink_to(tmp_path / "secret")
    with pytest.raises(StorageError, match="Invalid argument"):
        fs.read("link")


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "startup-config"
    atomic_write(target, b"old")

    def crash(*args):
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["startup-config"]
