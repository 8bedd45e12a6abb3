"""The failures the guide describes, reproduced end to end on loopback: image or configuration missing on
the server, flash too small, a configuration download that fails into a reload loop, a key pressed
during zero-touch. The switch says why it failed; the director shows the failure."""

from __future__ import annotations

from pathlib import Path

import pytest
from simlab import IMAGE_150, Lab, mac, wait_until

from vstackcli.engine.hostnames import vlan_mac
from vstackcli.sim import Phase
from vstackcli.sim.switch import KEY_PRESSED, MAX_RELOAD_LOOPS


@pytest.fixture
def lab(tmp_path: Path):
    lab = Lab(tmp_path)
    lab.ok("configure terminal", f"vstack image flash:{IMAGE_150}", "vstack config flash:default.txt", "end")
    yield lab
    lab.close()


def entry(lab: Lab, n: int):
    return lab.entry(mac(n)) or lab.entry(vlan_mac(mac(n)))


def failed(lab: Lab, sw) -> str:
    lab.wait_phase(sw, Phase.FAILED, Phase.JOINED)
    assert sw.phase is Phase.FAILED
    return sw.detail


def test_image_missing_on_the_server(lab: Lab) -> None:
    lab.flash("default.txt", b"hostname X\nend\n")  # the image itself was never copied to flash
    sw = lab.switch("sw", n=1)
    detail = failed(lab, sw)
    assert IMAGE_150 in detail and "File not found" in detail, detail
    assert sw.version == "12.2(55)SE5" and sw.state.startup_config == b""
    wait_until(lambda: entry(lab, 1).image == "X", what="image failed on the director")
    assert any("UPGRD_FAILED" in t and "image" in t for t in lab.messages())
    assert "Failed" in lab.show("show vstack download-status")


def test_config_missing_reloads_in_a_bounded_loop(lab: Lab) -> None:
    lab.flash(IMAGE_150, b"I" * 20000)  # no default.txt
    sw = lab.switch("sw", n=1)
    detail = failed(lab, sw)
    assert "reloads in a loop" in detail and "press Enter" in detail, detail
    assert sw.reloads == MAX_RELOAD_LOOPS - 1 and sw.version == "15.0(2)SE"  # the image went in on the first pass
    wait_until(lambda: entry(lab, 1).config == "x", what="config failed on the director")
    assert sum("UPGRD_FAILED" in t for t in lab.messages()) == MAX_RELOAD_LOOPS


def test_config_download_failing_fault(lab: Lab) -> None:
    lab.flash(IMAGE_150, b"I" * 20000)
    lab.flash("default.txt", b"hostname X\nend\n")
    sw = lab.switch("sw", n=1, fault="config-fails")
    assert "reloads in a loop" in failed(lab, sw)
    assert sw.state.startup_config == b""


def test_flash_too_small(lab: Lab) -> None:
    lab.flash(IMAGE_150, b"I" * 200000)
    lab.flash("default.txt", b"hostname X\nend\n")
    sw = lab.switch("sw", n=1, flash_size=150000)
    detail = failed(lab, sw)
    assert "Not enough space on device" in detail and "200000" in detail, detail
    assert sw.flash == {} and sw.version == "12.2(55)SE5"
    wait_until(lambda: entry(lab, 1).image == "X", what="image failed on the director")
    small = lab.switch("small", n=2, fault="flash-too-small")
    assert "Not enough space on device" in failed(lab, small)


def test_key_pressed_stops_zero_touch(lab: Lab) -> None:
    lab.flash(IMAGE_150, b"I" * 20000)
    lab.flash("default.txt", b"hostname X\nend\n")
    sw = lab.switch("sw", n=1, fault="key-pressed")
    assert failed(lab, sw) == KEY_PRESSED
    assert sw.address is not None and sw.version == "12.2(55)SE5" and sw.state.startup_config == b""
    assert entry(lab, 1).image == "" and entry(lab, 1).phase == "offered"
    # the guide's recovery: write erase and reload; zero-touch runs again
    lab.on_loop(sw.write_erase_and_reload())
    lab.wait_phase(sw, Phase.JOINED)
    assert sw.version == "15.0(2)SE" and sw.hostname == "X"


def test_image_missing_fault(lab: Lab) -> None:
    lab.flash(IMAGE_150, b"I" * 20000)
    lab.flash("default.txt", b"hostname X\nend\n")
    sw = lab.switch("sw", n=1, fault="image-missing")
    assert "File not found" in failed(lab, sw)
    wait_until(lambda: entry(lab, 1).image == "X", what="image failed on the director")
