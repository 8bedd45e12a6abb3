"""The Smart Install side of a simulated switch: ``ClientEndpoint`` on TCP 4786, wired to the switch.

The endpoint parses and checks the director's messages as a real client does
(``net/smi/client_endpoint.py``); this subclass carries the file work out through
the switch: asynchronous TFTP at the addresses the network maps (no thread per
transfer), images streamed to a byte count against the flash size, the version
and reload a Catalyst would get, and download reports from the switch's own
address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vstackcli.net.smi import extension
from vstackcli.net.smi.client_endpoint import ClientEndpoint, CommandRefused
from vstackcli.net.smi.codec import ChangeConfig, ImageUpgrade

if TYPE_CHECKING:
    from vstackcli.sim.switch import SimSwitch

__all__ = ["SimEndpoint"]


class _ThroughSwitch:
    """``Transfers`` for the base class: never used, the switch's async transfers replace them."""

    def read(self, url: str) -> bytes:
        raise CommandRefused("synchronous transfers are not used by simulated switches")

    def write(self, url: str, data: bytes) -> None:
        raise CommandRefused("synchronous transfers are not used by simulated switches")


class SimEndpoint(ClientEndpoint):
    """One simulated switch's TCP 4786 endpoint."""

    def __init__(self, switch: SimSwitch, host: str, port: int, *, director: str | None, director_only: bool,
                 report_to: tuple[str, int]):
        super().__init__(_ThroughSwitch(), host, port, director=director, director_only=director_only,
                         state=switch.state, report_to=report_to)
        self.switch = switch

    async def _read(self, url: str, cap: int | None = None) -> bytes:
        return await self.switch.read_url(url, cap)

    async def _write(self, url: str, data: bytes) -> None:
        await self.switch.write_url(url, data)

    async def _config(self, message: ChangeConfig) -> None:
        await self._download("config", lambda: self.switch.on_demand_config(message))

    async def _image(self, message: ImageUpgrade) -> None:
        await self._download("image", lambda: self.switch.on_demand_image(message))

    async def _report(self, kind: str, phase: str, detail: str = "") -> None:
        await self.switch.send_to_director(extension.DownloadReport(self.switch.spec.mac, kind, phase, detail))
