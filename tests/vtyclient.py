"""A raw telnet peer for the vty tests: a real socket, bytes in, bytes out, no option handling of its own.

``read_until`` waits (up to a generous limit that only guards against a hang) for an exact byte string.
"""

from __future__ import annotations

import socket
import time

from vstackcli.net.vty.telnet_stream import GREETING

__all__ = ["GREETING", "RawTelnet"]

LIMIT = 20.0  # seconds before a missing answer fails the test (a hang guard, not a timing assertion)


class RawTelnet:
    def __init__(self, address: tuple[str, int], rcvbuf: int | None = None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.connect(address)
        self.buffer = b""
        self.eof = False

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _recv(self, deadline: float) -> None:
        self.sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = self.sock.recv(65536)
        except TimeoutError:
            return
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.eof = True
        self.buffer += chunk

    def read_until(self, marker: bytes, limit: float = LIMIT) -> bytes:
        """Everything up to and including ``marker``; fails when the peer closes or ``limit`` passes first."""
        deadline = time.monotonic() + limit
        while marker not in self.buffer:
            if self.eof or time.monotonic() > deadline:
                raise AssertionError(f"{marker!r} never came; got {self.buffer[-400:]!r}")
            self._recv(deadline)
        end = self.buffer.index(marker) + len(marker)
        taken, self.buffer = self.buffer[:end], self.buffer[end:]
        return taken

    def read_to_eof(self, limit: float = LIMIT) -> bytes:
        deadline = time.monotonic() + limit
        while not self.eof:
            if time.monotonic() > deadline:
                raise AssertionError(f"the server never closed; got {self.buffer[-400:]!r}")
            self._recv(deadline)
        taken, self.buffer = self.buffer, b""
        return taken

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> RawTelnet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
