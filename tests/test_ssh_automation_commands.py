"""The exec commands automation runs around SCP transfers and merges (netmiko's FileTransfer, napalm's ios
driver), at a console session: dir of one file, verify /md5, file prompt quiet, copy FILE running-config,
show archive, show archive config incremental-diffs, show hosts."""

from __future__ import annotations

import hashlib

from conftest import run

from vstackcli.modes.automation import incremental_diffs

MERGE = b"vstack director 10.1.1.1\nvstack basic\ninterface Vlan1\n ip address 10.1.1.1 255.255.255.0\nend\n"


def test_dir_of_one_file_and_its_md5(device, enabled) -> None:
    device.storage.flash.write("merge_config.txt", MERGE)
    out = run(enabled, "dir flash:/merge_config.txt")
    assert out[0] == "Directory of flash:/merge_config.txt"
    assert out[2].split()[2] == str(len(MERGE)) and out[2].endswith("  merge_config.txt")
    assert out[-1].startswith("57931776 bytes total (")
    assert "No such file or directory" in run(enabled, "dir flash:/missing.txt")[0]
    digest = hashlib.md5(MERGE, usedforsecurity=False).hexdigest()
    assert run(enabled, "verify /md5 flash:/merge_config.txt")[1] == \
        f"verify /md5 (flash:merge_config.txt) = {digest}"


def test_copy_a_bare_file_name_into_the_running_config(device, enabled) -> None:
    device.storage.flash.write("merge.txt", MERGE)
    reply = enabled.execute("copy merge.txt running-config")
    assert reply.question is not None and reply.question.prompt == "Destination filename [running-config]? "
    assert enabled.execute("").lines[-1].startswith(f"{len(MERGE)} bytes copied in ")
    assert str(device.config.vstack.director) == "10.1.1.1"


def test_file_prompt_quiet_asks_nothing(device, enabled) -> None:
    device.storage.flash.write("merge.txt", MERGE)
    run(enabled, "configure terminal", "file prompt quiet", "end")
    reply = enabled.execute("copy flash:/merge.txt running-config")
    assert reply.question is None and reply.lines[-1].startswith(f"{len(MERGE)} bytes copied in ")
    reply = enabled.execute("copy running-config flash:/merge.txt")  # overwrites without [confirm]
    assert reply.question is None
    assert device.storage.flash.read("merge.txt").startswith(b"!")


def test_show_archive_and_incremental_diffs(device, enabled) -> None:
    assert run(enabled, "show archive") == ["%Archive feature not enabled"]
    device.storage.flash.write("merge.txt", MERGE)
    assert run(enabled, "show archive config incremental-diffs flash:merge.txt ignorecase") == [
        "!List of Commands:", "vstack director 10.1.1.1", "vstack basic", "interface Vlan1",
        " ip address 10.1.1.1 255.255.255.0", "end"]
    run(enabled, "copy flash:merge.txt running-config", "")
    assert run(enabled, "show archive config incremental-diffs flash:merge.txt") == [
        "!List of Commands:", "end", "!No changes were found"]


def test_incremental_diffs_keep_the_block_a_child_belongs_to() -> None:
    running = "interface Vlan1\n ip address 10.0.0.1 255.0.0.0\n!\nhostname A\n"
    candidate = "hostname a\ninterface Vlan1\n ip address 10.0.0.1 255.0.0.0\n description new\n"
    assert incremental_diffs(candidate, running, ignorecase=True) == ["interface Vlan1", " description new"]
    assert incremental_diffs(candidate, running) == ["hostname a", "interface Vlan1", " description new"]


def test_show_hosts_gives_the_domain(device, enabled) -> None:
    assert run(enabled, "show hosts")[0] == "Default domain is not set"
    run(enabled, "configure terminal", "ip domain-name lab.example", "end")
    assert run(enabled, "show hosts")[0] == "Default domain is lab.example"
