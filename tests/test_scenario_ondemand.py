"""On-demand updates end to end on loopback: `vstack download-image` and `vstack download-config` to
index ranges of joined simulated switches, with `reload in`; the switches fetch over TFTP, report, and
boot the new image or configuration when the reload comes."""

from __future__ import annotations

from pathlib import Path

import pytest
from simlab import IMAGE_152, Lab, mac, wait_until

from vstackcli.sim import Phase


@pytest.fixture
def lab(tmp_path: Path):
    lab = Lab(tmp_path)
    lab.flash("default.txt", b"hostname BASE\nend\n")
    lab.flash(IMAGE_152, b"N" * 300000)
    lab.flash("new.txt", b"hostname RECONFIGURED\n!\nntp server 192.168.1.1\nend\n")
    lab.ok("configure terminal", "vstack config flash:default.txt", "end")
    yield lab
    lab.close()


def test_download_image_and_config_to_index_ranges_with_reload_in(lab: Lab) -> None:
    switches = [lab.switch(f"sw{n}", n=n, upstream_port=f"GigabitEthernet1/0/{n}") for n in (1, 2, 3)]
    for sw in switches:
        lab.wait_phase(sw, Phase.JOINED, Phase.FAILED)
        assert sw.phase is Phase.JOINED and sw.version == "12.2(55)SE5", sw.detail
    index = {n: lab.entry(mac(n)).index for n in (1, 2, 3)}
    first_two = f"{min(index[1], index[2])}-{max(index[1], index[2])}" if abs(index[1] - index[2]) == 1 \
        else f"{index[1]},{index[2]}"
    assert lab.cli(f"vstack download-image tar flash:{IMAGE_152} index {first_two} none reload in 00:05") == []
    one, two, three = switches
    wait_until(lambda: one.pending_reload == "in 00:05" and two.pending_reload == "in 00:05", what="scheduled")
    assert one.boot_image == IMAGE_152 and one.flash[IMAGE_152] == 300000
    # the reload comes (the switches' clock runs 1000 times faster): they boot the new image
    wait_until(lambda: one.version == two.version == "15.2(4)E10", what="rebooted on the new image")
    assert three.version == "12.2(55)SE5" and three.boot_image == ""
    wait_until(lambda: lab.entry(mac(1)).image == "I" and lab.entry(mac(2)).image == "I", what="image done")
    wait_until(lambda: lab.entry(mac(1)).version == "15.2(4)E10", what="the director sees the new version")
    assert lab.cli(f"vstack download-config flash:new.txt index {index[3]} none startup reload") == []
    wait_until(lambda: three.hostname == "RECONFIGURED", what="configuration booted")
    assert b"ntp server 192.168.1.1" in three.state.running_config
    wait_until(lambda: lab.entry(mac(3)).config == "C" and lab.entry(mac(3)).hostname == "RECONFIGURED",
               what="director updated")
    download = lab.show("show vstack download-status")
    assert download.count(f"flash:{IMAGE_152}") == 2 and "flash:new.txt" in download, download
    status = lab.show("show vstack status")
    assert "RECONFIGU" in status, status
    texts = lab.messages()
    assert sum("UPGRD_SUCCESS" in t and IMAGE_152 in t for t in texts) == 2, texts
