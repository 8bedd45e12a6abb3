"""`show vlan [brief]` and `show vlan id N`: the VLAN table a Catalyst derives from its configuration."""

from __future__ import annotations

import re

from conftest import run

from vstackcli.shell.session import Session

HEAD = ["", "VLAN Name                             Status    Ports",
        "---- -------------------------------- --------- -------------------------------"]


def test_a_new_switch_has_every_port_in_vlan_1(enabled: Session) -> None:
    out = run(enabled, "show vlan brief")
    assert out[:3] == HEAD
    assert out[3] == "1    default                          active    Gi1/0/1, Gi1/0/2, Gi1/0/3"
    assert out[4] == " " * 48 + "Gi1/0/4, Gi1/0/5, Gi1/0/6"
    rows = [line for line in out if line[:1].isdigit()]
    assert [r.split()[0] for r in rows] == ["1", "1002", "1003", "1004", "1005"]
    assert rows[1] == "1002 fddi-default                     act/unsup"
    ports = " ".join(out[3:out.index(rows[1])])
    assert "Gi1/0/24" in ports and "Gi1/1/4" in ports and ports.rstrip().endswith("Te1/1/2")


def test_vlans_names_access_ports_and_trunks(configuring: Session) -> None:
    run(configuring, "vlan 10", "name MGMT", "exit", "vlan 20,30", "exit", "vlan 40", "shutdown", "exit",
        "interface range gi1/0/1 - 2", "switchport mode trunk", "exit",
        "interface gi1/0/3", "switchport access vlan 20", "exit",
        "interface gi1/0/4", "switchport access vlan 99", "exit",  # VLAN 99 does not exist: listed nowhere
        "interface gi1/0/5", "no switchport", "end")
    out = run(configuring, "show vlan brief")
    rows = {line.split()[0]: line for line in out if line[:1].isdigit()}
    assert set(rows) == {"1", "10", "20", "30", "40", "1002", "1003", "1004", "1005"}
    assert rows["1"].startswith("1    default                          active    Gi1/0/6, Gi1/0/7")
    assert rows["10"] == "10   MGMT                             active"
    assert rows["20"] == "20   VLAN0020                         active    Gi1/0/3"
    assert rows["40"] == "40   VLAN0040                         act/lshut"
    listed = re.findall(r"(?:Gi|Te)\d+/\d+/\d+", "\n".join(out))
    assert len(listed) == len(set(listed)) == 30 - 4  # every port once, but for these four:
    for port in ("Gi1/0/1", "Gi1/0/2", "Gi1/0/4", "Gi1/0/5"):
        assert port not in listed  # trunks, a port in a missing VLAN and a routed port carry no access VLAN


def test_full_table_and_one_vlan(configuring: Session) -> None:
    run(configuring, "vlan 10", "name MGMT", "end")
    out = run(configuring, "show vlan")
    assert "VLAN Type  SAID       MTU   Parent RingNo BridgeNo Stp  BrdgMode Trans1 Trans2" in out
    assert "10   enet  100010     1500  -      -      -        -    -        0      0" in out
    assert "1005 trnet 101005     1500  -      -      -        ibm  -        0      0" in out
    assert "Remote SPAN VLANs" in out
    one = run(configuring, "show vlan id 10")
    assert one[:4] == [*HEAD, "10   MGMT                             active"]
    assert not [line for line in one if line.startswith("1 ")]
    assert run(configuring, "show vlan id 99") == ["VLAN id 99 not found in current VLAN database"]
    assert run(configuring, "show vlan brief | include MGMT") == ["10   MGMT                             active"]

