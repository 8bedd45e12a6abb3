"""The ``vstackcli`` console command: build the device, replay its configuration, run a shell.

With a terminal on standard input the prompt_toolkit console runs; otherwise
lines are read as if typed and the console transcript is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from vstackcli import __version__

__all__ = ["main"]

FLASH_PRESETS = {"3750": 57_931_776, "64mb": 64 * 1024 * 1024, "128mb": 128 * 1024 * 1024}


def default_root() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "vstackcli" / "device"


def _flash_size(text: str) -> int:
    if text.lower() in FLASH_PRESETS:
        return FLASH_PRESETS[text.lower()]
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size in bytes or a preset ({', '.join(FLASH_PRESETS)})") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("the flash size must be positive")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not a number of seconds") from None
    if not 0.1 <= value <= 3600:
        raise argparse.ArgumentTypeError("between 0.1 and 3600 seconds")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="vstackcli", description="Cisco IOS Smart Install director emulator",
                                     epilog="`vstackcli fleet --help`: run simulated client switches against a "
                                            "running director (docs/fleet.md)")
    parser.add_argument("--startup-config", metavar="FILE", type=Path,
                        help="replay FILE at boot, as IOS replays nvram:startup-config")
    parser.add_argument("--root", metavar="DIR", type=Path, default=None,
                        help=f"device root holding flash: and nvram: (default {default_root()})")
    parser.add_argument("--flash-size", metavar="BYTES", type=_flash_size, default=FLASH_PRESETS["3750"],
                        help="capacity of flash: in bytes, or a preset: 3750 (default), 64mb, 128mb")
    parser.add_argument("--interface", metavar="IFNAME",
                        help="serve DHCP on IFNAME (port 67), TFTP (69), Smart Install (4786), telnet (23) and SSH "
                             "(22) on the director address: needs root or a network namespace; default: loopback, "
                             "free ports")
    parser.add_argument("--snoop-interface", metavar="IF[:VLAN]", action="append", default=[],
                        help="snoop an external DHCP server for clients on IF (repeatable; VLAN defaults to 1)")
    parser.add_argument("--snoop-server-interface", metavar="IF", help="the interface towards the external server")
    parser.add_argument("--snoop-server", metavar="IP", action="append", default=[],
                        help="the external DHCP server's address (repeatable)")
    parser.add_argument("--no-servers", action="store_true",
                        help="run the shell alone, without the DHCP, TFTP and Smart Install servers")
    parser.add_argument("--keepalive", metavar="SECONDS", type=_seconds, default=None,
                        help="the clients' keepalive period; a client is Inactive after three missed (default 30)")
    parser.add_argument("--version", action="version", version=f"vstackcli {__version__}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["fleet"]:
        from vstackcli.fleet.cli import main as fleet_main

        return fleet_main(argv[1:])
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from vstackcli.engine.device import Device
    from vstackcli.shell.replay import replay
    from vstackcli.shell.session import Session

    root = args.root or default_root()
    try:
        device = Device(root, flash_size=args.flash_size)
    except OSError as exc:
        print(f"vstackcli: cannot use device root {root}: {exc.strerror}", file=sys.stderr)
        return 2
    if args.keepalive is not None:
        device.director.keepalive = args.keepalive
    live = None
    if not args.no_servers:
        from vstackcli.net.live import LiveBackends, Snooping

        snoop = None
        if args.snoop_interface:
            if not args.snoop_server_interface or not args.snoop_server:
                print("vstackcli: --snoop-interface needs --snoop-server-interface and --snoop-server", file=sys.stderr)
                return 2
            clients = {}
            for item in args.snoop_interface:
                name, _, vlan = item.partition(":")
                clients[name] = int(vlan) if vlan.isdigit() else 1
            snoop = Snooping(clients, args.snoop_server_interface, tuple(args.snoop_server))
        try:
            live = LiveBackends.start(device, args.interface, snoop)
        except (OSError, ValueError) as exc:
            print(f"vstackcli: cannot start the servers: {exc}", file=sys.stderr)
            return 2
    servers: list = []  # the servers.json publisher, once the servers are up
    previous = signal.signal(signal.SIGTERM, _terminate)  # a killed director still removes servers.json
    try:
        return _run(args, device, live, replay, Session, servers)
    finally:
        signal.signal(signal.SIGTERM, previous)
        for publisher in servers:
            publisher.close()
        if live is not None:
            live.close()


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _ticking(device) -> threading.Event:
    """Move the director's time (client health, join window) every second, as the console does."""
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(1.0):
            with device.lock, contextlib.suppress(Exception):
                device.director.tick()

    threading.Thread(target=tick, name="vstackcli-tick", daemon=True).start()
    return stop


def _run(args: argparse.Namespace, device, live, replay, session_class, servers: list) -> int:
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if args.startup_config is not None:
        try:
            text = args.startup_config.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            print(f"vstackcli: cannot read {args.startup_config}: {exc.strerror}", file=sys.stderr)
            return 2
        report = replay(device, text, source=str(args.startup_config))
        for line in report.error_lines():
            print(line)
        print(report.summary())
    else:
        saved = device.storage.startup_config()
        if saved is not None:
            report = replay(device, saved, source="nvram:startup-config")
            for line in report.error_lines():
                print(line)
    device.dirty = False
    device.director.reconcile()
    if live is not None:
        live.settle()
        for line in live.describe():
            print(line, file=sys.stdout if interactive else sys.stderr)
        from vstackcli.fleet.servers import ServersFile

        try:
            servers.append(ServersFile(device.storage.root, live).start())
        except OSError as exc:
            print(f"vstackcli: cannot write the servers file: {exc}", file=sys.stderr)
    session = session_class(device)
    if interactive:
        from vstackcli.shell.console import run_console

        return run_console(session)
    from vstackcli.shell.batch import run_batch

    session.length = 0
    stop = _ticking(device) if live is not None else None
    try:
        run_batch(session, sys.stdin, sys.stdout)
    finally:
        if stop is not None:
            stop.set()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
