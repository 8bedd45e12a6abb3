"""Simulated Smart Install client switches: real network actors for the director (issue 7).

``SwitchSpec`` says what a switch is, ``SimNetwork`` how it reaches the director
(loopback aliases, or a real interface inside a network namespace), ``SimSwitch``
runs it: DHCP, TFTP image list/image/config, reload, join, keepalive, backup.
See docs/simulation.md.
"""

from vstackcli.sim.network import SimNetwork
from vstackcli.sim.spec import MemberSpec, Phase, SwitchEvent, SwitchSpec
from vstackcli.sim.switch import SimSwitch

__all__ = ["MemberSpec", "Phase", "SimNetwork", "SimSwitch", "SwitchEvent", "SwitchSpec"]
