"""netmiko's `cisco_ios_telnet` driver, unmodified, against the telnet server: login, find_prompt, enable,
show vstack commands, a vstack configuration set and save_config, checked against the device itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import netmiko
import pytest
from conftest import run

from vstackcli.engine.clock import FakeClock
from vstackcli.engine.device import Device
from vstackcli.net.vty.telnet import TelnetBackend
from vstackcli.shell.session import Session

VSTACK = ["vstack director 10.0.0.1", "vstack basic", "vstack image flash:c2960-lanbase-tar.122-52.SE.tar",
          "vstack dhcp-localserver pool1", "address-pool 10.0.0.0 255.255.255.0", "file-server 10.0.0.1",
          "default-router 10.0.0.1"]


@pytest.fixture
def telnet(tmp_path: Path) -> Iterator[tuple[Device, tuple[str, int]]]:
    device = Device(tmp_path / "switch", clock=FakeClock())
    session = Session(device, privilege=15, length=0)
    out = run(session, "configure terminal", "hostname Director", "enable secret t0psecret",
              "username netops secret n3tops", "line vty 0 15", "login local", "transport input telnet ssh", "end")
    assert [line for line in out if line.startswith("%")] == []
    backend = TelnetBackend(device)
    assert backend.address is not None
    yield device, backend.address
    backend.stop()


def test_netmiko_cisco_ios_telnet(telnet) -> None:
    device, (host, port) = telnet
    conn = netmiko.ConnectHandler(device_type="cisco_ios_telnet", host=host, port=port, username="netops",
                                  password="n3tops", secret="t0psecret", fast_cli=False, timeout=20)
    try:
        assert conn.find_prompt() == "Director>"
        conn.enable()
        assert conn.find_prompt() == "Director#"
        assert conn.send_command("show privilege").strip() == "Current privilege level is 15"
        before = conn.send_command("show vstack config")
        assert " Role: Client" in before.splitlines() and "Vstack Director IP address: 0.0.0.0" in before
        output = conn.send_config_set(VSTACK)
        assert "% Invalid" not in output and "Incomplete" not in output
        assert device.config.vstack.director is not None and str(device.config.vstack.director) == "10.0.0.1"
        assert device.config.vstack.basic
        assert device.config.vstack.dhcp_pools["pool1"].file_server is not None
        after = conn.send_command("show vstack config")
        assert " Role: Director" in after.splitlines() and "Vstack Director IP address: 10.0.0.1" in after
        assert conn.find_prompt() == "Director#"
        saved = conn.save_config()
        assert "[OK]" in saved
        startup = device.storage.startup_config()
        assert startup is not None
        for line in ("vstack director 10.0.0.1", "vstack basic", "vstack dhcp-localserver pool1",
                     " address-pool 10.0.0.0 255.255.255.0", "username netops secret 5 $1$"):
            assert line in startup
        assert conn.send_command("show running-config | include ^line vty").splitlines() == ["line vty 0 4",
                                                                                            "line vty 5 15"]
    finally:
        conn.disconnect()
    configs = [m.text for m in device.log.buffer if m.mnemonic == "CONFIG_I"]
    assert "Configured from console by netops on vty0 (127.0.0.1)" in configs
