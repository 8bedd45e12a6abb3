"""``copy tftp://... flash:`` on the real console in a pseudo-terminal draws a rich progress bar while a large
file downloads (and uploads), then prints what IOS prints; off a terminal no bar is drawn."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pexpect

from vstackcli.net.tftp import TftpServer, WritePolicy

SIZE = 3 << 20  # above the bar's 1 MiB threshold


def _spawn(tmp_path: Path, cfg: Path) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "vstackcli", "--root", str(tmp_path / "dev"), "--startup-config",
                                          str(cfg)], encoding="utf-8", timeout=30, dimensions=(40, 120))


def test_copy_from_and_to_tftp_shows_a_bar_on_the_console(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "up").mkdir(parents=True)
    data = os.urandom(SIZE)
    (repo / "big.bin").write_bytes(data)
    server = TftpServer(root=repo, host="127.0.0.1", port=0, write_policy=WritePolicy(("up",))).start()
    cfg = tmp_path / "boot.cfg"
    cfg.write_text("hostname Director\n")
    child = _spawn(tmp_path, cfg)
    try:
        child.expect_exact("Director>")
        child.sendline("enable")
        child.expect_exact("Director#")
        child.sendline(f"copy tftp://127.0.0.1:{server.port}/big.bin flash:")
        child.expect_exact("Destination filename [big.bin]?")
        child.sendline("")
        child.expect_exact("━")  # the bar (rich's bar character), drawn while blocks arrive
        child.expect_exact(f"[OK - {SIZE} bytes]")
        child.expect(r"\d+ bytes copied in [\d.]+ secs")
        child.expect_exact("Director#")
        assert (tmp_path / "dev" / "flash" / "big.bin").read_bytes() == data

        child.sendline(f"copy flash:big.bin tftp://127.0.0.1:{server.port}/up/back.bin")
        child.expect_exact("Destination filename [up/back.bin]?")
        child.sendline("")
        child.expect_exact("━")
        child.expect(rf"{SIZE} bytes copied in [\d.]+ secs")
        child.expect_exact("Director#")
        assert (repo / "up" / "back.bin").read_bytes() == data
        child.sendline("exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
        server.stop()


def test_no_bar_off_a_terminal(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    data = os.urandom(SIZE)
    (repo / "big.bin").write_bytes(data)
    server = TftpServer(root=repo, host="127.0.0.1", port=0).start()
    try:
        script = f"enable\ncopy tftp://127.0.0.1:{server.port}/big.bin flash:\n\n"
        out = subprocess.run([sys.executable, "-m", "vstackcli", "--root", str(tmp_path / "dev")], input=script,
                             capture_output=True, text=True, timeout=60)
        assert f"[OK - {SIZE} bytes]" in out.stdout
        assert "━" not in out.stdout and "\x1b[" not in out.stdout
        assert (tmp_path / "dev" / "flash" / "big.bin").read_bytes() == data
    finally:
        server.stop()
