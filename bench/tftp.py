"""TFTP benchmark: our server next to tftpd-hpa (and tftpy's server on request), same file, same client.

Loopback, a 16 MiB file from the page cache, MiB/s; every case runs ``--runs`` times (default 3) per server,
servers alternating, and the table shows each server's median with its range (min-max) over the runs:

- curl, one transfer at blksize 512, 1468 and 8192 (curl negotiates no windowsize);
- atftp, one transfer at blksize 1468 and 8192 with windowsize 16 (tftpd-hpa and tftpy do not negotiate
  windowsize, so there atftp falls back to lockstep: the comparison the goal asks for);
- 50 curl clients at once at blksize 1468 (aggregate MiB/s).

Goal (issue 5): at least tftpd-hpa's median at equal options, 3x with windowsize 16. The last columns give
our median over tftpd-hpa's and whether the goal is met; for the parallel case the bench also prints where
the CPU went (the clients', the rest, idle). tftpd-hpa runs as
``in.tftpd -L -s DIR -a 127.0.0.1:PORT`` (root, as CI runs). About two minutes on 2 vCPUs with the defaults.

    .venv/bin/python bench/tftp.py [--runs 3] [--size-mib 16] [--parallel 50] [--tftpy] [--only TEXT]
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vstackcli.net.tftp import TftpServer

MIB = 1 << 20


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Ours:
    name = "vstackcli"

    def __init__(self, root: Path):
        self.srv = TftpServer(root=root, host="127.0.0.1", port=0, timeout=1.0)

    def __enter__(self) -> int:
        return self.srv.start().port

    def __exit__(self, *exc: object) -> None:
        self.srv.stop()


class Hpa:
    name = "tftpd-hpa"

    def __init__(self, root: Path):
        self.root = root

    def __enter__(self) -> int:
        port = free_port()
        self.proc = subprocess.Popen(["/usr/sbin/in.tftpd", "-L", "-s", str(self.root), "-a", f"127.0.0.1:{port}"])
        time.sleep(0.3)
        return port

    def __exit__(self, *exc: object) -> None:
        self.proc.kill()
        self.proc.wait()


class Tftpy:
    name = "tftpy"

    def __init__(self, root: Path):
        import tftpy

        logging.getLogger("tftpy").setLevel(logging.WARNING)
        self.srv = tftpy.TftpServer(str(root))

    def __enter__(self) -> int:
        port = free_port()
        self.thread = threading.Thread(target=self.srv.listen, args=("127.0.0.1", port), daemon=True)
        self.thread.start()
        time.sleep(0.3)
        return port

    def __exit__(self, *exc: object) -> None:
        self.srv.stop(now=True)
        self.thread.join(10)


def curl(port: int, out: Path, blksize: int) -> list[str]:
    return ["curl", "-sS", "--tftp-blksize", str(blksize), "-o", str(out), f"tftp://127.0.0.1:{port}/image.bin"]


def atftp(port: int, out: Path, blksize: int, window: int) -> list[str]:
    return ["atftp", "--get", "-r", "image.bin", "-l", str(out), "--option", f"blksize {blksize}",
            "--option", f"windowsize {window}", "127.0.0.1", str(port)]


def _cpu_ticks() -> tuple[int, int]:
    """(idle, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return fields[3] + fields[4], sum(fields)


@dataclass
class Usage:
    """Where the CPU went during one case: the clients' CPU seconds, everything else's, and the idle share."""

    clients: float = 0.0
    rest: float = 0.0
    idle: float = 0.0


def timed(cmds: list[list[str]], outs: list[Path], want: bytes, usage: Usage | None = None) -> float | None:
    """Aggregate MiB/s of the commands run at once, or None when one fails or brings back other bytes."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    idle0, total0 = _cpu_ticks()
    start = time.perf_counter()
    procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for c in cmds]
    # A blocking wait: Popen.wait(timeout) polls with sleeps of up to 50 ms, which rounded every single
    # transfer up to the next poll (63.5, 113.5, ... ms). A timer kills what still runs after 600 s.
    watchdog = threading.Timer(600, lambda: [p.kill() for p in procs if p.poll() is None])
    watchdog.start()
    try:
        codes = [p.wait() for p in procs]
    finally:
        watchdog.cancel()
    seconds = time.perf_counter() - start
    if usage is not None:
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        idle1, total1 = _cpu_ticks()
        clients = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
        busy = (total1 - total0 - (idle1 - idle0)) / os.sysconf("SC_CLK_TCK")
        usage.clients, usage.rest = clients, max(0.0, busy - clients)
        usage.idle = (idle1 - idle0) / max(1, total1 - total0)
    ok = all(c == 0 for c in codes) and all(o.read_bytes() == want for o in outs)
    for o in outs:
        o.unlink(missing_ok=True)
    return len(want) * len(cmds) / MIB / seconds if ok else None


Case = tuple[str, float, Callable[[int, Path], tuple[list[list[str]], list[Path]]]]


def cases(parallel: int) -> list[Case]:
    """(label, goal as a multiple of tftpd-hpa's median, commands)."""
    out: list[Case] = []
    for bs in (512, 1468, 8192):
        out.append((f"curl blksize {bs}", 1.0, lambda p, d, bs=bs: ([curl(p, d / "o", bs)], [d / "o"])))
    if shutil.which("atftp"):
        for bs in (1468, 8192):
            out.append((f"atftp blksize {bs} windowsize 16", 3.0,
                        lambda p, d, bs=bs: ([atftp(p, d / "o", bs, 16)], [d / "o"])))
    n = parallel
    out.append((f"{n} x curl blksize 1468", 1.0,
                lambda p, d: ([curl(p, d / f"o{i}", 1468) for i in range(n)], [d / f"o{i}" for i in range(n)])))
    return out


def cell(values: list[float | None]) -> str:
    got = [v for v in values if v is not None]
    if not got:
        return "failed"
    text = f"{statistics.median(got):.1f} ({min(got):.0f}-{max(got):.0f})"
    return text if len(got) == len(values) else f"{text} {len(values) - len(got)} failed"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per case and server (default 3)")
    ap.add_argument("--size-mib", type=int, default=16)
    ap.add_argument("--parallel", type=int, default=50)
    ap.add_argument("--tftpy", action="store_true", help="benchmark tftpy's server too (slow)")
    ap.add_argument("--only", default="", help="only the cases whose label contains this text")
    args = ap.parse_args()
    servers: list[type] = [Ours]
    if shutil.which("/usr/sbin/in.tftpd") and os.geteuid() == 0:
        servers.append(Hpa)
    if args.tftpy:
        try:
            import tftpy  # noqa: F401

            servers.append(Tftpy)
        except ImportError:
            print("tftpy is not installed", file=sys.stderr)
    todo = [c for c in cases(args.parallel) if args.only in c[0]]
    began = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        root, work = Path(tmp) / "root", Path(tmp) / "work"
        root.mkdir()
        work.mkdir()
        os.chmod(tmp, 0o755)
        data = os.urandom(args.size_mib * MIB)
        (root / "image.bin").write_bytes(data)
        os.chmod(root / "image.bin", 0o644)
        results: dict[str, dict[str, list[float | None]]] = {label: {} for label, _, _ in todo}
        usages: dict[str, list[Usage]] = {}  # the parallel case's CPU, per server
        for run in range(args.runs):
            order = servers if run % 2 == 0 else servers[::-1]  # neither server always goes first
            for cls in order:
                with cls(root) as port:
                    for label, _goal, make in todo:
                        cmds, outs = make(port, work)
                        usage = Usage() if len(cmds) > 1 else None
                        results[label].setdefault(cls.name, []).append(timed(cmds, outs, data, usage))
                        if usage is not None:
                            usages.setdefault(cls.name, []).append(usage)
    names = [c.name for c in servers]
    print(f"{args.size_mib} MiB from the page cache on loopback, {os.cpu_count()} CPUs, MiB/s: "
          f"median (min-max) of {args.runs} runs, {time.monotonic() - began:.0f} s in all")
    head = f"{'case':34}" + "".join(f"{n:>24}" for n in names)
    if "tftpd-hpa" in names:
        head += f"{'ours/hpa':>10}{'goal':>6}"
    print(head)
    for label, goal, _ in todo:
        row = results[label]
        line = f"{label:34}" + "".join(f"{cell(row[n]):>24}" for n in names)
        if "tftpd-hpa" in names:
            ours = [v for v in row["vstackcli"] if v is not None]
            hpa = [v for v in row["tftpd-hpa"] if v is not None]
            if ours and hpa:
                ratio = statistics.median(ours) / statistics.median(hpa)
                line += f"{ratio:9.2f}x{'met' if ratio >= goal else 'MISS':>6}"
        print(line)
    if usages:
        print(f"\n{args.parallel} clients at once, CPU seconds per run (medians): the clients', the rest "
              "(the server and the kernel work it causes), and the machine's idle share")
        for name, got in usages.items():
            print(f"  {name:12} clients {statistics.median(u.clients for u in got):5.2f} s   "
                  f"rest {statistics.median(u.rest for u in got):5.2f} s   "
                  f"idle {100 * statistics.median(u.idle for u in got):4.1f} %")


if __name__ == "__main__":
    main()
