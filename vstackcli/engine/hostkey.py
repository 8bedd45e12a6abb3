"""The device's RSA key pair (``crypto key generate rsa``), kept in ``nvram:`` across restarts.

The private key is written atomically to ``nvram:ssh_host_rsa_key`` (PEM, which
the SSH server reads as its host key) and its name and generation time to
``nvram:ssh_host_rsa_key.info``. IOS accepts moduli from 360 bits; the
``cryptography`` library generates only from 1024, so smaller keys are made
here (Miller-Rabin primes) and handed to it as numbers.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from vstackcli.engine.storage import FileSystem

if TYPE_CHECKING:  # cryptography costs ~15 ms to import: only the functions that need it load it
    from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["HOST_KEY_FILE", "INFO_FILE", "MAX_BITS", "MIN_BITS", "HostKey", "delete", "generate", "load", "save"]

HOST_KEY_FILE = "ssh_host_rsa_key"
INFO_FILE = "ssh_host_rsa_key.info"
MIN_BITS, MAX_BITS = 360, 4096
_EXPONENT = 65537


@dataclass
class HostKey:
    name: str  # HOSTNAME.DOMAIN when it was generated
    generated: datetime
    key: rsa.RSAPrivateKey

    @property
    def bits(self) -> int:
        return self.key.key_size

    def pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                      serialization.NoEncryption())

    def public_der(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.key.public_key().public_bytes(serialization.Encoding.DER,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)


def _probable_prime(n: int) -> bool:
    if n < 2:
        return False
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % p == 0:
            return n == p
    d, r = n - 1, 0
    while d % 2 == 0:
        d //= 2
        r += 1
    for _ in range(40):
        x = pow(secrets.randbelow(n - 3) + 2, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int) -> int:
    while True:
        candidate = secrets.randbits(bits) | (1 << (bits - 1)) | (1 << (bits - 2)) | 1
        if _probable_prime(candidate) and (candidate - 1) % _EXPONENT != 0:
            return candidate


def _small_key(bits: int) -> rsa.RSAPrivateKey:
    """An RSA key below the 1024 bits ``cryptography`` will generate."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    while True:
        p, q = _prime(bits - bits // 2), _prime(bits // 2)
        n = p * q
        if p != q and n.bit_length() == bits:
            break
    d = pow(_EXPONENT, -1, (p - 1) * (q - 1))
    numbers = rsa.RSAPrivateNumbers(p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p),
                                    rsa.RSAPublicNumbers(_EXPONENT, n))
    return numbers.private_key()


def generate(name: str, bits: int, now: datetime) -> HostKey:
    if not MIN_BITS <= bits <= MAX_BITS:
        raise ValueError(f"modulus {bits} out of range")
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(_EXPONENT, bits) if bits >= 1024 else _small_key(bits)
    return HostKey(name, now, key)


def save(nvram: FileSystem, key: HostKey) -> None:
    """Write the key and its description (each file atomically)."""
    nvram.write(HOST_KEY_FILE, key.pem())
    nvram.write(INFO_FILE, f"{key.name}\n{key.generated.isoformat()}\n".encode())


def load(nvram: FileSystem) -> HostKey | None:
    """The key in nvram:, or None when there is none (or it cannot be read)."""
    if not nvram.exists(HOST_KEY_FILE):
        return None
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = serialization.load_pem_private_key(nvram.read(HOST_KEY_FILE), password=None)
    except (ValueError, TypeError, OSError):
        return None
    if not isinstance(key, rsa.RSAPrivateKey):
        return None
    name, generated = "", datetime(1993, 3, 1)
    if nvram.exists(INFO_FILE):
        lines = nvram.read(INFO_FILE).decode("utf-8", "replace").splitlines()
        if lines:
            name = lines[0]
        if len(lines) > 1:
            with contextlib.suppress(ValueError):
                generated = datetime.fromisoformat(lines[1])
    return HostKey(name, generated, key)


def delete(nvram: FileSystem) -> bool:
    """Remove the key; False when there was none."""
    found = nvram.exists(HOST_KEY_FILE)
    for name in (HOST_KEY_FILE, INFO_FILE):
        if nvram.exists(name):
            nvram.delete(name)
    return found
