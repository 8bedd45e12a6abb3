"""Booting from a file: the startup-config replay, its line-numbered errors and its summary."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from vstackcli.engine.device import Device
from vstackcli.shell.replay import replay

REPO = Path(__file__).resolve().parent.parent


def test_a_failing_line_is_reported_and_the_rest_applies(device: Device) -> None:
    text = "\n".join([
        "!",
        "hostname Director",
        "vstack director 1.1.1.20",
        "vstack bogus",
        "vstack basic",
        "interface Vlan1",
        " ip address 1.1.1.20 255.255.255.0",
        " ip address 1.1.1",
        "end",
        "hostname AfterEnd",
    ])
    report = replay(device, text, source="boot.cfg")
    assert device.config.hostname == "Director"
    assert device.config.vstack.is_director
    assert [n for n, _line, _errors in report.failures] == [4, 8]
    errors = report.error_lines()
    assert errors[:4] == ["boot.cfg, line 4:", "vstack bogus", "        ^", "% Invalid input detected at '^' marker."]
    assert report.summary() == "boot.cfg: 5 lines applied, 2 failed"


def test_shadow_blocks_and_banners_replay_whole(device: Device) -> None:
    text = "\n".join([
        "service timestamps debug datetime msec localtime",
        "logging buffered 16384",
        "line vty 0 4",
        " exec-timeout 0 0",
        " transport input ssh",
        "line vty 5 15",
        " transport input none",
        "banner motd ^C",
        "Authorized access only",
        "^C",
        "ntp server 10.0.0.1",
    ])
    report = replay(device, text)
    assert report.failures == []
    from vstackcli.engine.render import config_lines

    body = config_lines(device.config)
    assert body.index("line vty 0 4") < body.index(" exec-timeout 0 0") < body.index("line vty 5 15")
    assert " transport input none" in body and "ntp server 10.0.0.1" in body
    assert "banner motd ^C" in body and "Authorized access only" in body


def test_the_console_command_boots_from_a_file(tmp_path: Path) -> None:
    cfg = tmp_path / "startup.cfg"
    cfg.write_text("hostname Director\nvstack director 1.1.1.20\nvstack basic\nvstack nonsense\n")
    result = subprocess.run(
        [sys.executable, "-m", "vstackcli", "--root", str(tmp_path / "dev"), "--startup-config", str(cfg)],
        input="enable\nshow vstack config | include Role\n", capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    assert f"{cfg}, line 4:" in out
    assert f"{cfg}: 3 lines applied, 1 failed" in out
    assert "Director>enable" in out
    assert " Role: Director" in out
    assert out[-1] == "Director#"


def test_the_example_running_config_replays_without_errors(tmp_path: Path) -> None:
    text = (REPO / "running-config.example").read_text()
    device = Device(tmp_path)
    report = replay(device, text, source="running-config.example")
    assert report.failures == []
    assert device.config.vstack.is_director
