"""Failed logins: logged as IOS logs them, and rate-limited per source address.

After ``MAX_FAILURES`` failed logins from one address within ``WINDOW`` seconds,
that address is refused for ``BLOCK_FOR`` seconds (like IOS's ``login block-for``,
always on here). Successes and failures are logged as ``%SEC_LOGIN`` messages.
Telnet and SSH share one guard per device; it has its own lock and takes the
device lock only to log.
"""

from __future__ import annotations

import threading
from collections import deque

from vstackcli.engine.device import Device
from vstackcli.net.vty.per_device import PerDevice

__all__ = ["BLOCK_FOR", "MAX_FAILURES", "WINDOW", "LoginGuard", "login_guard"]

MAX_FAILURES = 3
WINDOW = 120.0
BLOCK_FOR = 60.0


class LoginGuard:
    """Counts failed logins per source address, on the device's clock."""

    def __init__(self, device: Device, max_failures: int = MAX_FAILURES, window: float = WINDOW,
                 block_for: float = BLOCK_FOR):
        self.device = device
        self.max_failures = max_failures
        self.window = window
        self.block_for = block_for
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}
        self._blocked_until: dict[str, float] = {}

    def blocked(self, address: str) -> bool:
        """Whether connections from ``address`` are refused now."""
        now = self.device.clock.monotonic()
        with self._lock:
            until = self._blocked_until.get(address)
            if until is None:
                return False
            if now >= until:
                del self._blocked_until[address]
                self._failures.pop(address, None)
                return False
            return True

    def failed(self, user: str, peer: tuple[str, int], local_port: int) -> None:
        """Record and log one failed login."""
        address = peer[0]
        now = self.device.clock.monotonic()
        with self._lock:
            times = self._failures.setdefault(address, deque())
            times.append(now)
            while times and now - times[0] > self.window:
                times.popleft()
            if len(times) >= self.max_failures:
                self._blocked_until[address] = now + self.block_for
                times.clear()
        self._log(4, "LOGIN_FAILED", f"Login failed [user: {user}] [Source: {address}] [localport: {local_port}] "
                                     f"[Reason: Login Authentication Failed] at {self._stamp()}")

    def succeeded(self, user: str, peer: tuple[str, int], local_port: int) -> None:
        self._log(5, "LOGIN_SUCCESS", f"Login Success [user: {user}] [Source: {peer[0]}] [localport: {local_port}] "
                                      f"at {self._stamp()}")

    def _stamp(self) -> str:
        w = self.device.clock.now()
        return f"{w:%H:%M:%S} UTC {w:%a %b} {w.day} {w.year}"

    def _log(self, severity: int, mnemonic: str, text: str) -> None:
        with self.device.lock:
            self.device.log.log("SEC_LOGIN", severity, mnemonic, text)


login_guard: PerDevice[LoginGuard] = PerDevice(LoginGuard)  # the login guard of a device
