"""``copy tftp://... flash:`` with a rich progress bar on a terminal, and the client's progress hook."""

from __future__ import annotations

import io
import itertools
import os
from pathlib import Path

import pytest
from rich.console import Console

from vstackcli.engine.storage import FileSystem
from vstackcli.net.tftp import TftpServer
from vstackcli.net.tftp.client import copy_from_tftp
from vstackcli.net.tftp.progress import TransferBar, copy_with_progress


@pytest.fixture
def repo(tmp_path: Path):
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "big.tar").write_bytes(os.urandom(1_500_000))
    (tmp_path / "repo" / "small.cfg").write_bytes(b"hostname sw1\n" * 100)
    with TftpServer(root=tmp_path / "repo", timeout=0.5) as srv:
        yield srv


@pytest.fixture
def flash(tmp_path: Path) -> FileSystem:
    return FileSystem("flash:", tmp_path / "flash", 8 << 20)


def test_progress_hook_sees_every_byte_and_the_size(repo: TftpServer, flash: FileSystem) -> None:
    calls: list[tuple[int, int | None]] = []
    url = f"tftp://127.0.0.1:{repo.port}/big.tar"
    r = copy_from_tftp(url, flash, "big.tar", progress=lambda d, s: calls.append((d, s)))
    assert r.ok and calls[0] == (0, 1_500_000) and calls[-1] == (1_500_000, 1_500_000)
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(calls))


def test_bar_for_a_large_file_on_a_terminal(repo: TftpServer, flash: FileSystem) -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    url = f"tftp://127.0.0.1:{repo.port}/big.tar"
    r = copy_with_progress(console, url, flash, "big.tar", via="Vlan1")
    assert r.ok and flash.read("big.tar") == (repo.fs.root / "big.tar").read_bytes()
    assert r.lines[1].startswith("Loading big.tar from 127.0.0.1 (via Vlan1): !!!")  # IOS's lines unchanged
    text = out.getvalue()
    assert "big.tar" in text and "━" in text and "MB" in text


def test_no_bar_for_a_small_file_or_off_a_terminal(repo: TftpServer, flash: FileSystem) -> None:
    out = io.StringIO()
    r = copy_with_progress(Console(file=out, force_terminal=True), f"tftp://127.0.0.1:{repo.port}/small.cfg",
                           flash, "small.cfg")
    assert r.ok and out.getvalue() == ""
    out = io.StringIO()
    r = copy_with_progress(Console(file=out, force_terminal=False), f"tftp://127.0.0.1:{repo.port}/big.tar",
                           flash, "big.tar")
    assert r.ok and out.getvalue() == ""


def test_bar_without_a_size_stays_hidden() -> None:
    out = io.StringIO()
    with TransferBar(Console(file=out, force_terminal=True), "x") as bar:
        bar(0, None)
        bar(5 << 20, None)
    assert out.getvalue() == ""
