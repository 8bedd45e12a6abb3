"""netmiko's `cisco_ios` driver, unmodified, over SSH on 127.0.0.1: find_prompt, enable, show vstack commands,
send_config_set of vstack configuration and save_config, each checked against the device."""

from __future__ import annotations

from pathlib import Path

from netmiko import ConnectHandler
from ssh_switch import ADMIN, ADMIN_PASSWORD, ENABLE_SECRET, OPER, OPER_PASSWORD, ssh_switch

from vstackcli.shell.session import Session


def connect(port: int, user: str = ADMIN, password: str = ADMIN_PASSWORD):
    return ConnectHandler(device_type="cisco_ios", host="127.0.0.1", port=port, username=user, password=password,
                          secret=ENABLE_SECRET, fast_cli=False, conn_timeout=20, auth_timeout=20,
                          banner_timeout=20, read_timeout_override=30)


def test_netmiko_cisco_ios_configures_the_director(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        device = switch.device
        with connect(switch.port, OPER, OPER_PASSWORD) as conn:
            assert conn.find_prompt() == "Director>"
            conn.enable()
            assert conn.find_prompt() == "Director#"
            expected = Session(device, privilege=15, length=0).execute("show vstack config").lines
            assert conn.send_command("show vstack config").splitlines() == expected
            output = conn.send_config_set(["vstack director 10.5.5.1", "vstack basic",
                                           "vstack dhcp-localserver pool1",
                                           "address-pool 10.5.5.0 255.255.255.0", "file-server 10.5.5.1",
                                           "default-router 10.5.5.1", "exit",
                                           "vstack group custom lab mac", "match mac 0018.7363.4201",
                                           "config flash:lab.txt"])
            assert "% Invalid" not in output and "% Incomplete" not in output, output
            assert str(device.config.vstack.director) == "10.5.5.1"
            assert "lab" in device.config.vstack.custom_groups
            status = conn.send_command("show vstack status")
            assert status.splitlines() == Session(device, privilege=15, length=0).execute(
                "show vstack status").lines
            saved = conn.save_config()
            assert "[OK]" in saved
        startup = device.storage.startup_config()
        assert startup is not None
        assert "vstack director 10.5.5.1\n" in startup and "vstack group custom lab mac\n" in startup
        messages = [m.format(timestamps=False) for m in device.log.buffer]
        assert any(m.startswith("%SYS-5-CONFIG_I: Configured from console by oper on vty0 (127.0.0.1)")
                   for m in messages), messages
