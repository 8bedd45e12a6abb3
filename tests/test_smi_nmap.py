"""nmap's service detection names a vstackcli client endpoint ``cisco-smartinstall`` (research 4.3: its match
sits under the Firebird probe, sent only at ``--version-all``; the endpoint must answer it with the 20-byte
type-4 reply and survive every other probe nmap sends)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

from test_smi_client import PROBE, REPLY, FakeTransfers, exchange

from vstackcli.engine.clock import FakeClock
from vstackcli.engine.syslog import SystemLog
from vstackcli.net.smi.client_endpoint import ClientEndpoint

NMAP = shutil.which("nmap") or "/usr/bin/nmap"


def test_nmap_version_all_identifies_the_client_endpoint() -> None:
    async def main() -> tuple[str, ClientEndpoint]:
        endpoint = ClientEndpoint(FakeTransfers(), "127.0.0.1", 0, director="127.0.0.1", log=SystemLog(FakeClock()),
                                  idle_timeout=10)
        port = await endpoint.start()
        try:
            result = await asyncio.to_thread(
                subprocess.run, [NMAP, "-Pn", "-sV", "--version-all", "-p", str(port), "127.0.0.1"],
                capture_output=True, text=True, timeout=300)
            assert await asyncio.to_thread(exchange, port, PROBE) == REPLY  # still serving after nmap
            return result.stdout, endpoint
        finally:
            await endpoint.stop()

    stdout, endpoint = asyncio.run(main())
    line = next(line for line in stdout.splitlines() if "/tcp" in line)
    assert "open" in line and "cisco-smartinstall" in line and "Cisco Switch Smart Install" in line, stdout
    assert endpoint.rejected > 0  # nmap's other probes were refused, each with a log line
