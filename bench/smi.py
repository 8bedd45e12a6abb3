"""Smart Install codec and client-endpoint speed.

Printed: decode and encode time per message (µs) for the probe, type 3, type 8 and a join report; the
probe-to-reply round trip against a live client endpoint on 127.0.0.1 (median and p99 in µs over
``--probes`` fresh connections, each as smi_check does it: connect, send, one recv); and how long the
endpoint takes to refuse ``--garbage`` connections of random bytes.

    .venv/bin/python bench/smi.py [--rounds 20000] [--probes 500] [--garbage 500]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import time

from vstackcli.grammar.values import MacAddress
from vstackcli.net.smi import codec, extension
from vstackcli.net.smi.client_endpoint import ClientEndpoint


class _NoTransfers:
    def read(self, url: str) -> bytes:
        raise OSError(url)

    def write(self, url: str, data: bytes) -> None:
        raise OSError(url)


def _codec(rounds: int) -> None:
    samples = {
        "probe": codec.Probe(),
        "type 3": codec.ChangeConfig("tftp://10.0.0.1/default.txt", True, 0, 1),
        "type 8": codec.ExecCommands(("copy system:running-config flash:/config.text",
                                      "copy flash:/config.text tftp://10.0.0.1/10.0.0.9.conf")),
        "join": extension.Report(MacAddress(0x001873634242), "WS-C2960-24TT-L", hostname="SI-Client"),
    }
    for name, message in samples.items():
        enc = extension.encode if isinstance(message, extension.Report) else codec.encode
        data = enc(message)
        t0 = time.perf_counter()
        for _ in range(rounds):
            enc(message)
        t1 = time.perf_counter()
        for _ in range(rounds):
            extension.decode(data)
        t2 = time.perf_counter()
        print(f"{name:7s} {len(data):5d} bytes  encode {1e6 * (t1 - t0) / rounds:6.2f} µs  "
              f"decode {1e6 * (t2 - t1) / rounds:6.2f} µs")


def _probe(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(codec.encode(codec.Probe()))
        return s.recv(512)


def _garbage(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(os.urandom(64))
        s.shutdown(socket.SHUT_WR)
        while s.recv(512):
            pass


async def _endpoint(probes: int, garbage: int) -> None:
    endpoint = ClientEndpoint(_NoTransfers(), "127.0.0.1", 0)
    port = await endpoint.start()
    try:
        times = []
        for _ in range(probes):
            t0 = time.perf_counter()
            assert await asyncio.to_thread(_probe, port) == codec.encode(codec.ProbeReply())
            times.append(time.perf_counter() - t0)
        times.sort()
        print(f"probe round trip over {probes} connections: median {1e6 * statistics.median(times):.0f} µs, "
              f"p99 {1e6 * times[int(len(times) * 0.99) - 1]:.0f} µs")
        t0 = time.perf_counter()
        for _ in range(garbage):
            await asyncio.to_thread(_garbage, port)
        print(f"{garbage} garbage connections refused in {time.perf_counter() - t0:.2f} s "
              f"({endpoint.rejected} rejected)")
    finally:
        await endpoint.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20000)
    parser.add_argument("--probes", type=int, default=500)
    parser.add_argument("--garbage", type=int, default=500)
    args = parser.parse_args()
    _codec(args.rounds)
    asyncio.run(_endpoint(args.probes, args.garbage))


if __name__ == "__main__":
    main()
