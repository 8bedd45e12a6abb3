"""Join window scenarios end to end on loopback: a closed window denies a booting switch (a plain lease,
no Smart Install files) until it opens; in manual mode a switch is held until the operator installs it."""

from __future__ import annotations

from pathlib import Path

import pytest
from simlab import IMAGE_150, Lab, mac, wait_until

from vstackcli.engine.hostnames import vlan_mac
from vstackcli.sim import Phase


@pytest.fixture
def lab(tmp_path: Path):
    lab = Lab(tmp_path)
    lab.flash(IMAGE_150, b"I" * 50000)
    lab.flash("default.txt", b"hostname JOINED\nend\n")
    lab.ok("configure terminal", f"vstack image flash:{IMAGE_150}", "vstack config flash:default.txt", "end")
    yield lab
    lab.close()


def letters(lab: Lab, n: int) -> str:
    entry = lab.entry(mac(n)) or lab.entry(vlan_mac(mac(n)))
    return entry.status if entry is not None else ""


def test_join_window_closed_denies_until_it_opens(lab: Lab) -> None:
    lab.ok("configure terminal", "vstack join-window close", "end")
    sw = lab.switch("sw", n=1)
    lab.wait_phase(sw, Phase.HELD)
    wait_until(lambda: letters(lab, 1) == "P A d", what="denied in the database")
    assert "P A d" in lab.show("show vstack status")
    # denied: an address but nothing of Smart Install
    assert sw.address is not None and sw.version == "12.2(55)SE5" and sw.state.startup_config == b""
    assert not lab.device.director.downloads.records
    lab.ok("configure terminal", "no vstack join-window close", "end")
    lab.wait_phase(sw, Phase.JOINED)
    assert (sw.hostname, sw.version) == ("JOINED", "15.0(2)SE")
    assert "S A a I C" in lab.show("show vstack status")


def test_manual_mode_holds_until_installed(lab: Lab) -> None:
    lab.ok("configure terminal", "no vstack join-window mode auto", "end")
    held = lab.switch("held", n=1)
    other = lab.switch("other", n=2)
    lab.wait_phase(held, Phase.HELD)
    lab.wait_phase(other, Phase.HELD)
    wait_until(lambda: letters(lab, 1) == "P A h" and letters(lab, 2) == "P A h", what="both on hold")
    index = (lab.entry(mac(1)) or lab.entry(vlan_mac(mac(1)))).index
    lab.ok("configure terminal", f"vstack on-hold-clients install {index}", "end")
    lab.wait_phase(held, Phase.JOINED)
    assert (held.hostname, held.version) == ("JOINED", "15.0(2)SE")
    assert other.phase is Phase.HELD and other.state.startup_config == b""
    # the other one is allowed by `vstack join-window-status` after being removed (denied) from the hold list
    index2 = (lab.entry(mac(2)) or lab.entry(vlan_mac(mac(2)))).index
    lab.ok("configure terminal", f"vstack on-hold-clients remove {index2}", "end")
    wait_until(lambda: "d" in letters(lab, 2).split(), what="removed: denied")
    lab.ok(f"vstack join-window-status index {index2} allowed")
    lab.wait_phase(other, Phase.JOINED)
    status = lab.show("show vstack status")
    assert status.count("S A a I C") == 2, status
