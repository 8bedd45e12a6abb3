"""`interface range`: IOS's range syntax, `Switch(config-if-range)#`, each command applied to every interface
of the range, the running-config per interface, and IOS-style refusals."""

from __future__ import annotations

import pytest
from conftest import run, running

from vstackcli.grammar.values import InterfaceName
from vstackcli.modes.interface_range import parse_range
from vstackcli.shell.session import Session


def gi(n: int) -> InterfaceName:
    return InterfaceName("GigabitEthernet", f"1/0/{n}")


@pytest.mark.parametrize("text, ports", [
    ("gi1/0/1 - 4", [1, 2, 3, 4]),
    ("GigabitEthernet1/0/1-2", [1, 2]),
    ("gi1/0/5-6 , gi1/0/8", [5, 6, 8]),
    ("gi 1/0/9", [9]),
    ("g1/0/1,g1/0/3-4", [1, 3, 4]),
])
def test_the_range_syntax(text: str, ports: list[int]) -> None:
    assert parse_range(text) == [gi(n) for n in ports]


def test_vlan_and_ten_gigabit_ranges() -> None:
    assert parse_range("vlan 10 - 12") == [InterfaceName("Vlan", str(n)) for n in (10, 11, 12)]
    assert parse_range("te1/1/1 - 2") == [InterfaceName("TenGigabitEthernet", f"1/1/{n}") for n in (1, 2)]


@pytest.mark.parametrize("text", ["gi1/0/5 - 3", "fo1/0/1", "gi1/0/1,", ",gi1/0/1", "gi1/0/1 -", "1/0/1",
                                  "gi1/0/1,gi1/0/2,gi1/0/3,gi1/0/4,gi1/0/5,gi1/0/6"])
def test_malformed_ranges_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"^% "):
        parse_range(text)


def test_commands_apply_to_every_interface_of_the_range(configuring: Session) -> None:
    out = run(configuring, "interface range gi1/0/1 - 3 , gi1/0/7", "description access", "switchport mode access",
              "switchport access vlan 20", "shutdown")
    assert out == []
    assert configuring.prompt() == "Switch(config-if-range)#"
    run(configuring, "no shutdown", "end")
    lines = running(configuring)
    for n in (1, 2, 3, 7):
        at = lines.index(f"interface GigabitEthernet1/0/{n}")
        # as IOS prints them: the access VLAN before the mode, whatever the typing order
        assert lines[at + 1:at + 5] == [" description access", " switchport access vlan 20",
                                        " switchport mode access", "!"], lines[at:at + 5]
    at = lines.index("interface GigabitEthernet1/0/4")
    assert lines[at + 1] == "!"  # not in the range
    assert not [x for x in lines if "range" in x]  # IOS saves the interfaces, not the range


def test_a_global_command_walks_up_out_of_the_range(configuring: Session) -> None:
    run(configuring, "interface range gi1/0/1 - 2", "hostname EDGE")
    assert configuring.prompt() == "EDGE(config)#"


def test_refusals_leave_the_mode_unchanged(configuring: Session) -> None:
    out = run(configuring, "interface range gi1/0/40")
    assert out == ["% Command rejected: interface GigabitEthernet1/0/40 does not exist on this switch"]
    out = run(configuring, "interface range vlan 5 - 6")  # SVIs must exist first, as in IOS
    assert out[0].startswith("% Command rejected: interface Vlan5")
    assert configuring.prompt() == "Switch(config)#"
    run(configuring, "interface vlan 5", "interface vlan 6", "exit", "interface range vlan 5 - 6",
        "description svi")
    assert " description svi" in running(configuring)[running(configuring).index("interface Vlan6") + 1:][:1]
