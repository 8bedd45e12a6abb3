"""A simulated switch's own IOS shell: a ``Device`` in a temporary root, built only when asked.

``show version`` reports the switch's PID, serial, base MAC and running IOS; its
running-config is the switch's configuration, replayed as IOS does at boot. A
client is a switch too: ``vstack`` commands typed there change its configuration
but take effect only if it becomes director (the director role follows the
configuration, ``Director.reconcile``). Nothing of this exists until
``SimSwitch.shell()`` is first called, so a fleet of 500 switches costs nothing here.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from vstackcli.engine.device import Device, Platform
from vstackcli.shell.replay import replay
from vstackcli.shell.session import Session

if TYPE_CHECKING:
    from vstackcli.sim.switch import SimSwitch

__all__ = ["build_shell"]


def build_shell(switch: SimSwitch) -> tuple[Session, tempfile.TemporaryDirectory]:
    """The switch's console session (privileged) and the temporary directory that holds its flash/nvram."""
    spec = switch.spec
    root = tempfile.TemporaryDirectory(prefix=f"vstackcli-sim-{spec.name}-")
    ports = re.search(r"(?:^|-)C?\d{4}[A-Z]*-(\d{1,2})", spec.pid.upper())  # WS-C2960-24TT-L: 24 access ports
    platform = Platform(pid=spec.pid, model_family=spec.pid.split("-")[1] if "-" in spec.pid else spec.pid,
                        version=switch.version, image=switch.boot_image or f"{spec.pid.lower()}.bin",
                        serial=spec.serial or "FOC0000X000", base_mac=spec.mac,
                        access_ports=int(ports.group(1)) if ports else 24, ten_gig=0)
    device = Device(Path(root.name), platform=platform, flash_size=spec.flash_size)
    device.config.hostname = switch.hostname
    text = switch.state.running_config.decode("ascii", "replace")
    if text.strip():
        replay(device, text, source="running-config")
    if switch.hostname and device.config.hostname == "Switch":
        device.config.hostname = switch.hostname
    device.dirty = False
    device.learned_director = switch.director  # what its DHCP option 125 named: show vstack config says it
    device.storage.on_startup_saved = switch.saved_from_shell  # write memory on its vty: a backup
    return Session(device, privilege=15, length=0), root
