"""The TFTP server with our own and hand-made packets: options, paths, write policy, full flash, loss."""

from __future__ import annotations

import os
import socket
import struct
import threading
import time
from pathlib import Path

import pytest

from vstackcli.engine.storage import FileSystem
from vstackcli.net.tftp import TftpServer, TransferStats, WritePolicy
from vstackcli.net.tftp import packets as P
from vstackcli.net.tftp.client import TftpError, tftp_get, tftp_put


@pytest.fixture
def flash(tmp_path: Path) -> FileSystem:
    fs = FileSystem("flash:", tmp_path / "flash", 8 << 20)
    fs.write("image.tar", os.urandom(300_000))
    fs.write("vstack/imagelist.txt", b"c3750e-universalk9-tar.152-4.E10.tar\n")
    return fs


class Recorder:
    def __init__(self) -> None:
        self.stats: list[TransferStats] = []
        self.cond = threading.Condition()

    def __call__(self, s: TransferStats) -> None:
        with self.cond:
            self.stats.append(s)
            self.cond.notify_all()

    def wait(self, n: int, timeout: float = 10) -> list[TransferStats]:
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.stats) >= n, timeout), self.stats
            return list(self.stats)


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def server(flash: FileSystem, rec: Recorder):
    with TftpServer(flash, host="127.0.0.1", port=0, timeout=0.3, retries=2, on_transfer=rec) as srv:
        yield srv


def raw(port: int, pkt: bytes, timeout: float = 2.0) -> tuple[socket.socket, bytes, tuple]:
    """Send a request; return the socket, the first answer and the server's transfer ID."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    s.sendto(pkt, ("127.0.0.1", port))
    data, tid = s.recvfrom(70000)
    return s, data, tid


def error_of(pkt: bytes) -> tuple[int, str]:
    assert struct.unpack("!H", pkt[:2])[0] == P.ERROR, pkt
    return P.parse_error(pkt)


def test_port_zero_reports_the_bound_port(flash: FileSystem) -> None:
    srv = TftpServer(flash, port=0).start()
    try:
        assert isinstance(srv.port, int) and srv.port > 0
        assert tftp_get("127.0.0.1", "vstack/imagelist.txt", port=srv.port).startswith(b"c3750e")
    finally:
        srv.stop()
    with pytest.raises(TftpError, match="Timed out"):  # stopped: nobody answers
        tftp_get("127.0.0.1", "vstack/imagelist.txt", port=srv.port, timeout=0.2, retries=0)


@pytest.mark.parametrize("blksize", [8, 512, 1468, 8192, 65464])
@pytest.mark.parametrize("windowsize", [1, 16])
def test_download_blksize_and_windowsize(server: TftpServer, flash: FileSystem, rec: Recorder, blksize: int,
                                         windowsize: int) -> None:
    data = tftp_get("127.0.0.1", "image.tar", port=server.port, blksize=blksize, windowsize=windowsize)
    assert data == flash.read("image.tar")
    (s,) = rec.wait(1)
    assert s.ok and s.direction == "read" and s.bytes == 300_000 and s.size == 300_000
    assert (s.blksize, s.windowsize) == (blksize, min(windowsize, max(1, 65536 // blksize)))  # 64 KiB windows
    assert s.options["tsize"] == "300000"


def test_options_are_clamped_and_unknown_ones_ignored(flash: FileSystem, rec: Recorder) -> None:
    with TftpServer(flash, max_blksize=1468, max_windowsize=8, on_transfer=rec) as srv:
        req = P.request(P.RRQ, "image.tar", "octet",
                        {"blksize": "9000", "windowsize": "64", "timeout": "3", "tsize": "0", "color": "blue",
                         "multicast": ""})
        s, pkt, tid = raw(srv.port, req)
        assert struct.unpack("!H", pkt[:2])[0] == P.OACK
        assert P.parse_oack(pkt) == {"blksize": "1468", "windowsize": "8", "timeout": "3", "tsize": "300000"}
        s.sendto(P.error(0, "enough"), tid)
        s.close()
        (st,) = rec.wait(1)
        assert st.error == "client error 0: enough" and st.timeout == 3.0


def test_no_options_means_data_at_once_and_512_byte_blocks(server: TftpServer, flash: FileSystem) -> None:
    s, pkt, tid = raw(server.port, P.request(P.RRQ, "image.tar"))
    assert struct.unpack("!HH", pkt[:4]) == (P.DATA, 1) and len(pkt) == 4 + 512
    s.sendto(P.error(0, "bye"), tid)
    s.close()


def test_upload_into_the_backup_directory(server: TftpServer, flash: FileSystem, rec: Recorder) -> None:
    body = os.urandom(70_000)
    assert tftp_put("127.0.0.1", "vstack/sw1-config.rev2", body, port=server.port, blksize=1468) == 70_000
    assert flash.read("vstack/sw1-config.rev2") == body
    tftp_put("127.0.0.1", "/vstack/sw1-config.rev2", b"hostname sw1\n", port=server.port, windowsize=4)
    assert flash.read("vstack/sw1-config.rev2") == b"hostname sw1\n"
    tftp_put("127.0.0.1", "vstack/a/b/nested.cfg", b"x" * 1024, port=server.port)  # exactly two blocks
    assert flash.read("vstack/a/b/nested.cfg") == b"x" * 1024
    stats = rec.wait(3)
    assert all(s.ok and s.direction == "write" for s in stats)
    assert not list(flash.root.rglob(".tmp-*"))


def test_upload_with_windowsize(server: TftpServer, flash: FileSystem, rec: Recorder) -> None:
    body = os.urandom(200_000)
    tftp_put("127.0.0.1", "vstack/big.bin", body, port=server.port, blksize=1024, windowsize=16)
    assert flash.read("vstack/big.bin") == body
    (s,) = rec.wait(1)
    assert s.windowsize == 16 and s.size == 200_000


def test_configured_repository_directory(flash: FileSystem) -> None:
    with TftpServer(flash, write_policy=WritePolicy(("repo/backups",))) as srv:
        tftp_put("127.0.0.1", "repo/backups/sw2.cfg", b"hostname sw2\n", port=srv.port)
        assert flash.read("repo/backups/sw2.cfg") == b"hostname sw2\n"
        with pytest.raises(TftpError) as e:
            tftp_put("127.0.0.1", "vstack/sw2.cfg", b"x", port=srv.port)
        assert e.value.code == P.ErrorCode.ACCESS
        with pytest.raises(TftpError):
            tftp_put("127.0.0.1", "repo/sw2.cfg", b"x", port=srv.port)


@pytest.mark.parametrize("name", [
    "image.tar",  # flash root: reads only
    "/image.tar",
    "new.bin",
    "vstack",  # the directory itself
    "vstack/../image.tar",
    "../outside.cfg",
    "vstack/../../outside.cfg",
    "..\\outside.cfg",
    "/etc/passwd",
    "/tmp/x.cfg",
    "vstackx/a.cfg",
    "vstack/.tmp-abc",
])
def test_refused_writes(server: TftpServer, flash: FileSystem, rec: Recorder, name: str) -> None:
    before = {p: p.read_bytes() for p in flash.root.rglob("*") if p.is_file()}
    with pytest.raises(TftpError) as e:
        tftp_put("127.0.0.1", name, b"evil\n", port=server.port)
    assert e.value.code == P.ErrorCode.ACCESS
    assert e.value.reason == "Permission denied"
    after = {p: p.read_bytes() for p in flash.root.rglob("*") if p.is_file()}
    assert after == before
    assert not (flash.root.parent / "outside.cfg").exists()
    (s,) = rec.wait(1)
    assert s.direction == "write" and not s.ok


def test_writes_refused_through_a_symlinked_directory(server: TftpServer, flash: FileSystem,
                                                      tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (flash.root / "vstack" / "escape").symlink_to(outside)
    with pytest.raises(TftpError) as e:
        tftp_put("127.0.0.1", "vstack/escape/x.cfg", b"evil\n", port=server.port)
    assert e.value.code == P.ErrorCode.ACCESS
    assert not list(outside.iterdir())


@pytest.mark.parametrize("name, code", [
    (b"missing.bin", P.ErrorCode.NOT_FOUND),
    (b"vstack", P.ErrorCode.NOT_FOUND),
    (b"../flash/image.tar", P.ErrorCode.ACCESS),
    (b"vstack/../../secret", P.ErrorCode.ACCESS),
    (b"..\\secret", P.ErrorCode.ACCESS),
    (b"/etc/passwd", P.ErrorCode.NOT_FOUND),  # absolute names are relative to flash:, like tftpd -s
    (b"/../secret", P.ErrorCode.ACCESS),
    (b"link-out", P.ErrorCode.ACCESS),
    (b"vstack/.tmp-partial", P.ErrorCode.ACCESS),
    (b"\xc0\xae\xc0\xae/secret", P.ErrorCode.ACCESS),  # overlong UTF-8 dots
    (b"%2e%2e/secret", P.ErrorCode.NOT_FOUND),  # no URL decoding: a literal, missing name
    (b"image.tar\x01", P.ErrorCode.ACCESS),
])
def test_refused_reads(server: TftpServer, flash: FileSystem, tmp_path: Path, name: bytes, code: int) -> None:
    (tmp_path / "secret").write_bytes(b"secret")
    (flash.root / "vstack" / ".tmp-partial").write_bytes(b"half")
    (flash.root / "link-out").symlink_to(tmp_path / "secret")
    s, pkt, _tid = raw(server.port, struct.pack("!H", P.RRQ) + name + b"\0octet\0")
    s.close()
    assert error_of(pkt)[0] == code


def test_absolute_names_are_served_from_flash(server: TftpServer, flash: FileSystem) -> None:
    assert tftp_get("127.0.0.1", "/vstack/imagelist.txt", port=server.port) == flash.read("vstack/imagelist.txt")


def test_symlink_inside_flash_is_served(server: TftpServer, flash: FileSystem) -> None:
    (flash.root / "current.tar").symlink_to(flash.root / "image.tar")
    assert tftp_get("127.0.0.1", "current.tar", port=server.port) == flash.read("image.tar")


@pytest.mark.parametrize("pkt, code", [
    (struct.pack("!H", P.RRQ) + b"image.tar\0mail\0", P.ErrorCode.ILLEGAL),
    (struct.pack("!H", P.WRQ) + b"vstack/x\0mail\0", P.ErrorCode.ILLEGAL),
    (struct.pack("!H", P.RRQ) + b"image.tar", P.ErrorCode.ILLEGAL),  # not NUL-terminated
    (struct.pack("!HH", P.DATA, 1) + b"stray", P.ErrorCode.ILLEGAL),
    (struct.pack("!HH", P.ACK, 1), P.ErrorCode.ILLEGAL),
    (b"\x00", P.ErrorCode.ILLEGAL),
])
def test_malformed_requests(server: TftpServer, pkt: bytes, code: int) -> None:
    s, answer, _ = raw(server.port, pkt)
    s.close()
    assert error_of(answer)[0] == code
    assert server.active == 0


def test_full_flash_refused_up_front_with_tsize(flash: FileSystem, rec: Recorder) -> None:
    flash.capacity = flash.used() + 10_000
    with TftpServer(flash, on_transfer=rec) as srv:
        with pytest.raises(TftpError) as e:
            tftp_put("127.0.0.1", "vstack/big.cfg", os.urandom(20_000), port=srv.port)
        assert e.value.code == P.ErrorCode.DISK_FULL and e.value.reason == "Not enough space on device"
        assert not flash.exists("vstack/big.cfg")
        assert rec.wait(1)[0].error == "flash full"


def test_full_flash_mid_transfer_leaves_no_half_file(flash: FileSystem, rec: Recorder) -> None:
    flash.capacity = flash.used() + 10_000
    with TftpServer(flash, on_transfer=rec) as srv:
        s, pkt, tid = raw(srv.port, P.request(P.WRQ, "vstack/big.cfg"))  # no tsize: found out on the way
        assert pkt == P.ack(0)
        answer = b""
        for block in range(1, 40):
            s.sendto(P.data_header(block) + b"y" * 512, tid)
            answer = s.recv(1024)
            if answer[:2] != P.ack(0)[:2]:
                break
        s.close()
        assert error_of(answer)[0] == P.ErrorCode.DISK_FULL
        assert block == 20  # 19 blocks (9728 bytes) fit, the 20th does not
        assert not flash.exists("vstack/big.cfg")
        assert not list(flash.root.rglob(".tmp-*"))
        (st,) = rec.wait(1)
        assert st.error == "flash full" and srv.active == 0


def test_full_flash_on_overwrite_keeps_the_old_file(flash: FileSystem) -> None:
    flash.write("vstack/sw1.cfg", b"old\n")
    flash.capacity = flash.used() + 100
    with TftpServer(flash) as srv:
        with pytest.raises(TftpError):
            tftp_put("127.0.0.1", "vstack/sw1.cfg", b"n" * 5000, port=srv.port)
        assert flash.read("vstack/sw1.cfg") == b"old\n"
        tftp_put("127.0.0.1", "vstack/sw1.cfg", b"n" * 100, port=srv.port)  # old 4 bytes + 100 free
        assert flash.read("vstack/sw1.cfg") == b"n" * 100


def test_duplicate_acks_are_not_answered_and_lost_acks_are_retransmitted(server: TftpServer, flash: FileSystem,
                                                                         rec: Recorder) -> None:
    flash.write("small.bin", os.urandom(512 * 3 + 100))
    s, pkt, tid = raw(server.port, P.request(P.RRQ, "small.bin"))
    got = [pkt]
    s.sendto(P.ack(1), tid)
    got.append(s.recv(600))  # block 2
    for _ in range(3):  # duplicate ACKs for block 1: the server must stay silent
        s.sendto(P.ack(1), tid)
    s.settimeout(0.15)
    with pytest.raises(TimeoutError):
        s.recv(600)
    s.settimeout(2)
    # we "lose" block 2's ACK: after its timeout (0.3 s) the server sends block 2 again
    again = s.recv(600)
    assert again == got[1]
    s.sendto(P.ack(2), tid)
    got.append(s.recv(600))
    s.sendto(P.ack(3), tid)
    got.append(s.recv(600))
    s.sendto(P.ack(4), tid)
    s.close()
    assert b"".join(p[4:] for p in got) == flash.read("small.bin")
    (st,) = rec.wait(1)
    assert st.ok and st.duplicates == 3 and st.retransmits == 1


def test_a_client_that_vanishes_is_dropped_after_the_timeout(server: TftpServer, flash: FileSystem,
                                                             rec: Recorder) -> None:
    s, _pkt, tid = raw(server.port, P.request(P.RRQ, "image.tar", options={"blksize": "1024"}))
    s.sendto(P.ack(0), tid)
    s.recv(2000)
    started = time.monotonic()
    assert server.active == 1
    (st,) = rec.wait(1)  # silent from now on, but the socket stays open: no ICMP shortcut
    assert st.error == "timed out" and st.bytes == 0
    assert time.monotonic() - started >= 0.3 * 2
    assert server.active == 0
    s.close()
    assert tftp_get("127.0.0.1", "image.tar", port=server.port) == flash.read("image.tar")


def test_a_retransmitted_request_does_not_open_a_second_session(server: TftpServer) -> None:
    s, _pkt, tid = raw(server.port, P.request(P.RRQ, "image.tar"))
    s.sendto(P.request(P.RRQ, "image.tar"), ("127.0.0.1", server.port))
    time.sleep(0.1)
    assert server.active == 1
    s.sendto(P.error(0, "bye"), tid)
    s.close()


def test_block_numbers_roll_over(server: TftpServer, flash: FileSystem) -> None:
    flash.write("roll.bin", os.urandom(8 * 70_000))  # 70,001 blocks of 8 bytes
    assert tftp_get("127.0.0.1", "roll.bin", port=server.port, blksize=8, windowsize=64) == flash.read("roll.bin")
    body = os.urandom(8 * 66_000 + 3)
    tftp_put("127.0.0.1", "vstack/roll.bin", body, port=server.port, blksize=8, windowsize=64)
    assert flash.read("vstack/roll.bin") == body


def test_netascii(server: TftpServer, flash: FileSystem) -> None:
    flash.write("vstack/cfg.txt", b"hostname a\nbanner\r\n")
    s, pkt, tid = raw(server.port, P.request(P.RRQ, "vstack/cfg.txt", "netascii"))
    s.sendto(P.ack(1), tid)
    s.close()
    assert pkt[4:] == b"hostname a\r\nbanner\r\0\r\n"
    s, pkt, tid = raw(server.port, P.request(P.WRQ, "vstack/up.txt", "netascii"))
    s.sendto(P.data_header(1) + b"line 1\r\nline 2\r\n", tid)
    assert s.recv(100) == P.ack(1)
    s.close()
    assert flash.read("vstack/up.txt") == b"line 1\nline 2\n"


@pytest.mark.parametrize("batch", [True, False])
def test_hundreds_of_transfers_at_once(flash: FileSystem, rec: Recorder, batch: bool) -> None:
    flash.write("cfg.txt", os.urandom(20_000))
    want = flash.read("cfg.txt")
    results: list[bytes | Exception] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        try:
            if i % 5 == 0:
                tftp_put("127.0.0.1", f"vstack/sw{i}.cfg", want, port=srv.port, blksize=1024, timeout=2)
                r = want
            else:
                r = tftp_get("127.0.0.1", "cfg.txt", port=srv.port, blksize=[512, 1468][i % 2], timeout=2,
                             windowsize=[1, 8][i % 3 == 0])
        except Exception as e:  # pragma: no cover - reported below
            r = e
        with lock:
            results.append(r)

    with TftpServer(flash, timeout=0.5, batch=batch, on_transfer=rec) as srv:
        threads = [threading.Thread(target=one, args=(i,)) for i in range(300)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(results) == 300 and all(r == want for r in results), [r for r in results if r != want][:3]
        stats = rec.wait(300)
        assert all(s.ok for s in stats)
        deadline = time.monotonic() + 5
        while srv.active and time.monotonic() < deadline:
            time.sleep(0.05)
        assert srv.active == 0
    assert sum(1 for p in (flash.root / "vstack").glob("sw*.cfg")) == 60


def test_stop_ends_running_transfers(flash: FileSystem, rec: Recorder) -> None:
    srv = TftpServer(flash, timeout=5, on_transfer=rec).start()
    s, _pkt, _tid = raw(srv.port, P.request(P.RRQ, "image.tar"))
    srv.stop()
    (st,) = rec.wait(1)
    assert st.error == "server stopped" and srv.active == 0
    s.close()
    srv.stop()  # twice is harmless


def test_server_takes_a_plain_root(tmp_path: Path) -> None:
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "a.txt").write_bytes(b"abc")
    with TftpServer(root=tmp_path / "r", write_policy=WritePolicy(("",))) as srv:
        assert tftp_get("127.0.0.1", "a.txt", port=srv.port) == b"abc"
        tftp_put("127.0.0.1", "b.txt", b"def", port=srv.port)
        assert (tmp_path / "r" / "b.txt").read_bytes() == b"def"


def test_concurrent_downloads_share_one_cached_copy(flash: FileSystem, rec: Recorder) -> None:
    flash.write("shared.bin", os.urandom(200_000))
    with TftpServer(flash, on_transfer=rec) as srv:
        s1, p1, tid1 = raw(srv.port, P.request(P.RRQ, "shared.bin"))
        s2, p2, tid2 = raw(srv.port, P.request(P.RRQ, "shared.bin"))
        assert p1 == p2 and len(srv._files) == 1 and next(iter(srv._files.values()))[1] == 2
        for s, tid in ((s1, tid1), (s2, tid2)):
            s.sendto(P.error(0, "bye"), tid)
            s.close()
        rec.wait(2)
        assert srv._files == {} and srv._cached == 0  # released with the last transfer
        flash.write("shared.bin", b"new content")  # a rewritten file is read again
        assert tftp_get("127.0.0.1", "shared.bin", port=srv.port) == b"new content"


@pytest.mark.parametrize("batch", [True, False])
@pytest.mark.parametrize("blksize, windowsize", [(512, 1), (1468, 16), (8192, 8), (65464, 1)])
def test_files_beyond_the_cache_are_read_in_chunks(flash: FileSystem, rec: Recorder, blksize: int,
                                                   windowsize: int, batch: bool) -> None:
    body = os.urandom(1_000_000)
    flash.write("big.bin", body)
    with TftpServer(flash, cache_file_max=100_000, batch=batch, on_transfer=rec) as srv:
        assert tftp_get("127.0.0.1", "big.bin", port=srv.port, blksize=blksize, windowsize=windowsize) == body
        (s,) = rec.wait(1)
        assert s.ok and s.bytes == 1_000_000 and srv._files == {}


def test_exact_multiple_of_blksize_ends_with_an_empty_block(flash: FileSystem) -> None:
    body = os.urandom(512 * 300)
    flash.write("even.bin", body)
    for cache, batch in ((0, True), (1 << 20, True), (0, False), (1 << 20, False)):
        with TftpServer(flash, cache_file_max=cache, batch=batch) as srv:
            assert tftp_get("127.0.0.1", "even.bin", port=srv.port) == body
            assert tftp_get("127.0.0.1", "even.bin", port=srv.port, blksize=1024, windowsize=4) == body


@pytest.mark.parametrize("busy_poll", [0.0, 200e-6])
def test_with_and_without_busy_polling(flash: FileSystem, busy_poll: float) -> None:
    with TftpServer(flash, busy_poll=busy_poll) as srv:
        assert tftp_get("127.0.0.1", "image.tar", port=srv.port, blksize=1468) == flash.read("image.tar")
        tftp_put("127.0.0.1", "vstack/bp.bin", b"z" * 5000, port=srv.port)
        assert flash.read("vstack/bp.bin") == b"z" * 5000


def test_downloads_spread_over_two_loops_and_stop_ends_them_all(flash: FileSystem, rec: Recorder) -> None:
    srv = TftpServer(flash, timeout=5, loops=2, batch=False, on_transfer=rec).start()
    socks = [raw(srv.port, P.request(P.RRQ, "image.tar"))[0] for _ in range(6)]
    up, _pkt, _tid = raw(srv.port, P.request(P.WRQ, "vstack/sw1.cfg"))
    assert srv.active == 7
    # two on the first loop, then each download on the emptier one; the upload on the first loop
    assert [len(lp.sessions) for lp in srv._loops] == [4, 3]
    assert [s.stats.direction for s in srv._loops[1].sessions.values()] == ["read"] * 3
    assert sorted(s.stats.direction for s in srv._loops[0].sessions.values()) == ["read"] * 3 + ["write"]
    srv.stop()
    stats = rec.wait(7)
    assert len(stats) == 7 and all(st.error == "server stopped" for st in stats) and srv.active == 0
    for s in (*socks, up):
        s.close()


def test_one_loop_still_serves_everything(flash: FileSystem, rec: Recorder) -> None:
    with TftpServer(flash, loops=1, on_transfer=rec) as srv:
        got = []
        threads = [threading.Thread(target=lambda: got.append(tftp_get("127.0.0.1", "image.tar", port=srv.port,
                                                                        blksize=1468))) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(got) == 5 and all(g == flash.read("image.tar") for g in got)
        assert len(rec.wait(5)) == 5 and len(srv._loops) == 1


def test_batched_downloads_share_one_socket_and_stop_ends_them(flash: FileSystem, rec: Recorder) -> None:
    srv = TftpServer(flash, timeout=5, on_transfer=rec).start()
    opened = [raw(srv.port, P.request(P.RRQ, "image.tar")) for _ in range(5)]
    up, _pkt, up_tid = raw(srv.port, P.request(P.WRQ, "vstack/sw1.cfg"))
    tids = [tid for _s, _p, tid in opened]
    # the first two downloads on sockets of their own, the next ones on the shared one; the upload on its own
    assert len({*tids[:2], tids[2], up_tid}) == 4 and len(set(tids[2:])) == 1 and srv.port not in {t[1] for t in tids}
    assert srv.active == 6 and [len(lp.sessions) for lp in srv._loops] == [6, 0]
    assert all(p == P.data_header(1) + flash.read("image.tar")[:512] for _s, p, _t in opened)
    srv.stop()
    assert len(rec.wait(6)) == 6 and all(st.error == "server stopped" for st in rec.stats) and srv.active == 0
    for s, _p, _t in opened:
        s.close()
    up.close()


def test_a_stranger_on_the_shared_socket_gets_unknown_transfer_id(server: TftpServer, flash: FileSystem,
                                                                  rec: Recorder) -> None:
    others = [raw(server.port, P.request(P.RRQ, "image.tar"))[0] for _ in range(2)]
    s, _pkt, tid = raw(server.port, P.request(P.RRQ, "image.tar"))
    stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    stranger.settimeout(2)
    stranger.sendto(P.ack(1), tid)
    answer, src = stranger.recvfrom(100)
    assert src == tid and error_of(answer)[0] == P.ErrorCode.UNKNOWN_TID
    stranger.sendto(P.error(0, "no"), tid)  # an error is never answered
    s.sendto(P.ack(1), tid)  # the transfer goes on
    assert s.recv(600)[:4] == P.data_header(2)
    s.sendto(P.error(0, "bye"), tid)
    stranger.settimeout(0.2)
    with pytest.raises(socket.timeout):
        stranger.recv(100)
    for o in (s, stranger, *others):
        o.close()


def test_a_client_that_closes_its_socket_is_dropped_at_once(server: TftpServer, flash: FileSystem,
                                                          rec: Recorder) -> None:
    """The ICMP port unreachable that our next DATA (or its retransmission) draws ends the transfer, on a
    socket of its own (the first two) or on the shared one."""
    others = [raw(server.port, P.request(P.RRQ, "image.tar")) for _ in range(3)]
    s, _pkt, tid = raw(server.port, P.request(P.RRQ, "image.tar"))
    s.sendto(P.ack(1), tid)
    s.close()
    (st,) = rec.wait(1)
    assert st.error == "peer unreachable" and server.active == 3  # the other transfers go on
    others.pop(0)[0].close()  # a connected one: its retransmission after 0.3 s draws the ICMP error
    assert rec.wait(2)[1].error == "peer unreachable" and server.active == 2
    for o, _p, otid in others:
        o.sendto(P.ack(1), otid)
        while (got := o.recv(600)[:4]) == P.data_header(1):  # retransmissions of block 1 meanwhile
            pass
        assert got == P.data_header(2)
        o.sendto(P.error(0, "bye"), otid)
        o.close()


def test_batched_netascii_empty_and_chunked_downloads(flash: FileSystem) -> None:
    """Downloads on the shared socket: netascii (converted per transfer), an empty file, a file beyond the cache."""
    flash.write("vstack/cfg.txt", b"hostname a\nbanner\r\n")
    flash.write("empty.txt", b"")
    body = os.urandom(300_000)
    flash.write("big.bin", body)
    with TftpServer(flash, cache_file_max=100_000) as srv:
        first = [raw(srv.port, P.request(P.RRQ, "image.tar")) for _ in range(2)]
        s, pkt, tid = raw(srv.port, P.request(P.RRQ, "vstack/cfg.txt", "netascii"))
        assert pkt[4:] == b"hostname a\r\nbanner\r\0\r\n" and tid != first[0][2] and tid != first[1][2]
        s.sendto(P.ack(1), tid)
        e, pkt, etid = raw(srv.port, P.request(P.RRQ, "empty.txt"))
        assert pkt == P.data_header(1) and etid == tid
        e.sendto(P.ack(1), etid)
        assert tftp_get("127.0.0.1", "big.bin", port=srv.port, blksize=1468, windowsize=4) == body
        assert srv._loops[0].batch is not None and srv._files == {}
        for c, _p, ctid in first:
            c.sendto(P.error(0, "bye"), ctid)
        for c in (s, e, *(f[0] for f in first)):
            c.close()
