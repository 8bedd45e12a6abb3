"""`<device root>/run/servers.json`: a running director (a real `vstackcli` process) writes it when its
servers are up and removes it at exit, also when killed with SIGTERM; `vstackcli fleet` finds the director
through it, and says in one line (exit code 2) when there is none."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vstackcli.fleet.servers import ServersError, find_director, servers_path

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "running-config.example"


def _director(root: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "vstackcli", "--root", str(root), "--startup-config",
                             str(CONFIG), *extra], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for(path: Path, proc: subprocess.Popen) -> dict:
    for _ in range(300):
        if path.exists():
            return json.loads(path.read_text())
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def test_the_director_publishes_its_servers_and_removes_the_file_at_exit(tmp_path):
    root = tmp_path / "dev"
    proc = _director(root, "--keepalive", "2.5")
    data = _wait_for(servers_path(root), proc)
    try:
        assert data["pid"] == proc.pid and data["director_ip"] == "192.168.1.1" and data["keepalive"] == 2.5
        assert Path(data["flash"]) == root / "flash"
        found = find_director(root)
        for endpoint in (found.dhcp, found.tftp, found.smi):
            assert endpoint[0] == "127.0.0.1" and endpoint[1] > 0
        assert found.keepalive == 2.5 and found.pid == proc.pid
        assert not list((root / "run").glob(".tmp-*"))  # written atomically, no leftovers
    finally:
        out, _err = proc.communicate("enable\nshow vstack config\n", timeout=20)
    assert proc.returncode == 0 and "Role: Director" in out
    assert not servers_path(root).exists()


def test_a_director_killed_with_sigterm_removes_the_file_too(tmp_path):
    root = tmp_path / "dev"
    proc = _director(root)
    _wait_for(servers_path(root), proc)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=20)
    assert not servers_path(root).exists()


def test_missing_stale_and_incomplete_files_are_clear_errors(tmp_path):
    root = tmp_path / "dev"
    with pytest.raises(ServersError, match=r"no director is running .* is missing"):
        find_director(root)
    path = servers_path(root)
    path.parent.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    base = {"format": 1, "pid": dead.pid, "dhcp": ["127.0.0.1", 1], "tftp": ["127.0.0.1", 2],
            "smi": ["127.0.0.1", 3]}
    path.write_text(json.dumps(base))
    with pytest.raises(ServersError, match="left over from process"):
        find_director(root)
    path.write_text(json.dumps({**base, "pid": os.getpid(), "tftp": None}))
    with pytest.raises(ServersError, match="does not run TFTP"):
        find_director(root)
    path.write_text("{not json")
    with pytest.raises(ServersError, match="cannot read"):
        find_director(root)


def _fleet(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vstackcli", "fleet", *args], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize(("args", "words"), [
    (["--count", "3", "--director-root", "{root}"], "no director is running"),
    (["--topology", "{root}/nope.toml", "--director-root", "{root}"], "cannot read the topology file"),
    (["--count", "3", "--topology", "x.toml"], "not both"),
    (["--count", "0"], "must be positive"),
    (["--count", "3", "--pids", "A:x", "--director-root", "{root}"], "--pids"),
    (["--count", "3", "--dhcp", "127.0.0.1:67"], "go together"),
    ([], "give --topology FILE or --count N"),
])
def test_the_fleet_command_fails_in_one_line_with_exit_code_2(tmp_path, args, words):
    result = _fleet(*(a.replace("{root}", str(tmp_path)) for a in args))
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("vstackcli fleet: ")
    assert words in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_prepare_writes_the_files_a_configuration_names(tmp_path):
    result = _fleet("--prepare", str(REPO / "examples" / "fleet-director.cfg"), "--director-root", str(tmp_path),
                    "--image-size", "64kb")
    assert result.returncode == 0, result.stderr
    flash = tmp_path / "flash"
    image = flash / "c2960x-universalk9-tar.152-2.E6.tar"
    assert image.stat().st_size >= 64 * 1024 and (flash / "3750x-stack_config.txt").read_text().endswith("end\n")
    import tarfile

    with tarfile.open(image) as tar:
        assert "c2960x-universalk9-tar.152-2.E6/info" in tar.getnames()
    again = _fleet("--prepare", str(REPO / "examples" / "fleet-director.cfg"), "--director-root", str(tmp_path))
    assert "0 file(s) written" in again.stdout and "present" in again.stdout
