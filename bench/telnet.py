"""Telnet vty benchmark: N concurrent telnet sessions each sending M show commands, one at a time.

The server runs in this process on its own thread (``TelnetBackend``, as the shell starts it) with a
`no login` vty; the clients are asyncio sockets in the main thread. Each command's latency is from
sending the line to reading the next prompt. Prints p50, p99 and max latency, commands per second and the
process CPU time (server and clients together; the clients are light). No assertions.

    .venv/bin/python bench/telnet.py [--sessions 16] [--commands 100] [--command "show vstack config"]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from vstackcli.engine.device import Device
from vstackcli.net.vty.telnet import TelnetBackend
from vstackcli.shell.session import Session

PROMPT = b"Switch#"


async def _until(reader: asyncio.StreamReader, marker: bytes) -> None:
    await reader.readuntil(marker)


async def _client(address: tuple[str, int], command: bytes, count: int, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection(*address)
    await _until(reader, PROMPT)
    writer.write(b"terminal length 0\r\n")
    await _until(reader, PROMPT)
    for _ in range(count):
        started = time.perf_counter()
        writer.write(command + b"\r\n")
        await _until(reader, PROMPT)
        latencies.append(time.perf_counter() - started)
    writer.write(b"exit\r\n")
    await writer.drain()
    writer.close()


async def _run(address: tuple[str, int], sessions: int, commands: int, command: bytes) -> list[float]:
    latencies: list[float] = []
    await asyncio.gather(*(_client(address, command, commands, latencies) for _ in range(sessions)))
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=16)
    parser.add_argument("--commands", type=int, default=100)
    parser.add_argument("--command", default="show vstack config")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        device = Device(Path(root))
        session = Session(device, privilege=15)
        for line in ("configure terminal", "line vty 0 15", "no login", "privilege level 15", "end"):
            session.execute(line)
        backend = TelnetBackend(device)
        assert backend.address is not None
        try:
            cpu0, wall0 = time.process_time(), time.perf_counter()
            latencies = asyncio.run(_run(backend.address, min(args.sessions, 16), args.commands,
                                         args.command.encode()))
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        finally:
            backend.stop()
    latencies.sort()
    ms = [x * 1000 for x in latencies]
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{len(ms)} commands ({args.command!r}) over {min(args.sessions, 16)} telnet sessions in {wall:.2f} s: "
          f"{len(ms) / wall:.0f} commands/s")
    print(f"latency p50 {statistics.median(ms):.2f} ms, p99 {p99:.2f} ms, max {ms[-1]:.2f} ms")
    print(f"process CPU {cpu:.2f} s ({100 * cpu / wall:.0f} % of one core)")


if __name__ == "__main__":
    main()
