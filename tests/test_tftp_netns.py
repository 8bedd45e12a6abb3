"""On a veth pair: the director's client against tftpd-hpa as external repository, and our server on port 69.

Needs root and iproute2 (CI runs as root); the Debian peers are installed by .ci/run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from netns import needs_netns, veth_namespace

from vstackcli.engine.storage import FileSystem
from vstackcli.net.tftp import TftpServer
from vstackcli.net.tftp.client import copy_from_tftp, copy_to_tftp, repository_put, tftp_get

pytestmark = needs_netns


def needs(binary: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(shutil.which(binary) is None, reason=f"{binary} is not installed (.ci/run installs it)")


@needs("/usr/sbin/in.tftpd")
def test_director_client_against_tftpd_hpa_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "vstack").mkdir(parents=True)
    image = os.urandom(700_000)
    (repo / "image.tar").write_bytes(image)
    for d in (repo, repo / "vstack"):
        d.chmod(0o777)
    (repo / "image.tar").chmod(0o644)
    flash = FileSystem("flash:", tmp_path / "flash", 8 << 20)
    flash.write("vstack/sw1-config.rev1", b"hostname sw1\n!\nend\n")
    with veth_namespace("tftp", 69) as ns:
        daemon = ns.popen("/usr/sbin/in.tftpd", "-L", "-c", "-s", str(repo), "-a", f"{ns.client_ip}:69",
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.3)
            host = ns.client_ip
            # copy tftp://repo/image.tar flash:
            r = copy_from_tftp(f"tftp://{host}/image.tar", flash, "image.tar", via="Vlan1")
            assert r.ok, r.lines
            assert r.lines[0] == f"Accessing tftp://{host}/image.tar..."
            assert r.lines[1].startswith(f"Loading image.tar from {host} (via Vlan1): !")
            assert r.lines[2:4] == ["[OK - 700000 bytes]", ""]
            assert r.lines[4].startswith("700000 bytes copied in ")
            assert flash.read("image.tar") == image
            # copy flash:X tftp://repo/...: a backup and an image list written to the repository
            r = copy_to_tftp(flash, "vstack/sw1-config.rev1", f"tftp://{host}/vstack/sw1-config.rev1")
            assert r.ok and r.lines[0] == "!" and r.lines[1].startswith("19 bytes copied in "), r.lines
            assert (repo / "vstack" / "sw1-config.rev1").read_bytes() == b"hostname sw1\n!\nend\n"
            repository_put(f"tftp://{host}/vstack", "imagelist_3750x.txt", b"image.tar\n")
            assert (repo / "vstack" / "imagelist_3750x.txt").read_bytes() == b"image.tar\n"
            big = os.urandom(300_000)
            repository_put(f"tftp://{host}/vstack/", "big.bin", big)
            assert tftp_get(host, "vstack/big.bin", blksize=1468) == big
            # what tftpd-hpa refuses
            r = copy_from_tftp(f"tftp://{host}/missing.tar", flash, "missing.tar")
            assert r.lines == [f"Accessing tftp://{host}/missing.tar...",
                               f"%Error opening tftp://{host}/missing.tar (No such file or directory)"]
            r = copy_to_tftp(flash, "vstack/sw1-config.rev1", f"tftp://{host}/nodir/x.cfg")
            assert not r.ok and r.lines[0].startswith(f"%Error opening tftp://{host}/nodir/x.cfg ("), r.lines
        finally:
            daemon.kill()
            daemon.wait()


@needs("tftp")
@needs("atftp")
def test_our_server_on_port_69_of_a_given_address(tmp_path: Path) -> None:
    flash = FileSystem("flash:", tmp_path / "flash", 8 << 20)
    image = os.urandom(1_000_000)
    flash.write("image.tar", image)
    with veth_namespace("tftp", 70) as ns, \
            TftpServer(flash, host=ns.server_ip, port=69, timeout=0.5, retries=2) as srv:
        assert srv.port == 69
        out = "/tmp/vstack-tftp-netns-out"
        try:
            r = ns.run("tftp", ns.server_ip, "-m", "binary", "-c", "get", "image.tar", out)
            assert r.returncode == 0 and not r.stderr, r.stderr
            assert Path(out).read_bytes() == image
            r = ns.run("atftp", "--get", "-r", "image.tar", "-l", out, "--option", "blksize 1468",
                       "--option", "windowsize 16", ns.server_ip)
            assert r.returncode == 0, r.stderr
            assert Path(out).read_bytes() == image
            Path(out).write_bytes(b"hostname sw9\n")
            r = ns.run("tftp", ns.server_ip, "-m", "binary", "-c", "put", out, "vstack/sw9.cfg")
            assert r.returncode == 0 and not r.stderr, r.stderr
            assert flash.read("vstack/sw9.cfg") == b"hostname sw9\n"
        finally:
            Path(out).unlink(missing_ok=True)
