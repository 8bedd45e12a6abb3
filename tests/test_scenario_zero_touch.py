"""The guide's zero-touch scenarios end to end on loopback: a director with its live DHCP, TFTP and
Smart Install servers, and simulated switches that boot empty and come out upgraded and configured."""

from __future__ import annotations

from pathlib import Path

import pytest
from simlab import IMAGE_150, Lab, mac, wait_until

from vstackcli.sim import Phase

CONFIG = b"hostname ACCESS\n!\ninterface Vlan1\n ip address dhcp\n!\nend\n"


@pytest.fixture
def lab(tmp_path: Path):
    lab = Lab(tmp_path)
    yield lab
    lab.close()


def test_default_image_and_config_for_one_pid(lab: Lab) -> None:
    lab.flash(IMAGE_150, b"IMAGE" * 40000)
    lab.flash("default.txt", CONFIG)
    lab.ok("configure terminal", f"vstack image flash:{IMAGE_150}", "vstack config flash:default.txt", "end")
    sw = lab.switch("sw1", n=1)
    lab.wait_phase(sw, Phase.JOINED, Phase.FAILED)
    assert sw.phase is Phase.JOINED, sw.detail
    # what the switch holds
    assert sw.version == "15.0(2)SE" and sw.boot_image == IMAGE_150 and sw.flash[IMAGE_150] == 200000
    assert sw.state.startup_config == CONFIG == sw.state.running_config and sw.hostname == "ACCESS"
    assert sw.address is not None and sw.address in __import__("ipaddress").ip_network("192.168.1.0/24")
    # what the director shows
    entry = lab.entry(mac(1))
    assert entry is not None and entry.ip == sw.address and entry.pid == "WS-C2960-24TT-L"
    status = lab.show("show vstack status")
    assert str(mac(1)) in status and "S A a I C" in status, status
    download = lab.show("show vstack download-status")
    assert "image  Success" in download and "config Success" in download, download
    texts = lab.messages()
    assert any("UPGRD_SUCCESS" in t and IMAGE_150 in t for t in texts), texts
    # the director asked for the backup when it joined
    wait_until(lambda: lab.device.storage.flash.exists(f"vstack/ACCESS{mac(1)}.rev2"), what="backup")


def test_a_switch_already_running_the_image_takes_only_the_config(lab: Lab) -> None:
    lab.flash(IMAGE_150, b"IMAGE" * 40000)
    lab.flash("default.txt", CONFIG)
    lab.ok("configure terminal", f"vstack image flash:{IMAGE_150}", "vstack config flash:default.txt", "end")
    sw = lab.switch("sw1", n=1, version="15.0(2)SE")
    lab.wait_phase(sw, Phase.JOINED)
    assert sw.flash == {} and sw.boot_image == "" and sw.hostname == "ACCESS"
    assert not any(e.phase is Phase.IMAGE for e in lab.events)
    assert "S A a I C" in lab.show("show vstack status")
    assert "Pending" not in lab.show("show vstack download-status")
