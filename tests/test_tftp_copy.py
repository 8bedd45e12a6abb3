"""The director's side: ``copy tftp://... flash:`` and ``copy flash:... tftp://...`` as IOS prints them."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from vstackcli.engine.storage import FileSystem
from vstackcli.net.tftp import TftpServer, WritePolicy
from vstackcli.net.tftp.client import (
    TftpError,
    TftpUrl,
    copy_from_tftp,
    copy_to_tftp,
    parse_tftp_url,
    repository_put,
)


@pytest.fixture
def repo(tmp_path: Path):
    """A remote TFTP repository (our server on its own directory, writes anywhere)."""
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "image.tar").write_bytes(os.urandom(51_200))
    with TftpServer(root=tmp_path / "repo", write_policy=WritePolicy(("",)), timeout=0.5) as srv:
        yield srv


@pytest.fixture
def flash(tmp_path: Path) -> FileSystem:
    return FileSystem("flash:", tmp_path / "flash", 4 << 20)


class Ticks:
    """A clock that moves 0.25 s per reading."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        self.t += 0.25
        return self.t


def test_copy_tftp_to_flash(repo: TftpServer, flash: FileSystem) -> None:
    url = f"tftp://127.0.0.1:{repo.port}/image.tar"
    r = copy_from_tftp(url, flash, "image.tar", via="Vlan1", clock=Ticks())
    assert r.ok and r.size == 51_200
    assert r.lines == [
        f"Accessing {url}...",
        "Loading image.tar from 127.0.0.1 (via Vlan1): !!!!!!!!!!",
        "[OK - 51200 bytes]",
        "",
        "51200 bytes copied in 0.250 secs (204800 bytes/sec)",
    ]
    assert flash.read("image.tar") == (repo.fs.root / "image.tar").read_bytes()


def test_copy_flash_to_tftp(repo: TftpServer, flash: FileSystem) -> None:
    flash.write("vstack/sw1-config.rev2", b"hostname sw1\n")
    url = f"tftp://127.0.0.1:{repo.port}/backups/sw1-config.rev2"
    r = copy_to_tftp(flash, "vstack/sw1-config.rev2", url, clock=Ticks())
    assert r.ok and r.lines == ["!", "13 bytes copied in 0.250 secs (52 bytes/sec)"]
    assert (repo.fs.root / "backups" / "sw1-config.rev2").read_bytes() == b"hostname sw1\n"


def test_copy_errors(repo: TftpServer, flash: FileSystem) -> None:
    base = f"tftp://127.0.0.1:{repo.port}"
    r = copy_from_tftp(f"{base}/nope.tar", flash, "nope.tar")
    assert r.lines == [f"Accessing {base}/nope.tar...", f"%Error opening {base}/nope.tar (No such file or directory)"]
    assert not r.ok and not flash.exists("nope.tar")
    r = copy_to_tftp(flash, "missing.cfg", f"{base}/x.cfg")
    assert r.lines == ["%Error opening flash:missing.cfg (No such file or directory)"]
    flash.write("a.cfg", b"a")
    r = copy_to_tftp(flash, "a.cfg", f"{base}/../a.cfg")
    assert r.lines == [f"%Error opening {base}/../a.cfg (Permission denied)"]
    r = copy_from_tftp(f"{base}/image.tar", flash, "../escape.tar")
    assert r.lines[-1] == "%Error opening flash:../escape.tar (Invalid argument)"


def test_copy_from_a_silent_host_times_out(flash: FileSystem) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as hole:
        hole.bind(("127.0.0.1", 0))
        url = f"tftp://127.0.0.1:{hole.getsockname()[1]}/image.tar"
        r = copy_from_tftp(url, flash, "image.tar", timeout=0.1, retries=1)
    assert r.lines == [f"Accessing {url}...", f"%Error opening {url} (Timed out)"]


def test_copy_into_a_full_flash(repo: TftpServer, flash: FileSystem) -> None:
    flash.capacity = 10_000
    url = f"tftp://127.0.0.1:{repo.port}/image.tar"
    r = copy_from_tftp(url, flash, "image.tar")
    assert r.lines == [f"Accessing {url}...", f"%Error copying {url} (Not enough space on device)"]
    assert not flash.exists("image.tar") and not list(flash.root.rglob(".tmp-*"))


def test_repository_put_and_its_errors(repo: TftpServer) -> None:
    base = f"tftp://127.0.0.1:{repo.port}/vstack"
    repository_put(base, "imagelist.txt", b"image.tar\n")
    assert (repo.fs.root / "vstack" / "imagelist.txt").read_bytes() == b"image.tar\n"
    repo.write_policy = WritePolicy(("vstack",))
    with pytest.raises(TftpError) as e:
        repository_put(f"tftp://127.0.0.1:{repo.port}/", "other.txt", b"x")
    assert e.value.reason == "Permission denied"


def test_parse_tftp_url() -> None:
    assert parse_tftp_url("tftp://10.0.0.5/vstack/a.cfg") == TftpUrl("10.0.0.5", 69, "vstack/a.cfg")
    assert parse_tftp_url("tftp://10.0.0.5:6969//a%20b") == TftpUrl("10.0.0.5", 6969, "a b")
    assert str(TftpUrl("h", 69, "x/y")) == "tftp://h/x/y"
    for bad in ("ftp://h/x", "tftp:///x", "tftp://h/"):
        with pytest.raises(ValueError):
            parse_tftp_url(bad)
