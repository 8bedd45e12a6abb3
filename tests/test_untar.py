"""vstack untar: a tar on flash extracted into flash, safely."""

from __future__ import annotations

import io
import tarfile

from conftest import run

from vstackcli.shell.session import Session


def make_tar(files: dict[str, bytes], extra: tarfile.TarInfo | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if extra is not None:
            tar.addfile(extra)
    return buf.getvalue()


def test_untar_into_a_directory(enabled: Session) -> None:
    flash = enabled.device.storage.flash
    flash.write("client.tar", make_tar({"info": b"version 15.2\n", "html/index.htm": b"<html/>"}))
    out = run(enabled, "vstack untar flash:client.tar flash:extracted")
    assert out == ["extracting extracted/info (13 bytes)", "extracting extracted/html/index.htm (7 bytes)"]
    assert flash.read("extracted/html/index.htm") == b"<html/>"


def test_untar_refuses_escapes_links_and_full_flash(enabled: Session) -> None:
    flash = enabled.device.storage.flash
    flash.write("evil.tar", make_tar({"../../etc/x": b"x"}))
    assert run(enabled, "vstack untar flash:evil.tar")[0].endswith("would leave the destination")
    link = tarfile.TarInfo("link")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    flash.write("link.tar", make_tar({"ok": b"1"}, link))
    assert "not a regular file" in run(enabled, "vstack untar flash:link.tar")[0]
    assert not flash.exists("ok")  # nothing written when any member is refused
    flash.write("big.tar", make_tar({"big": b"x" * 5000}))
    flash.capacity = flash.used() + 1000
    assert run(enabled, "vstack untar flash:big.tar") == [
        "%Error extracting flash:big.tar (Not enough space on device)"]
    assert not flash.exists("big")
    flash.write("junk.tar", b"not a tar")
    assert "is not a tar archive" in run(enabled, "vstack untar flash:junk.tar")[0]
