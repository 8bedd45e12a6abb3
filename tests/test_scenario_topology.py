"""A two-hop network end to end on loopback: a switch behind another client is held while its upstream
hop upgrades (updates go hop by hop), then upgrades itself; `show vstack neighbors all` shows who hangs
off whom."""

from __future__ import annotations

from pathlib import Path

from simlab import IMAGE_150, Lab, mac, wait_until

from vstackcli.engine.hostnames import vlan_mac
from vstackcli.sim import Phase


def test_updates_go_hop_by_hop(tmp_path: Path) -> None:
    lab = Lab(tmp_path)
    try:
        lab.flash(IMAGE_150, b"I" * 3_000_000)
        lab.flash("default.txt", b"hostname HOP\nend\n")
        lab.ok("configure terminal", f"vstack image flash:{IMAGE_150}", "vstack config flash:default.txt", "end")
        near = lab.switch("near", n=1, upstream_port="GigabitEthernet1/0/1")
        far = lab.switch("far", n=2, upstream="near", upstream_port="GigabitEthernet0/10", start=False)
        wait_until(lambda: (e := lab.entry(mac(1)) or lab.entry(vlan_mac(mac(1)))) is not None
                   and e.image == "i", what="the near switch upgrading")
        lab.on_loop(far.start())
        lab.wait_phase(far, Phase.HELD)  # its upstream hop is still upgrading: a plain lease for now
        lab.wait_phase(near, Phase.JOINED)
        lab.wait_phase(far, Phase.JOINED)
        assert far.version == near.version == "15.0(2)SE"
        entry = lab.entry(mac(2))
        assert entry.hops == 2 and entry.upstream.host == near.address
        neighbors = lab.show("show vstack neighbors all")
        assert f"{near.address} GigabitEthernet0/10" in neighbors, neighbors
    finally:
        lab.close()
