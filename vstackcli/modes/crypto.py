"""``crypto key generate rsa``, ``crypto key zeroize rsa`` and ``show crypto key mypubkey rsa``.

The dialogue is IOS's: a hostname other than ``Switch`` and an ``ip domain-name``
first, the key name, the modulus question when none was given, the replace
question when a key exists, and ``%SSH-5-ENABLED`` when SSH becomes possible.
The key lives in ``nvram:`` (``engine/hostkey.py``), not in the running-config.
"""

from __future__ import annotations

import math
import time

from vstackcli.engine import hostkey
from vstackcli.grammar.graph import Command
from vstackcli.modes.base import Call, CommandError, Question

__all__ = ["CRYPTO_CONFIG_COMMANDS", "CRYPTO_SHOW_COMMANDS"]

_CHOOSE = ("Choose the size of the key modulus in the range of 360 to 4096 for your\n"
           "  General Purpose Keys. Choosing a key modulus greater than 512 may take\n"
           "  a few minutes.\n")


def _ssh_version(call: Call) -> str:
    return "2.0" if any(b.line == "ip ssh version 2" for b in call.config.extra) else "1.99"


def _make(call: Call, name: str, bits: int) -> None:
    call.print(f"% Generating {bits} bit RSA keys, keys will be non-exportable...")
    started = time.monotonic()
    had_key = call.device.storage.nvram.exists(hostkey.HOST_KEY_FILE)
    key = hostkey.generate(name, bits, call.device.clock.now())
    try:
        hostkey.save(call.device.storage.nvram, key)
    except OSError as exc:
        raise CommandError(f"%Error writing nvram:{hostkey.HOST_KEY_FILE} ({exc.strerror or exc})") from exc
    call.device.storage.host_key_changed()  # the next SSH connection already gets the new key
    call.print(f"[OK] (elapsed time was {max(1, math.ceil(time.monotonic() - started))} seconds)")
    call.print("")
    if not had_key:
        call.device.log.log("SSH", 5, "ENABLED", f"SSH {_ssh_version(call)} has been enabled")


def _bits(typed: str) -> int:
    text = typed.strip() or "512"
    if not text.isdigit() or not hostkey.MIN_BITS <= int(text) <= hostkey.MAX_BITS:
        raise CommandError(f"% Key modulus size must be between {hostkey.MIN_BITS} and {hostkey.MAX_BITS} bits")
    return int(text)


def _generate(call: Call) -> Question | None:
    cfg = call.config
    if cfg.hostname == "Switch":
        raise CommandError("% Please define a hostname other than Switch.")
    if not cfg.domain_name:
        raise CommandError("% Please define a domain-name first.")
    name = f"{cfg.hostname}.{cfg.domain_name}"
    bits = call.arg("bits")

    def create() -> Question | None:
        call.print(f"The name for the keys will be: {name}")
        if bits is not None:
            call.print(f"% The key modulus size is {bits} bits")
            _make(call, name, bits)
            return None
        call.print(_CHOOSE)

        def answer(typed: str) -> None:
            _make(call, name, _bits(typed))

        return Question("How many bits in the modulus [512]: ", answer)

    existing = hostkey.load(call.device.storage.nvram)
    if existing is None:
        return create()
    call.print(f"% You already have RSA keys defined named {existing.name or name}.")

    def replace(typed: str) -> Question | None:
        if typed.strip().lower() not in ("y", "yes"):
            return None
        return create()

    return Question("% Do you really want to replace them? [yes/no]: ", replace)


def _zeroize(call: Call) -> Question | None:
    nvram = call.device.storage.nvram
    if not nvram.exists(hostkey.HOST_KEY_FILE):
        raise CommandError("% No Signature RSA Keys found in configuration.")
    call.print("% All keys will be removed.")
    call.print("% All router certs issued using these keys will also be removed.")

    def answer(typed: str) -> None:
        if typed.strip().lower() not in ("y", "yes"):
            return
        hostkey.delete(nvram)
        call.device.storage.host_key_changed()
        call.device.log.log("SSH", 5, "DISABLED", f"SSH {_ssh_version(call)} has been disabled")

    return Question("Do you really want to remove these keys? [yes/no]: ", answer)


def _mypubkey(call: Call) -> None:
    key = hostkey.load(call.device.storage.nvram)
    if key is None:
        return
    g = key.generated
    call.print(f"% Key pair was generated at: {g:%H:%M:%S} UTC {g:%b} {g.day} {g.year}")
    call.print(f"Key name: {key.name}")
    call.print("Key type: RSA KEYS")
    call.print(" Storage Device: private-config")
    call.print(" Usage: General Purpose Key")
    call.print(" Key is not exportable.")
    call.print(" Key Data:")
    hexed = key.public_der().hex().upper()
    words = [hexed[i:i + 8] for i in range(0, len(hexed), 8)]
    for i in range(0, len(words), 8):
        call.print("  " + " ".join(words[i:i + 8]))


_HELP = {
    "crypto": "Encryption module",
    "key": "Long term key operations",
    "generate": "Generate new keys",
    "rsa": "Generate RSA keys",
    "general-keys": "Generate a general purpose RSA key pair for signing and encryption",
    "modulus": "Provide number of modulus bits on the command line",
    "$bits": "size of the key modulus [360-4096]",
    "zeroize": "Remove keys",
}

CRYPTO_CONFIG_COMMANDS = [
    Command("crypto key generate rsa [general-keys] [modulus <360-4096>$bits]", _generate, help=_HELP),
    Command("crypto key zeroize rsa", _zeroize, help={**_HELP, "rsa": "Remove RSA keys"}),
]

CRYPTO_SHOW_COMMANDS = [
    Command("show crypto key mypubkey rsa", _mypubkey,
            help={"show": "Show running system information", "crypto": "Encryption module",
                  "key": "Show long term public keys", "mypubkey": "Show public keys associated with this router",
                  "rsa": "Show RSA public keys"}, privilege=15, pipe=True),
]
