"""`vstack attach` from the real console in a pseudo-terminal: the keys go raw to the client's vty (its own
echo, its password prompt), and the console prompt comes back when the client closes the connection."""

from __future__ import annotations

import sys
from pathlib import Path

import pexpect

from vstackcli.engine.device import Device
from vstackcli.net.live import LoopThread
from vstackcli.net.smi.legacy import LEGACY_PORT_UNPRIVILEGED
from vstackcli.net.vty.telnet import TelnetServer
from vstackcli.shell.replay import replay

CLIENT = "127.0.55.1"  # a client switch's vty on its own loopback alias, where the director looks on loopback


def test_attach_from_the_console_to_a_client_vty(tmp_path: Path) -> None:
    client = Device(tmp_path / "client")
    replay(client, "hostname REMOTE\nline vty 0 4\n password 0 cisco\n login\n")
    loop = LoopThread()
    server = TelnetServer(client, CLIENT, LEGACY_PORT_UNPRIVILEGED)
    loop.run(server.start())
    cfg = tmp_path / "boot.cfg"
    cfg.write_text("hostname Director\nvstack director 192.168.1.1\nvstack basic\n")
    child = pexpect.spawn(sys.executable, ["-m", "vstackcli", "--root", str(tmp_path / "dev"), "--startup-config",
                                           str(cfg)], encoding="utf-8", timeout=20, dimensions=(40, 120))
    try:
        child.expect_exact("Director>")
        child.sendline("enable")
        child.expect_exact("Director#")
        child.sendline(f"vstack attach {CLIENT}")
        child.expect_exact(f"Trying {CLIENT} ... Open")
        child.expect_exact("User Access Verification")
        child.expect_exact("Password: ")
        child.send("cisco\r")
        child.expect_exact("REMOTE>")
        assert "cisco" not in child.before  # the client does not echo the password
        child.send("show users\r")
        child.expect_exact("vty 0")
        child.expect_exact("REMOTE>")
        child.send("exit\r")
        child.expect_exact(f"[Connection to {CLIENT} closed by foreign host]")
        child.expect_exact("Director#")
        child.sendline("show privilege")
        child.expect_exact("Current privilege level is 15")
        child.sendline("exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
        loop.run(server.stop())
        loop.stop()
