"""Backup and replacement end to end on loopback: rev1/rev2 after `write memory` and after a hostname
change; a same-PID switch on the same port replaces an inactive one and boots its backup; the old switch
put elsewhere is a new client."""

from __future__ import annotations

from pathlib import Path

import pytest
from simlab import IMAGE_150, Lab, mac, wait_until

from vstackcli.engine.hostnames import vlan_mac
from vstackcli.sim import Phase

SEED = b"hostname ACCESS\nend\n"


@pytest.fixture
def lab(tmp_path: Path):
    lab = Lab(tmp_path)
    lab.flash(IMAGE_150, b"I" * 30000)
    lab.flash("default.txt", SEED)
    lab.ok("configure terminal", f"vstack image flash:{IMAGE_150}", "vstack config flash:default.txt", "end")
    yield lab
    lab.close()


def test_backup_rev1_rev2_after_write_memory_and_a_hostname_change(lab: Lab) -> None:
    flash = lab.device.storage.flash
    sw = lab.switch("sw", n=1)
    lab.wait_phase(sw, Phase.JOINED)
    rev1, rev2 = f"vstack/ACCESS{mac(1)}.rev1", f"vstack/ACCESS{mac(1)}.rev2"
    wait_until(lab.locked(lambda: flash.exists(rev2)), what="the backup the director asks for at join")
    assert flash.read(rev2) == SEED and not flash.exists(rev1)
    sw.configure("ntp server 192.168.1.1")
    sw.write_memory()
    wait_until(lab.locked(lambda: flash.exists(rev2) and flash.read(rev2) == SEED + b"ntp server 192.168.1.1\n"),
               what="rev2 after write memory")
    assert flash.read(rev1) == SEED
    sw.configure("hostname RENAMED")
    sw.write_memory()
    new1, new2 = f"vstack/RENAMED{mac(1)}.rev1", f"vstack/RENAMED{mac(1)}.rev2"
    wait_until(lab.locked(lambda: flash.exists(new2) and not flash.exists(rev2) and not flash.exists(rev1)),
               what="the pair under the new hostname")
    assert flash.read(new1) == SEED + b"ntp server 192.168.1.1\n"  # history carried over
    assert flash.read(new2).startswith(b"hostname RENAMED\n")
    assert not flash.exists(rev1) and not flash.exists(rev2)
    assert lab.entry(mac(1)).hostname == "RENAMED"
    texts = lab.messages()
    assert sum("SMI_CLIENT_BACKUP_SUCCESS" in t for t in texts) == 3, texts


def test_zero_touch_replacement_gets_the_backup_and_the_old_switch_elsewhere_is_new(lab: Lab) -> None:
    flash = lab.device.storage.flash
    old = lab.switch("old", n=1, upstream_port="GigabitEthernet1/0/3")
    lab.wait_phase(old, Phase.JOINED)
    backup = f"vstack/ACCESS{mac(1)}.rev2"
    wait_until(lab.locked(lambda: flash.exists(backup)), what="the backup the director asks for at join")
    old.configure("snmp-server location closet-3")
    old.write_memory()
    wait_until(lab.locked(lambda: flash.exists(backup) and b"closet-3" in flash.read(backup)), what="backed up")
    lab.stop(old)  # it dies; three keepalives later the director marks it inactive
    lab.tick(1000)
    assert lab.entry(mac(1)).health == "I"
    new = lab.switch("new", n=2, upstream_port="GigabitEthernet1/0/3", replaces="old")
    lab.wait_phase(new, Phase.JOINED, Phase.FAILED)
    assert new.phase is Phase.JOINED, new.detail
    assert b"snmp-server location closet-3" in new.state.startup_config and new.hostname == "ACCESS"
    assert new.version == "15.0(2)SE"
    assert lab.entry(mac(1)) is None and lab.entry(mac(2)) is not None
    texts = lab.messages()
    assert any("SWITCH_REPLACE" in t and str(vlan_mac(mac(2))) in t for t in texts), texts
    # the replaced switch comes back, erased, on another port: a new client with the seed configuration
    again = lab.switch("old-again", n=1, upstream_port="GigabitEthernet1/0/9")
    lab.wait_phase(again, Phase.JOINED, Phase.FAILED)
    assert again.phase is Phase.JOINED and again.state.startup_config == SEED
    entry = lab.entry(mac(1))
    assert entry is not None and entry.neighbors == [("192.168.1.1", "GigabitEthernet1/0/9")]
    status = lab.show("show vstack status")
    assert str(mac(1)) in status and str(mac(2)) in status, status
