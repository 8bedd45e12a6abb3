"""A minimal Smart Install client for the wire tests, run inside a network namespace:

    python tests/client_switch.py CLIENT_IP DIRECTOR_IP MAC PID STATE_FILE

It listens on CLIENT_IP:4786, joins its director, carries out the director's commands by real TFTP, and
writes what it holds (startup config, reload, failures) to STATE_FILE as JSON after every change.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import sys

from vstackcli.grammar.values import MacAddress
from vstackcli.net.smi import extension
from vstackcli.net.smi.client_endpoint import ClientEndpoint, ClientState
from vstackcli.net.tftp.client import UrlTransfers


async def main(client_ip: str, director_ip: str, mac: str, pid: str, state_file: str) -> None:
    state = ClientState(mac=MacAddress.parse(mac), startup_config=b"hostname CLIENT\n")
    endpoint = ClientEndpoint(UrlTransfers(), client_ip, 4786, director=director_ip, state=state,
                              report_to=(director_ip, 4786))
    await endpoint.start()
    await endpoint.send_report(extension.Report(state.mac, pid, ipaddress.IPv4Address(client_ip), "CLIENT",
                                                "FOC0001", "15.2(4)E10"))
    last = None
    while True:
        snapshot = {"startup": state.startup_config.decode(errors="replace"), "reload": state.reload,
                    "boot_image": state.boot_image, "flash": sorted(state.flash),
                    "executed": state.executed, "failures": state.failures}
        if snapshot != last:
            with open(state_file + ".tmp", "w") as f:
                json.dump(snapshot, f)
            import os

            os.replace(state_file + ".tmp", state_file)
            last = snapshot
        await asyncio.sleep(0.05)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
