"""The system's telnet client (Debian `telnet`, inetutils) on a pseudo-terminal against the telnet server:
it negotiates echo, suppress-go-ahead and its window size, logs in and runs commands as a person would."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from conftest import run

from vstackcli.engine.clock import FakeClock
from vstackcli.engine.device import Device
from vstackcli.net.vty.telnet import TelnetBackend
from vstackcli.shell.session import Session

pytestmark = pytest.mark.skipif(shutil.which("telnet") is None, reason="needs the telnet client (Debian telnet)")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Device, tuple[str, int]]]:
    device = Device(tmp_path / "switch", clock=FakeClock())
    out = run(Session(device, privilege=15), "configure terminal", "hostname Edge", "username ops secret 0ps",
              "line vty 0 15", "login local", "end")
    assert [line for line in out if line.startswith("%")] == []
    backend = TelnetBackend(device)
    assert backend.address is not None
    yield device, backend.address
    backend.stop()


def test_the_system_telnet_client(server) -> None:
    device, (host, port) = server
    child = pexpect.spawn("telnet", [host, str(port)], dimensions=(40, 100), timeout=20, encoding="utf-8")
    try:
        child.expect("User Access Verification")
        child.expect("Username: ")
        child.send("ops\r")
        child.expect("Password: ")
        child.send("wrong\r")
        child.expect("% Login invalid")
        child.expect("Username: ")
        child.send("ops\r")
        child.expect("Password: ")
        child.send("0ps\r")
        child.expect("Edge>")
        child.send("show terminal\r")  # the client's window size arrived by NAWS
        child.expect("Length: 40 lines, Width: 100 columns")
        child.expect("Edge>")
        child.send("sh\tusers\r")
        child.expect(r"\*  1 vty 0     ops ")
        child.expect("Edge>")
        child.send("exit\r")
        child.expect("Connection closed by foreign host")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert sum(m.mnemonic == "LOGIN_FAILED" for m in device.log.buffer) == 1
