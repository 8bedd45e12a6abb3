"""Run simulated switches on a real interface, as a program (inside a network namespace, as root):

    python -m vstackcli.sim.run --interface vxc1 --director 198.18.1.1 --state sw.json \\
        --pid WS-C2960-24TT-L --mac 0024.13c6.0100 [--name sw1] [--port GigabitEthernet1/0/1]

The switch broadcasts DHCP from UDP 68 on the interface, configures the leased address on it, fetches
over TFTP port 69 and listens on TCP 4786 (docs/simulation.md). After every change it writes what it
holds to the ``--state`` file as JSON (atomically). On SIGUSR1 it reads ``<state>.cmd``: one action a
line, ``configure <line>`` or ``write memory``. SIGTERM stops it cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
from pathlib import Path

from vstackcli.engine.storage import atomic_write
from vstackcli.grammar.values import MacAddress
from vstackcli.sim.network import SimNetwork
from vstackcli.sim.spec import SwitchSpec
from vstackcli.sim.switch import SimSwitch

__all__ = ["main", "snapshot"]


def snapshot(sw: SimSwitch) -> dict:
    """What a switch holds and where it is, as JSON-able data."""
    return {"name": sw.spec.name, "phase": sw.phase.name, "detail": sw.detail,
            "address": str(sw.address) if sw.address else None, "hostname": sw.hostname, "version": sw.version,
            "boot_image": sw.boot_image, "flash": sw.flash, "reloads": sw.reloads,
            "startup": sw.state.startup_config.decode("ascii", "replace"),
            "running": sw.state.running_config.decode("ascii", "replace"), "failures": sw.failures}


def _commands(sw: SimSwitch, path: Path) -> None:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return
    for line in lines:
        if line.strip() == "write memory":
            sw.write_memory()
        elif line.startswith("configure "):
            sw.configure(line[len("configure "):])


async def _run(args: argparse.Namespace) -> None:
    network = SimNetwork.interface(args.interface, args.director)
    spec = SwitchSpec(args.name, args.pid, MacAddress.parse(args.mac), serial=args.serial, version=args.version,
                      upstream_port=args.port, smart_install=not args.legacy, fault=args.fault)
    sw = SimSwitch(spec, network, keepalive=args.keepalive, reload_delay=0.05, dhcp_retry=args.dhcp_retry)
    state = Path(args.state)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.add_signal_handler(signal.SIGUSR1, lambda: _commands(sw, state.with_suffix(".cmd")))
    await sw.start()
    last = None
    while not stop.is_set():
        now = snapshot(sw)
        if now != last:
            atomic_write(state, json.dumps(now).encode())
            last = now
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.05)
    await sw.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m vstackcli.sim.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--interface", required=True)
    parser.add_argument("--director", help="where the CDP update about the booting switch goes")
    parser.add_argument("--state", required=True)
    parser.add_argument("--pid", default="WS-C2960-24TT-L")
    parser.add_argument("--mac", required=True)
    parser.add_argument("--name", default="sw")
    parser.add_argument("--serial", default="")
    parser.add_argument("--version", default="12.2(55)SE5")
    parser.add_argument("--port", default="GigabitEthernet1/0/1", help="its port on the upstream device")
    parser.add_argument("--legacy", action="store_true", help="not Smart Install capable")
    parser.add_argument("--fault", default=None)
    parser.add_argument("--keepalive", type=float, default=30.0)
    parser.add_argument("--dhcp-retry", type=float, default=2.0)
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        parser.error("a real interface needs root (or a network namespace owned by this user)")
    asyncio.run(_run(args))


if __name__ == "__main__":
    main()
