"""`vstack attach` end to end on loopback: the director telnets to a joined client's vty, the client's own IOS
asks for its line password, and what is typed there runs on the client (a `write memory` there is backed up to
the director); from the director's console transcript (batch) and from a vty of the director (telnet)."""

from __future__ import annotations

import io
import socket
import time
from pathlib import Path

import pytest
from simlab import Lab, mac, wait_until

from vstackcli.shell.batch import run_batch
from vstackcli.shell.session import Session
from vstackcli.sim import Phase

SEED = b"hostname ACCESS\nenable secret 0 en4ble\n!\nline vty 0 15\n password 0 cisco\n login\nend\n"


@pytest.fixture
def lab(tmp_path: Path):
    lab = Lab(tmp_path)
    lab.flash("default.txt", SEED)
    lab.ok("configure terminal", "vstack config flash:default.txt", "end")
    yield lab
    lab.close()


def _director_transcript(lab: Lab, *lines: str) -> str:
    out = io.StringIO()
    session = Session(lab.device, privilege=15, length=0)
    run_batch(session, list(lines), out)
    return out.getvalue()


def test_attach_by_index_logs_in_to_the_clients_own_ios_and_write_memory_is_backed_up(lab: Lab) -> None:
    sw = lab.switch("sw", n=1)
    lab.wait_phase(sw, Phase.JOINED)
    wait_until(lambda: lab.entry(mac(1)) is not None and lab.entry(mac(1)).ip is not None, what="the join")
    entry = lab.entry(mac(1))
    with lab.device.lock:
        help_text = "\n".join(lab.session.help("vstack attach "))
    assert f"@ IP {entry.ip} : MAC" in help_text
    text = _director_transcript(lab, f"vstack attach {entry.index}", "cisco", "enable", "en4ble",
                                "show version | include Model number",
                                "show vstack config | include Role|Director IP", "configure terminal",
                                "hostname ATTACHED", "end", "write memory", "exit", "show clock")
    assert f"Trying {entry.ip} ... Open" in text
    assert "User Access Verification" in text and "Password: " in text
    assert "ACCESS>enable" in text and "ACCESS#show version" in text
    assert "Model number                    : WS-C2960-24TT-L\n" in text
    assert " Role: Client\n Vstack Director IP address: 192.168.1.1\n" in text  # learned, not configured
    assert "ATTACHED#write memory" in text and "[OK]" in text
    assert f"[Connection to {entry.ip} closed by foreign host]" in text
    # the line after the client closed the connection ran on the director again
    after = text.split(f"[Connection to {entry.ip} closed by foreign host]\n", 1)[1]
    assert "Director#show clock\n" in after and "ATTACHED" not in after.split("Director#show clock")[1]
    flash = lab.device.storage.flash
    rev2 = f"vstack/ATTACHED{mac(1)}.rev2"
    wait_until(lab.locked(lambda: flash.exists(rev2)), what="the backup of the client's write memory")
    assert b"hostname ATTACHED" in flash.read(rev2)
    wait_until(lambda: lab.entry(mac(1)).hostname == "ATTACHED", what="the new hostname in the database")


def test_attach_wrong_password_and_unknown_client(lab: Lab) -> None:
    sw = lab.switch("sw", n=1)
    lab.wait_phase(sw, Phase.JOINED)
    wait_until(lambda: lab.entry(mac(1)) is not None and lab.entry(mac(1)).ip is not None, what="the join")
    entry = lab.entry(mac(1))
    text = _director_transcript(lab, f"vstack attach {entry.ip}", "wrong", "wrong", "wrong")
    assert text.count("% Login invalid") + text.count("% Bad passwords") >= 1, text
    assert f"[Connection to {entry.ip} closed by foreign host]" in text
    assert lab.cli("vstack attach 99") == ["%Error: no active client with index 99"]


def test_attach_to_an_address_nobody_answers_on(lab: Lab) -> None:
    lab.ok("configure terminal", "vstack dhcp-localserver other", " address-pool 127.0.99.0 255.255.255.0", "end")
    text = _director_transcript(lab, "vstack attach 127.0.99.77")
    assert "Trying 127.0.99.77 ... " in text
    assert "% Connection refused by remote host" in text


def _read_until(sock: socket.socket, marker: bytes, timeout: float = 10.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        if time.monotonic() > deadline:
            raise AssertionError(f"{marker!r} not seen in {seen[-400:]!r}")
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        chunk = sock.recv(4096)
        if not chunk:
            break
        seen += chunk
    return seen


def test_attach_from_a_telnet_session_on_the_director(lab: Lab) -> None:
    lab.ok("configure terminal", "username admin privilege 15 secret 0 adm1n", "line vty 0 4", "login local", "end")
    sw = lab.switch("sw", n=1)
    lab.wait_phase(sw, Phase.JOINED)
    wait_until(lambda: lab.entry(mac(1)) is not None and lab.entry(mac(1)).ip is not None, what="the join")
    entry = lab.entry(mac(1))
    host, port = lab.live.telnet.address
    with socket.create_connection((host, port), timeout=10) as sock:
        _read_until(sock, b"Username: ")
        sock.sendall(b"admin\r\n")
        _read_until(sock, b"Password: ")
        sock.sendall(b"adm1n\r\n")
        _read_until(sock, b"Director#")
        sock.sendall(f"vstack attach {entry.index}\r\n".encode())
        seen = _read_until(sock, b"Password: ")
        assert f"Trying {entry.ip} ... Open".encode() in seen and b"User Access Verification" in seen
        sock.sendall(b"cisco\r\n")
        _read_until(sock, b"ACCESS>")
        sock.sendall(b"show users\r\n")
        seen = _read_until(sock, b"ACCESS>")
        assert b"vty 0" in seen
        sock.sendall(b"exit\r\n")
        seen = _read_until(sock, b"Director#")
        assert f"[Connection to {entry.ip} closed by foreign host]".encode() in seen
