"""Client configuration backups: the ``HostnameMAC address.rev1/.rev2`` files.

The guide ("Backing Up the Client Configuration", "Managing Client Configuration
Files"): every ``write memory`` on a client (and every director boot) sends the
client's startup configuration to the director, which keeps two revisions,
``<hostname><mac>.rev1`` and ``<hostname><mac>.rev2`` (the most recent), in
``flash:/vstack`` or in the repository of ``vstack backup file-server URL``.

Decisions where the guide is silent:

* File names join the client's hostname and its MAC exactly as IOS prints it,
  with nothing between: ``Switch1`` + ``001b.d576.2500`` ->
  ``Switch1001b.d576.2500.rev2``. The MAC is the one the director database
  lists for the client (its base MAC), not the Vlan1 MAC of its DHCP request.
* The first backup creates ``.rev2`` only; each later one moves the old
  ``.rev2`` content to ``.rev1`` and writes the new one as ``.rev2``.
* Repository: ``flash:/vstack`` by default; with ``vstack backup file-server
  URL`` the files go straight into the URL's path (``tftp://h/backups`` ->
  ``backups/``, an empty path -> the server's root). ``repository()`` maps the
  config to a ``Repository``; the engine picks the sink (``flash:`` or a TFTP
  client) and passes ``Repository.local``.
* A hostname change writes nothing by itself. At the client's next backup the
  new pair is created under the new hostname, history carried over (new
  ``.rev1`` = the old name's ``.rev2``, new ``.rev2`` = this backup); then the
  mapping MAC -> hostname moves to the new name. On a local repository the old
  pair is deleted; on a third-party (remote) one it is left, as the guide says.
* The mapping MAC -> hostname lives in memory (``BackupStore.mapping``; pass
  ``mapping=`` to restore it after a restart). With no mapping for a MAC, files
  already present under the same hostname and MAC are rotated as usual.
* ``no vstack backup``: the store has an ``enabled`` flag (mutable). When it is
  off ``store()`` and ``backup()`` write nothing, log nothing and return None;
  the engine need not check it too, but may.
* Failures: every change of one backup is undone when any write fails (a full
  flash, a TFTP error), so the previous ``.rev1``/``.rev2`` stay as they were;
  ``FileSystem.write`` is atomic, so no half or temporary file is left. Sinks
  with a ``free()`` method are checked for room first. ``store()`` raises
  ``BackupError`` with the IOS reason (``Not enough space on device``);
  ``backup()`` logs ``SMI_DIRECTOR_BACKUP_FAILURE`` with it.
* Messages: SMI_CLIENT_BACKUP_SUCCESS has no fields in the guide's text (both
  variants read the same), so the IP and repository only appear on failure.
* Loss of connection ("the files associated with the last write memory command
  event are backed up"): ``PendingBackups`` keeps the last backup per client
  until the engine can retry it.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from vstackcli.engine.messages import smi
from vstackcli.engine.storage import StorageError
from vstackcli.engine.syslog import LogMessage, SystemLog
from vstackcli.grammar.values import FileUrl, MacAddress

__all__ = [
    "DEFAULT_DIRECTORY",
    "DEFAULT_LABEL",
    "BackupError",
    "BackupOutcome",
    "BackupStore",
    "FileSink",
    "PendingBackup",
    "PendingBackups",
    "Repository",
    "backup_names",
    "record_backup",
    "repository",
]

DEFAULT_DIRECTORY = "vstack"
DEFAULT_LABEL = "flash:/vstack"


@runtime_checkable
class FileSink(Protocol):
    """Where backup files live: ``flash:`` (a ``FileSystem``) or a remote TFTP repository.

    Failures are raised as ``StorageError`` (or ``OSError``); ``write`` must be
    atomic per file (the old file whole, or the new one).
    """

    def read(self, name: str) -> bytes: ...

    def write(self, name: str, data: bytes) -> None: ...

    def delete(self, name: str) -> None: ...

    def exists(self, name: str) -> bool: ...


@dataclass(frozen=True)
class Repository:
    """A backup repository: the directory on its sink, whether it is the director's own, and its name in messages."""

    directory: str
    local: bool
    label: str


def repository(file_server: FileUrl | None) -> Repository:
    """The repository of ``vstack backup file-server URL`` (None: the default ``flash:/vstack``)."""
    if file_server is None:
        return Repository(DEFAULT_DIRECTORY, True, DEFAULT_LABEL)
    return Repository(file_server.path.strip("/"), file_server.is_local, str(file_server))


class BackupError(Exception):
    """A backup that did not happen; nothing was changed. ``reason`` goes into the failure message."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class BackupOutcome:
    ok: bool
    path: str | None  # the .rev2 written, on success
    reason: str = ""


def backup_names(hostname: str, mac: MacAddress) -> tuple[str, str]:
    """``(<hostname><mac>.rev1, <hostname><mac>.rev2)``, e.g. ``Switch1001b.d576.2500.rev2``."""
    return f"{hostname}{mac}.rev1", f"{hostname}{mac}.rev2"


def record_backup(log: SystemLog, ok: bool, client_ip: object, repository: str, reason: str = "") -> LogMessage:
    """Log the director's backup outcome for one client."""
    if ok:
        return smi(log, "SMI_CLIENT_BACKUP_SUCCESS")
    return smi(log, "SMI_DIRECTOR_BACKUP_FAILURE", inet=client_ip, repository=repository, reason=reason)


_REASON = re.compile(r"\(([^()]+)\)\s*$")


def _reason(exc: BaseException) -> str:
    """``%Error copying flash:x (Not enough space on device)`` -> ``Not enough space on device``."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).strip()
    m = _REASON.search(text)
    return m.group(1) if m else (text or type(exc).__name__)


_BAD_HOSTNAME = re.compile(r"[\s/\\]")


class BackupStore:
    """The backup files of all clients in one repository."""

    def __init__(self, sink: FileSink, *, local: bool, directory: str = DEFAULT_DIRECTORY, label: str | None = None,
                 enabled: bool = True, mapping: dict[MacAddress, str] | None = None):
        self.sink = sink
        self.local = local
        self.directory = directory.strip("/")
        if label is None:  # a FileSystem names itself: flash: + /vstack
            label = f"{sink.name}/{self.directory}" if isinstance(getattr(sink, "name", None), str) else self.directory
        self.label = label
        self.enabled = enabled
        self._mapping: dict[MacAddress, str] = dict(mapping or {})

    @classmethod
    def for_repository(cls, sink: FileSink, repo: Repository, *, enabled: bool = True,
                       mapping: dict[MacAddress, str] | None = None) -> BackupStore:
        return cls(sink, local=repo.local, directory=repo.directory, label=repo.label, enabled=enabled,
                   mapping=mapping)

    # -- names --------------------------------------------------------------

    def path(self, name: str) -> str:
        return f"{self.directory}/{name}" if self.directory else name

    def paths(self, hostname: str, mac: MacAddress) -> tuple[str, str]:
        """The sink paths of a client's ``.rev1`` and ``.rev2``."""
        rev1, rev2 = backup_names(hostname, mac)
        return self.path(rev1), self.path(rev2)

    @property
    def mapping(self) -> dict[MacAddress, str]:
        """MAC -> the hostname its current backup files are named after (a copy)."""
        return dict(self._mapping)

    def hostname_of(self, mac: MacAddress) -> str | None:
        return self._mapping.get(mac)

    # -- reading ------------------------------------------------------------

    def _read(self, name: str) -> bytes | None:
        """A file's content, None when it does not exist; failures raise."""
        if not self.sink.exists(name):
            return None
        return self.sink.read(name)

    def files(self, mac: MacAddress) -> list[str]:
        """The client's existing backup files (``.rev1`` first), as sink paths; [] when unknown."""
        hostname = self._mapping.get(mac)
        if hostname is None:
            return []
        result = []
        for name in self.paths(hostname, mac):
            with contextlib.suppress(StorageError, OSError):
                if self.sink.exists(name):
                    result.append(name)
        return result

    def latest(self, mac: MacAddress) -> bytes | None:
        """The client's last backed-up configuration (its ``.rev2``); None when missing or unreadable."""
        hostname = self._mapping.get(mac)
        if hostname is None:
            return None
        try:
            return self._read(self.paths(hostname, mac)[1])
        except (StorageError, OSError):
            return None

    # -- writing ------------------------------------------------------------

    def store(self, hostname: str, mac: MacAddress, data: bytes) -> str | None:
        """Back up one configuration; returns the ``.rev2`` path, or None when backup is disabled.

        Raises ``BackupError`` with nothing changed when a file cannot be read or written.
        """
        if not self.enabled:
            return None
        if not hostname or hostname.startswith(".") or _BAD_HOSTNAME.search(hostname):
            raise BackupError(f"invalid hostname {hostname!r}")
        old_hostname = self._mapping.get(mac, hostname)
        old_rev2 = self.paths(old_hostname, mac)[1]
        rev1, rev2 = self.paths(hostname, mac)
        try:
            previous = self._read(old_rev2)
            writes = ([(rev1, previous)] if previous is not None else []) + [(rev2, data)]
            before = {name: self._read(name) for name, _ in writes}
        except (StorageError, OSError) as exc:
            raise BackupError(_reason(exc)) from exc
        # A write that shrinks its file goes first, so the room check below is exact; ties keep .rev1 first.
        writes.sort(key=lambda w: len(w[1]) - len(before[w[0]] or b""))
        self._check_room(writes, before)
        done: list[str] = []
        try:
            for name, content in writes:
                self.sink.write(name, content)
                done.append(name)
        except (StorageError, OSError) as exc:
            self._undo(done, before)
            raise BackupError(_reason(exc)) from exc
        if old_hostname != hostname and self.local:
            for name in self.paths(old_hostname, mac):
                with contextlib.suppress(StorageError, OSError):
                    if self.sink.exists(name):
                        self.sink.delete(name)
        self._mapping[mac] = hostname
        return rev2

    def _check_room(self, writes: list[tuple[str, bytes]], before: dict[str, bytes | None]) -> None:
        free = getattr(self.sink, "free", None)
        if not callable(free):
            return
        need = sum(len(content) - len(before[name] or b"") for name, content in writes)
        if need > free():
            raise BackupError("Not enough space on device")

    def _undo(self, done: list[str], before: dict[str, bytes | None]) -> None:
        for name in reversed(done):
            with contextlib.suppress(StorageError, OSError):
                old = before[name]
                if old is None:
                    self.sink.delete(name)
                else:
                    self.sink.write(name, old)

    def backup(self, log: SystemLog, hostname: str, mac: MacAddress, client_ip: object,
               data: bytes) -> BackupOutcome | None:
        """``store()`` and log the outcome; None (and no message) when backup is disabled."""
        if not self.enabled:
            return None
        try:
            path = self.store(hostname, mac, data)
        except BackupError as exc:
            record_backup(log, False, client_ip, self.label, exc.reason)
            return BackupOutcome(False, None, exc.reason)
        record_backup(log, True, client_ip, self.label)
        return BackupOutcome(True, path)


@dataclass(frozen=True)
class PendingBackup:
    hostname: str
    mac: MacAddress
    client_ip: object
    data: bytes


class PendingBackups:
    """Backups that failed for loss of connection, one per client: the last ``write memory`` wins."""

    def __init__(self) -> None:
        self._pending: dict[MacAddress, PendingBackup] = {}

    def hold(self, hostname: str, mac: MacAddress, client_ip: object, data: bytes) -> None:
        self._pending[mac] = PendingBackup(hostname, mac, client_ip, data)

    def take(self, mac: MacAddress) -> PendingBackup | None:
        """The backup to retry once the client is reachable again, removed from the list."""
        return self._pending.pop(mac, None)

    def __contains__(self, mac: object) -> bool:
        return mac in self._pending

    def __len__(self) -> int:
        return len(self._pending)
