"""SCP to and from flash: with real clients: OpenSSH's scp (legacy protocol, -O, as a real switch needs),
asyncssh's scp and the scp package netmiko uses; `ip scp server enable` gating, path escapes refused, a
full flash refused with no half file, and `copy flash:FILE running-config` merging what was pushed."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import asyncssh
import paramiko
import pytest
import scp as scp_package
from ssh_switch import ADMIN, ADMIN_PASSWORD, OPENSSH_OPTIONS, askpass, configure, ssh_switch

from vstackcli.shell.session import Session

needs_scp = pytest.mark.skipif(shutil.which("scp") is None, reason="needs OpenSSH's scp (Debian openssh-client)")


def openssh_scp(tmp_path: Path, port: int, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["scp", "-O", *OPENSSH_OPTIONS, "-P", str(port), *args],
                          env=askpass(tmp_path, ADMIN_PASSWORD), capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


async def asyncssh_scp(port: int, src, dst) -> None:
    async with asyncssh.connect("127.0.0.1", port, username=ADMIN, password=ADMIN_PASSWORD, known_hosts=None,
                                client_keys=None, preferred_auth="password") as conn:
        if isinstance(src, str):
            await asyncssh.scp(src, (conn, dst))
        else:
            await asyncssh.scp((conn, src[1]), dst)


@needs_scp
def test_openssh_scp_both_directions_and_every_path_form(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        flash = switch.device.storage.flash
        local = tmp_path / "seed.txt"
        local.write_bytes(b"vstack director 10.1.1.1\nvstack basic\n")
        for remote, name in (("flash:seed1.txt", "seed1.txt"), ("flash:/seed2.txt", "seed2.txt"),
                             ("seed3.txt", "seed3.txt"), ("flash:", "seed.txt")):
            result = openssh_scp(tmp_path, switch.port, str(local), f"{ADMIN}@127.0.0.1:{remote}")
            assert result.returncode == 0, (remote, result.stderr)
            assert flash.read(name) == local.read_bytes()
        flash.write("image/c2960.bin", os.urandom(300_000))
        fetched = tmp_path / "fetched.bin"
        result = openssh_scp(tmp_path, switch.port, f"{ADMIN}@127.0.0.1:flash:/image/c2960.bin", str(fetched))
        assert result.returncode == 0, result.stderr
        assert fetched.read_bytes() == flash.read("image/c2960.bin")
        result = openssh_scp(tmp_path, switch.port, f"{ADMIN}@127.0.0.1:flash:missing.txt", str(tmp_path / "x"))
        assert result.returncode != 0
        assert "No such file or directory" in result.stderr


@needs_scp
def test_path_escapes_and_other_file_systems_are_refused(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        (tmp_path / "src").mkdir()
        local = tmp_path / "src" / "evil.txt"
        local.write_text("x\n")
        root = switch.device.storage.root
        for remote in ("flash:../evil.txt", "../../evil.txt", "flash:/a/../../evil.txt", "nvram:startup-config"):
            result = openssh_scp(tmp_path, switch.port, str(local), f"{ADMIN}@127.0.0.1:{remote}")
            assert result.returncode != 0, remote
            assert result.stderr.strip(), remote
        assert not (root / "evil.txt").exists() and not (root.parent / "evil.txt").exists()
        assert not switch.device.storage.nvram.exists("startup-config")
        result = openssh_scp(tmp_path, switch.port, f"{ADMIN}@127.0.0.1:nvram:{'x' * 3}", str(tmp_path / "y"))
        assert result.returncode != 0


def test_scp_needs_ip_scp_server_enable(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        configure(switch.device, "no ip scp server enable")
        local = tmp_path / "f.txt"
        local.write_text("hello\n")
        with pytest.raises(asyncssh.SFTPError, match="ip scp server enable"):
            asyncio.run(asyncssh_scp(switch.port, str(local), "flash:f.txt"))
        assert not switch.device.storage.flash.exists("f.txt")
        configure(switch.device, "ip scp server enable")
        asyncio.run(asyncssh_scp(switch.port, str(local), "flash:f.txt"))
        assert switch.device.storage.flash.read("f.txt") == b"hello\n"


def test_full_flash_is_refused_cleanly(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d", flash_size=200_000) as switch:
        flash = switch.device.storage.flash
        big = tmp_path / "big.bin"
        big.write_bytes(os.urandom(250_000))
        with pytest.raises(asyncssh.SFTPError, match="Not enough space on device"):
            asyncio.run(asyncssh_scp(switch.port, str(big), "flash:big.bin"))
        assert not flash.exists("big.bin")
        assert [e.name for e in flash.listing()] == []  # no temporary file left either
        assert not list(flash.root.iterdir())


def test_paramiko_scp_package_as_netmiko_uses_it(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        local = tmp_path / "merge.txt"
        local.write_text("vstack director 10.2.2.2\nvstack basic\nend\n")
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        client.connect("127.0.0.1", switch.port, ADMIN, ADMIN_PASSWORD, look_for_keys=False, allow_agent=False)
        try:
            with scp_package.SCPClient(client.get_transport()) as transfer:
                transfer.put(str(local), "flash:/merge_config.txt")
                transfer.get("flash:/merge_config.txt", str(tmp_path / "back.txt"))
        finally:
            client.close()
        assert (tmp_path / "back.txt").read_bytes() == local.read_bytes()
        session = Session(switch.device, privilege=15, length=0)
        digest = hashlib.md5(local.read_bytes(), usedforsecurity=False).hexdigest()
        assert f"verify /md5 (flash:merge_config.txt) = {digest}" in session.execute(
            "verify /md5 flash:/merge_config.txt").lines
        reply = session.execute("copy flash:/merge_config.txt running-config")
        assert reply.question is not None and reply.question.prompt == "Destination filename [running-config]? "
        reply = session.execute("")
        assert reply.lines[-1].startswith(f"{local.stat().st_size} bytes copied in ")
        assert str(switch.device.config.vstack.director) == "10.2.2.2"
