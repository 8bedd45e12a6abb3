"""A client that is not Smart Install capable, end to end on loopback: it takes its configuration by
AutoInstall (option 67), its upstream neighbour's CDP update lists it as type N, and on-demand updates
need its enable password: the director logs in over telnet and types `archive download-sw` or
`copy tftp://... startup-config`, as the guide says."""

from __future__ import annotations

from pathlib import Path

import pytest
from simlab import IMAGE_150, IMAGE_152, Lab, mac, wait_until

from vstackcli.sim import Phase

LEGACY = b"hostname OLDTIMER\n!\nenable password cisco\n!\nend\n"


@pytest.fixture
def lab(tmp_path: Path):
    lab = Lab(tmp_path)
    lab.flash(IMAGE_150, b"I" * 20000)
    lab.flash(IMAGE_152, b"N" * 120000)
    lab.flash("default.txt", LEGACY)
    lab.flash("new.txt", b"hostname RENEWED\n!\nenable password cisco\n!\nend\n")
    yield lab
    lab.close()


def test_zero_touch_of_a_non_smart_install_client(lab: Lab) -> None:
    """Its configuration by AutoInstall; its image by `archive download-sw` over telnet, logged in with the
    director's enable password (the one the guide's tailored configuration hands such clients)."""
    lab.ok("configure terminal", "enable password cisco", f"vstack image flash:{IMAGE_150}",
           "vstack config flash:default.txt", "end")
    sw = lab.switch("old", "WS-C2960-24TT-L", 1, smart_install=False, version="12.2(50)SE5")
    wait_until(lambda: sw.version == "15.0(2)SE", what="upgraded over telnet")
    assert sw.hostname == "OLDTIMER" and sw.flash == {IMAGE_150: 20000}
    assert sw._console.typed == [f"archive download-sw /overwrite /reload tftp://192.168.1.1/{IMAGE_150}"]
    wait_until(lambda: (e := lab.entry(mac(1))) is not None and e.status == "N A a I"
               and e.version == "15.0(2)SE", what="the director sees it upgraded")
    download = lab.show("show vstack download-status")
    assert "Pending" not in download and "image  Success" in download, download


def test_zero_touch_of_a_legacy_client_without_a_director_password(lab: Lab) -> None:
    lab.ok("configure terminal", f"vstack image flash:{IMAGE_150}", "vstack config flash:default.txt", "end")
    sw = lab.switch("old", "WS-C2960-24TT-L", 1, smart_install=False, version="12.2(50)SE5")
    wait_until(lambda: (e := lab.entry(mac(1))) is not None and e.image == "X", what="image failed")
    assert sw.version == "12.2(50)SE5" and sw.hostname == "OLDTIMER"
    assert "no enable password" in "\n".join(lab.cli("show vstack download-status detail"))


def test_non_smart_install_client_needs_the_password(lab: Lab) -> None:
    lab.ok("configure terminal", "vstack config flash:default.txt", "end")
    sw = lab.switch("old", "WS-C2960-24TT-L", 1, smart_install=False, version="12.2(50)SE5")
    lab.wait_phase(sw, Phase.JOINED, Phase.FAILED)
    assert sw.phase is Phase.JOINED, sw.detail
    # AutoInstall: the configuration of option 67, not the image of option 125
    assert sw.hostname == "OLDTIMER" and sw.version == "12.2(50)SE5" and sw.flash == {}
    wait_until(lambda: lab.entry(mac(1)) is not None and lab.entry(mac(1)).device_type == "N", what="type N")
    entry = lab.entry(mac(1))
    assert entry.ip == sw.address and entry.version == "12.2(50)SE5"
    assert "N A a" in lab.show("show vstack status")
    index = entry.index
    out = lab.cli(f"vstack download-image tar flash:{IMAGE_152} index {index} none reload")
    assert out == ["%Error: a client that is not Smart Install capable needs its enable password"]
    # a wrong password: the login is refused, the download fails
    assert lab.cli(f"vstack download-image tar flash:{IMAGE_152} index {index} wrong reload") == []
    wait_until(lambda: lab.entry(mac(1)).image == "X", what="failed with a wrong password")
    assert sw.version == "12.2(50)SE5"
    # the right one: archive download-sw over telnet, the switch reloads on the new image
    assert lab.cli(f"vstack download-image tar flash:{IMAGE_152} index {index} cisco reload") == []
    wait_until(lambda: sw.version == "15.2(4)E10", what="reloaded on the new image")
    assert sw._console.typed[-1] == f"archive download-sw /overwrite /reload tftp://192.168.1.1/{IMAGE_152}"
    wait_until(lambda: lab.entry(mac(1)).image == "I" and lab.entry(mac(1)).version == "15.2(4)E10",
               what="the director sees it")
    assert lab.cli(f"vstack download-config flash:new.txt index {index} cisco startup reload") == []
    wait_until(lambda: sw.hostname == "RENEWED", what="new configuration booted")
    wait_until(lambda: lab.entry(mac(1)).config == "C", what="config done on the director")
    texts = lab.messages()
    assert any("UPGRD_FAILED" in t for t in texts) and sum("UPGRD_SUCCESS" in t for t in texts) == 2, texts


def test_what_the_director_types_on_a_legacy_client() -> None:
    import ipaddress

    from vstackcli.engine.backend import ClientCommand
    from vstackcli.net.smi.legacy import LegacyError, legacy_commands

    ip = ipaddress.IPv4Address("192.168.1.7")
    url = "tftp://192.168.1.1/c2960.tar"
    assert legacy_commands(ClientCommand("image", ip, "flash:c2960.tar", reload=True), url) == \
        [f"archive download-sw /overwrite /reload {url}"]
    assert legacy_commands(ClientCommand("image", ip, "flash:c2960.tar", reload_in=(1, 30)), url) == \
        [f"archive download-sw /overwrite {url}", "reload in 01:30"]
    assert legacy_commands(ClientCommand("config", ip, "flash:x.txt", reload=True), url) == \
        [f"copy {url} startup-config", "reload"]
    with pytest.raises(LegacyError):
        legacy_commands(ClientCommand("script", ip, "flash:x.txt"), url)
