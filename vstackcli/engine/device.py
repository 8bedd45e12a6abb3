"""One emulated switch: its platform, running-config, storage, clock and system log.

Every shell session on the device (console, and later vty) shares one Device.
The Device knows nothing of modes or terminals.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from vstackcli.engine.clock import Clock
from vstackcli.engine.director import DirectorDatabase
from vstackcli.engine.model import OpaqueBlock, RunningConfig
from vstackcli.engine.storage import Storage
from vstackcli.engine.syslog import SystemLog
from vstackcli.grammar.values import InterfaceName, MacAddress

if TYPE_CHECKING:
    from vstackcli.engine.backend import FileTransfers
    from vstackcli.engine.core import Director

__all__ = ["Device", "Platform", "factory_config", "factory_lines"]


@dataclass(frozen=True)
class Platform:
    """What ``show version`` reports about the hardware and software."""

    pid: str = "WS-C3750X-24P"
    model_family: str = "C3750E"
    version: str = "15.2(4)E10"
    image: str = "c3750e-universalk9-mz.152-4.E10.bin"
    serial: str = "FDO1633X0VS"
    base_mac: MacAddress = field(default_factory=lambda: MacAddress.parse("0018.7363.4200"))
    memory_kb: tuple[int, int] = (262144, 8192)
    access_ports: int = 24
    uplinks: int = 4
    ten_gig: int = 2

    def physical_interfaces(self) -> list[InterfaceName]:
        names = [InterfaceName("GigabitEthernet", f"1/0/{i}") for i in range(1, self.access_ports + 1)]
        names += [InterfaceName("GigabitEthernet", f"1/1/{i}") for i in range(1, self.uplinks + 1)]
        names += [InterfaceName("TenGigabitEthernet", f"1/1/{i}") for i in range(1, self.ten_gig + 1)]
        return names


def factory_lines(platform: Platform) -> list[str]:
    """The global lines IOS shows in a new switch's running-config (its standing defaults)."""
    return [
        "no service pad",
        "service timestamps debug datetime msec",
        "service timestamps log datetime msec",
        "no service password-encryption",
        "boot-start-marker",
        "boot-end-marker",
        "no aaa new-model",
        f"switch 1 provision {platform.pid.lower()}",
        "system mtu routing 1500",
        "spanning-tree mode pvst",
        "spanning-tree extend system-id",
        "vlan internal allocation policy ascending",
        "ip http server",
        "ip http secure-server",
    ]


def factory_config(platform: Platform) -> RunningConfig:
    """The configuration a new switch boots with: its interfaces and IOS's standing defaults."""
    cfg = RunningConfig()
    for name in platform.physical_interfaces():
        cfg.interface(name)
    cfg.interface(InterfaceName("Vlan", "1"))
    cfg.extra = [OpaqueBlock(line) for line in factory_lines(platform)]
    return cfg


class Device:
    """The shared state behind every session of one emulated switch."""

    def __init__(self, root: Path, *, platform: Platform | None = None, clock: Clock | None = None,
                 flash_size: int | None = None):
        self.platform = platform or Platform()
        self.clock = clock or Clock()
        self.storage = Storage(root) if flash_size is None else Storage(root, flash_size)
        self.log = SystemLog(self.clock)
        self.config = factory_config(self.platform)
        self.director_db = DirectorDatabase()
        self.booted_at = self.clock.monotonic()
        self.boot_time = self.clock.now()
        self.last_change: tuple[datetime, str] | None = None
        self.saved_at: datetime | None = None
        self.dirty = False
        self.generation = 0  # counts configuration changes; caches derived from the config key on it
        self.lock = threading.RLock()  # sessions and server threads take it around engine calls
        self.learned_director: object | None = None  # a client's director, from DHCP option 125 (not config)
        self.transfers: FileTransfers | None = None  # the TFTP client, when the net layer runs
        self.dhcp: object | None = None  # the DHCP server's bindings and counters, when it runs
        self._director: Director | None = None

    @property
    def director(self) -> Director:
        """The Smart Install director engine of this device (created on first use)."""
        if self._director is None:
            from vstackcli.engine.core import Director

            self._director = Director(self)
        return self._director

    def reset_config(self) -> None:
        """Back to the factory configuration (``reload`` before replaying nvram)."""
        self.config = factory_config(self.platform)
        self.log.set_buffer(4096, 7)
        self.generation += 1
        self.last_change = None
        self.dirty = False

    def mark_changed(self, user: str) -> None:
        self.last_change = (self.clock.now(), user)
        self.dirty = True
        self.generation += 1

    def uptime_seconds(self) -> float:
        return self.clock.monotonic() - self.booted_at
