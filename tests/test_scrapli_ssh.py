"""scrapli's IOSXEDriver, unmodified, over SSH on 127.0.0.1 with its system transport (OpenSSH's ssh on a pty):
send_command of show vstack commands, send_configs of vstack configuration, results checked on the device."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from scrapli.driver.core import IOSXEDriver
from ssh_switch import ADMIN, ADMIN_PASSWORD, ENABLE_SECRET, OPER, OPER_PASSWORD, ssh_switch

from vstackcli.shell.session import Session

pytestmark = pytest.mark.skipif(shutil.which("ssh") is None, reason="needs OpenSSH's ssh (Debian openssh-client)")


def driver(port: int, user: str, password: str) -> IOSXEDriver:
    return IOSXEDriver(host="127.0.0.1", port=port, auth_username=user, auth_password=password,
                       auth_secondary=ENABLE_SECRET, auth_strict_key=False, transport="system",
                       timeout_socket=20, timeout_transport=30, timeout_ops=30)


def test_scrapli_iosxe_send_command_and_send_configs(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        device = switch.device
        with driver(switch.port, OPER, OPER_PASSWORD) as conn:  # lands at Director>, escalates with enable
            assert conn.get_prompt() == "Director#"
            response = conn.send_command("show vstack config")
            assert not response.failed
            expected = Session(device, privilege=15, length=0).execute("show vstack config").lines
            assert response.result.splitlines() == [line.rstrip() for line in expected]  # scrapli strips lines
            responses = conn.send_configs(["vstack director 10.6.6.1", "vstack basic",
                                           "vstack group custom sw48 product-id", "match WS-C2960X-48FPD-L",
                                           "image flash:c2960x-universalk9-tar.152-2.E6.tar"])
            assert not responses.failed, [r.result for r in responses]
            assert str(device.config.vstack.director) == "10.6.6.1"
            assert "sw48" in device.config.vstack.custom_groups
            response = conn.send_command("show running-config | include ^vstack")
            assert "vstack director 10.6.6.1" in response.result.splitlines()
            bad = conn.send_command("show vstack nonsense")
            assert bad.failed  # "% Invalid input detected" is scrapli's failed_when_contains


def test_scrapli_admin_lands_privileged(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch, driver(switch.port, ADMIN, ADMIN_PASSWORD) as conn:
        assert conn.get_prompt() == "Director#"
        assert "Current privilege level is 15" in conn.send_command("show privilege").result
