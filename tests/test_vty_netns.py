"""Where telnet listens with real ports: port 23 on the director address, reached from a client host in a
network namespace, and moved when the director address moves."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import run
from netns import needs_netns, veth_namespace

from vstackcli.engine.clock import FakeClock
from vstackcli.engine.device import Device
from vstackcli.net.live import LiveBackends
from vstackcli.shell.session import Session

PEEK = ("import socket,sys; s=socket.create_connection((sys.argv[1], 23), timeout=10); s.settimeout(10); b=b''\n"
        "while True:\n c=s.recv(4096)\n if not c: break\n b+=c\nsys.stdout.write(b.decode('latin-1'))")


@needs_netns
def test_telnet_listens_on_port_23_of_the_director_address(tmp_path: Path) -> None:
    with veth_namespace("vtyn", 63) as ns:
        device = Device(tmp_path / "director", clock=FakeClock())
        live = LiveBackends.start(device, interface=ns.server_if)
        try:
            session = Session(device, privilege=15, length=0)
            assert live.telnet is not None and live.telnet.address is None  # no director address yet
            out = run(session, "configure terminal", f"vstack director {ns.server_ip}", "vstack basic", "end")
            assert not [line for line in out if line.startswith("%")], out
            live.settle()
            assert live.telnet.address == (ns.server_ip, 23)
            assert f"Telnet server listening on {ns.server_ip}:23" in live.describe()
            seen = ns.run(sys.executable, "-c", PEEK, ns.server_ip)
            assert seen.returncode == 0, seen.stderr
            assert seen.stdout.endswith("\nPassword required, but none set\n")  # (text mode read CR LF as LF)
            run(session, "configure terminal", "no vstack director", "end")
            live.settle()
            assert live.telnet.address is None
        finally:
            live.close()
