"""The SSH server over real sockets on 127.0.0.1, driven by asyncssh's client and OpenSSH's ssh: the host
key from `crypto key generate rsa`, authentication against the running-config, transport input, exec
requests, a pty shell with its window size, and failed logins logged."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import asyncssh
import pytest
from netns import needs_netns, veth_namespace
from ssh_switch import (
    ADMIN,
    ADMIN_PASSWORD,
    CONFIG,
    OPENSSH_OPTIONS,
    OPER,
    OPER_PASSWORD,
    askpass,
    configure,
    generate_key,
    ssh_switch,
)

from vstackcli.engine.clock import FakeClock
from vstackcli.engine.device import Device
from vstackcli.net.live import LiveBackends
from vstackcli.shell.replay import replay
from vstackcli.shell.session import Session


def connect(port: int, user: str = ADMIN, password: str = ADMIN_PASSWORD, **kwargs):
    return asyncssh.connect("127.0.0.1", port, username=user, password=password, known_hosts=None,
                            client_keys=None, preferred_auth="password", **kwargs)


async def run_exec(port: int, command: str, user: str = ADMIN, password: str = ADMIN_PASSWORD):
    async with connect(port, user, password) as conn:
        return await conn.run(command, timeout=20)


async def read_until(process, marker: str, timeout: float = 20) -> str:
    text = ""
    while marker not in text:
        chunk = await asyncio.wait_for(process.stdout.read(4096), timeout)
        if not chunk:
            break
        text += chunk
    return text


def test_no_key_no_ssh_then_a_key_starts_it(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d", key=False) as switch:
        assert switch.backends.ssh.address is None
        assert "SSH disabled: no RSA host key (crypto key generate rsa)" in switch.backends.describe()
        out = generate_key(switch.device)
        assert any("%SSH-5-ENABLED" in m.format() for m in switch.device.log.buffer), out
        switch.settle()
        assert switch.backends.describe()[-1] == f"SSH server listening on 127.0.0.1:{switch.port}"
        result = asyncio.run(run_exec(switch.port, "show version"))
        assert "Cisco IOS Software" in result.stdout
        assert result.exit_status == 0


def test_host_key_is_the_one_in_nvram_and_survives_a_restart(tmp_path: Path) -> None:
    root = tmp_path / "d"
    with ssh_switch(root) as switch:
        key1 = asyncio.run(_server_key(switch.port))
    with ssh_switch(root, key=False) as switch:  # the same device root: the key is read back from nvram:
        key2 = asyncio.run(_server_key(switch.port))
    assert key1 == key2
    assert key1.startswith("ssh-rsa ")


async def _server_key(port: int) -> str:
    async with connect(port) as conn:
        return conn.get_server_host_key().export_public_key().decode().split()[0] + " " + \
            conn.get_server_host_key().export_public_key().decode().split()[1]


def test_exec_request_runs_one_command_at_the_users_privilege(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        expected = Session(switch.device, privilege=15, length=0).execute("show vstack config").lines
        result = asyncio.run(run_exec(switch.port, "show vstack config"))
        assert result.stdout == "".join(f"{line}\r\n" for line in expected)
        # oper has privilege 1: a privileged command is refused as IOS refuses it at Switch>
        result = asyncio.run(run_exec(switch.port, "show running-config", OPER, OPER_PASSWORD))
        assert "% Invalid input detected at '^' marker." in result.stdout
        result = asyncio.run(run_exec(switch.port, "show privilege", OPER, OPER_PASSWORD))
        assert "Current privilege level is 1" in result.stdout


def test_wrong_password_is_refused_and_logged(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        with pytest.raises(asyncssh.PermissionDenied):
            asyncio.run(run_exec(switch.port, "show version", ADMIN, "wrong"))
        with pytest.raises(asyncssh.PermissionDenied):
            asyncio.run(run_exec(switch.port, "show version", "nobody", ADMIN_PASSWORD))
        messages = [m.format(timestamps=False) for m in switch.device.log.buffer]
        failed = [m for m in messages if "%SEC_LOGIN-4-LOGIN_FAILED" in m]
        assert any("[user: admin] [Source: 127.0.0.1]" in m and "[Reason: Login Authentication Failed]" in m
                   for m in failed), messages
        assert any("[user: nobody]" in m for m in failed)
        asyncio.run(run_exec(switch.port, "show version"))
        assert any("%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin] [Source: 127.0.0.1]" in m
                   for m in (m.format(timestamps=False) for m in switch.device.log.buffer))


def test_repeated_failures_block_the_address(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        for _ in range(3):
            with pytest.raises((asyncssh.PermissionDenied, asyncssh.DisconnectError)):
                asyncio.run(run_exec(switch.port, "show version", ADMIN, "wrong"))
        # now even the right password is refused: the address is blocked for a while
        with pytest.raises(asyncssh.DisconnectError):
            asyncio.run(run_exec(switch.port, "show version"))


def test_transport_input_telnet_refuses_ssh(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        configure(switch.device, "line vty 0 15", "transport input telnet")
        with pytest.raises(asyncssh.DisconnectError):
            asyncio.run(run_exec(switch.port, "show version"))
        configure(switch.device, "line vty 0 15", "transport input ssh telnet")
        assert asyncio.run(run_exec(switch.port, "show version")).exit_status == 0


def test_line_password_accepts_any_user_name(tmp_path: Path) -> None:
    config = CONFIG.replace(" login local\n", " password 0 linepw\n login\n")
    with ssh_switch(tmp_path / "d", config=config) as switch:
        result = asyncio.run(run_exec(switch.port, "show privilege", "whoever", "linepw"))
        assert "Current privilege level is 1" in result.stdout
        with pytest.raises(asyncssh.PermissionDenied):
            asyncio.run(run_exec(switch.port, "show privilege", "whoever", "wrong"))


def test_shell_with_pty_follows_the_window_size(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        async def session() -> tuple[str, str, str]:
            async with connect(switch.port) as conn:
                process = await conn.create_process(term_type="vt100", term_size=(100, 30))
                banner = await read_until(process, "Director#")
                process.stdin.write("show terminal\r")
                first = await read_until(process, "Director#")
                process.change_terminal_size(132, 50)
                await asyncio.sleep(0.2)
                process.stdin.write("show terminal\r")
                second = await read_until(process, "Director#")
                process.stdin.write("exit\r")
                await asyncio.wait_for(process.wait_closed(), 20)
                return banner, first, second

        banner, first, second = asyncio.run(session())
        assert banner.endswith("Director#")
        assert "Length: 30 lines, Width: 100 columns" in first
        assert "Length: 50 lines, Width: 132 columns" in second


def test_shell_session_configures_the_running_config(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        async def session() -> str:
            async with connect(switch.port) as conn:
                process = await conn.create_process(term_type="vt100", term_size=(80, 24))
                text = await read_until(process, "Director#")
                for line in ("configure terminal", "vstack director 10.9.9.1", "vstack basic", "end"):
                    process.stdin.write(line + "\r")
                    text += await read_until(process, "#")
                process.stdin.write("exit\r")
                await asyncio.wait_for(process.wait_closed(), 20)
                return text

        session_text = asyncio.run(session())
        assert str(switch.device.config.vstack.director) == "10.9.9.1", session_text
        messages = [m.format(timestamps=False) for m in switch.device.log.buffer]
        assert any("%SYS-5-CONFIG_I: Configured from console by admin on vty0 (127.0.0.1)" in m for m in messages)


@pytest.mark.skipif(shutil.which("ssh") is None, reason="needs OpenSSH's ssh (Debian openssh-client)")
def test_openssh_client_exec(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        result = subprocess.run(["ssh", *OPENSSH_OPTIONS, "-p", str(switch.port), f"{ADMIN}@127.0.0.1",
                                 "show vstack config"], env=askpass(tmp_path, ADMIN_PASSWORD),
                                capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert result.returncode == 0, result.stderr
        assert " Role: " in result.stdout or "Capability" in result.stdout


@needs_netns
@pytest.mark.skipif(shutil.which("ssh") is None, reason="needs OpenSSH's ssh (Debian openssh-client)")
def test_real_port_22_on_the_director_address(tmp_path: Path) -> None:
    with veth_namespace("sshn", 62) as ns:
        device = Device(tmp_path / "d", clock=FakeClock())
        live = LiveBackends.start(device, interface=ns.server_if)
        try:
            assert not replay(device, CONFIG + f"vstack director {ns.server_ip}\nvstack basic\n").failures
            generate_key(device)
            live.settle()
            assert live.ssh.address == (ns.server_ip, 22)
            assert f"SSH server listening on {ns.server_ip}:22" in live.describe()
            result = ns.run("ssh", *OPENSSH_OPTIONS, f"{ADMIN}@{ns.server_ip}", "show version",
                            env=askpass(tmp_path, ADMIN_PASSWORD), stdin=subprocess.DEVNULL)
            assert result.returncode == 0, result.stderr
            assert "Cisco IOS Software" in result.stdout
        finally:
            live.close()


def test_zeroize_stops_ssh_and_a_new_key_is_served_on_the_same_port(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        port = switch.port
        before = asyncio.run(_server_key(port))
        configure(switch.device, "crypto key zeroize rsa", answer="yes")
        switch.settle()
        assert switch.backends.ssh.address is None
        assert "SSH disabled: no RSA host key (crypto key generate rsa)" in switch.backends.describe()
        with pytest.raises(OSError):
            asyncio.run(_server_key(port))
        generate_key(switch.device)
        switch.settle()
        first = asyncio.run(_server_key(switch.port))
        assert first != before
        # a key regenerated over an existing one logs nothing, yet the very next connection gets the new key
        port = switch.port
        generate_key(switch.device)
        regenerated = asyncio.run(_server_key(switch.port))
        assert regenerated not in (before, first)
        assert switch.port == port


def test_keyboard_interactive_login_and_show_users(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        async def session() -> str:
            async with asyncssh.connect("127.0.0.1", switch.port, username=ADMIN, password=ADMIN_PASSWORD,
                                        known_hosts=None, client_keys=None,
                                        preferred_auth="keyboard-interactive") as conn:
                process = await conn.create_process(term_type="vt100", term_size=(80, 24))
                await read_until(process, "Director#")
                process.stdin.write("show users\r")
                text = await read_until(process, "Director#")
                process.stdin.write("exit\r")
                await asyncio.wait_for(process.wait_closed(), 20)
                return text

        users = asyncio.run(session())
        assert any(line.startswith("*") and "vty 0" in line and "admin" in line and "127.0.0.1" in line
                   for line in users.splitlines()), users


def test_a_session_that_stops_reading_does_not_stall_the_others(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        async def scenario() -> tuple[str, str]:
            async with connect(switch.port) as stuck, connect(switch.port) as other:
                # tiny window: the director's output to this session stops flowing at once
                stalled = await stuck.create_process(term_type="vt100", term_size=(80, 0), encoding=None,
                                                     window=1024, max_pktsize=1024)
                stalled.stdin.write(b"terminal length 0\r" + b"show running-config\r" * 200)
                process = await other.create_process(term_type="vt100", term_size=(80, 100))
                await read_until(process, "Director#")
                process.stdin.write("show version\r")
                version = await read_until(process, "Director#")
                result = await other.run("show vstack config", timeout=20)
                stalled.close()
                process.stdin.write("exit\r")
                await asyncio.wait_for(process.wait_closed(), 20)
                return version, result.stdout

        version, config = asyncio.run(asyncio.wait_for(scenario(), 60))
        assert "Cisco IOS Software" in version
        assert "Capability" in config


def test_scp_protocol_garbage_is_refused_with_a_message(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        async def scenario() -> tuple[bytes, int | None]:
            async with connect(switch.port) as conn:
                process = await conn.create_process("scp -t flash:x.txt", encoding=None)
                ready = await asyncio.wait_for(process.stdout.read(1), 20)
                assert ready == b"\x00"
                process.stdin.write(b"this is not an scp header\n")
                message = await asyncio.wait_for(process.stdout.read(200), 20)
                await asyncio.wait_for(process.wait_closed(), 20)
                return message, process.exit_status

        message, status = asyncio.run(scenario())
        assert message.startswith(b"\x02scp: protocol error")
        assert status == 1
        assert not switch.device.storage.flash.exists("x.txt")
        # the server goes on serving
        assert asyncio.run(run_exec(switch.port, "show version")).exit_status == 0


def test_an_exec_request_takes_a_vty_line(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        users = asyncio.run(run_exec(switch.port, "show users")).stdout
        assert any(line.startswith("*") and "vty 0" in line and "admin" in line for line in users.splitlines()), users
        configure(switch.device, "line vty 0 15", "transport input telnet", "line vty 0", "transport input ssh")
        async def two() -> tuple[int | None, int | None]:
            async with connect(switch.port) as conn:
                process = await conn.create_process(term_type="vt100", term_size=(80, 24))  # takes vty 0
                await read_until(process, "Director#")
                refused = await conn.run("show version", timeout=20)  # the only SSH line is busy
                process.stdin.write("exit\r")
                await asyncio.wait_for(process.wait_closed(), 20)
                accepted = await conn.run("show version", timeout=20)
                return refused.exit_status, accepted.exit_status

        assert asyncio.run(two()) == (1, 0)


def test_no_login_lets_any_user_in_without_a_password(tmp_path: Path) -> None:
    config = CONFIG.replace(" login local\n", " no login\n")
    with ssh_switch(tmp_path / "d", config=config) as switch:
        async def anonymous() -> str:
            async with asyncssh.connect("127.0.0.1", switch.port, username="guest", known_hosts=None,
                                        client_keys=None, password=None) as conn:
                return (await conn.run("show privilege", timeout=20)).stdout

        assert "Current privilege level is 1" in asyncio.run(anonymous())


def test_show_ip_ssh_and_show_ssh(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d", key=False) as switch:
        console = Session(switch.device, privilege=15, length=0)
        assert console.execute("show ip ssh").lines[:2] == [
            "SSH Disabled - version 1.99",
            "%Please create RSA keys to enable SSH (and of atleast 768 bits for SSH v2)."]
        generate_key(switch.device)
        switch.settle()
        shown = console.execute("show ip ssh").lines
        assert shown[0] == "SSH Enabled - version 1.99"
        public = "".join(shown[shown.index("IOS Keys in SECSH format(ssh-rsa, base64 encoded):") + 1:])
        assert public == asyncio.run(_server_key(switch.port))  # the key the server presents
        assert console.execute("show ssh").lines == ["%No SSHv2 server connections running."]

        async def during() -> str:
            async with connect(switch.port) as conn:
                process = await conn.create_process(term_type="vt100", term_size=(120, 50))
                await read_until(process, "Director#")
                process.stdin.write("show ssh\r")
                text = await read_until(process, "Director#")
                process.stdin.write("exit\r")
                await asyncio.wait_for(process.wait_closed(), 20)
                return text

        rows = [line.split() for line in asyncio.run(during()).splitlines() if line.startswith("0 ")]
        assert [row[2] for row in rows] == ["IN", "OUT"]
        assert all(row[3].startswith("aes") and row[-1] == ADMIN for row in rows), rows
