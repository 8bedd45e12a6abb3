"""How simulated switches reach the director: ``SimNetwork``.

Two kinds (docs/simulation.md):

- ``SimNetwork.loopback(dhcp, tftp, smi)``: everything on 127.0.0.0/8. Each switch
  gets its own alias (127.77.x.y) for its Smart Install listener (TCP 4786) and its
  outgoing connections; DHCP goes unicast to the director's loopback DHCP port;
  any TFTP or Smart Install address the director names (its own IP, a file server)
  is reached at the director's loopback endpoints. The leased address is only
  reported, never sent to.
- ``SimNetwork.interface(ifname)``: the real thing inside a network namespace:
  broadcast DHCP from UDP 68 on that interface, the leased address configured on
  it, TFTP port 69 and Smart Install 4786 at the addresses the director names.
"""

from __future__ import annotations

import ipaddress
import itertools
import random
from dataclasses import dataclass, field

__all__ = ["DHCP_CLIENT_PORT", "SMI_PORT", "TFTP_PORT", "SimNetwork"]

SMI_PORT = 4786
TFTP_PORT = 69
DHCP_SERVER_PORT = 67
DHCP_CLIENT_PORT = 68
_ALIAS_BASE = int(ipaddress.IPv4Address("127.77.0.0"))
_ALIAS_COUNT = 50 * 256 * 254  # 127.77.0.1 - 127.126.255.254, never .0 or .255


@dataclass
class SimNetwork:
    """Where a switch's packets go. Build with ``loopback`` or ``interface``."""

    kind: str  # "loopback" | "interface"
    dhcp: tuple[str, int] | None = None  # loopback: the director's DHCP endpoint
    tftp: tuple[str, int] | None = None  # loopback: the director's TFTP endpoint
    smi: tuple[str, int] | None = None  # loopback: the director's Smart Install endpoint
    ifname: str = ""  # interface: the interface inside the namespace
    director: ipaddress.IPv4Address | None = None  # interface: where CDP updates go before DHCP names it
    switches: dict[str, object] = field(default_factory=dict, repr=False)  # name -> SimSwitch (upstream lookup)
    _aliases: itertools.count = field(default_factory=lambda: itertools.count(random.randrange(_ALIAS_COUNT)),
                                      repr=False)  # a random start: two fleets on one machine rarely meet

    @classmethod
    def loopback(cls, dhcp: tuple[str, int], tftp: tuple[str, int], smi: tuple[str, int]) -> SimNetwork:
        """Everything on loopback; ``dhcp``/``tftp``/``smi`` are the director's (host, port)."""
        return cls("loopback", dhcp=dhcp, tftp=tftp, smi=smi)

    @classmethod
    def interface(cls, ifname: str, director: str | None = None) -> SimNetwork:
        """Real ports and broadcast DHCP on ``ifname`` (run inside a network namespace, as root).

        ``director``: the director's address, to which the CDP database update about a
        booting switch is sent (on a real network its upstream neighbour sends it; without
        it the director learns the switch's PID only from its join).
        """
        return cls("interface", ifname=ifname, director=ipaddress.IPv4Address(director) if director else None)

    @property
    def is_loopback(self) -> bool:
        return self.kind == "loopback"

    def allocate_alias(self) -> str:
        """A fresh loopback address for one switch, in 127.77.0.1-127.126.255.254, from a random start
        (another fleet on the same machine may hold some: a switch whose listener cannot bind takes the next)."""
        n = next(self._aliases) % _ALIAS_COUNT
        high, low = divmod(n, 254)
        return str(ipaddress.IPv4Address(_ALIAS_BASE + (high << 8) + low + 1))

    def tftp_endpoint(self, host: str) -> tuple[str, int]:
        """Where to send a TFTP request for a file on ``host`` (an address the director named)."""
        if self.is_loopback:
            assert self.tftp is not None
            return self.tftp
        return host, TFTP_PORT

    def smi_endpoint(self, host: str) -> tuple[str, int]:
        """Where to reach the Smart Install director the DHCP reply named."""
        if self.is_loopback:
            assert self.smi is not None
            return self.smi
        return host, SMI_PORT
