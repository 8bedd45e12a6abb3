"""Shared fixtures: a device on a temporary root with a fake clock, and sessions on it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from vstackcli.engine.clock import FakeClock
from vstackcli.engine.device import Device
from vstackcli.shell.batch import run_batch
from vstackcli.shell.session import Session


@pytest.fixture
def device(tmp_path: Path) -> Device:
    return Device(tmp_path / "device", clock=FakeClock())


@pytest.fixture
def session(device: Device) -> Session:
    return Session(device, length=0)


@pytest.fixture
def enabled(device: Device) -> Session:
    """A console session at ``Switch#``."""
    return Session(device, privilege=15, length=0)


@pytest.fixture
def configuring(enabled: Session) -> Session:
    """A console session at ``Switch(config)#``."""
    enabled.execute("configure terminal")
    return enabled


@pytest.fixture
def telnet_server(device: Device) -> Iterator[tuple[str, int]]:
    """The device's telnet server on a free loopback port: its (host, port)."""
    from vstackcli.net.vty.telnet import TelnetBackend

    backend = TelnetBackend(device)
    assert backend.address is not None
    yield backend.address
    backend.stop()


def configure(device: Device, *lines: str) -> None:
    """Type ``lines`` in configuration mode on a console session of ``device``; fail on any ``%`` message."""
    out = run(Session(device, privilege=15, length=0), "configure terminal", *lines, "end")
    assert not [line for line in out if line.startswith("%")], out


def transcript(session: Session, text: str) -> str:
    """What the console shows for ``text`` typed line by line (the batch driver's output)."""
    out = io.StringIO()
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    run_batch(session, lines, out)
    return out.getvalue()


def run(session: Session, *lines: str) -> list[str]:
    """Execute lines; return all output lines (no prompts)."""
    out: list[str] = []
    for line in lines:
        out.extend(session.execute(line).lines)
    return out


def running(session: Session) -> list[str]:
    """The body of show running-config, without header and factory lines that never change."""
    lines = session.device.config
    from vstackcli.engine.render import config_lines

    return config_lines(lines)
