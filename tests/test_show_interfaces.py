"""`show interfaces status` (and `show ip interface brief`): the director's ports, connected where a
simulated switch of the director database hangs off them."""

from __future__ import annotations

from pathlib import Path

from conftest import run
from simlab import IMAGE_150, Lab, mac

from vstackcli.grammar.values import parse_interface
from vstackcli.shell.session import Session
from vstackcli.sim import Phase

HEADER = "Port      Name               Status       Vlan       Duplex  Speed Type"


def test_ports_follow_the_configuration(configuring: Session) -> None:
    run(configuring, "interface gi1/0/1", "description uplink to core", "switchport mode trunk", "exit",
        "interface gi1/0/2", "switchport access vlan 20", "speed 100", "duplex full", "exit",
        "interface gi1/0/3", "shutdown", "exit", "interface gi1/0/4", "no switchport", "end")
    out = run(configuring, "show interfaces status")
    assert out[:2] == ["", HEADER]
    rows = {line.split()[0]: line for line in out[2:]}
    assert rows["Gi1/0/1"] == "Gi1/0/1   uplink to core     notconnect   trunk        auto   auto 10/100/1000BaseTX"
    assert rows["Gi1/0/2"] == "Gi1/0/2                      notconnect   20           full    100 10/100/1000BaseTX"
    assert rows["Gi1/0/3"].split()[1:3] == ["disabled", "1"]
    assert rows["Gi1/0/4"].split()[1:3] == ["notconnect", "routed"]
    assert rows["Gi1/1/1"].endswith("auto   auto Not Present") and "Te1/1/2" in rows
    assert list(rows)[:3] == ["Gi1/0/1", "Gi1/0/2", "Gi1/0/3"] and len(rows) == 30


def test_a_joined_switch_connects_its_port(tmp_path: Path) -> None:
    lab = Lab(tmp_path)
    try:
        lab.flash(IMAGE_150, b"I" * 100_000)
        lab.flash("default.txt", b"hostname ACCESS\nend\n")
        lab.ok("configure terminal", f"vstack image flash:{IMAGE_150}", "vstack config flash:default.txt", "end")
        switch = lab.switch("access-1", n=1, upstream_port="GigabitEthernet1/0/7")
        lab.wait_phase(switch, Phase.JOINED)
        assert lab.entry(mac(1)).upstream.interface == parse_interface("Gi1/0/7")
        status = {line.split()[0]: line for line in lab.show("show interfaces status").split("\n")[2:]}
        assert status["Gi1/0/7"].split()[1:] == ["connected", "1", "a-full", "a-1000", "10/100/1000BaseTX"]
        assert status["Gi1/0/6"].split()[1] == "notconnect"
        brief = {line.split()[0]: line for line in lab.show("show ip interface brief").split("\n")[1:]}
        assert brief["GigabitEthernet1/0/7"].split()[-2:] == ["up", "up"]
        assert brief["GigabitEthernet1/0/6"].split()[-2:] == ["down", "down"]
        assert switch.address is not None
    finally:
        lab.close()
