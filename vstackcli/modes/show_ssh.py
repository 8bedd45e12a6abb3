"""``show ip ssh`` (the SSH server's settings and host key) and ``show ssh`` (the SSH sessions).

What they report comes from the RSA key in nvram: (``engine/hostkey.py``), ``ip ssh version 2`` and the
live vty lines (``net/vty/lines.py``); the numbers are the SSH server's (``net/vty/ssh.py``).
"""

from __future__ import annotations

import base64
import struct

from cryptography.hazmat.primitives.asymmetric import rsa

from vstackcli.engine import hostkey
from vstackcli.grammar.graph import Command
from vstackcli.modes.base import Call
from vstackcli.modes.show import SHOW_HELP

__all__ = ["SHOW_SSH_COMMANDS", "ssh_public_key"]

AUTH_TIMEOUT, AUTH_RETRIES = 120, 3  # IOS's `ip ssh time-out` and `ip ssh authentication-retries` defaults


def _version(call: Call) -> str:
    return "2.0" if any(b.line == "ip ssh version 2" for b in call.config.extra) else "1.99"


def ssh_public_key(key: rsa.RSAPrivateKey) -> str:
    """The public key in SECSH (OpenSSH) format: ``ssh-rsa AAAA...``."""
    numbers = key.public_key().public_numbers()

    def mpint(value: int) -> bytes:
        data = value.to_bytes((value.bit_length() + 8) // 8, "big")
        return struct.pack(">I", len(data)) + data

    blob = struct.pack(">I", 7) + b"ssh-rsa" + mpint(numbers.e) + mpint(numbers.n)
    return "ssh-rsa " + base64.b64encode(blob).decode()


def _show_ip_ssh(call: Call) -> None:
    key = hostkey.load(call.device.storage.nvram)
    version = _version(call)
    if key is None:
        call.print(f"SSH Disabled - version {version}")
        call.print("%Please create RSA keys to enable SSH (and of atleast 768 bits for SSH v2).")
    else:
        call.print(f"SSH Enabled - version {version}")
    call.print("Authentication methods:keyboard-interactive,password")
    call.print(f"Authentication timeout: {AUTH_TIMEOUT} secs; Authentication retries: {AUTH_RETRIES}")
    call.print("Minimum expected Diffie Hellman key size : 2048 bits")
    if key is None:
        call.print("IOS Keys in SECSH format(ssh-rsa, base64 encoded): NONE")
        return
    call.print("IOS Keys in SECSH format(ssh-rsa, base64 encoded):")
    text = ssh_public_key(key.key)
    for start in range(0, len(text), 64):
        call.print(text[start:start + 64])


def _show_ssh(call: Call) -> None:
    from vstackcli.net.vty.lines import registry
    from vstackcli.net.vty.ssh import connection_algorithms

    sessions = [line for line in registry(call.device).active() if line.transport == "ssh"]
    if not sessions:
        call.print("%No SSHv2 server connections running.")
        return
    call.print("Connection Version Mode Encryption  Hmac         State                 Username")
    for line in sessions:
        algorithms = connection_algorithms(call.device, line.peer) or ("", "", "", "")
        for mode, cipher, mac in (("IN", *algorithms[:2]), ("OUT", *algorithms[2:])):
            cipher = cipher.removesuffix("@openssh.com")
            mac = mac.removesuffix("@openssh.com") if mac and mac != "none" else cipher
            call.print(f"{line.index:<10} 2.0     {mode:<4} {cipher:<11} {mac:<12} Session started       {line.user}")
    call.print("%No SSHv1 server connections running.")


SHOW_SSH_COMMANDS = [
    Command("show ip ssh", _show_ip_ssh,
            help={**SHOW_HELP, "ip": "IP information", "ssh": "Information on SSH"}, pipe=True),
    Command("show ssh", _show_ssh, help={**SHOW_HELP, "ssh": "Status of SSH server connections"}, pipe=True),
]
