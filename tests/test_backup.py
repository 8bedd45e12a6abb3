"""Client configuration backups: rev1/rev2 rotation, hostname changes, failures and their messages."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import pytest

from vstackcli.engine.backup import (
    BackupError,
    BackupStore,
    PendingBackups,
    backup_names,
    record_backup,
    repository,
)
from vstackcli.engine.clock import FakeClock
from vstackcli.engine.storage import FileSystem, FlashFull, StorageError
from vstackcli.engine.syslog import SystemLog
from vstackcli.grammar.values import FileUrl, MacAddress

MAC = MacAddress.parse("001b.d576.2500")
OTHER = MacAddress.parse("0016.4779.b780")
IP = ipaddress.IPv4Address("172.20.249.91")


class MemorySink:
    """A remote (TFTP) repository: a dict of files; it may fail on the n-th write."""

    def __init__(self, fail_on_write: int | None = None):
        self.files: dict[str, bytes] = {}
        self.writes = 0
        self.fail_on_write = fail_on_write

    def read(self, name: str) -> bytes:
        if name not in self.files:
            raise StorageError(f"%Error opening tftp://{name} (No such file or directory)")
        return self.files[name]

    def write(self, name: str, data: bytes) -> None:
        self.writes += 1
        if self.fail_on_write == self.writes:
            raise StorageError(f"%Error writing tftp://{name} (Timed out)")
        self.files[name] = data

    def delete(self, name: str) -> None:
        del self.files[name]

    def exists(self, name: str) -> bool:
        return name in self.files


@pytest.fixture
def flash(tmp_path: Path) -> FileSystem:
    return FileSystem("flash:", tmp_path / "flash", 1_000_000)


@pytest.fixture
def log() -> SystemLog:
    return SystemLog(FakeClock())


def last(log: SystemLog) -> str:
    return log.buffer[-1].format(timestamps=False)


def all_files(root: Path) -> list[str]:
    return sorted(str(Path(d, f).relative_to(root)) for d, _, fs in os.walk(root) for f in fs)


def test_names_join_hostname_and_dotted_mac():
    assert backup_names("Switch1", MAC) == ("Switch1001b.d576.2500.rev1", "Switch1001b.d576.2500.rev2")


def test_rotation_across_three_backups(flash: FileSystem):
    store = BackupStore(flash, local=True)
    assert store.store("Switch1", MAC, b"one") == "vstack/Switch1001b.d576.2500.rev2"
    assert flash.read("vstack/Switch1001b.d576.2500.rev2") == b"one"
    assert not flash.exists("vstack/Switch1001b.d576.2500.rev1")
    assert store.files(MAC) == ["vstack/Switch1001b.d576.2500.rev2"]

    store.store("Switch1", MAC, b"two")
    assert flash.read("vstack/Switch1001b.d576.2500.rev1") == b"one"
    assert flash.read("vstack/Switch1001b.d576.2500.rev2") == b"two"

    store.store("Switch1", MAC, b"three")
    assert flash.read("vstack/Switch1001b.d576.2500.rev1") == b"two"
    assert flash.read("vstack/Switch1001b.d576.2500.rev2") == b"three"
    assert store.latest(MAC) == b"three"
    assert store.files(MAC) == ["vstack/Switch1001b.d576.2500.rev1", "vstack/Switch1001b.d576.2500.rev2"]
    assert all_files(flash.root) == ["vstack/Switch1001b.d576.2500.rev1", "vstack/Switch1001b.d576.2500.rev2"]


def test_clients_are_kept_apart(flash: FileSystem):
    store = BackupStore(flash, local=True)
    store.store("Switch1", MAC, b"a")
    store.store("Switch2", OTHER, b"b")
    assert store.latest(MAC) == b"a"
    assert store.latest(OTHER) == b"b"
    assert store.latest(MacAddress.parse("0000.0000.0001")) is None
    assert store.files(MacAddress.parse("0000.0000.0001")) == []


def test_hostname_change_on_flash_deletes_old_pair(flash: FileSystem):
    store = BackupStore(flash, local=True)
    store.store("Switch1", MAC, b"one")
    store.store("Switch1", MAC, b"two")
    store.store("Access7", MAC, b"three")
    assert all_files(flash.root) == ["vstack/Access7001b.d576.2500.rev1", "vstack/Access7001b.d576.2500.rev2"]
    assert flash.read("vstack/Access7001b.d576.2500.rev1") == b"two"
    assert flash.read("vstack/Access7001b.d576.2500.rev2") == b"three"
    assert store.mapping == {MAC: "Access7"}
    assert store.latest(MAC) == b"three"


def test_hostname_change_on_remote_repository_keeps_old_pair():
    sink = MemorySink()
    store = BackupStore.for_repository(sink, repository(FileUrl.parse("tftp://10.1.1.1/backups")))
    assert store.label == "tftp://10.1.1.1/backups"
    store.store("Switch1", MAC, b"one")
    store.store("Switch1", MAC, b"two")
    assert store.store("Access7", MAC, b"three") == "backups/Access7001b.d576.2500.rev2"
    assert sink.files == {
        "backups/Switch1001b.d576.2500.rev1": b"one",
        "backups/Switch1001b.d576.2500.rev2": b"two",
        "backups/Access7001b.d576.2500.rev1": b"two",
        "backups/Access7001b.d576.2500.rev2": b"three",
    }
    assert store.hostname_of(MAC) == "Access7"
    assert store.files(MAC) == ["backups/Access7001b.d576.2500.rev1", "backups/Access7001b.d576.2500.rev2"]


def test_hostname_change_alone_writes_nothing(flash: FileSystem):
    """Nothing to call: the store learns the new hostname only from the next backup."""
    store = BackupStore(flash, local=True)
    store.store("Switch1", MAC, b"one")
    assert store.hostname_of(MAC) == "Switch1"
    assert all_files(flash.root) == ["vstack/Switch1001b.d576.2500.rev2"]


def test_mapping_restored_after_restart(flash: FileSystem):
    BackupStore(flash, local=True).store("Switch1", MAC, b"one")
    again = BackupStore(flash, local=True, mapping={MAC: "Switch1"})
    assert again.latest(MAC) == b"one"
    # Without the mapping, a backup under the same hostname still rotates the files found.
    fresh = BackupStore(flash, local=True)
    fresh.store("Switch1", MAC, b"two")
    assert flash.read("vstack/Switch1001b.d576.2500.rev1") == b"one"


def test_disabled_stores_nothing_and_logs_nothing(flash: FileSystem, log: SystemLog):
    store = BackupStore(flash, local=True, enabled=False)
    assert store.store("Switch1", MAC, b"one") is None
    assert store.backup(log, "Switch1", MAC, IP, b"one") is None
    assert all_files(flash.root) == []
    assert log.logged == 0
    store.enabled = True
    assert store.backup(log, "Switch1", MAC, IP, b"one").ok


def test_full_flash_keeps_previous_files_and_leaves_no_temp(tmp_path: Path, log: SystemLog):
    flash = FileSystem("flash:", tmp_path / "flash", 100)
    store = BackupStore(flash, local=True)
    store.store("Switch1", MAC, b"a" * 40)
    store.store("Switch1", MAC, b"b" * 40)
    with pytest.raises(BackupError) as err:
        store.store("Switch1", MAC, b"c" * 70)
    assert err.value.reason == "Not enough space on device"
    assert flash.read("vstack/Switch1001b.d576.2500.rev1") == b"a" * 40
    assert flash.read("vstack/Switch1001b.d576.2500.rev2") == b"b" * 40
    assert all_files(flash.root) == ["vstack/Switch1001b.d576.2500.rev1", "vstack/Switch1001b.d576.2500.rev2"]

    outcome = store.backup(log, "Switch1", MAC, IP, b"c" * 70)
    assert outcome is not None
    assert (outcome.ok, outcome.path, outcome.reason) == (False, None, "Not enough space on device")
    assert last(log) == ("%SMI-3-SMI_DIRECTOR_BACKUP_FAILURE: Client Device (172.20.249.91) startup configuration "
                         "backup fail on repository: flash:/vstack - reason: Not enough space on device")
    assert store.latest(MAC) == b"b" * 40


def test_shrinking_write_goes_first_so_tight_flash_still_rotates(tmp_path: Path):
    flash = FileSystem("flash:", tmp_path / "flash", 100)
    store = BackupStore(flash, local=True)
    store.store("S", MAC, b"a" * 10)
    store.store("S", MAC, b"b" * 60)  # rev1 10, rev2 60: 30 free
    store.store("S", MAC, b"c" * 10)  # rev1 grows by 50, rev2 shrinks by 50
    assert flash.read("vstack/S001b.d576.2500.rev1") == b"b" * 60
    assert flash.read("vstack/S001b.d576.2500.rev2") == b"c" * 10


def test_flash_full_from_the_write_itself_is_undone(tmp_path: Path):
    """A sink without free(): the failure comes from write(), and the first write is rolled back."""

    class NoFree:
        def __init__(self, fs: FileSystem):
            self.fs = fs
            self.read, self.delete, self.exists = fs.read, fs.delete, fs.exists

        def write(self, name: str, data: bytes) -> None:
            self.fs.write(name, data)

    flash = FileSystem("flash:", tmp_path / "flash", 100)
    store = BackupStore(NoFree(flash), local=True, label="flash:/vstack")
    store.store("S", MAC, b"a" * 10)
    store.store("S", MAC, b"b" * 30)  # rev1 10, rev2 30: 60 free
    with pytest.raises(BackupError, match="Not enough space on device"):
        store.store("S", MAC, b"c" * 95)  # rev1 grows by 20 (done), then rev2 needs 65 more
    assert flash.read("vstack/S001b.d576.2500.rev1") == b"a" * 10
    assert flash.read("vstack/S001b.d576.2500.rev2") == b"b" * 30
    assert all_files(flash.root) == ["vstack/S001b.d576.2500.rev1", "vstack/S001b.d576.2500.rev2"]
    assert isinstance(FlashFull("x"), StorageError)


def test_remote_failure_rolls_back_and_keeps_mapping():
    sink = MemorySink()
    store = BackupStore(sink, local=False, directory="", label="tftp://10.1.1.1/")
    store.store("Switch1", MAC, b"one")
    store.store("Switch1", MAC, b"two")
    sink.fail_on_write = sink.writes + 2  # the rotation's second write fails
    with pytest.raises(BackupError) as err:
        store.store("Access7", MAC, b"three")
    assert err.value.reason == "Timed out"
    assert sink.files == {"Switch1001b.d576.2500.rev1": b"one", "Switch1001b.d576.2500.rev2": b"two"}
    assert store.hostname_of(MAC) == "Switch1"


def test_success_message(flash: FileSystem, log: SystemLog):
    outcome = BackupStore(flash, local=True).backup(log, "Switch1", MAC, IP, b"cfg")
    assert outcome is not None and outcome.ok
    assert outcome.path == "vstack/Switch1001b.d576.2500.rev2"
    assert last(log) == "%SMI-6-SMI_CLIENT_BACKUP_SUCCESS: Client Device startup configuration backup successful on " \
                        "repository"


def test_record_backup_messages(log: SystemLog):
    record_backup(log, True, IP, "flash:/vstack")
    assert last(log) == ("%SMI-6-SMI_CLIENT_BACKUP_SUCCESS: Client Device startup configuration backup successful "
                         "on repository")
    record_backup(log, False, IP, "tftp://10.1.1.1/backups", "Timed out")
    assert last(log) == ("%SMI-3-SMI_DIRECTOR_BACKUP_FAILURE: Client Device (172.20.249.91) startup configuration "
                         "backup fail on repository: tftp://10.1.1.1/backups - reason: Timed out")


@pytest.mark.parametrize("hostname", ["", "a/b", "a b", "..x"])
def test_bad_hostname_is_a_failure(flash: FileSystem, hostname: str):
    with pytest.raises(BackupError):
        BackupStore(flash, local=True).store(hostname, MAC, b"x")
    assert all_files(flash.root) == []


def test_repository_from_config():
    default = repository(None)
    assert (default.directory, default.local, default.label) == ("vstack", True, "flash:/vstack")
    local = repository(FileUrl.parse("flash:/backups/"))
    assert (local.directory, local.local) == ("backups", True)
    remote = repository(FileUrl.parse("tftp://10.1.1.1/"))
    assert (remote.directory, remote.local) == ("", False)


def test_deleted_rev2_means_no_latest(flash: FileSystem):
    store = BackupStore(flash, local=True)
    store.store("Switch1", MAC, b"one")
    flash.delete("vstack/Switch1001b.d576.2500.rev2")
    assert store.latest(MAC) is None


def test_pending_backups_keep_the_last_write_memory():
    pending = PendingBackups()
    pending.hold("Switch1", MAC, IP, b"first")
    pending.hold("Switch1", MAC, IP, b"second")
    assert MAC in pending and len(pending) == 1
    held = pending.take(MAC)
    assert held is not None and held.data == b"second"
    assert pending.take(MAC) is None
