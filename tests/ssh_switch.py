"""A director with its SSH server on 127.0.0.1, configured as automation finds a switch: local users,
``line vty 0 15`` with ``login local`` and ``transport input ssh``, an RSA key, ``ip scp server enable``."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from vstackcli.engine.clock import FakeClock
from vstackcli.engine.device import Device
from vstackcli.net.live import LiveBackends
from vstackcli.shell.replay import replay
from vstackcli.shell.session import Session

ADMIN, ADMIN_PASSWORD = "admin", "Adm1n-pw"
OPER, OPER_PASSWORD = "oper", "0per-pw"
ENABLE_SECRET = "en4ble"

CONFIG = f"""hostname Director
ip domain-name lab.example
enable secret 0 {ENABLE_SECRET}
username {ADMIN} privilege 15 secret 0 {ADMIN_PASSWORD}
username {OPER} secret 0 {OPER_PASSWORD}
ip scp server enable
line vty 0 15
 login local
 transport input ssh
"""


def configure(device: Device, *lines: str, answer: str = "") -> list[str]:
    """Type configuration lines at a privileged console session, giving ``answer`` to every question;
    returns what it printed."""
    session = Session(device, privilege=15, length=0)
    out: list[str] = []
    for line in ("configure terminal", *lines, "end"):
        reply = session.execute(line)
        out.extend(reply.lines)
        while reply.question is not None:
            reply = session.execute(answer)
            out.extend(reply.lines)
    return out


def generate_key(device: Device, bits: int = 2048) -> list[str]:
    """``crypto key generate rsa modulus BITS``, as typed (replacing a key there is one)."""
    return configure(device, f"crypto key generate rsa modulus {bits}", answer="yes")


@dataclass
class Switch:
    device: Device
    backends: LiveBackends

    @property
    def port(self) -> int:
        address = self.backends.ssh.address if self.backends.ssh is not None else None
        assert address is not None, self.backends.describe()
        return address[1]

    def settle(self) -> None:
        self.backends.settle()


@contextlib.contextmanager
def ssh_switch(root: Path, config: str = CONFIG, key: bool = True, flash_size: int | None = None) -> Iterator[Switch]:
    device = Device(root, clock=FakeClock(), flash_size=flash_size)
    backends = LiveBackends.start(device)  # as the shell starts: the servers first, then the configuration
    try:
        report = replay(device, config, source="test-config")
        assert not report.failures, report.error_lines()
        if key:
            generate_key(device)
        backends.settle()
        yield Switch(device, backends)
    finally:
        backends.close()


def askpass(directory: Path, password: str) -> dict[str, str]:
    """Environment that makes OpenSSH's ssh/scp take ``password`` from a script (no terminal needed)."""
    script = directory / "askpass.sh"
    script.write_text(f"#!/bin/sh\necho '{password}'\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    env = dict(os.environ)
    env.update(SSH_ASKPASS=str(script), SSH_ASKPASS_REQUIRE="force", DISPLAY=":0")
    return env


OPENSSH_OPTIONS = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                   "-o", "PreferredAuthentications=password,keyboard-interactive", "-o", "PubkeyAuthentication=no",
                   "-o", "NumberOfPasswordPrompts=1", "-o", "ConnectTimeout=10"]
