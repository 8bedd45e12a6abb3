"""The client endpoint live on a loopback port: the public tools' exact bytes and reads replayed
(smi_check, SIET, Metasploit, the NSE script, nmap's Firebird probe), commands carried out through an
in-memory ``Transfers``, rejections, and random/mutated streams that must not hurt it."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import time
import tracemalloc
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_smi_codec import (
    CVE_2018_0171,
    PROBE_HEX,
    REJECT_HEX,
    REPLY_HEX,
    siet_change_config,
    siet_exec,
    siet_execute,
    siet_image,
)

from vstackcli.engine.clock import FakeClock
from vstackcli.engine.syslog import SystemLog
from vstackcli.net.smi.client_endpoint import ClientEndpoint, ClientState, parse_command_file

PROBE = bytes.fromhex(PROBE_HEX)
REPLY = bytes.fromhex(REPLY_HEX)
REJECT = bytes.fromhex(REJECT_HEX)
FIREBIRD = bytes.fromhex("00000001000000130000000200000024") + b"\x00\x00\x00\x01" + b"\x00" * 80  # nmap's probe


class FakeTransfers:
    """In-memory TFTP: ``files`` by URL; ``reads`` and ``writes`` in order."""

    def __init__(self, files: dict[str, bytes] | None = None):
        self.files = dict(files or {})
        self.reads: list[str] = []
        self.writes: list[tuple[str, bytes]] = []

    def read(self, url: str) -> bytes:
        self.reads.append(url)
        if url not in self.files:
            raise FileNotFoundError(url)
        return self.files[url]

    def write(self, url: str, data: bytes) -> None:
        self.writes.append((url, data))
        self.files[url] = data


def exchange(port: int, payload: bytes, *, timeout: float = 10.0, shut: bool = False) -> bytes:
    """What smi_check/SIET do: connect, one send, one recv(512) with a timeout (blocking socket)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        if payload:
            s.sendall(payload)
        if shut:
            s.shutdown(socket.SHUT_WR)
        return s.recv(512)


def read_all(port: int, payload: bytes, timeout: float = 5.0, shut: bool = False) -> bytes:
    """Send, then read until the endpoint closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        if payload:
            s.sendall(payload)
        if shut:
            s.shutdown(socket.SHUT_WR)
        out = b""
        while chunk := s.recv(4096):
            out += chunk
        return out


def run_client(test, *, files: dict[str, bytes] | None = None, **kwargs):
    """Run ``await test(endpoint, port, transfers)`` against a started endpoint on 127.0.0.1."""
    transfers = FakeTransfers(files)
    kwargs.setdefault("director", "127.0.0.1")
    kwargs.setdefault("log", SystemLog(FakeClock()))

    async def main():
        endpoint = ClientEndpoint(transfers, "127.0.0.1", 0, **kwargs)
        port = await endpoint.start()
        try:
            return await test(endpoint, port, transfers)
        finally:
            await endpoint.stop()

    return asyncio.run(main())


def logged(endpoint: ClientEndpoint) -> list[str]:
    return [m.format(timestamps=False) for m in endpoint.log.buffer]


# ---- scanners ----------------------------------------------------------------------------------


def test_smi_check_and_siet_t_see_a_client() -> None:
    async def t(endpoint, port, _):
        started = time.monotonic()
        assert await asyncio.to_thread(exchange, port, PROBE) == REPLY  # one recv(512) gets all 24 bytes
        assert time.monotonic() - started < 1
        assert await asyncio.to_thread(exchange, port, PROBE, timeout=5) == REPLY  # SIET -t: 5 s
        assert endpoint.rejected == 0

    run_client(t)


def test_metasploit_probe_with_a_line_feed_gets_only_the_reply() -> None:
    async def t(endpoint, port, _):
        assert await asyncio.to_thread(read_all, port, PROBE + b"\n") == REPLY  # nothing after the reply
        assert endpoint.rejected == 0 and not logged(endpoint)

    run_client(t)


def test_nmap_firebird_probe_gets_the_type_4_reply_and_is_logged() -> None:
    async def t(endpoint, port, _):
        answer = await asyncio.to_thread(read_all, port, FIREBIRD)
        assert answer == REJECT and answer.hex().startswith("0000000400000000000000040000000400000001")
        assert logged(endpoint) == ["%SMI-6-SMI_INVALID_MESSAGE: Received invalid message from IBD (IP Address : "
                                    "127.0.0.1), SMI Version : 19 Message Type : 2"]

    run_client(t)


def test_text_protocols_are_answered_at_once() -> None:
    async def t(endpoint, port, _):
        started = time.monotonic()
        for probe in (b"\r\n\r\n", b"GET / HTTP/1.0\r\n\r\n", b"HELP\r\n", b"\x16\x03\x00\x00S\x01"):
            assert await asyncio.to_thread(read_all, port, probe) == REJECT
        assert time.monotonic() - started < 2
        assert await asyncio.to_thread(exchange, port, PROBE) == REPLY

    run_client(t, idle_timeout=30)


def test_empty_connections_are_fine() -> None:
    async def t(endpoint, port, _):
        for _ in range(3):
            assert await asyncio.to_thread(exchange, port, b"", shut=True) == b""
        assert endpoint.rejected == 0
        assert await asyncio.to_thread(exchange, port, PROBE) == REPLY

    run_client(t)


def test_idle_connections_are_closed() -> None:
    async def t(endpoint, port, _):
        started = time.monotonic()
        assert await asyncio.to_thread(exchange, port, b"") == b""
        assert time.monotonic() - started < 3 and endpoint.rejected == 0
        assert await asyncio.to_thread(read_all, port, PROBE[:5]) == b""  # a header cut short: logged, closed
        assert endpoint.rejected == 1

    run_client(t, idle_timeout=0.3)


# ---- commands (SIET, NSE, Metasploit, our director) ---------------------------------------------


def test_siet_g_empty_connection_then_type_8_pushes_the_config_by_tftp() -> None:
    commands = ("copy system:running-config flash:/config.text",
                "copy flash:/config.text tftp://127.0.0.1/127.0.0.1.conf")

    async def t(endpoint, port, transfers):
        await asyncio.to_thread(exchange, port, b"", shut=True)  # SIET learns its own address first
        assert await asyncio.to_thread(exchange, port, siet_exec(*commands), shut=True) == b""  # no reply
        await endpoint.idle()
        assert transfers.writes == [("tftp://127.0.0.1/127.0.0.1.conf", b"hostname Client\n")]
        assert endpoint.state.executed == list(commands) and endpoint.state.flash["config.text"]

    run_client(t, state=ClientState(running_config=b"hostname Client\n"))


def test_nse_get_sends_probe_and_type_8_on_one_connection() -> None:
    async def t(endpoint, port, transfers):
        message = siet_exec("copy system:running-config flash:/config.text",
                            "copy flash:/config.text tftp://127.0.0.1/127.0.0.1.conf")
        assert len(PROBE + message) == 1072
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(PROBE)
            assert await asyncio.to_thread(s.recv, 512) == REPLY
            s.sendall(message)
            s.shutdown(socket.SHUT_WR)
            assert await asyncio.to_thread(s.recv, 512) == b""
        await endpoint.idle()
        assert [url for url, _ in transfers.writes] == ["tftp://127.0.0.1/127.0.0.1.conf"]

    run_client(t)


def test_metasploit_download_writes_the_running_config() -> None:
    async def t(endpoint, port, transfers):
        assert await asyncio.to_thread(exchange, port, PROBE + b"\n") == REPLY
        await asyncio.to_thread(exchange, port, siet_exec("copy system:running-config tftp://127.0.0.1/kWqjngYF"),
                                shut=True)
        await endpoint.idle()
        assert transfers.writes == [("tftp://127.0.0.1/kWqjngYF", b"hostname Switch\n")]

    run_client(t)


def test_siet_c_type_3_fetches_the_config_and_schedules_the_reload() -> None:
    files = {"tftp://127.0.0.1/default.conf": b"hostname NEW\n"}

    async def t(endpoint, port, transfers):
        await asyncio.to_thread(exchange, port, siet_change_config("tftp://127.0.0.1/default.conf", 1, 0, 1),
                                shut=True)
        await endpoint.idle()
        assert transfers.reads == ["tftp://127.0.0.1/default.conf"]
        assert endpoint.state.startup_config == b"hostname NEW\n" and endpoint.state.reload == "in 00:01"
        # the callback test (flag 0): a TFTP read and no reload
        endpoint.state.reload = ""
        await asyncio.to_thread(exchange, port, siet_change_config("tftp://127.0.0.1/4f2c.conf", 0, 0, 0), shut=True)
        await endpoint.idle()
        assert transfers.reads[-1] == "tftp://127.0.0.1/4f2c.conf" and endpoint.state.reload == ""
        assert endpoint.state.failures == ["ChangeConfig: tftp://127.0.0.1/4f2c.conf"]

    run_client(t, files=files)


def test_siet_u_type_2_fetches_the_list_then_the_image() -> None:
    tar = "c2960-lanbasek9-tar.150-2.SE.tar"
    files = {"tftp://127.0.0.1/tar_imglist0.txt": tar.encode(), f"tftp://127.0.0.1/{tar}": b"TAR" * 100}

    async def t(endpoint, port, transfers):
        await asyncio.to_thread(exchange, port, siet_image("tftp://127.0.0.1/tar_imglist0.txt", True), shut=True)
        await endpoint.idle()
        assert transfers.reads == ["tftp://127.0.0.1/tar_imglist0.txt", f"tftp://127.0.0.1/{tar}"]
        assert endpoint.state.boot_image == tar and endpoint.state.reload == "now"

    run_client(t, files=files)


def test_image_lists_are_validated_strictly() -> None:
    files = {"tftp://127.0.0.1/l1.txt": b"../../etc/passwd\n", "tftp://127.0.0.1/l2.txt": b"a.tar\n" * 10,
             "tftp://127.0.0.1/l3.txt": b"x" * 5000, "tftp://127.0.0.1/l4.txt": b"\xff\xfe"}

    async def t(endpoint, port, transfers):
        for n in (1, 2, 3, 4):
            await asyncio.to_thread(exchange, port, siet_image(f"tftp://127.0.0.1/l{n}.txt", True), shut=True)
            await endpoint.idle()
        assert len(transfers.reads) == 4 and endpoint.state.boot_image == "" and len(endpoint.state.failures) == 4

    run_client(t, files=files)


def test_siet_e_type_5_runs_the_command_file() -> None:
    files = {"tftp://127.0.0.1/execute.txt": b'"username cisco privilege 15 secret 0 cisco" "exit"'}

    async def t(endpoint, port, _):
        await asyncio.to_thread(exchange, port, siet_execute("tftp://127.0.0.1/execute.txt"), shut=True)
        await endpoint.idle()
        assert endpoint.state.executed == ["username cisco privilege 15 secret 0 cisco", "exit"]

    run_client(t, files=files)
    assert parse_command_file('"a b" junk "c"') == ["a b", "c"]


def test_several_messages_on_one_connection() -> None:
    async def t(endpoint, port, _):
        stream = PROBE + siet_exec("show version") + PROBE + siet_exec("show clock")
        assert await asyncio.to_thread(read_all, port, stream, shut=True) == REPLY + REPLY
        await endpoint.idle()
        assert endpoint.state.executed == ["show version", "show clock"]

    run_client(t)


def test_commands_only_from_the_director() -> None:
    async def t(endpoint, port, transfers):
        assert await asyncio.to_thread(exchange, port, PROBE) == REPLY  # the probe from anyone
        assert await asyncio.to_thread(read_all, port, siet_exec("copy system:running-config tftp://1.2.3.4/x")) \
            == REJECT
        await endpoint.idle()
        assert transfers.writes == [] and endpoint.state.executed == [] and endpoint.rejected == 1

    run_client(t, director="10.9.9.9")
    run_client(t, director=None)

    async def open_door(endpoint, port, _):
        await asyncio.to_thread(exchange, port, siet_exec("show version"), shut=True)
        await endpoint.idle()
        assert endpoint.state.executed == ["show version"]

    run_client(open_door, director="10.9.9.9", director_only=False)


# ---- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [
    CVE_2018_0171,
    bytes.fromhex("00000001000000010000000800100000") + b"A" * 4000,  # 1 MiB declared
    siet_change_config("tftp://127.0.0.1/" + "a" * 115, 0, 0, 0),  # no NUL inside 132 bytes
    siet_change_config("http://127.0.0.1/x", 0, 0, 0),
    bytes.fromhex("0000000100000001000000630000000800000000"),  # unknown type 0x63
    bytes.fromhex("00000001000000010000000a00000050") + b"\xff" * 80,  # ALRIK's type 10
    bytes.fromhex("00000004000000000000000300000008") + bytes(8),  # a client reply sent to a client
])
def test_malformed_messages_get_the_type_4_reply_and_the_endpoint_keeps_serving(payload: bytes) -> None:
    async def t(endpoint, port, transfers):
        assert await asyncio.to_thread(read_all, port, payload) == REJECT
        assert await asyncio.to_thread(exchange, port, PROBE) == REPLY
        assert endpoint.rejected == 1 and "SMI_INVALID_MESSAGE" in logged(endpoint)[0]
        assert transfers.reads == [] and endpoint.state.executed == []

    run_client(t)


def test_truncated_body_is_logged_and_closed_without_a_reply() -> None:
    async def t(endpoint, port, _):
        assert await asyncio.to_thread(exchange, port, siet_exec("show version")[:600], shut=True) == b""
        assert endpoint.rejected == 1
        assert logged(endpoint)[0].endswith("SMI Version : 1 Message Type : 8")

    run_client(t)


def test_garbage_after_a_complete_message_closes_without_a_reply() -> None:
    async def t(endpoint, port, _):
        assert await asyncio.to_thread(read_all, port, PROBE + b"GET / HTTP/1.0\r\n\r\n") == REPLY
        assert endpoint.rejected == 1

    run_client(t)


def test_an_oversized_stream_is_not_read_and_memory_stays_bounded() -> None:
    async def t(endpoint, port, _):
        def flood() -> tuple[bytes, int]:
            chunk = b"\x41" * 65536
            sent = 0
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(bytes.fromhex("00000001000000010000000800ffffff"))
                try:
                    for _ in range(64):  # 4 MiB offered
                        s.sendall(chunk)
                        sent += len(chunk)
                except OSError:
                    pass
                try:
                    return s.recv(512), sent
                except OSError:
                    return b"", sent

        tracemalloc.start()
        answer, _sent = await asyncio.to_thread(flood)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert answer in (REJECT, b"")  # the reply, or a reset once the endpoint closed on unread data
        assert peak < 2 * 1024 * 1024
        assert await asyncio.to_thread(exchange, port, PROBE) == REPLY

    run_client(t)


def test_many_bad_peers_at_once_do_not_stop_a_good_one() -> None:
    async def t(endpoint, port, _):
        async def bad(n: int) -> None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(CVE_2018_0171 if n % 2 else b"\x00\x00\x00\x01\x00")
            await writer.drain()
            await reader.read(100)
            writer.close()

        await asyncio.wait_for(asyncio.gather(*(bad(n) for n in range(40)), return_exceptions=True), 10)
        assert await asyncio.to_thread(exchange, port, PROBE) == REPLY

    run_client(t, idle_timeout=0.5)


STREAMS = st.one_of(
    st.binary(max_size=3000),
    st.lists(st.sampled_from([PROBE, siet_exec("show version"), FIREBIRD, CVE_2018_0171, b"\n", b"\x00" * 7,
                              siet_change_config("tftp://127.0.0.1/x", 0, 0, 0)]), max_size=5).map(b"".join),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(STREAMS, st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), max_size=4)),
                min_size=1, max_size=4))
def test_random_and_mutated_streams_never_hurt_the_endpoint(streams) -> None:
    async def t(endpoint, port, _):
        async def feed(data: bytes) -> None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                writer.write(data)
                await writer.drain()
                writer.write_eof()
                while await reader.read(4096):  # the endpoint must end every connection by itself
                    pass
            except ConnectionError:
                pass
            finally:
                writer.close()

        for data, flips in streams:
            buf = bytearray(data)
            for position, value in flips:
                if buf:
                    buf[position % len(buf)] = value
            await asyncio.wait_for(feed(bytes(buf)), 5)  # no hang
        await asyncio.wait_for(endpoint.idle(), 5)
        assert await asyncio.to_thread(exchange, port, PROBE) == REPLY

    run_client(t, idle_timeout=1)


def test_stop_closes_the_port_and_open_connections() -> None:
    async def main():
        endpoint = ClientEndpoint(FakeTransfers(), "127.0.0.1", 0)
        port = await endpoint.start()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(struct.pack(">I", 1))
        await writer.drain()
        await endpoint.stop()
        with contextlib.suppress(ConnectionResetError):  # aborted: a reset, or an end of stream
            assert await asyncio.wait_for(reader.read(10), 2) == b""
        writer.close()
        with pytest.raises(OSError):
            await asyncio.open_connection("127.0.0.1", port)

    asyncio.run(main())


def test_smi_check_2017_02_callback_test_makes_the_client_read_by_tftp() -> None:
    """Talos smi_check's first versions: a type 3 built from hex text, a random 32-hex-digit file, flag 0."""
    name = uuid.uuid4().hex
    url = f"tftp://127.0.0.1/{name}"
    head = "0" * 7 + "1" + "0" * 7 + "1" + "0" * 7 + "3" + "0" * 5 + "128" + "0" * 7 + "3" + "0" * 23 + "2" + "0" * 24
    message = bytes.fromhex(head + "0" * 272 + url.encode().hex() + "0" * (264 - len(url) * 2))
    assert len(message) == 312

    async def t(endpoint, port, transfers):
        await asyncio.to_thread(exchange, port, message, shut=True)
        await endpoint.idle()
        assert transfers.reads == [url]  # any TFTP datagram is the proof smi_check waits for
        assert endpoint.rejected == 0

    run_client(t)
