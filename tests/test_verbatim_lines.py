"""Unmodelled IOS lines pasted into the director keep one line per setting, as IOS's running-config does:
single-valued commands replace each other in place, `no` returns to what IOS shows for the default, and the
trunk's allowed-VLAN list is edited by add/remove/except."""

from __future__ import annotations

from conftest import run, running

from vstackcli.shell.session import Session


def test_a_single_valued_command_replaces_the_factory_line_in_place(configuring: Session) -> None:
    before = running(configuring)
    run(configuring, "spanning-tree mode rapid-pvst")
    after = running(configuring)
    assert [line for line in after if line.startswith("spanning-tree mode")] == ["spanning-tree mode rapid-pvst"]
    at = before.index("spanning-tree mode pvst")
    assert after[at] == "spanning-tree mode rapid-pvst"  # where IOS prints it, not appended after vlan lines
    assert after[:at] == before[:at] and after[at + 1:] == before[at + 1:]
    run(configuring, "no spanning-tree mode")
    assert running(configuring) == before


def test_vtp_logging_and_snmp_settings_keep_one_line_each(configuring: Session) -> None:
    run(configuring, "vtp mode transparent", "vtp mode client", "snmp-server location Lab 1",
        "snmp-server location Lab 2", "logging buffered 16384", "logging buffered 32768", "system mtu routing 1504")
    lines = running(configuring)
    assert [x for x in lines if x.startswith("vtp mode")] == ["vtp mode client"]
    assert [x for x in lines if x.startswith("snmp-server location")] == ["snmp-server location Lab 2"]
    assert [x for x in lines if x.startswith("logging buffered")] == ["logging buffered 32768"]
    assert [x for x in lines if x.startswith("system mtu")] == ["system mtu routing 1504"]
    run(configuring, "no snmp-server location", "no logging console", "no system mtu routing")
    lines = running(configuring)
    assert not [x for x in lines if x.startswith("snmp-server location")]
    assert "no logging console" in lines  # disabling is a state IOS shows
    assert [x for x in lines if x.startswith("system mtu")] == ["system mtu routing 1500"]  # the default again


def test_negating_a_default_on_feature_shows_the_no_form(configuring: Session) -> None:
    assert "ip http server" in running(configuring)
    run(configuring, "no ip http server", "no ip http secure-server")
    lines = running(configuring)
    assert "no ip http server" in lines and "no ip http secure-server" in lines
    assert "ip http server" not in lines
    run(configuring, "ip http server")
    lines = running(configuring)
    assert "ip http server" in lines and "no ip http server" not in lines
    # a line the user added goes away on `no`, as IOS does not show the default
    run(configuring, "file prompt quiet", "no file prompt quiet")
    assert not [x for x in running(configuring) if "file prompt" in x]


def test_interface_access_and_trunk_settings(configuring: Session) -> None:
    run(configuring, "interface GigabitEthernet1/0/5", "switchport access vlan 10", "switchport access vlan 20",
        "switchport mode trunk", "switchport mode access", "speed 100", "speed 1000", "duplex full", "end")

    def block() -> list[str]:
        lines = running(configuring)
        start = lines.index("interface GigabitEthernet1/0/5")
        end = lines.index("!", start)
        return lines[start + 1:end]

    assert block() == [" switchport access vlan 20", " switchport mode access", " speed 1000", " duplex full"]
    run(configuring, "configure terminal", "interface Gi1/0/5", "no speed", "switchport trunk allowed vlan 10,20",
        "switchport trunk allowed vlan add 30-32", "switchport trunk allowed vlan remove 31", "end")
    assert " switchport trunk allowed vlan 10,20,30,32" in block() and " speed 1000" not in block()
    run(configuring, "configure terminal", "interface Gi1/0/5", "switchport trunk allowed vlan except 1-9,11-4094")
    assert " switchport trunk allowed vlan 10" in block()
    run(configuring, "switchport trunk allowed vlan none")
    assert " switchport trunk allowed vlan none" in block()
    run(configuring, "switchport trunk allowed vlan all")  # the default: IOS shows no line
    assert not [x for x in block() if "allowed vlan" in x]
    run(configuring, "switchport trunk allowed vlan add 5")  # from all VLANs, adding changes nothing
    assert not [x for x in block() if "allowed vlan" in x]
    run(configuring, "switchport trunk allowed vlan remove 1")
    assert " switchport trunk allowed vlan 2-4094" in block()


def test_a_vty_access_class_is_printed_first_as_ios_does(configuring: Session) -> None:
    run(configuring, "line vty 0 4", "transport input ssh", "access-class MGMT in", "exec-timeout 5 0", "end")
    lines = running(configuring)
    at = lines.index("line vty 0 4")
    assert lines[at + 1:at + 5] == [" access-class MGMT in", " exec-timeout 5 0", " login", " transport input ssh"]


def test_no_of_a_line_whose_factory_form_is_negated_restores_it(configuring: Session) -> None:
    before = running(configuring)
    assert "no service password-encryption" in before
    run(configuring, "service password-encryption")
    assert "service password-encryption" in running(configuring)
    run(configuring, "no service password-encryption")  # found by the property test: the line had vanished
    assert running(configuring) == before
