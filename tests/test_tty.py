"""The real console in a pseudo-terminal, as an engineer sees it (pexpect)."""

from __future__ import annotations

import sys
from pathlib import Path

import pexpect


def spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    child = pexpect.spawn(sys.executable, ["-m", "vstackcli", "--root", str(tmp_path / "dev"), *args],
                          encoding="utf-8", timeout=20, dimensions=(40, 120))
    child.expect_exact("Press RETURN to get started!")
    child.expect_exact("Switch>")
    return child


def test_console_session_end_to_end(tmp_path: Path) -> None:
    cfg = tmp_path / "boot.cfg"
    cfg.write_text("enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0\n")  # cisco
    child = spawn(tmp_path, "--startup-config", str(cfg))
    child.sendline("enable")
    child.expect_exact("Password:")
    child.sendline("cisco")
    child.expect_exact("Switch#")
    assert "cisco" not in child.before  # the password is not echoed
    child.sendline("configure terminal")
    child.expect_exact("Switch(config)#")
    child.send("vstack ?")
    child.expect_exact("  director          Configure director's IP address")
    child.expect_exact("Switch(config)#vstack")  # the typed text comes back after the listing
    child.sendline("director 10.1.1.1")
    child.expect_exact("Switch(config)#")
    child.sendcontrol("z")
    child.expect_exact("^Z")
    child.expect_exact("%SYS-5-CONFIG_I: Configured from console by console")
    child.sendline("show running-config | include ^vstack")
    child.expect_exact("vstack director 10.1.1.1")
    child.sendline("exit")
    child.expect(pexpect.EOF)
