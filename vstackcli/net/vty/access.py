"""Who may open a vty, and how: the running-config's ``line vty`` and ``username`` lines.

Both the telnet and the SSH server ask here: ``vty_policy`` says which transports
the vty lines let in (``transport input``) and how each line logs in (``login``,
``login local``, ``no login``); ``check_login`` checks a username and password
against the local user database and gives the privilege they log in with.
Callers hold ``device.lock`` or accept a snapshot that may be a line out of date.
"""

from __future__ import annotations

from dataclasses import dataclass

from vstackcli.engine import secrets
from vstackcli.engine.device import Device
from vstackcli.engine.model import LineSettings, RunningConfig

__all__ = ["LinePolicy", "VtyPolicy", "check_line_password", "check_login", "line_privilege", "vty_policy"]

DEFAULT_PRIVILEGE = 1  # a vty starts in user EXEC unless `privilege level` or the user says otherwise


@dataclass(frozen=True)
class LinePolicy:
    """How one vty line lets a session in."""

    index: int  # vty N
    login: str  # "" (no login), "line" (the line password), "local" (the user database)
    has_password: bool
    transports: frozenset[str]
    privilege: int  # the level a session starts at when no username says otherwise
    exec_timeout: float  # seconds of silence before the line closes; 0 never
    length: int
    width: int


@dataclass(frozen=True)
class VtyPolicy:
    """Every vty line's policy, in order (vty 0 first)."""

    lines: tuple[LinePolicy, ...]

    def allows(self, transport: str) -> bool:
        """Whether any vty line lets ``transport`` ("telnet" or "ssh") in."""
        return any(transport in line.transports for line in self.lines)

    def free_lines(self, transport: str) -> list[int]:
        return [line.index for line in self.lines if transport in line.transports]


def _line_policy(index: int, line: LineSettings) -> LinePolicy:
    minutes, seconds = line.exec_timeout
    return LinePolicy(index, line.login, bool(line.password), line.transports(),
                      line.privilege if line.privilege is not None else DEFAULT_PRIVILEGE,
                      float(minutes * 60 + seconds),
                      24 if line.length is None else line.length, 80 if line.width is None else line.width)


def vty_policy(device: Device) -> VtyPolicy:
    """The vty lines' access policy, read from the running-config."""
    return VtyPolicy(tuple(_line_policy(i, line) for i, line in enumerate(device.config.vty)))


def _user_password_ok(stored_secret: str, stored_password: str, password: str) -> bool:
    if stored_secret:
        return secrets.verify(stored_secret, password)
    if stored_password:
        return secrets.verify(stored_password, password)
    return False


def check_login(device: Device, user: str, password: str) -> int | None:
    """The privilege ``user`` logs in with when ``password`` is right (``username NAME ... secret|password``).

    None when the user is unknown or the password wrong. A user configured without a password cannot log in.
    """
    entry = device.config.users.get(user)
    if entry is None or not _user_password_ok(entry.secret, entry.password, password):
        return None
    return entry.privilege


def line_privilege(config: RunningConfig, index: int, user: str | None = None) -> int:
    """The privilege a session on vty ``index`` starts at: the user's, else ``privilege level``, else 1."""
    if user is not None and user in config.users and config.users[user].privilege != DEFAULT_PRIVILEGE:
        return config.users[user].privilege
    line = config.vty[index] if 0 <= index < len(config.vty) else LineSettings()
    return line.privilege if line.privilege is not None else DEFAULT_PRIVILEGE


def check_line_password(device: Device, index: int, password: str) -> bool:
    """``login`` with ``password X`` on vty ``index``: whether ``password`` is that line's."""
    vty = device.config.vty
    if not 0 <= index < len(vty) or not vty[index].password:
        return False
    return secrets.verify(vty[index].password, password)
