"""vty benchmark: many concurrent SSH sessions sending show commands to one director.

The director runs as its own process (``python -m vstackcli --root DIR``, stdin kept open, servers on
loopback) so its CPU can be read from /proc/PID/stat (utime + stime) before and after the command phase.
The client is asyncssh: ``--sessions`` connections (default 50), each with a pty, ``terminal length 0``,
then ``--commands`` show commands (default 100) cycling through show vstack status, show vstack config,
show version and show running-config | include vstack. Latency is from the command written to the prompt
back; p50, p99, max, the total time (logins included) and the director's CPU seconds and percent of one
core are printed. A Catalyst has 16 vty lines (vty 0-15) and refuses a 17th session, so at most
``--concurrent`` sessions (default 16) are open at once; the others wait for a free line.
Goal (issue 8): p99 under 50 ms on a 2-core machine.

    .venv/bin/python bench/vty.py [--sessions 50] [--commands 100] [--concurrent 16]

The client shares the machine's cores with the director (asyncssh's crypto runs in Python), so the
figures are an upper bound of what the director alone would need.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncssh

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vstackcli.engine.device import Device  # noqa: E402
from vstackcli.shell.replay import replay  # noqa: E402
from vstackcli.shell.session import Session  # noqa: E402

USER, PASSWORD = "bench", "bench-pw"
CONFIG = f"""hostname Director
ip domain-name bench.example
username {USER} privilege 15 secret 0 {PASSWORD}
vstack director 10.0.0.1
vstack basic
vstack group custom lab mac
 match mac 0018.7363.4201
 config flash:lab.txt
line vty 0 15
 login local
 transport input ssh
"""
COMMANDS = ["show vstack status", "show vstack config", "show version", "show running-config | include vstack"]
PROMPT = b"Director#"
TICKS = os.sysconf("SC_CLK_TCK")


def prepare(root: Path) -> None:
    """A device root with the configuration saved and an RSA key in nvram:."""
    device = Device(root)
    report = replay(device, CONFIG, source="bench")
    if report.failures:
        raise SystemExit("\n".join(report.error_lines()))
    session = Session(device, privilege=15, length=0)
    session.execute("configure terminal")
    reply = session.execute("crypto key generate rsa modulus 2048")
    while reply.question is not None:
        reply = session.execute("")
    session.execute("end")
    session.execute("write memory")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15)


def start_director(root: Path) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sys.executable, "-m", "vstackcli", "--root", str(root)], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        match = re.search(r"SSH server listening on 127\.0\.0\.1:(\d+)", line)
        if match:
            return proc, int(match.group(1))
    proc.kill()
    raise SystemExit("the director did not start its SSH server")


async def read_prompt(process: asyncssh.SSHClientProcess, buffer: bytearray) -> bytes:
    while not buffer.rstrip().endswith(PROMPT):
        chunk = await process.stdout.read(65536)
        if not chunk:
            raise ConnectionError("session closed")
        buffer += chunk
    out = bytes(buffer)
    buffer.clear()
    return out


async def one_session(port: int, commands: int, lines: asyncio.Semaphore, latencies: list[float]) -> None:
    async with lines, asyncssh.connect("127.0.0.1", port, username=USER, password=PASSWORD, known_hosts=None,
                                client_keys=None, preferred_auth="password") as conn:
        process = await conn.create_process(term_type="vt100", term_size=(200, 0), encoding=None)
        buffer = bytearray()
        await read_prompt(process, buffer)
        process.stdin.write(b"terminal length 0\r")
        await read_prompt(process, buffer)
        for i in range(commands):
            started = time.perf_counter()
            process.stdin.write(COMMANDS[i % len(COMMANDS)].encode() + b"\r")
            await read_prompt(process, buffer)
            latencies.append(time.perf_counter() - started)
        process.stdin.write(b"exit\r")
        await process.wait_closed()


async def run(port: int, sessions: int, commands: int, concurrent: int,
              pid: int) -> tuple[list[float], float, float, float]:
    latencies: list[float] = []
    lines = asyncio.Semaphore(concurrent)
    cpu_before, started, client_before = cpu_seconds(pid), time.perf_counter(), time.process_time()
    await asyncio.gather(*(one_session(port, commands, lines, latencies) for _ in range(sessions)))
    elapsed = time.perf_counter() - started
    return latencies, elapsed, cpu_seconds(pid) - cpu_before, time.process_time() - client_before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--commands", type=int, default=100)
    parser.add_argument("--concurrent", type=int, default=16,
                        help="sessions open at once (default 16: a Catalyst has vty 0-15, a 17th is refused)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vstackcli-bench-vty-") as tmp:
        root = Path(tmp) / "device"
        prepare(root)
        proc, port = start_director(root)
        try:
            latencies, elapsed, cpu, client_cpu = asyncio.run(
                run(port, args.sessions, args.commands, args.concurrent, proc.pid))
        finally:
            proc.kill()
            proc.wait()
    ms = sorted(x * 1000 for x in latencies)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{args.sessions} SSH sessions ({args.concurrent} at once) x {args.commands} show commands = "
          f"{len(ms)} commands")
    print(f"latency ms: p50 {statistics.median(ms):.1f}  p99 {p99:.1f}  max {ms[-1]:.1f}  mean "
          f"{statistics.fmean(ms):.1f}")
    print(f"total {elapsed:.2f} s ({len(ms) / elapsed:.0f} commands/s); director CPU {cpu:.2f} s "
          f"({100 * cpu / elapsed:.0f} % of one core); client CPU {client_cpu:.2f} s")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (other processes share the cores)")
    print(f"goal p99 < 50 ms: {'met' if p99 < 50 else 'MISSED'}")


if __name__ == "__main__":
    main()
