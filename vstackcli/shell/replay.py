"""Replaying configuration text as IOS does at boot: line by line in global configuration.

A line that fails is reported with its line number and the IOS error; the rest
still applies. Used for ``--startup-config``, ``reload``, ``configure memory``
and ``copy FILE running-config``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vstackcli.engine.device import Device
from vstackcli.shell.session import Session

__all__ = ["ReplayReport", "reload_device", "replay"]


@dataclass
class ReplayReport:
    source: str
    applied: int = 0
    failures: list[tuple[int, str, list[str]]] = field(default_factory=list)

    def error_lines(self) -> list[str]:
        out: list[str] = []
        for number, line, errors in self.failures:
            out.append(f"{self.source}, line {number}:")
            out.append(line)
            out.extend(e for e in errors if e)
        return out

    def summary(self) -> str:
        return (f"{self.source}: {self.applied} lines applied, {len(self.failures)} failed")


def replay(device: Device, text: str, *, source: str = "startup-config", user: str = "console") -> ReplayReport:
    """Apply ``text`` to the running-config of ``device``; report what failed."""
    session = Session(device, user=user, privilege=15)
    session.replaying = True
    session.push_mode("config")
    report = ReplayReport(source)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if session.pending is not None:
            session.execute(line)
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("!"):
            continue
        if stripped == "end":
            break
        if not session.in_config:
            session.push_mode("config")
        reply = session.execute(line)
        if reply.failed:
            report.failures.append((number, line, reply.lines))
        else:
            report.applied += 1
    session.pending = None
    session.config_entered = False
    device.director.reconcile()
    return report


def reload_device(device: Device) -> list[str]:
    """``reload``: back to factory defaults, then the saved startup-config, as a cold start does."""
    device.reset_config()
    device.director_db.clear()
    device.booted_at = device.clock.monotonic()
    lines = ["", "Reload requested by console. Reload Reason: Reload Command.", ""]
    text = device.storage.startup_config()
    if text is not None:
        report = replay(device, text, source="startup-config")
        lines += report.error_lines()
    device.dirty = False
    device.last_change = None
    lines += ["", "Press RETURN to get started!", ""]
    return lines
