"""Group scenarios end to end on loopback: built-in groups for a two-PID network, every custom group kind
with its precedence (stack > MAC > connectivity > product ID > built-in > default), a stack through a stack
group. Each switch must come out with its group's image version and configuration."""

from __future__ import annotations

from pathlib import Path

import pytest
from simlab import IMAGE_150, IMAGE_152, Lab, mac

from vstackcli.sim import MemberSpec, Phase

IMAGE_3560 = "c3560-ipbasek9-tar.150-2.SE.tar"
IMAGE_3750 = "c3750-ipbasek9-tar.122-58.SE2.tar"


@pytest.fixture
def lab(tmp_path: Path):
    lab = Lab(tmp_path)
    yield lab
    lab.close()


def files(lab: Lab, **configs: str) -> None:
    for image in (IMAGE_150, IMAGE_152, IMAGE_3560, IMAGE_3750):
        lab.flash(image, image.encode() * 300)
    for name, hostname in configs.items():
        lab.flash(f"{name}.txt", f"hostname {hostname}\n!\nend\n".encode())


def joined(lab: Lab, *switches) -> None:
    for sw in switches:
        lab.wait_phase(sw, Phase.JOINED, Phase.FAILED)
        assert sw.phase is Phase.JOINED, (sw.name, sw.detail)


def test_built_in_groups_for_a_two_pid_network(lab: Lab) -> None:
    files(lab, c2960="ACCESS-2960", c3560="DIST-3560")
    lab.ok("configure terminal",
           "vstack group built-in 2960 24", f"image flash:{IMAGE_150}", "config flash:c2960.txt", "exit",
           "vstack group built-in 3560 24", f"image flash:{IMAGE_3560}", "config flash:c3560.txt", "exit", "end")
    a = lab.switch("a", "WS-C2960-24TT-L", 1, upstream_port="GigabitEthernet1/0/1")
    b = lab.switch("b", "WS-C3560-24TS-S", 2, upstream_port="GigabitEthernet1/0/2")
    joined(lab, a, b)
    assert (a.hostname, a.version, a.boot_image) == ("ACCESS-2960", "15.0(2)SE", IMAGE_150)
    assert (b.hostname, b.version, b.boot_image) == ("DIST-3560", "15.0(2)SE", IMAGE_3560)
    status = lab.show("show vstack status")
    assert "WS-C2960-24TT-L" in status and "WS-C3560-24TS-S" in status and status.count("S A a I C") == 2, status
    assert lab.device.storage.flash.read("vstack/imagelist_builtin_3560_24.txt") == f"{IMAGE_3560}\n".encode()
    assert lab.device.storage.flash.read("vstack/imagelist_builtin_2960_24.txt") == f"{IMAGE_150}\n".encode()


def test_custom_group_precedence(lab: Lab) -> None:
    files(lab, default="BY-DEFAULT", builtin="BY-BUILTIN", pid="BY-PID", conn="BY-CONNECTIVITY", macg="BY-MAC")
    lab.ok("configure terminal", f"vstack image flash:{IMAGE_150}", "vstack config flash:default.txt",
           "vstack group built-in 2960 24", f"image flash:{IMAGE_150}", "config flash:builtin.txt", "exit",
           "vstack group custom pids product-id", "match WS-C2960-24TT", f"image flash:{IMAGE_150}",
           "config flash:pid.txt", "exit",
           "vstack group custom port5 connectivity", "match host 192.168.1.1 interface GigabitEthernet1/0/5",
           f"image flash:{IMAGE_150}", "config flash:conn.txt", "exit",
           "vstack group custom chosen mac", f"match mac {mac(4)}", f"image flash:{IMAGE_152}",
           "config flash:macg.txt", "exit", "end")
    by_default = lab.switch("d", "WS-C3560-24TS-S", 1, upstream_port="GigabitEthernet1/0/1")
    by_builtin = lab.switch("b", "WS-C2960-24TC-L", 2, upstream_port="GigabitEthernet1/0/2")
    by_pid = lab.switch("p", "WS-C2960-24TT-L", 3, upstream_port="GigabitEthernet1/0/3")
    by_mac = lab.switch("m", "WS-C2960-24TT-L", 4, upstream_port="GigabitEthernet1/0/5")  # MAC beats the port
    by_port = lab.switch("c", "WS-C2960-24TT-L", 5, upstream_port="GigabitEthernet1/0/5")  # port beats the PID
    joined(lab, by_default, by_builtin, by_pid, by_mac, by_port)
    assert by_default.hostname == "BY-DEFAULT"
    assert by_builtin.hostname == "BY-BUILTIN"
    assert by_pid.hostname == "BY-PID"
    assert by_port.hostname == "BY-CONNECTIVITY"
    assert (by_mac.hostname, by_mac.version) == ("BY-MAC", "15.2(4)E10")
    neighbors = lab.show("show vstack neighbors all")
    assert "192.168.1.1 GigabitEthernet1/0/5" in neighbors, neighbors


def test_a_stack_through_a_stack_group(lab: Lab) -> None:
    files(lab, stack="STACK-3750", default="NOT-THE-STACK")
    lab.ok("configure terminal", f"vstack image flash:{IMAGE_150}", "vstack config flash:default.txt",
           "vstack group custom s3750 stack", "match 1 3750 24poe", "match 2 3750 24poe",
           f"image flash:{IMAGE_3750}", "config flash:stack.txt", "exit", "end")
    head = mac(7)
    members = [MemberSpec(1, "WS-C3750-24PS-S", head, "FOC1"), MemberSpec(2, "WS-C3750-24PS-S", mac(8), "FOC2")]
    stack = lab.switch("stack", "WS-C3750-24PS-S", mac=head, members=members, serial="FOC1")
    joined(lab, stack)
    assert (stack.hostname, stack.version, stack.boot_image) == ("STACK-3750", "12.2(58)SE2", IMAGE_3750)
    # the image list names the image once per member; the switch fetched it once
    assert lab.device.storage.flash.read("vstack/imagelist_custom_s3750.txt") == f"{IMAGE_3750}\n".encode() * 2
    status = lab.show("show vstack status")
    assert str(mac(8)) in status and status.count("STACK-3750") == 2, status
