"""Our TFTP server against clients we did not write: tftp-hpa, atftp and curl (all installed by .ci/run)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from vstackcli.engine.storage import FileSystem
from vstackcli.net.tftp import TftpServer, TransferStats
from vstackcli.net.tftp.client import tftp_get


def needs(binary: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(shutil.which(binary) is None, reason=f"{binary} is not installed (.ci/run installs it)")


class Recorder(list):
    def __init__(self) -> None:
        super().__init__()
        self.cond = threading.Condition()

    def __call__(self, s: TransferStats) -> None:
        with self.cond:
            self.append(s)
            self.cond.notify_all()

    def wait(self, n: int, timeout: float = 15) -> list[TransferStats]:
        with self.cond:
            assert self.cond.wait_for(lambda: len(self) >= n, timeout), list(self)
            return list(self)


@pytest.fixture
def flash(tmp_path: Path) -> FileSystem:
    fs = FileSystem("flash:", tmp_path / "flash", 32 << 20)
    fs.write("c3750e-universalk9-tar.152-4.E10.tar", os.urandom(1_500_000))
    fs.write("vstack/imagelist.txt", b"c3750e-universalk9-tar.152-4.E10.tar\n")
    return fs


IMAGE = "c3750e-universalk9-tar.152-4.E10.tar"


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def server(flash: FileSystem, rec: Recorder):
    with TftpServer(flash, host="127.0.0.1", port=0, timeout=0.5, retries=2, on_transfer=rec) as srv:
        yield srv


def run(*cmd: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout)


# -- curl ------------------------------------------------------------------------------------------------


@needs("curl")
@pytest.mark.parametrize("blksize", [None, "512", "1468", "8192", "65464"])
def test_curl_downloads(server: TftpServer, flash: FileSystem, rec: Recorder, tmp_path: Path,
                        blksize: str | None) -> None:
    out = tmp_path / "out"
    extra = ["--tftp-blksize", blksize] if blksize else []
    r = run("curl", "-sS", "-o", str(out), *extra, f"tftp://127.0.0.1:{server.port}/{IMAGE}")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == flash.read(IMAGE)
    (s,) = rec.wait(1)
    assert s.ok and s.blksize == int(blksize or 512) and s.options.get("tsize") == "1500000"


@needs("curl")
def test_curl_without_options(server: TftpServer, flash: FileSystem, rec: Recorder, tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = run("curl", "-sS", "--tftp-no-options", "-o", str(out), f"tftp://127.0.0.1:{server.port}/{IMAGE}")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == flash.read(IMAGE)
    assert rec.wait(1)[0].options == {}


@needs("curl")
def test_curl_uploads_a_backup_only_into_vstack(server: TftpServer, flash: FileSystem, tmp_path: Path) -> None:
    cfg = tmp_path / "source.cfg"
    cfg.write_bytes(b"hostname sw1\n" * 2000)
    r = run("curl", "-sS", "-T", str(cfg), f"tftp://127.0.0.1:{server.port}/vstack/sw1-config.rev1")
    assert r.returncode == 0, r.stderr
    assert flash.read("vstack/sw1-config.rev1") == cfg.read_bytes()
    for bad in ("sw1.cfg", "vstack/../sw1.cfg", "vstack/..%2F..%2Fsw1.cfg", IMAGE):
        r = run("curl", "-sS", "-T", str(cfg), f"tftp://127.0.0.1:{server.port}/{bad}")
        assert r.returncode == 69, (bad, r.stderr)  # CURLE_TFTP_PERM: access violation
    assert not flash.exists("sw1.cfg") and not (flash.root.parent / "sw1.cfg").exists()
    assert len(flash.read(IMAGE)) == 1_500_000


@needs("curl")
def test_curl_missing_file(server: TftpServer) -> None:
    r = run("curl", "-sS", "-o", "/dev/null", f"tftp://127.0.0.1:{server.port}/nope.bin")
    assert r.returncode == 68  # CURLE_TFTP_NOTFOUND


@needs("curl")
def test_fifty_curl_clients_at_once(server: TftpServer, flash: FileSystem, rec: Recorder, tmp_path: Path) -> None:
    procs = [subprocess.Popen(["curl", "-sS", "--tftp-blksize", "1468", "-o", str(tmp_path / f"o{i}"),
                               f"tftp://127.0.0.1:{server.port}/{IMAGE}"], stderr=subprocess.PIPE)
             for i in range(50)]
    for p in procs:
        assert p.wait(120) == 0, p.stderr.read()
    want = flash.read(IMAGE)
    assert all((tmp_path / f"o{i}").read_bytes() == want for i in range(50))
    assert all(s.ok for s in rec.wait(50))


@needs("curl")
def test_killed_client_is_dropped_and_the_server_keeps_serving(flash: FileSystem, rec: Recorder,
                                                               tmp_path: Path) -> None:
    flash.write("big.bin", os.urandom(16 << 20))
    with TftpServer(flash, timeout=0.5, retries=2, on_transfer=rec) as srv:
        out = tmp_path / "partial"
        p = subprocess.Popen(["curl", "-sS", "--tftp-blksize", "512", "-o", str(out),
                              f"tftp://127.0.0.1:{srv.port}/big.bin"], stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while (not out.exists() or out.stat().st_size < 200_000) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert srv.active == 1
        p.send_signal(signal.SIGKILL)
        p.wait()
        (s,) = rec.wait(1, timeout=10)
        assert s.error in ("timed out", "peer unreachable")
        assert 0 < s.bytes < 16 << 20
        assert srv.active == 0
        r = run("curl", "-sS", "-o", str(tmp_path / "again"), f"tftp://127.0.0.1:{srv.port}/vstack/imagelist.txt")
        assert r.returncode == 0 and (tmp_path / "again").read_bytes() == flash.read("vstack/imagelist.txt")


# -- atftp: the one Debian client with windowsize ---------------------------------------------------------


@needs("atftp")
@pytest.mark.parametrize("options", [
    [],
    ["blksize 1468"],
    ["blksize 8192", "tsize enable"],
    ["blksize 1468", "windowsize 16"],
    ["blksize 512", "windowsize 4", "timeout 2"],
    ["blksize 8192", "windowsize 64"],
])
def test_atftp_downloads(server: TftpServer, flash: FileSystem, rec: Recorder, tmp_path: Path,
                         options: list[str]) -> None:
    out = tmp_path / "out"
    args = [a for o in options for a in ("--option", o)]
    r = run("atftp", "--get", "-r", IMAGE, "-l", str(out), *args, "127.0.0.1", str(server.port))
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == flash.read(IMAGE)
    (s,) = rec.wait(1)
    want = dict(o.split() for o in options)
    blksize = int(want.get("blksize", 512))
    assert s.ok and s.blksize == blksize
    assert s.windowsize == min(int(want.get("windowsize", 1)), 65536 // blksize)  # windows of at most 64 KiB
    if "timeout" in want:
        assert s.timeout == float(want["timeout"])


@needs("atftp")
@pytest.mark.parametrize("options", [[], ["blksize 1468"], ["blksize 1024", "windowsize 8"]])
def test_atftp_uploads(server: TftpServer, flash: FileSystem, tmp_path: Path, options: list[str]) -> None:
    src = tmp_path / "sw3.cfg"
    src.write_bytes(os.urandom(100_000))
    args = [a for o in options for a in ("--option", o)]
    r = run("atftp", "--put", "-l", str(src), "-r", "vstack/sw3.cfg", *args, "127.0.0.1", str(server.port))
    assert r.returncode == 0, r.stderr
    assert flash.read("vstack/sw3.cfg") == src.read_bytes()
    r = run("atftp", "--put", "-l", str(src), "-r", "sw3.cfg", *args, "127.0.0.1", str(server.port))
    assert r.returncode != 0 and "Access violation" in r.stderr
    assert not flash.exists("sw3.cfg")


# -- tftp-hpa: no options at all, netascii by default -----------------------------------------------------


@needs("tftp")
def test_tftp_hpa_binary_and_netascii(server: TftpServer, flash: FileSystem, tmp_path: Path) -> None:
    out = tmp_path / "img"
    r = run("tftp", "127.0.0.1", str(server.port), "-m", "binary", "-c", "get", IMAGE, str(out))
    assert r.returncode == 0 and not r.stderr, r.stderr
    assert out.read_bytes() == flash.read(IMAGE)
    flash.write("vstack/seed.cfg", b"hostname seed\n!\nend\n")
    txt = tmp_path / "seed.cfg"
    r = run("tftp", "127.0.0.1", str(server.port), "-m", "netascii", "-c", "get", "vstack/seed.cfg", str(txt))
    assert r.returncode == 0 and txt.read_bytes() == b"hostname seed\n!\nend\n", r.stderr


@needs("tftp")
def test_tftp_hpa_uploads(server: TftpServer, flash: FileSystem, tmp_path: Path) -> None:
    src = tmp_path / "up.cfg"
    src.write_bytes(b"hostname up\ninterface Vlan1\n ip address dhcp\n")
    r = run("tftp", "127.0.0.1", str(server.port), "-m", "netascii", "-c", "put", str(src), "vstack/up.cfg")
    assert r.returncode == 0 and not r.stderr, r.stderr
    assert flash.read("vstack/up.cfg") == src.read_bytes()
    r = run("tftp", "127.0.0.1", str(server.port), "-m", "binary", "-c", "put", str(src), "up.cfg")
    assert "Access violation" in r.stdout + r.stderr
    assert not flash.exists("up.cfg")
    r = run("tftp", "127.0.0.1", str(server.port), "-m", "binary", "-c", "get", "../etc/passwd", str(tmp_path / "x"))
    assert "Access violation" in r.stdout + r.stderr


def test_our_client_reads_while_real_clients_write(server: TftpServer, flash: FileSystem) -> None:
    assert tftp_get("127.0.0.1", "vstack/imagelist.txt", port=server.port) == flash.read("vstack/imagelist.txt")
