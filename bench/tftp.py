"""TFTP benchmark: our server next to tftpd-hpa (and tftpy's server when installed), same file, same client.

One run each on loopback, 16 MiB file from the page cache, MiB/s printed side by side:

- curl, one transfer at blksize 512, 1468 and 8192 (curl negotiates no windowsize);
- atftp, one transfer at blksize 1468 and 8192 with windowsize 16 (tftpd-hpa and tftpy do not negotiate
  windowsize, so there atftp falls back to lockstep: the comparison the goal asks for);
- 50 curl clients at once at blksize 1468 (aggregate MiB/s).

Goal: at least tftpd-hpa's rate at equal options, 3x with windowsize 16. tftpd-hpa runs as
``in.tftpd -L -s DIR -a 127.0.0.1:PORT`` (root, as CI runs).

    .venv/bin/python bench/tftp.py [--size-mib 16] [--parallel 50]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
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


def timed(cmds: list[list[str]], outs: list[Path], want: bytes) -> float | None:
    start = time.perf_counter()
    procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for c in cmds]
    codes = [p.wait(600) for p in procs]
    seconds = time.perf_counter() - start
    ok = all(c == 0 for c in codes) and all(o.read_bytes() == want for o in outs)
    for o in outs:
        o.unlink(missing_ok=True)
    return len(want) * len(cmds) / MIB / seconds if ok else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mib", type=int, default=16)
    ap.add_argument("--parallel", type=int, default=50)
    args = ap.parse_args()
    servers = [Ours]
    if shutil.which("/usr/sbin/in.tftpd") and os.geteuid() == 0:
        servers.append(Hpa)
    try:
        import tftpy  # noqa: F401

        servers.append(Tftpy)
    except ImportError:
        pass
    cases: list[tuple[str, object]] = []
    for bs in (512, 1468, 8192):
        cases.append((f"curl blksize {bs}", lambda p, d, bs=bs: ([curl(p, d / "o", bs)], [d / "o"])))
    if shutil.which("atftp"):
        for bs in (1468, 8192):
            cases.append((f"atftp blksize {bs} windowsize 16",
                          lambda p, d, bs=bs: ([atftp(p, d / "o", bs, 16)], [d / "o"])))
    n = args.parallel
    cases.append((f"{n} x curl blksize 1468",
                  lambda p, d: ([curl(p, d / f"o{i}", 1468) for i in range(n)], [d / f"o{i}" for i in range(n)])))
    with tempfile.TemporaryDirectory() as tmp:
        root, work = Path(tmp) / "root", Path(tmp) / "work"
        root.mkdir()
        work.mkdir()
        os.chmod(tmp, 0o755)
        data = os.urandom(args.size_mib * MIB)
        (root / "image.bin").write_bytes(data)
        os.chmod(root / "image.bin", 0o644)
        results: dict[str, dict[str, float | None]] = {}
        for cls in servers:
            with cls(root) as port:
                for label, make in cases:
                    cmds, outs = make(port, work)
                    results.setdefault(label, {})[cls.name] = timed(cmds, outs, data)
    names = [c.name for c in servers]
    print(f"{args.size_mib} MiB from the page cache on loopback, {os.cpu_count()} CPUs, MiB/s (one run each)")
    print(f"{'case':36}" + "".join(f"{n:>12}" for n in names))
    for label, row in results.items():
        cells = "".join(f"{row[n]:12.1f}" if row.get(n) is not None else f"{'failed':>12}" for n in names)
        print(f"{label:36}{cells}")


if __name__ == "__main__":
    main()
