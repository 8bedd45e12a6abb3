"""Updates for clients that are not Smart Install capable: the director logs in over telnet.

The guide: "The director can telnet to the client switch and use the archive
download-sw privileged EXEC command to download software to the switch. The
director must know the client switch password." So for a type-N client the
director opens the client's telnet port, answers ``Password:`` twice (login,
then ``enable``) with the password of the ``vstack download-*`` command, and
types one update:

- image: ``archive download-sw /overwrite [/reload] tftp://<director>/<image>``;
- config: ``copy tftp://<director>/<file> startup-config``, then ``reload``;
- ``reload in hh:mm`` when the command asks for a later reload.

Lines are plain text (no option negotiation is needed by an IOS vty). A line
starting with ``%`` after a command is a failure; the outcome goes back to the
engine as a download ``done`` or ``failed``. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress

from vstackcli.engine.backend import ClientCommand

__all__ = ["LEGACY_PORT", "LEGACY_PORT_UNPRIVILEGED", "LegacyError", "legacy_commands", "run_legacy"]

LEGACY_PORT = 23
LEGACY_PORT_UNPRIVILEGED = 2323  # loopback runs: every simulated switch's alias listens here
MAX_OUTPUT = 64 * 1024


class LegacyError(Exception):
    """The session failed: refused login, no prompt, an error line (the message says which)."""


def legacy_commands(command: ClientCommand, tftp_url: str) -> list[str]:
    """The exec commands one update types on the client (``tftp_url``: where the client fetches the file)."""
    reload_now = command.reload and command.reload_in is None
    later = [f"reload in {command.reload_in[0]:02d}:{command.reload_in[1]:02d}"] if command.reload_in else []
    if command.kind == "image":
        return [f"archive download-sw /overwrite{' /reload' if reload_now else ''} {tftp_url}", *later]
    if command.kind == "config":
        return [f"copy {tftp_url} startup-config", *(["reload"] if reload_now else []), *later]
    raise LegacyError(f"a client that is not Smart Install capable cannot take a {command.kind} command")


async def _until(reader: asyncio.StreamReader, endings: tuple[bytes, ...], timeout: float) -> bytes:
    """Read until the text ends with one of ``endings`` (a prompt); LegacyError on EOF, timeout or flood."""
    seen = b""
    async with asyncio.timeout(timeout):
        while not seen.rstrip(b" ").endswith(endings):
            chunk = await reader.read(4096)
            if not chunk:
                raise LegacyError(f"connection closed: {seen.decode('ascii', 'replace').strip()[-80:]}")
            seen += chunk
            if len(seen) > MAX_OUTPUT:
                raise LegacyError("too much output")
    return seen


async def run_legacy(command: ClientCommand, host: str, port: int, director: ipaddress.IPv4Address,
                     tftp_url: str, timeout: float = 30.0) -> list[str]:
    """Log in to the client and type the update; return its output lines. ``LegacyError`` on failure."""
    if not command.password or command.password.lower() == "none":
        raise LegacyError("no enable password for a client that is not Smart Install capable")
    try:
        async with asyncio.timeout(10.0):
            reader, writer = await asyncio.open_connection(host, port)
    except (OSError, TimeoutError) as exc:
        raise LegacyError(f"telnet to {host} port {port}: {getattr(exc, 'strerror', None) or exc}") from None
    out: list[str] = []
    try:
        await _until(reader, (b"Password:",), 10.0)
        writer.write(command.password.encode() + b"\r\n")
        text = await _until(reader, (b">", b"Password:"), 10.0)
        if text.rstrip().endswith(b"Password:"):
            raise LegacyError("login refused: wrong password")
        writer.write(b"enable\r\n")
        await _until(reader, (b"Password:",), 10.0)
        writer.write(command.password.encode() + b"\r\n")
        text = await _until(reader, (b"#", b"Password:"), 10.0)
        if not text.rstrip().endswith(b"#"):
            raise LegacyError("enable refused: wrong password")
        for line in legacy_commands(command, tftp_url):
            writer.write(line.encode() + b"\r\n")
            text = await _until(reader, (b"#",), timeout)
            lines = [x.strip() for x in text.decode("ascii", "replace").splitlines()[1:-1] if x.strip()]
            out += lines
            errors = [x for x in lines if x.startswith("%")]
            if errors:
                raise LegacyError(errors[0])
        writer.write(b"exit\r\n")
        return out
    except (OSError, TimeoutError) as exc:
        raise LegacyError(f"telnet session with {host}: {getattr(exc, 'strerror', None) or type(exc).__name__}") \
            from None
    finally:
        writer.close()
        with contextlib.suppress(OSError, ConnectionError):
            await writer.wait_closed()
