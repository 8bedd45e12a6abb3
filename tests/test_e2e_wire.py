"""The director and a client switch on two hosts (network namespaces), over the real ports: the
director's download-config and backup requests travel as Smart Install messages on TCP 4786, the client
fetches and writes the files over TFTP port 69 from the director's own TFTP server, and the director's
database and messages follow."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from conftest import run
from netns import needs_netns, veth_namespace

from vstackcli.engine.clock import FakeClock
from vstackcli.engine.device import Device
from vstackcli.grammar.values import MacAddress
from vstackcli.net.live import LiveBackends
from vstackcli.shell.session import Session

HERE = Path(__file__).resolve().parent
MAC = MacAddress.parse("0024.13c6.b580")


def wait_until(condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def state(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


@needs_netns
def test_download_config_and_backup_over_smart_install_and_tftp(tmp_path: Path) -> None:
    with veth_namespace("e2e", 41) as ns:
        device = Device(tmp_path / "director", clock=FakeClock())
        live = LiveBackends.start(device, interface=ns.server_if)
        session = Session(device, privilege=15, length=0)
        client = None
        try:
            out = run(session, "configure terminal", f"vstack director {ns.server_ip}", "vstack basic",
                      "vstack config flash:default.txt", "end")
            assert not [line for line in out if line.startswith("%")], out
            device.storage.flash.write("new.txt", b"hostname FROM-DIRECTOR\n")
            live.settle()
            assert live.smi.endpoint.bound_port == 4786 and live.tftp.address == (ns.server_ip, 69)
            state_file = tmp_path / "client.json"
            client = ns.popen(sys.executable, str(HERE / "client_switch.py"), ns.client_ip, ns.server_ip, str(MAC),
                              "WS-C2960-24TT-L", str(state_file), cwd=str(HERE.parent))
            # the client joins; the director asks for its configuration, which arrives by TFTP as rev2
            wait_until(lambda: device.director.db.by_mac(MAC) is not None)
            rev2 = f"vstack/CLIENT{MAC}.rev2"
            wait_until(lambda: device.storage.flash.exists(rev2))
            assert device.storage.flash.read(rev2) == b"hostname CLIENT\n"
            # on-demand configuration: type 3 over 4786, the file over TFTP, the report back
            assert run(session, f"vstack download-config flash:new.txt {ns.client_ip} none startup reload") == []
            wait_until(lambda: state(state_file).get("startup") == "hostname FROM-DIRECTOR\n")
            wait_until(lambda: device.director.db.by_mac(MAC).config == "C")
            texts = [m.format(timestamps=False) for m in device.log.buffer]
            assert f"%SMI-6-UPGRD_SUCCESS: Device (IP address: {ns.client_ip}) flash:new.txt has upgraded " \
                   "successfully" in texts
            assert "%SMI-6-SMI_CLIENT_BACKUP_SUCCESS: Client Device startup configuration backup successful on " \
                   "repository" in texts
            # on-demand image: type 2 names the image list the engine wrote; the client fetches list and image
            device.storage.flash.write("c2960-lanbasek9-tar.150-2.SE.tar", b"IMAGE" * 2000)
            assert run(session, "vstack download-image tar flash:c2960-lanbasek9-tar.150-2.SE.tar "
                                f"{ns.client_ip} none reload") == []
            wait_until(lambda: state(state_file).get("boot_image") == "c2960-lanbasek9-tar.150-2.SE.tar")
            wait_until(lambda: device.director.db.by_mac(MAC).image == "I")
            download = "\n".join(run(session, "show vstack download-status"))
            assert "image  Success" in download and "config Success" in download
            status = "\n".join(run(session, "show vstack status"))
            assert str(MAC) in status and "S A a" in status
        finally:
            if client is not None:
                client.kill()
                client.wait(10)
            live.close()
