"""IOS password storage: type 5 secrets (MD5-crypt), type 7 and type 0 passwords.

``enable secret cisco`` is stored as ``5 $1$salt$hash`` and printed that way;
replaying ``enable secret 5 $1$...`` keeps the hash. Verification accepts the
stored form of every type IOS prints.
"""

from __future__ import annotations

import hashlib
import secrets as _random

__all__ = ["hash_secret", "md5_crypt", "type7_decode", "type7_encode", "verify"]

_ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_TYPE7_KEY = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87"


def _to64(value: int, length: int) -> str:
    out = []
    for _ in range(length):
        out.append(_ITOA64[value & 0x3F])
        value >>= 6
    return "".join(out)


def md5_crypt(password: str, salt: str) -> str:
    """The FreeBSD MD5-crypt scheme that IOS type 5 secrets use: ``$1$salt$hash``."""
    pw = password.encode()
    salt_b = salt[:8].encode()
    magic = b"$1$"
    final = hashlib.md5(pw + salt_b + pw).digest()
    ctx = pw + magic + salt_b
    for i in range(len(pw), 0, -16):
        ctx += final[: min(16, i)]
    i = len(pw)
    while i:
        ctx += b"\x00" if i & 1 else pw[:1]
        i >>= 1
    digest = hashlib.md5(ctx).digest()
    for i in range(1000):
        c = pw if i & 1 else digest
        if i % 3:
            c += salt_b
        if i % 7:
            c += pw
        c += digest if i & 1 else pw
        digest = hashlib.md5(c).digest()
    d = digest
    encoded = (
        _to64((d[0] << 16) | (d[6] << 8) | d[12], 4)
        + _to64((d[1] << 16) | (d[7] << 8) | d[13], 4)
        + _to64((d[2] << 16) | (d[8] << 8) | d[14], 4)
        + _to64((d[3] << 16) | (d[9] << 8) | d[15], 4)
        + _to64((d[4] << 16) | (d[10] << 8) | d[5], 4)
        + _to64(d[11], 2)
    )
    return f"$1${salt[:8]}${encoded}"


def hash_secret(password: str) -> str:
    """The stored form of a new secret: ``5 $1$xxxx$...`` with a random 4-character salt."""
    salt = "".join(_random.choice(_ITOA64) for _ in range(4))
    return "5 " + md5_crypt(password, salt)


def type7_encode(password: str, seed: int = 2) -> str:
    out = f"{seed:02d}"
    for i, ch in enumerate(password):
        out += f"{ord(ch) ^ ord(_TYPE7_KEY[(seed + i) % len(_TYPE7_KEY)]):02X}"
    return out


def type7_decode(encoded: str) -> str:
    seed = int(encoded[:2])
    data = bytes.fromhex(encoded[2:])
    return "".join(chr(b ^ ord(_TYPE7_KEY[(seed + i) % len(_TYPE7_KEY)])) for i, b in enumerate(data))


def _same(a: str, b: str) -> bool:
    """Constant-time equality that also takes non-ASCII text (a vty peer may type any byte)."""
    return _random.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


def verify(stored: str, password: str) -> bool:
    """Check a typed password against a stored secret or password in any IOS form."""
    kind, _, value = stored.partition(" ")
    if not value:
        return _same(stored, password)
    if kind == "5" and value.startswith("$1$"):
        salt = value[3:].split("$", 1)[0]
        return _same(md5_crypt(password, salt), value)
    if kind == "7":
        try:
            return _same(type7_decode(value), password)
        except ValueError:
            return False
    if kind == "0":
        return _same(value, password)
    return False
