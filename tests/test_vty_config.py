"""The configuration that drives vty access: `line con 0` / `line vty` modelled and rendered as IOS groups
them, replayed back to an equal model; credentials checked; the RSA key dialogue and its key kept in nvram:
across a restart."""

from __future__ import annotations

from pathlib import Path

from conftest import run, transcript

from vstackcli.engine import hostkey
from vstackcli.engine.clock import FakeClock
from vstackcli.engine.device import Device
from vstackcli.engine.render import config_lines
from vstackcli.net.vty.access import check_line_password, check_login, line_privilege, vty_policy
from vstackcli.shell.replay import replay
from vstackcli.shell.session import Session


def _lines_section(device: Device) -> list[str]:
    body = config_lines(device.config)
    return body[body.index("line con 0"):-2]


def test_factory_lines_render_as_ios(device: Device) -> None:
    assert _lines_section(device) == ["line con 0", "line vty 0 4", " login", "line vty 5 15", " login"]
    policy = vty_policy(device)
    assert len(policy.lines) == 16 and policy.allows("telnet") and policy.allows("ssh")
    assert policy.lines[0].login == "line" and not policy.lines[0].has_password


def test_line_settings_group_into_ranges(configuring: Session) -> None:
    out = run(configuring, "line vty 0 15", "login local", "transport input ssh", "exec-timeout 30 0",
              "line vty 2 3", "privilege level 15", "password 0 cisco", "logging synchronous", "no login",
              "length 0", "width 132", "transport input telnet ssh", "stopbits 1",
              "line con 0", "exec-timeout 0 0", "privilege level 15", "logging synchronous", "end")
    assert [line for line in out if line.startswith("%")] == []
    assert configuring.prompt() == "Switch#"
    assert _lines_section(configuring.device) == [
        "line con 0", " exec-timeout 0 0", " privilege level 15", " logging synchronous",
        "line vty 0 1", " exec-timeout 30 0", " login local", " transport input ssh",
        "line vty 2 3", " exec-timeout 30 0", " privilege level 15", " password cisco", " logging synchronous",
        " no login", " length 0", " width 132", " transport input telnet ssh", " stopbits 1",
        "line vty 4", " exec-timeout 30 0", " login local", " transport input ssh",
        "line vty 5 15", " exec-timeout 30 0", " login local", " transport input ssh",
    ]
    policy = vty_policy(configuring.device)
    assert policy.lines[2].transports == frozenset({"ssh", "telnet"}) and policy.lines[2].privilege == 15
    assert policy.lines[2].length == 0 and policy.lines[2].width == 132 and policy.lines[2].exec_timeout == 1800
    assert policy.lines[0].transports == frozenset({"ssh"}) and policy.lines[0].login == "local"


def test_rendered_lines_replay_to_an_equal_model(tmp_path: Path) -> None:
    first = Device(tmp_path / "a", clock=FakeClock())
    run(Session(first, privilege=15), "configure terminal", "line vty 0 15", "transport input none",
        "line vty 7", "no login", "password 7 0822455D0A16", "privilege level 1", "length 24", "line con 0",
        "login", "password plain", "end")
    text = "\n".join(config_lines(first.config)) + "\n"
    second = Device(tmp_path / "b", clock=FakeClock())
    report = replay(second, text)
    assert report.failures == []
    assert second.config == first.config
    assert "line vty 7\n password 7 0822455D0A16\n no login\n transport input none\n" in text
    assert check_line_password(first, 7, "cisco")  # type 7 0822455D0A16 is "cisco"
    assert not vty_policy(first).allows("telnet")


def test_line_mode_help_walk_up_and_errors(configuring: Session) -> None:
    shown = transcript(configuring, "line vty 0 4\ntransport input ?\nhostname Core\nline vty 3 1\nline vty 16\n")
    assert "  ssh     TCP/IP SSH protocol" in shown and "  telnet  TCP/IP Telnet protocol" in shown
    assert "Switch(config-line)#hostname Core\nCore(config)#line vty 3 1\n%Invalid line range" in shown
    assert "% Invalid input detected at '^' marker." in shown
    run(configuring, "no line vty 0 4")
    assert _lines_section(configuring.device)[:3] == ["line con 0", "line vty 0 4", " login"]


def test_credentials(configuring: Session) -> None:
    run(configuring, "username admin privilege 15 secret s3", "username op password 0 pw", "username nopass "
        "privilege 5 secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0", "line vty 0 4", "privilege level 7", "end")
    device = configuring.device
    assert check_login(device, "admin", "s3") == 15
    assert check_login(device, "admin", "S3") is None
    assert check_login(device, "op", "pw") == 1
    assert check_login(device, "ghost", "pw") is None
    assert line_privilege(device.config, 0, "op") == 7  # no privilege of its own: the line's
    assert line_privilege(device.config, 0, "admin") == 15
    assert line_privilege(device.config, 9) == 1


def test_crypto_key_dialogue_and_reuse_across_a_restart(tmp_path: Path) -> None:
    device = Device(tmp_path / "sw", clock=FakeClock())
    session = Session(device, privilege=15, length=0)
    session.execute("configure terminal")
    shown = transcript(session, "crypto key generate rsa\nhostname R1\ncrypto key generate rsa\n"
                                "ip domain-name lab.example\ncrypto key generate rsa\n\n")
    assert "% Please define a hostname other than Switch." in shown
    assert "% Please define a domain-name first." in shown
    assert ("The name for the keys will be: R1.lab.example\n"
            "Choose the size of the key modulus in the range of 360 to 4096 for your\n"
            "  General Purpose Keys. Choosing a key modulus greater than 512 may take\n"
            "  a few minutes.\n\n"
            "How many bits in the modulus [512]: \n"
            "% Generating 512 bit RSA keys, keys will be non-exportable...\n"
            "[OK] (elapsed time was ") in shown
    assert "%SSH-5-ENABLED: SSH 1.99 has been enabled" in shown
    key = hostkey.load(device.storage.nvram)
    assert key is not None and key.bits == 512 and key.name == "R1.lab.example"
    shown = transcript(session, "crypto key generate rsa general-keys modulus 1024\nno\n")
    assert "% You already have RSA keys defined named R1.lab.example." in shown
    assert hostkey.load(device.storage.nvram).bits == 512  # "no" keeps it
    shown = transcript(session, "crypto key generate rsa modulus 1024\nyes\nend\n")
    assert "% The key modulus size is 1024 bits\n% Generating 1024 bit RSA keys" in shown
    pem = device.storage.nvram.read(hostkey.HOST_KEY_FILE)
    assert pem.startswith(b"-----BEGIN RSA PRIVATE KEY-----")

    restarted = Device(tmp_path / "sw", clock=FakeClock())
    again = hostkey.load(restarted.storage.nvram)
    assert again is not None and again.pem() == pem
    shown = transcript(Session(restarted, privilege=15, length=0), "show crypto key mypubkey rsa\n")
    assert "Key name: R1.lab.example\nKey type: RSA KEYS\n" in shown
    assert "  30819F30 0D06092A 864886F7 0D010101 05000381 8D003081 89028181 00" in shown  # 1024-bit SPKI

    zeroized = Session(restarted, privilege=15, length=0)
    zeroized.execute("configure terminal")
    shown = transcript(zeroized, "crypto key zeroize rsa\nyes\ncrypto key zeroize rsa\n")
    assert "%SSH-5-DISABLED: SSH 1.99 has been disabled" in shown
    assert "% No Signature RSA Keys found in configuration." in shown
    assert hostkey.load(restarted.storage.nvram) is None
