"""A simulated switch's own IOS shell: built only when asked, it shows the switch's PID, IOS version and
configuration; vstack commands typed there take effect only once the switch is configured as director."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run
from simlab import IMAGE_150, Lab

from vstackcli.sim import Phase


@pytest.fixture
def lab(tmp_path: Path):
    lab = Lab(tmp_path)
    lab.flash(IMAGE_150, b"I" * 20000)
    lab.flash("default.txt", b"hostname ACCESS\n!\ninterface Vlan1\n ip address dhcp\n!\nend\n")
    lab.ok("configure terminal", f"vstack image flash:{IMAGE_150}", "vstack config flash:default.txt", "end")
    yield lab
    lab.close()


def test_shell_is_lazy_and_is_the_switch(lab: Lab) -> None:
    sw = lab.switch("sw", "WS-C2960-24TT-L", 1, serial="FOC1234X0AB")
    lab.wait_phase(sw, Phase.JOINED)
    assert sw._session is None  # nothing of the IOS shell exists until asked
    session = sw.shell()
    assert sw.shell() is session
    version = "\n".join(run(session, "show version"))
    assert "WS-C2960-24TT-L" in version and "15.0(2)SE" in version and "FOC1234X0AB" in version, version
    config = "\n".join(run(session, "show running-config"))
    assert "hostname ACCESS" in config, config
    assert session.prompt() == "ACCESS#"
    # vstack commands change the client's configuration but it is no director until it is configured as one
    assert [x for x in run(session, "configure terminal", "vstack director 192.168.1.50", "end")
            if x.startswith("%")] == []
    assert not session.device.director.operational
    assert "vstack director 192.168.1.50" in "\n".join(run(session, "show running-config"))
    run(session, "configure terminal", "vstack basic", "end")
    assert session.device.director.operational  # now it is a director (of nothing: no servers run here)
    # the director's own shell is untouched
    assert lab.device.director.operational and "192.168.1.50" not in lab.show("show running-config")
