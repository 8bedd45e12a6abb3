"""`show interfaces status`, `show interfaces [NAME]` and `show ip interface brief`: the director's ports,
connected where a simulated switch of the director database hangs off them."""

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
        block = lab.show("show interfaces gi1/0/7").split("\n")
        assert block[0] == "GigabitEthernet1/0/7 is up, line protocol is up (connected) "
        assert "  Full-duplex, 1000Mb/s, media type is 10/100/1000BaseTX" in block
        assert switch.address is not None
    finally:
        lab.close()


def test_full_interface_blocks(configuring: Session) -> None:
    run(configuring, "interface gi1/0/3", "description to printer", "shutdown", "exit",
        "interface vlan 1", "ip address 10.0.0.1 255.255.255.0", "end")
    base = configuring.device.platform.base_mac.value
    block = run(configuring, "show interfaces GigabitEthernet1/0/3")
    assert block[:4] == [
        "GigabitEthernet1/0/3 is administratively down, line protocol is down (disabled) ",
        f"  Hardware is Gigabit Ethernet, address is {_mac(base + 3)} (bia {_mac(base + 3)})",
        "  Description: to printer",
        "  MTU 1500 bytes, BW 10000 Kbit/sec, DLY 1000 usec, "]
    assert "  Auto-duplex, Auto-speed, media type is 10/100/1000BaseTX" in block
    assert "     0 packets input, 0 bytes, 0 no buffer" in block
    svi = run(configuring, "show interfaces vlan 1")
    assert svi[:3] == ["Vlan1 is up, line protocol is up ",
                       f"  Hardware is EtherSVI, address is {_mac(base + 0x40)} (bia {_mac(base + 0x40)})",
                       "  Internet address is 10.0.0.1/24"]
    heads = [line for line in run(configuring, "show interfaces") if not line.startswith(" ")]
    assert heads[0].startswith("Vlan1 is up") and heads[1].startswith("GigabitEthernet1/0/1 is down")
    assert len(heads) == 31
    assert run(configuring, "show interfaces gi1/0/40") == ["%Invalid interface type and number", ""]
    assert run(configuring, "show interfaces trunk") == ["% 'show interfaces' is not supported by vstackcli"]


def _mac(value: int) -> str:
    text = f"{value:012x}"
    return f"{text[0:4]}.{text[4:8]}.{text[8:12]}"


def test_show_ip_interface(configuring: Session) -> None:
    run(configuring, "interface vlan 1", "ip address 10.0.0.1 255.255.255.0",
        "ip address 10.9.0.1 255.255.255.0 secondary", "ip helper-address 10.0.0.5", "ip helper-address 10.0.0.6",
        "end")
    block = run(configuring, "show ip interface vlan 1")
    assert block[:9] == ["Vlan1 is up, line protocol is up", "  Internet address is 10.0.0.1/24",
                         "  Broadcast address is 255.255.255.255", "  Address determined by non-volatile memory",
                         "  MTU is 1500 bytes", "  Helper addresses are 10.0.0.5",
                         "                       10.0.0.6", "  Directed broadcast forwarding is disabled",
                         "  Secondary address 10.9.0.1/24"]
    assert "  Outgoing access list is not set" in block
    assert run(configuring, "show ip interface gi1/0/2") == ["GigabitEthernet1/0/2 is down, line protocol is down",
                                                            "  Internet protocol processing disabled"]
    heads = [line for line in run(configuring, "show ip interface") if not line.startswith(" ")]
    assert heads[0] == "Vlan1 is up, line protocol is up" and len(heads) == 31
    assert run(configuring, "show ip interface brief")[0].startswith("Interface              IP-Address")
