"""``PerDevice``: one object per live ``Device``, made on first use and gone with the device.

The vty servers of a device (telnet, SSH, any number of threads) share some state that is not
configuration: the claimed lines, the failed-login guard. Each is looked up by device here.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

from vstackcli.engine.device import Device

__all__ = ["PerDevice"]

T = TypeVar("T")


class PerDevice(Generic[T]):
    """``PerDevice(make)(device)`` is ``make(device)``, made once per device (thread-safe)."""

    def __init__(self, make: Callable[[Device], T]):
        self._make = make
        self._found: weakref.WeakKeyDictionary[Device, T] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def __call__(self, device: Device) -> T:
        with self._lock:
            found = self._found.get(device)
            if found is None:
                found = self._found[device] = self._make(device)
            return found
