"""Time, injected: the real clock in production, a settable one in tests."""

from __future__ import annotations

import time
from datetime import UTC, datetime

__all__ = ["Clock", "FakeClock"]


class Clock:
    """Wall-clock time (UTC) and a monotonic counter for uptime and timeouts."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock(Clock):
    """A clock that moves only when told to."""

    def __init__(self, start: datetime | None = None):
        self._now = start or datetime(1993, 3, 1, 0, 0, 0, tzinfo=UTC)
        self._mono = 0.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        from datetime import timedelta

        self._now += timedelta(seconds=seconds)
        self._mono += seconds
