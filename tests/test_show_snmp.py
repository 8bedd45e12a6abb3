"""`show snmp chassis|contact|location`: what snmp-server set, the chassis ID defaulting to the serial."""

from __future__ import annotations

from conftest import run

from vstackcli.shell.session import Session


def test_show_snmp_chassis_location_contact(configuring: Session) -> None:
    assert run(configuring, "do show snmp chassis") == [configuring.device.platform.serial]
    assert run(configuring, "do show snmp location") == []
    run(configuring, "snmp-server location Lab 1", "snmp-server contact noc@example.com",
        "snmp-server chassis-id DIR-1")
    assert run(configuring, "do show snmp location") == ["Lab 1"]
    assert run(configuring, "do show snmp contact") == ["noc@example.com"]
    assert run(configuring, "do show snmp chassis") == ["DIR-1"]
