"""One simulated client switch: ``SimSwitch``.

It boots with no configuration and runs zero-touch as the guide describes, then
joins the director and keeps alive. ``start()`` returns at once; the switch lives
in tasks on the running loop. See docs/simulation.md.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable
from typing import TYPE_CHECKING

from vstackcli.sim.network import SimNetwork
from vstackcli.sim.spec import Phase, SwitchEvent, SwitchSpec

if TYPE_CHECKING:
    from vstackcli.shell.session import Session

__all__ = ["SimSwitch"]


class SimSwitch:
    """A simulated Catalyst on ``network``; ``on_event`` hears every phase change and transfer progress."""

    def __init__(self, spec: SwitchSpec, network: SimNetwork,
                 on_event: Callable[[SwitchEvent], None] | None = None, *, keepalive: float = 30.0,
                 reload_delay: float = 0.05, dhcp_retry: float = 2.0):
        self.spec = spec
        self.network = network
        self.on_event = on_event
        self.keepalive = keepalive
        self.reload_delay = reload_delay
        self.dhcp_retry = dhcp_retry
        self.phase = Phase.BOOT
        self.address: ipaddress.IPv4Address | None = None
        self.hostname = "Switch"
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        """Boot and run zero-touch, then join and keep alive (returns at once; the work runs in tasks)."""
        raise NotImplementedError

    async def stop(self) -> None:
        """Stop every task and close every socket of this switch."""
        raise NotImplementedError

    def write_memory(self) -> None:
        """Save the running configuration to startup and back it up to the director."""
        raise NotImplementedError

    def shell(self) -> Session:
        """This switch's own IOS shell (its own Device in a temporary root), built on first use."""
        raise NotImplementedError
