"""A third-party TFTP repository (tftpd-hpa in its own network namespace) used by the director engine as the
guide describes: the image lists and the tailored configuration written beside the image, client backups
written to `vstack backup file-server`, and the guide's failure messages when the repository refuses."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import run
from netns import Namespace, needs_netns, veth_namespace

from vstackcli.engine.clock import FakeClock
from vstackcli.engine.device import Device
from vstackcli.grammar.values import MacAddress
from vstackcli.net.live import LiveBackends
from vstackcli.shell.session import Session

INDEX = 77
IMAGE = "c2960-lanbase-tar.122-52.SE.tar"
MAC = MacAddress.parse("0023.0471.3ed5")

pytestmark = [needs_netns, pytest.mark.skipif(shutil.which("/usr/sbin/in.tftpd") is None,
                                               reason="tftpd-hpa is not installed (.ci/run installs it)")]


@contextmanager
def repository(root: Path, *, create: bool) -> Iterator[Namespace]:
    """tftpd-hpa serving ``root`` on port 69 of a namespace; ``create`` lets it take new files (-c)."""
    for d in (root, root / "vstack", root / "backups"):
        d.mkdir(parents=True, exist_ok=True)
        d.chmod(0o777)
    with veth_namespace("repo", INDEX) as ns:
        flags = ["-c"] if create else []
        daemon = ns.popen("/usr/sbin/in.tftpd", "-L", *flags, "-s", str(root), "-a", f"{ns.client_ip}:69",
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.3)
            yield ns
        finally:
            daemon.kill()
            daemon.wait()


@contextmanager
def director(tmp_path: Path) -> Iterator[tuple[Device, Session]]:
    device = Device(tmp_path / "director", clock=FakeClock())
    backends = LiveBackends.start(device)
    try:
        yield device, Session(device, privilege=15, length=0)
    finally:
        backends.close()


def logged(session: Session, tag: str) -> list[str]:
    return [line for line in run(session, "show logging") if tag in line]


def test_director_files_and_backups_go_to_the_repository(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    with repository(root, create=True) as ns, director(tmp_path) as (device, session):
        host = ns.client_ip
        out = run(session, "configure terminal", "enable password cisco", "vstack director 10.0.0.1",
                  "vstack basic", f"vstack image tftp://{host}/{IMAGE}", f"vstack config tftp://{host}/default.txt",
                  "vstack backup", f"vstack backup file-server tftp://{host}/backups", "end")
        assert not [line for line in out if line.startswith("%")], out
        # the default image list and the tailored configuration, written beside the image
        assert (root / "vstack" / "imagelist_default.txt").read_bytes() == f"{IMAGE}\n".encode()
        tailored = (root / "vstack" / "tailored_config.txt").read_text()
        assert "10.0.0.1" in tailored and "cisco" in tailored
        assert not logged(session, "IMAGELIST_FAILED") and not logged(session, "TAILOR_FAILED")
        # a client's backup after `write memory` lands in the repository, rev1 then rev2
        with device.lock:
            assert device.director.on_backup(MAC, b"hostname Switch\n!\nend\n")
            assert device.director.on_backup(MAC, b"hostname Switch\n! two\n!\nend\n")
        files = sorted(p.name for p in (root / "backups").iterdir())
        assert len(files) == 2 and files[0].endswith("rev1") and files[1].endswith("rev2"), files
        assert (root / "backups" / files[1]).read_bytes() == b"hostname Switch\n! two\n!\nend\n"
        assert (root / "backups" / files[0]).read_bytes() == b"hostname Switch\n!\nend\n"
        assert logged(session, "%SMI-6-SMI_CLIENT_BACKUP_SUCCESS")


def test_a_refusing_repository_is_logged_as_the_guide_says(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    with repository(root, create=False) as ns, director(tmp_path) as (device, session):
        host = ns.client_ip
        run(session, "configure terminal", "vstack director 10.0.0.1", "vstack basic",
            f"vstack image tftp://{host}/{IMAGE}", "vstack backup", f"vstack backup file-server tftp://{host}/backups",
            "end")
        # tftpd-hpa without -c creates no file: the image list and the tailored configuration fail
        assert logged(session, "%SMI-3-IMAGELIST_FAILED: Default image list creation failed")
        assert logged(session, "%SMI-3-TAILOR_FAILED")
        assert not (root / "vstack" / "imagelist_default.txt").exists()
        with device.lock:
            assert not device.director.on_backup(MAC, b"hostname Switch\n!\nend\n")
        failure = logged(session, "%SMI-3-SMI_DIRECTOR_BACKUP_FAILURE")
        assert failure and f"on repository: tftp://{host}/backups" in failure[-1], failure
        assert failure[-1].endswith("reason: No such file or directory"), failure  # tftpd-hpa's error 1
        assert list((root / "backups").iterdir()) == []
