"""``show snmp chassis|contact|location``: what ``snmp-server chassis-id|contact|location`` set.

The chassis ID defaults to the switch's serial number, as on a Catalyst; contact and location print
nothing until set. (``show snmp`` itself, the agent's statistics, stays a shadow refused in words.)
"""

from __future__ import annotations

from vstackcli.grammar.graph import Command
from vstackcli.modes.base import Call

__all__ = ["SHOW_SNMP_COMMANDS"]


def _configured(call: Call, keyword: str) -> str | None:
    prefix = f"snmp-server {keyword} "
    for block in call.config.extra:
        if block.line.startswith(prefix):
            return block.line[len(prefix):]
    return None


def _show_snmp(call: Call) -> None:
    what = call.arg("what")
    value = _configured(call, "chassis-id" if what == "chassis" else what)
    if what == "chassis" and value is None:
        value = call.device.platform.serial
    if value is not None:
        call.print(value)


SHOW_SNMP_COMMANDS = [
    Command("show snmp <chassis$what|contact$what|location$what>", _show_snmp, pipe=True,
            help={"show": "Show running system information", "snmp": "snmp statistics",
                  "chassis": "show snmp chassis", "contact": "show snmp contact",
                  "location": "show snmp location"}),
]
