"""Whatever bytes a peer sends, a vty session ends cleanly: no exception escapes or is logged, the
transport is closed and the line is free again. Property-tested over an in-memory transport."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vstackcli.engine.clock import FakeClock
from vstackcli.engine.device import Device
from vstackcli.net.vty.lines import registry
from vstackcli.net.vty.terminal import serve_terminal

KEYS = st.sampled_from([b"\r", b"\n", b"\r\n", b"\r\x00", b"\x00", b"?", b"\t", b"\x03", b"\x1a", b"\x7f", b"\x15",
                        b"\x1b[A", b"\x1b", b"\x10", b"\xff", b" ", b"q", b"show ", b"conf t", b"interface vlan 9",
                        b"exit", b"end", b"terminal monitor", b"terminal length 3", b"show running-config",
                        b"enable", b"admin", b"pw", b"line vty 0 4", b"no login"])


class MemoryIO:
    """A TerminalIO that plays back chunks, then EOF."""

    def __init__(self, chunks: list[bytes], width: int | None, height: int | None):
        self.chunks = list(chunks)
        self.width, self.height = width, height
        self.out = bytearray()
        self.closed = False

    async def read(self) -> bytes:
        await asyncio.sleep(0)
        return self.chunks.pop(0) if self.chunks else b""

    def write(self, data: bytes) -> None:
        self.out += data

    async def drain(self) -> None:
        await asyncio.sleep(0)

    def close(self) -> None:
        self.closed = True


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chunks=st.lists(st.one_of(st.binary(max_size=12), st.lists(KEYS, max_size=8).map(b"".join)), max_size=12),
       login=st.sampled_from(["", "line", "local"]), window=st.tuples(st.none() | st.integers(0, 300),
                                                                     st.none() | st.integers(0, 300)))
def test_any_input_ends_the_session_cleanly(chunks: list[bytes], login: str, window) -> None:
    with tempfile.TemporaryDirectory() as root:
        device = Device(Path(root), clock=FakeClock())
        for line in device.config.vty:
            line.login, line.password = login, "pw"
        from vstackcli.engine.model import User

        device.config.users["admin"] = User("admin", 15, "", "pw")
        io = MemoryIO(chunks, *window)
        records: list[logging.LogRecord] = []
        handler = logging.Handler()
        handler.emit = records.append  # type: ignore[method-assign]
        handler.setLevel(logging.ERROR)
        logger = logging.getLogger("vstackcli")
        logger.addHandler(handler)
        try:
            asyncio.run(asyncio.wait_for(serve_terminal(device, io, peer=("192.0.2.7", 1), transport="telnet"), 30))
        finally:
            logger.removeHandler(handler)
        assert io.closed
        assert records == []
        assert registry(device).active() == []
