"""The telnet telnet_server over real loopback sockets: option negotiation, the IOS login texts byte for byte,
echo and Enter variants, editing keys, help and Tab, paging, terminal monitor, show users, rate limiting,
line limits, peers that vanish or stop reading, and many sessions configuring one switch at once."""

from __future__ import annotations

import threading
import time

from conftest import configure
from vtyclient import GREETING, RawTelnet

from vstackcli.engine.device import Device
from vstackcli.net.vty import guard as guard_module
from vstackcli.net.vty import terminal
from vstackcli.net.vty.guard import login_guard
from vstackcli.net.vty.lines import registry
from vstackcli.net.vty.telnet_stream import DO, DONT, IAC, NAWS, SB, SE, WILL, WONT, TelnetParser
from vstackcli.shell.pager import MORE, MORE_ERASE


def open_session(address: tuple[str, int], prompt: bytes = b"Switch#") -> RawTelnet:
    """A session on a `no login` line, at the prompt."""
    client = RawTelnet(address)
    assert client.read_until(prompt) == GREETING + b"\r\n" + prompt
    return client


def wait_for(condition, limit: float = 20.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"condition never came true: {condition.__code__.co_consts}"
        time.sleep(0.02)


# ---- the parser on its own --------------------------------------------------------------------------------


def test_parser_strips_commands_and_reads_the_window_size() -> None:
    parser = TelnetParser()
    data, replies = parser.feed(bytes([IAC, DO, 1, IAC, WILL, NAWS, IAC, SB, NAWS, 0, 132]))
    assert (data, replies) == (b"", b"")  # agreements to what we offered need no answer; SB not finished
    data, _ = parser.feed(bytes([IAC, IAC, 50, IAC, SE]) + b"cd" + bytes([IAC, IAC]) + b"e" + bytes([IAC, 241]))
    assert data == b"cd\xffe"  # IAC IAC is a 0xFF data byte; IAC NOP is nothing
    assert (parser.width, parser.height) == (132, 255 * 256 + 50)
    data, replies = parser.feed(bytes([IAC, DO, 24, IAC, WILL, 24, IAC, DO, 24, IAC, DONT, 1, IAC, WONT, NAWS]))
    assert data == b"" and replies == bytes([IAC, WONT, 24, IAC, DONT, 24])  # refused once, never looping


# ---- login ----------------------------------------------------------------------------------------------


def test_a_vty_without_a_password_refuses_as_ios_does(telnet_server) -> None:
    with RawTelnet(telnet_server) as client:
        assert client.read_to_eof() == GREETING + b"\r\nPassword required, but none set\r\n"


def test_login_local_texts_byte_for_byte(device: Device, telnet_server) -> None:
    configure(device, "username admin privilege 15 secret s3cret", "line vty 0 15", "login local")
    with RawTelnet(telnet_server) as client:
        assert client.read_until(b"Username: ") == GREETING + b"\r\n\r\nUser Access Verification\r\n\r\nUsername: "
        client.send(b"admin\r\n")
        assert client.read_until(b"Password: ") == b"admin\r\nPassword: "
        client.send(b"wrong\r\n")  # not echoed
        assert client.read_until(b"Username: ") == b"\r\n% Login invalid\r\n\r\nUsername: "
        client.send(b"admin\r\x00s3cret\r\x00")
        assert client.read_until(b"Switch#") == b"admin\r\nPassword: \r\n\r\nSwitch#"
        client.send(b"exit\r\n")
        assert client.read_to_eof() == b"exit\r\n"
    texts = [m.format(timestamps=False) for m in device.log.buffer]
    port = telnet_server[1]
    assert ("%SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: admin] [Source: 127.0.0.1] "
            f"[localport: {port}] [Reason: Login Authentication Failed] at 00:00:00 UTC Mon Mar 1 1993") in texts
    assert (f"%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin] [Source: 127.0.0.1] [localport: {port}] "
            "at 00:00:00 UTC Mon Mar 1 1993") in texts


def test_line_password_login_and_bad_passwords(device: Device, telnet_server) -> None:
    configure(device, "line vty 0 4", "password cisco", "login")
    with RawTelnet(telnet_server) as client:
        assert client.read_until(b"Password: ") == GREETING + b"\r\n\r\nUser Access Verification\r\n\r\nPassword: "
        client.send(b"cisco\r\n")
        assert client.read_until(b"Switch>") == b"\r\n\r\nSwitch>"
        client.send(b"show privilege\r\n")
        assert client.read_until(b"Switch>") == b"show privilege\r\nCurrent privilege level is 1\r\nSwitch>"
    with RawTelnet(telnet_server) as client:
        client.read_until(b"Password: ")
        client.send(b"a\r\nb\r\nc\r\n")
        assert client.read_to_eof() == b"\r\nPassword: \r\nPassword: \r\n% Bad passwords\r\n"


def test_no_login_and_privilege_level(device: Device, telnet_server) -> None:
    configure(device, "line vty 0 15", "no login", "privilege level 15")
    with open_session(telnet_server) as client:
        client.send(b"show privilege\r\n")
        assert client.read_until(b"Switch#") == b"show privilege\r\nCurrent privilege level is 15\r\nSwitch#"


def test_failed_logins_block_the_address_for_a_while(device: Device, telnet_server) -> None:
    configure(device, "username admin secret right", "line vty 0 15", "login local")
    with RawTelnet(telnet_server) as client:
        client.read_until(b"Username: ")
        client.send(b"admin\r\nx\r\nadmin\r\ny\r\nroot\r\nz\r\n")
        out = client.read_to_eof()
        assert out.count(b"% Login invalid") == 3
    with RawTelnet(telnet_server) as client:  # refused at once: no login dialogue at all
        assert client.read_to_eof() == GREETING
    device.clock.advance(guard_module.BLOCK_FOR + 1)  # type: ignore[attr-defined]
    with RawTelnet(telnet_server) as client:
        assert client.read_until(b"Username: ").endswith(b"Username: ")
    assert sum(m.mnemonic == "LOGIN_FAILED" for m in device.log.buffer) == 3
    assert not login_guard(device).blocked("127.0.0.1")


# ---- typing -----------------------------------------------------------------------------------------------


def test_enter_variants_are_one_enter_and_echo_is_exact(device: Device, telnet_server) -> None:
    configure(device, "line vty 0 15", "no login", "privilege level 15")
    with open_session(telnet_server) as client:
        # CR LF, CR NUL, lone CR, lone LF; NUL bytes and IAC NOP ignored; all pasted at once
        client.send(b"show privilege\r\nshow privilege\r\x00show\x00 privilege\rshow privilege\n"
                    + bytes([IAC, 241]) + b"exit\r\n")
        answer = b"show privilege\r\nCurrent privilege level is 15\r\nSwitch#"
        assert client.read_to_eof() == answer * 4 + b"exit\r\n"


def test_editing_keys_help_and_tab(device: Device, telnet_server) -> None:
    configure(device, "line vty 0 15", "no login", "privilege level 15")
    with open_session(telnet_server) as client:
        client.send(b"shoz\x7fw privi\t\r\n")
        assert client.read_until(b"Switch#") == (b"shoz\b \bw privilege \r\nCurrent privilege level is 15\r\n"
                                                 b"Switch#")
        client.send(b"junk\x15show clock ?")
        assert client.read_until(b"Switch#show clock ") == (b"junk\b \b\b \b\b \b\b \bshow clock ?\r\n"
                                                             b"  detail  Display detailed information\r\n"
                                                             b"  <cr>\r\nSwitch#show clock ")
        client.send(b"\x03")
        assert client.read_until(b"Switch#") == b"^C\r\nSwitch#"
        client.send(b"sh\x1b[A\x10\x0e\x10\r")  # up arrow, Ctrl-P (no older line), Ctrl-N (back to ""), Ctrl-P
        assert client.read_until(b"Switch#") == (b"sh" + b"\b \b" * 2 + b"show privilege " + b"\b \b" * 15
                                                 + b"show privilege \r\nCurrent privilege level is 15\r\nSwitch#")
        client.send(b"configure terminal\r\nhostname R1\r\n\x1a")
        out = client.read_until(b"R1#")
        assert out.endswith(b"R1(config)#^Z\r\nR1#")


def test_paging_with_more(device: Device, telnet_server) -> None:
    configure(device, "line vty 0 15", "no login", "privilege level 15", "length 6")
    with open_session(telnet_server) as client:
        client.send(b"show running-config\r\n")
        first = client.read_until(MORE.encode())
        assert first.count(b"\r\n") == 1 + 5  # the echo's Enter and five lines
        client.send(b" ")  # a page
        page = client.read_until(MORE.encode())
        assert page.startswith(MORE_ERASE.encode()) and page.count(b"\r\n") == 5
        client.send(b"\r")  # a line
        line = client.read_until(MORE.encode())
        assert line.count(b"\r\n") == 1
        client.send(b"q")
        assert client.read_until(b"Switch#") == MORE_ERASE.encode() + b"Switch#"
        client.send(b"terminal length 0\r\nshow running-config\r\n")
        out = client.read_until(b"\r\nend\r\nSwitch#")
        assert MORE.encode() not in out


def test_naws_sets_width_and_length(device: Device, telnet_server) -> None:
    configure(device, "line vty 0 15", "no login", "privilege level 15")
    with RawTelnet(telnet_server) as client:
        client.send(bytes([IAC, WILL, NAWS, IAC, SB, NAWS, 0, 100, 0, 10, IAC, SE]))
        client.read_until(b"Switch#")
        client.send(b"show terminal\r\n")
        assert b"Length: 10 lines, Width: 100 columns" in client.read_until(b"Switch#")


# ---- sessions side by side ---------------------------------------------------------------------------------


def test_show_users_and_terminal_monitor_with_two_sessions(device: Device, telnet_server) -> None:
    configure(device, "username admin privilege 15 secret a", "username oper privilege 15 secret b",
              "line vty 0 15", "login local")

    def login(user: bytes, password: bytes) -> RawTelnet:
        client = RawTelnet(telnet_server)
        client.read_until(b"Username: ")
        client.send(user + b"\r\n" + password + b"\r\n")
        client.read_until(b"Switch#")
        return client

    with login(b"admin", b"a") as first, login(b"oper", b"b") as second:
        first.send(b"terminal monitor\r\nshow users\r\n")
        first.read_until(b"terminal monitor\r\nSwitch#")
        users = first.read_until(b"Switch#").decode().split("\r\n")
        assert users[1] == "    Line       User       Host(s)              Idle       Location"
        assert users[2] == "   0 con 0                idle                 00:00:00"
        assert users[3].startswith("*  1 vty 0     admin      idle                 ")
        assert users[3].endswith("   127.0.0.1")
        assert users[4].startswith("   2 vty 1     oper       idle                 ")
        second.send(b"configure terminal\r\nend\r\n")
        second.read_until(b"(config)#end\r\nSwitch#")
        # the message arrives on the idle first session, which shows its prompt again
        message = first.read_until(b"Switch#")
        assert b"%SYS-5-CONFIG_I: Configured from console by oper on vty1 (127.0.0.1)" in message
        first.send(b"terminal no monitor\r\n")
        first.read_until(b"Switch#")
        second.send(b"configure terminal\r\nend\r\nshow privilege\r\n")
        second.read_until(b"Current privilege level is 15\r\nSwitch#")
        first.send(b"show privilege\r\n")
        assert b"CONFIG_I" not in first.read_until(b"level is 15\r\nSwitch#")


def test_transport_input_and_busy_lines(device: Device, telnet_server) -> None:
    configure(device, "line vty 0 1", "no login", "line vty 2 15", "transport input ssh")
    with open_session(telnet_server, b"Switch>") as one, open_session(telnet_server, b"Switch>") as two:
        with RawTelnet(telnet_server) as third:
            assert third.read_to_eof() == GREETING  # every telnet line is taken
        two.send(b"show users\r\n")
        assert b"*  2 vty 1" in two.read_until(b"Switch>")
        one.send(b"exit\r\n")
        one.read_to_eof()
        wait_for(lambda: len(registry(device).active()) == 1)
        with open_session(telnet_server, b"Switch>"):
            pass
    configure(device, "line vty 0 15", "transport input ssh")
    with RawTelnet(telnet_server) as refused:
        assert refused.read_to_eof() == GREETING


def test_a_peer_that_vanishes_or_stops_reading_is_dropped(device: Device, telnet_server, monkeypatch) -> None:
    monkeypatch.setattr(terminal, "DRAIN_TIMEOUT", 0.5)
    configure(device, "line vty 0 15", "no login", "privilege level 15", "length 0")
    gone = open_session(telnet_server)
    gone.send(b"show running-config\r\n" * 20)
    gone.close()  # mid-output
    stuck = RawTelnet(telnet_server, rcvbuf=4096)
    stuck.read_until(b"Switch#")
    stuck.send(b"show running-config\r\n" * 4000)  # and never read again
    with open_session(telnet_server) as healthy:  # meanwhile the switch answers others
        healthy.send(b"show privilege\r\n")
        assert healthy.read_until(b"Switch#").endswith(b"level is 15\r\nSwitch#")
    wait_for(lambda: [line.name for line in registry(device).active()] == [])
    stuck.close()


def test_exec_timeout_closes_an_idle_session(device: Device, telnet_server) -> None:
    configure(device, "line vty 0 15", "no login", "exec-timeout 0 1")
    with open_session(telnet_server, b"Switch>") as client:
        assert client.read_to_eof() == b""


def test_many_sessions_configure_and_read_at_once(device: Device, telnet_server) -> None:
    configure(device, "line vty 0 15", "no login", "privilege level 15")
    errors: list[str] = []

    def worker(n: int) -> None:
        try:
            with open_session(telnet_server) as client:
                client.send(b"terminal length 0\r\nconfigure terminal\r\n")
                client.read_until(b"(config)#")
                for k in range(5):
                    vlan = 100 + n * 10 + k
                    client.send(f"interface vlan {vlan}\r\ndescription s{n}k{k}\r\nexit\r\n".encode())
                    client.read_until(b"(config-if)#exit\r\nSwitch(config)#")
                client.send(b"end\r\nshow running-config | include description\r\n")
                out = client.read_until(b"| include description\r\n")
                out = client.read_until(b"Switch#").decode()
                mine = [line for line in out.split("\r\n") if f"description s{n}k" in line]
                if len(mine) != 5:
                    errors.append(f"session {n} saw {mine}")
                client.send(b"exit\r\n")
                client.read_to_eof()
        except Exception as exc:  # reported below
            errors.append(f"session {n}: {exc}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    descriptions = sorted(i.description for i in device.config.interfaces.values() if i.description)
    assert descriptions == sorted(f"s{n}k{k}" for n in range(8) for k in range(5))
    configs = [m for m in device.log.buffer if m.mnemonic == "CONFIG_I"]
    assert len(configs) == 8 + 1  # each vty session, and configure() here


def test_enable_from_a_vty_needs_an_enable_password(device: Device, telnet_server) -> None:
    configure(device, "line vty 0 15", "no login")
    with open_session(telnet_server, b"Switch>") as client:
        client.send(b"enable\r\n")
        assert client.read_until(b"Switch>") == b"enable\r\n% No password set\r\nSwitch>"
    configure(device, "enable secret Secr3t")
    with open_session(telnet_server, b"Switch>") as client:
        client.send(b"enable\r\nwrong\r\nSecr3t\r\n")
        assert client.read_until(b"Switch#") == b"enable\r\nPassword: \r\nPassword: \r\nSwitch#"


def test_banner_motd_and_an_unanswered_login(device: Device, telnet_server, monkeypatch) -> None:
    from vstackcli.net.vty import login

    monkeypatch.setattr(login, "LOGIN_TIMEOUT", 0.5)
    configure(device, "banner motd ^CAuthorized access only^C", "username a secret b", "line vty 0 15",
              "login local")
    with RawTelnet(telnet_server) as client:
        assert client.read_to_eof() == (GREETING + b"\r\nAuthorized access only\r\n\r\n\r\nUser Access Verification"
                                        b"\r\n\r\nUsername: \r\n% Username:  timeout expired!\r\n")


def test_show_terminal_names_the_vty_line(device: Device, telnet_server) -> None:
    configure(device, "line vty 0 15", "no login", "length 0")
    with open_session(telnet_server, b"Switch>") as first, open_session(telnet_server, b"Switch>") as second:
        second.send(b"show terminal\r\n")
        shown = second.read_until(b"Switch>")
        assert b'Line 2, Location: "", Type: ""\r\nLength: 0 lines, Width: 80 columns' in shown
        first.send(b"exit\r\n")
        first.read_to_eof()


def test_long_help_pages_and_the_line_comes_back(device: Device, telnet_server) -> None:
    configure(device, "line vty 0 15", "no login", "privilege level 15", "length 10")
    with open_session(telnet_server) as client:
        client.send(b"show ?")
        first = client.read_until(MORE.encode())
        assert first.startswith(b"show ?\r\n  aaa ") and first.count(b"\r\n") == 1 + 9
        client.send(b"q")
        assert client.read_until(b"Switch#show ") == MORE_ERASE.encode() + b"Switch#show "
        client.send(b"privilege\r\n")
        assert client.read_until(b"Switch#") == b"privilege\r\nCurrent privilege level is 15\r\nSwitch#"


def test_questions_take_the_next_line(device: Device, telnet_server) -> None:
    configure(device, "line vty 0 15", "no login", "privilege level 15")
    with open_session(telnet_server) as client:
        client.send(b"copy running-config startup-config\r\n\r\n")
        assert client.read_until(b"Switch#") == (b"copy running-config startup-config\r\n"
                                                 b"Destination filename [startup-config]? \r\n"
                                                 b"Building configuration...\r\n[OK]\r\nSwitch#")
    assert device.storage.startup_config() is not None
