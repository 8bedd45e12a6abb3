"""A two-hop network end to end on loopback: a switch behind another client is held while its upstream
hop upgrades (updates go hop by hop), then upgrades itself; `show vstack neighbors all` shows who hangs
off whom."""

from __future__ import annotations

import asyncio
from pathlib import Path

from simlab import IMAGE_150, Lab, mac, wait_until

from vstackcli.sim import Phase, SwitchEvent


def test_updates_go_hop_by_hop(tmp_path: Path) -> None:
    lab = Lab(tmp_path)
    try:
        lab.flash(IMAGE_150, b"I" * 8_000_000)
        lab.flash("default.txt", b"hostname HOP\nend\n")
        lab.ok("configure terminal", f"vstack image flash:{IMAGE_150}", "vstack config flash:default.txt", "end")
        near = lab.switch("near", n=1, upstream_port="GigabitEthernet1/0/1", start=False)
        far = lab.switch("far", n=2, upstream="near", upstream_port="GigabitEthernet0/10", start=False)

        booted: list[asyncio.Task] = []

        def boot_far(event: SwitchEvent) -> None:  # the near switch is fetching its image: the director knows
            lab.events.append(event)              # (its "started" report was handled before the transfer)
            if event.phase is Phase.IMAGE and event.done and not booted:
                booted.append(asyncio.get_running_loop().create_task(far.start()))

        near.on_event = boot_far
        lab.on_loop(near.start())
        # its upstream hop is still upgrading: a plain lease for now
        wait_until(lambda: any(e.switch == "far" and e.phase is Phase.HELD for e in lab.events), what="far held")
        lab.wait_phase(near, Phase.JOINED)
        lab.wait_phase(far, Phase.JOINED)
        assert far.version == near.version == "15.0(2)SE"
        entry = lab.entry(mac(2))
        assert entry.hops == 2 and entry.upstream.host == near.address
        neighbors = lab.show("show vstack neighbors all")
        assert f"{near.address} GigabitEthernet0/10" in neighbors, neighbors
    finally:
        lab.close()
