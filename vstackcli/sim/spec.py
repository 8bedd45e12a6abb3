"""What a simulated switch is (``SwitchSpec``), the phases it goes through and the events it emits.

This module is the contract between the simulated switch (``vstackcli.sim``) and
the fleet runner (``vstackcli.fleet``): keep it stable.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from vstackcli.grammar.values import MacAddress

__all__ = ["FAULTS", "MemberSpec", "Phase", "SwitchEvent", "SwitchSpec"]

# The failures the guide describes, reproducible on purpose:
FAULTS = (
    "key-pressed",       # a key pressed on the console during zero-touch stops it (recovery: write erase + reload)
    "flash-too-small",   # the image is larger than the free flash: the upgrade fails
    "config-fails",      # the configuration download fails after the image: the switch reloads in a loop
    "image-missing",     # the switch asks for an image file the server does not have (a renamed name)
    "config-missing",    # the switch asks for a configuration file the server does not have
)


@dataclass
class MemberSpec:
    """One member of a stack (the stack's first member is the switch itself)."""

    number: int
    pid: str
    mac: MacAddress
    serial: str = ""


@dataclass
class SwitchSpec:
    """One simulated client switch."""

    name: str  # unique label in the fleet ("sw7", "access-3")
    pid: str  # "WS-C2960X-48FPD-L"
    mac: MacAddress  # base MAC; the Vlan1 MAC is base + 0x40 (engine/hostnames.vlan_mac)
    serial: str = ""
    version: str = "12.2(55)SE5"  # running IOS before the upgrade
    flash_size: int = 64 * 1024**2
    upstream: str | None = None  # name of the upstream switch; None = attached to the director
    upstream_port: str = "GigabitEthernet1/0/1"  # port on the upstream device
    members: list[MemberSpec] = field(default_factory=list)  # stack members (>=2 means a stack)
    smart_install: bool = True  # False: a pre-12.2(52)SE client (needs the password)
    replaces: str | None = None  # the name of a switch this one replaces (same PID, same port)
    fault: str | None = None  # None or one of FAULTS

    def __post_init__(self) -> None:
        if self.fault is not None and self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}; one of {', '.join(FAULTS)}")


class Phase(enum.Enum):
    """Where a simulated switch is in its life."""

    BOOT = "boot"
    DHCP = "dhcp"
    IMAGE_LIST = "image list"
    IMAGE = "image"
    CONFIG = "config"
    RELOAD = "reload"
    JOINED = "joined"
    HELD = "held"
    DENIED = "denied"
    FAILED = "failed"


@dataclass
class SwitchEvent:
    """A phase change or transfer progress of one switch (``done``/``total`` in bytes)."""

    switch: str
    phase: Phase
    detail: str = ""
    done: int = 0
    total: int = 0
