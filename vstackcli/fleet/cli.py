"""``vstackcli fleet``: simulated client switches against a running director, shown while they join.

    vstackcli fleet --count 20 --pids WS-C2960X-48FPD-L:3,WS-C3750X-24P-L:1
    vstackcli fleet --topology examples/fleet-small.toml --html fleet.html
    vstackcli fleet --prepare examples/fleet-director.cfg --director-root /tmp/demo

The director is found through ``<director root>/run/servers.json`` (written by a
running ``vstackcli``), or given with ``--dhcp/--tftp/--smi HOST:PORT``; with
``--interface IF`` the switches use real ports and broadcast DHCP on IF (inside a
network namespace). Exit status: 0 every switch joined, 1 some did not (failed,
denied, held, or the timeout), 2 the fleet could not run (one line on stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from pathlib import Path

from vstackcli.fleet.topology import Topology, TopologyError, generate, load, parse_size

__all__ = ["main"]


class FleetError(RuntimeError):
    """The fleet cannot run: one line for the user."""


def _endpoint(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT")
    return host, int(port)


def _positive(kind: type):
    def convert(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError("must be positive")
        return value

    return convert


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line and exit code 2, as argparse does, without the usage block
        self.exit(2, f"vstackcli fleet: {message} (see vstackcli fleet --help)\n")


def parse_args(argv: list[str]) -> argparse.Namespace:
    from vstackcli.cli import default_root

    p = _Parser(prog="vstackcli fleet", description="Run simulated Smart Install client switches against a "
                "running vstackcli director and watch them join (docs/fleet.md).")
    what = p.add_argument_group("the switches")
    what.add_argument("--topology", metavar="FILE", type=Path, help="a TOML topology file (docs/fleet.md)")
    what.add_argument("--count", metavar="N", type=_positive(int), help="generate N switches in a tree")
    what.add_argument("--pids", metavar="PID[:W],...", default="WS-C2960X-48FPD-L",
                      help="product-ID mix for --count, with weights (default WS-C2960X-48FPD-L)")
    what.add_argument("--seed", metavar="N", type=int, default=1, help="seed of the generated MACs (default 1)")
    where = p.add_argument_group("the director")
    where.add_argument("--director-root", metavar="DIR", type=Path, default=None,
                       help=f"the running director's device root (default {default_root()}); its "
                            "run/servers.json says where its servers listen")
    where.add_argument("--dhcp", metavar="HOST:PORT", type=_endpoint, help="the director's DHCP server")
    where.add_argument("--tftp", metavar="HOST:PORT", type=_endpoint, help="the director's TFTP server")
    where.add_argument("--smi", metavar="HOST:PORT", type=_endpoint, help="the director's Smart Install port")
    where.add_argument("--interface", metavar="IF", help="real ports and broadcast DHCP on IF (as root, inside "
                                                         "a network namespace)")
    run = p.add_argument_group("the run")
    run.add_argument("--keepalive", metavar="SECONDS", type=_positive(float),
                     help="the switches' keepalive period (default: the director's, from servers.json, or 30)")
    run.add_argument("--concurrency", metavar="N", type=_positive(int), default=64,
                     help="switches in zero-touch at once (default 64)")
    run.add_argument("--timeout", metavar="SECONDS", type=_positive(float), default=600.0,
                     help="give up after this long (default 600)")
    run.add_argument("--stay", action="store_true",
                     help="after the summary keep the switches up (keepalives, on-demand commands) until Ctrl-C")
    run.add_argument("--linger", metavar="SECONDS", type=float, default=2.0,
                     help="keep the switches up this long after the end, for the director's backup requests "
                          "(default 2)")
    run.add_argument("--html", metavar="FILE", type=Path, help="write the topology picture (HTML, SVG) at the end")
    run.add_argument("--plain", action="store_true", help="plain lines even on a terminal")
    prep = p.add_argument_group("preparing the director")
    prep.add_argument("--prepare", metavar="CFG", type=Path,
                      help="write the flash: files CFG names (images, configs, scripts) that are missing into the "
                           "director root's flash:, then run the fleet if one is given")
    prep.add_argument("--image-size", metavar="BYTES", type=_size, default=4 * 1024**2,
                      help="size of each image --prepare writes (default 4mb)")
    args = p.parse_args(argv)
    if args.topology is not None and args.count is not None:
        p.error("give --topology or --count, not both")
    if args.topology is None and args.count is None and args.prepare is None:
        p.error("give --topology FILE or --count N (or --prepare CFG)")
    explicit = [args.dhcp, args.tftp, args.smi]
    if any(explicit) and not all(explicit):
        p.error("--dhcp, --tftp and --smi go together")
    args.director_root = args.director_root or default_root()
    return args


def _topology(args: argparse.Namespace) -> Topology:
    if args.topology is not None:
        return load(args.topology)
    return generate(args.count, args.pids, seed=args.seed)


def _prepare(args: argparse.Namespace) -> None:
    from vstackcli.fleet.prepare import prepare

    try:
        text = args.prepare.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise FleetError(f"cannot read {args.prepare}: {exc.strerror or exc}") from None
    flash = args.director_root / "flash"
    try:
        flash.mkdir(parents=True, exist_ok=True)
        done = prepare(text, flash, args.image_size)
    except OSError as exc:
        raise FleetError(f"cannot write into {flash}: {exc.strerror or exc}") from None
    for name, what in done:
        print(f"flash:{name}: {what}")
    print(f"{sum(w == 'written' for _, w in done)} file(s) written into {flash}")


def _network(args: argparse.Namespace):
    """The SimNetwork and the director's keepalive period."""
    from vstackcli.fleet.servers import ServersError, find_director
    from vstackcli.sim.network import SimNetwork

    if args.interface:
        return SimNetwork.interface(args.interface), args.keepalive or 30.0
    if args.dhcp:
        return SimNetwork.loopback(args.dhcp, args.tftp, args.smi), args.keepalive or 30.0
    try:
        servers = find_director(args.director_root)
    except ServersError as exc:
        raise FleetError(str(exc)) from None
    if servers.interface:
        raise FleetError(f"the director serves interface {servers.interface}: run the fleet with --interface "
                         "inside the network namespace that reaches it")
    return SimNetwork.loopback(servers.dhcp, servers.tftp, servers.smi), servers.keepalive


async def _run(args: argparse.Namespace, topology: Topology, network, director_keepalive: float) -> int:
    from vstackcli.fleet.display import make_display
    from vstackcli.fleet.runner import FleetRunner
    from vstackcli.fleet.state import FleetState

    state = FleetState(topology)
    display = make_display(state, sys.stdout, plain=True if args.plain else None)
    runner = FleetRunner(topology, network, state, concurrency=args.concurrency,
                         keepalive=args.keepalive or director_keepalive, director_keepalive=director_keepalive,
                         timeout=args.timeout)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    display.start()

    async def refresh() -> None:
        while True:
            display.refresh()
            await asyncio.sleep(0.25)

    ticker = loop.create_task(refresh())
    run = loop.create_task(runner.run())
    try:
        await asyncio.wait([run, loop.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED)
        result = run.result() if run.done() else None
    finally:
        ticker.cancel()
        display.stop()
    if result is None:
        run.cancel()
        state.end = state.clock()
    display.summary()
    if result is not None and result.timed_out:
        print(f"vstackcli fleet: timed out after {args.timeout:g}s", file=sys.stderr)
    if args.html is not None:
        _write_html(args.html, state)
    if args.stay and not stop.is_set():
        print("the switches stay up (keepalives, on-demand commands); Ctrl-C ends them", flush=True)
        await stop.wait()
    elif args.linger > 0 and not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), args.linger)
    await runner.stop()
    return 0 if result is not None and result.ok else 1


def _write_html(path: Path, state) -> None:
    from vstackcli.engine.storage import atomic_write
    from vstackcli.fleet.picture import fleet_tree, html_page

    try:
        atomic_write(path, html_page(fleet_tree(state), f"vstackcli fleet: {state.topology.source}").encode())
    except OSError as exc:
        print(f"vstackcli fleet: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return
    print(f"topology picture written to {path}")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        if args.prepare is not None:
            _prepare(args)
            if args.topology is None and args.count is None:
                return 0
        topology = _topology(args)
        network, director_keepalive = _network(args)
    except (FleetError, TopologyError) as exc:
        print(f"vstackcli fleet: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_run(args, topology, network, director_keepalive))
    except KeyboardInterrupt:
        return 1
