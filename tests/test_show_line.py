"""``show line`` and ``clear line`` on a director with live telnet sessions on loopback (and one SSH session,
driven by asyncssh's client): the table and its ``*`` rows and ``Uses``, the detail view, ``?`` help, and
``clear line`` asking ``[confirm]`` and then closing the other session's connection, which frees the line."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import asyncssh
import pexpect
import pytest
from conftest import run
from ssh_switch import ADMIN, ADMIN_PASSWORD, ssh_switch
from vtyclient import GREETING, RawTelnet

from vstackcli.engine.clock import FakeClock
from vstackcli.engine.device import Device
from vstackcli.modes.show_line import HEADER
from vstackcli.net.vty.lines import registry
from vstackcli.shell.session import Session

FREE_VTY = "VTY              -    -      -    -    -"
TAIL = "       0     0/0       -"


@pytest.fixture
def device(tmp_path: Path) -> Device:
    device = Device(tmp_path / "switch", clock=FakeClock())
    run(Session(device, privilege=15, length=0), "configure terminal", "line vty 0 15", "no login",
        "privilege level 15", "length 0", "end")
    return device



def open_session(address: tuple[str, int]) -> RawTelnet:
    client = RawTelnet(address)
    assert client.read_until(b"Switch#") == GREETING + b"\r\nSwitch#"
    return client


def command(client: RawTelnet, text: str) -> list[str]:
    """Type ``text`` and Enter; the output lines between the echo and the next prompt."""
    client.send(text.encode() + b"\r\n")
    client.read_until(text.encode() + b"\r\n")
    return client.read_until(b"Switch#").decode().split("\r\n")[:-1]


def row(mark: str, number: int, uses: int) -> str:
    return f"{mark}{number:>5} {FREE_VTY}  {uses:>5}{TAIL}"


def test_show_line_table_marks_the_lines_in_use_and_counts_uses(telnet_server) -> None:
    with open_session(telnet_server) as first, open_session(telnet_server) as second:
        table = command(second, "show line")
        assert table[0] == HEADER
        assert table[1] == "*    0 CTY   9600/9600  -    -      -    -    -      0       0     0/0       -"
        assert table[2] == row("*", 1, 1)  # vty 0: the first session
        assert table[3] == row("*", 2, 1)  # vty 1: the one asking
        assert table[4:18] == [row(" ", n, 0) for n in range(3, 17)]
        assert table[18:] == [""]
        first.send(b"exit\r\n")
        first.read_to_eof()
    with open_session(telnet_server) as again:  # vty 0 again: its second use
        lines = command(again, "show line")
        assert lines[2] == row("*", 1, 2)
        assert lines[3] == row(" ", 2, 1)
        assert command(again, "show line | include \\*") == [lines[1], lines[2]]


def test_show_line_detail_of_a_vty(device: Device, telnet_server) -> None:
    run(Session(device, privilege=15, length=0), "configure terminal", "line vty 1", "exec-timeout 5 30",
        "transport input ssh", "end")
    with open_session(telnet_server) as client:
        detail = command(client, "show line vty 0")
        assert detail[:3] == [HEADER, row("*", 1, 1), ""]
        assert detail[3] == 'Tty 1, Line 1, Location: "", Type: ""'
        assert detail[4] == "Length: 0 lines, Width: 80 columns"  # the session's own `length 0`
        assert "Status: Ready, Active, No Exit Banner" in detail
        assert "Modem state: Ready" in detail
        assert "Capabilities: none" in detail
        assert any(line.startswith("Time since activation: 00:00:") for line in detail)
        assert "Editing is enabled." in detail
        assert "Allowed input transports are telnet ssh." in detail
        assert detail[-1] == ""
        free = command(client, "show line 2")
        assert free[:4] == [HEADER, row(" ", 2, 0), "", 'Tty 2, Line 2, Location: "", Type: ""']
        assert "Modem state: Idle" in free
        assert "Status: No Exit Banner" in free
        assert "Time since activation: never" in free
        assert "Allowed input transports are ssh." in free
        assert "               00:05:30        never                        none     not set" in free
        both = command(client, "show line 1 2")
        assert both.count(HEADER) == 2 and both == detail + free
        console = command(client, "show line console 0")
        assert console[1].startswith("*    0 CTY   9600/9600")
        assert "Baud rate (TX/RX) is 9600/9600, no parity, 1 stopbits, 8 databits" in console
        assert command(client, "show line 3 2") == ["%Invalid line range"]


def test_help_and_bad_numbers(telnet_server) -> None:
    with open_session(telnet_server) as client:
        client.send(b"show line ?")
        assert client.read_until(b"Switch#show line ") == (b"show line ?\r\n"
                                                            b"  <0-16>   First Line range\r\n"
                                                            b"  console  Primary terminal line\r\n"
                                                            b"  vty      Virtual terminal\r\n"
                                                            b"  |        Output modifiers\r\n"
                                                            b"  <cr>\r\nSwitch#show line ")
        client.send(b"\x15clear line vty ?")
        assert client.read_until(b"Switch#clear line vty ").endswith(b"clear line vty ?\r\n"
                                                                     b"  <0-15>  Line number\r\n"
                                                                     b"Switch#clear line vty ")
        client.send(b"\x03")
        client.read_until(b"Switch#")
        assert command(client, "clear line 17") == [" " * 18 + "^",
                                                     "% Invalid input detected at '^' marker.", ""]
        assert command(client, "show line vty 16") == [" " * 21 + "^",
                                                        "% Invalid input detected at '^' marker.", ""]


def test_clear_line_closes_the_other_session_and_frees_its_line(device: Device, telnet_server) -> None:
    with open_session(telnet_server) as victim, open_session(telnet_server) as admin:
        assert registry(device).at(0) is not None
        admin.send(b"clear line vty 0\r\n")
        admin.read_until(b"clear line vty 0\r\n[confirm]")
        admin.send(b"\r\n")
        assert admin.read_until(b"Switch#") == b"\r\n [OK]\r\nSwitch#"
        victim.read_to_eof()  # the director closed the connection
        assert registry(device).at(0) is None
        users = command(admin, "show users")
        assert not any("vty 0" in line for line in users), users
        assert any(line.startswith("*  2 vty 1") for line in users), users
        assert command(admin, "show line 1")[1] == row(" ", 1, 1)


@pytest.mark.skipif(shutil.which("telnet") is None, reason="needs the telnet client (Debian telnet)")
def test_the_system_telnet_client_sees_the_director_close(device: Device, telnet_server) -> None:
    host, port = telnet_server
    child = pexpect.spawn("telnet", [host, str(port)], timeout=20, encoding="utf-8")
    try:
        child.expect("Switch#")
        with open_session(telnet_server) as admin:
            assert command(admin, "show line")[2].startswith("*    1 VTY")
            admin.send(b"clear line 1\r\n")
            admin.read_until(b"[confirm]")
            admin.send(b"\r\n")
            admin.read_until(b" [OK]\r\nSwitch#")
            child.expect("Connection closed by foreign host")
            child.expect(pexpect.EOF)
            assert command(admin, "show line")[2] == row(" ", 1, 1)
    finally:
        child.close(force=True)


def test_clear_line_answers(device: Device, telnet_server) -> None:
    with open_session(telnet_server) as victim, open_session(telnet_server) as admin:
        assert command(admin, "clear line 2") == ["% Not allowed to clear current line"]  # its own line
        assert command(admin, "clear line vty 1") == ["% Not allowed to clear current line"]
        assert command(admin, "clear line console 0") == ["% Line 0 not available for clearing"]
        admin.send(b"clear line 1\r\n")
        admin.read_until(b"[confirm]")
        admin.send(b"n\r\n")  # anything but Enter or y: nothing happens
        assert admin.read_until(b"Switch#") == b"n\r\nSwitch#"
        victim.send(b"show privilege\r\n")
        victim.read_until(b"Current privilege level is 15\r\nSwitch#")
        admin.send(b"clear line 9\r\n")  # a free line: confirmed, nothing to end
        admin.read_until(b"[confirm]")
        admin.send(b"\r\n")
        assert admin.read_until(b"Switch#") == b"\r\n [OK]\r\nSwitch#"
        assert len(registry(device).active()) == 2
        admin.send(b"disable\r\n")
        admin.read_until(b"Switch>")
        admin.send(b"clear line 1\r\n")
        assert b"% Invalid input detected at '^' marker." in admin.read_until(b"Switch>")
        assert registry(device).at(0) is not None
    console = Session(device, privilege=15, length=0)
    assert console.execute("clear line 0").lines == ["% Not allowed to clear current line"]
    assert console.execute("clear line console 0").lines == ["% Not allowed to clear current line"]


def test_clear_line_ends_an_ssh_session(tmp_path: Path) -> None:
    with ssh_switch(tmp_path / "d") as switch:
        async def session() -> tuple[str, str, list[str]]:
            async with asyncssh.connect("127.0.0.1", switch.port, username=ADMIN, password=ADMIN_PASSWORD,
                                        known_hosts=None, client_keys=None, preferred_auth="password") as conn:
                process = await conn.create_process(term_type="vt100", term_size=(80, 24))
                text = ""
                while "Director#" not in text:
                    text += await asyncio.wait_for(process.stdout.read(4096), 20)
                console = Session(switch.device, privilege=15, length=0)
                table = await asyncio.to_thread(lambda: console.execute("show line 1").lines)
                reply = await asyncio.to_thread(console.execute, "clear line 1")
                asked = reply.question.prompt if reply.question is not None else ""
                done = await asyncio.to_thread(console.execute, "")
                await asyncio.wait_for(process.wait_closed(), 20)  # the director closed the channel
                return asked, "\n".join(done.lines), table

        asked, done, table = asyncio.run(session())
        assert table[1].startswith("*    1 VTY")
        assert asked == "[confirm]"
        assert done.strip() == "[OK]"
        assert registry(switch.device).active() == []
