"""What the TFTP server's parts share: limits, per-transfer statistics, the write policy."""

from __future__ import annotations

import logging
import struct
import time
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from vstackcli.net.tftp import packets as P

__all__ = ["TransferStats", "WritePolicy"]

log = logging.getLogger("vstackcli.net.tftp")

_HDR = struct.Struct("!HH")
_ACK = bytes((0, P.ACK))
MIN_BLKSIZE, MAX_BLKSIZE = 8, 65464
DEFAULT_BLKSIZE = 512
SCAN_INTERVAL = 0.05
BUSY_POLL_SESSIONS = 2  # busy-poll only while this few transfers run (more keep the loop busy anyway)
BATCH_AFTER = 2  # downloads beyond this many transfers share the first loop's batched socket (mmsg.py)
BUSY_POLL_BACKOFF = 1024  # at most this many blocking waits between two busy-polls that found nothing
CHUNK_BYTES = 1 << 16  # a download of a file the cache does not take reads this much at a time


@dataclass
class TransferStats:
    """What one transfer did; handed to the server's ``on_transfer`` callback when it ends."""

    peer: tuple[str, int]
    path: str
    direction: str  # "read" or "write"
    mode: str = "octet"
    bytes: int = 0
    size: int | None = None  # the whole file (read) or the announced tsize (write)
    blksize: int = DEFAULT_BLKSIZE
    windowsize: int = 1
    timeout: float = 1.0
    options: dict[str, str] = field(default_factory=dict)  # what the OACK carried
    retransmits: int = 0  # blocks (read) or ACKs (write) sent again
    duplicates: int = 0  # stale ACKs (read) or DATA blocks out of order or repeated (write)
    error: str | None = None  # None on success
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class WritePolicy:
    """Where uploads may land: directories relative to the served root ("" is the root itself).

    Nested directories below an allowed one are allowed too; everything else is refused with
    "Access violation". ``overwrite`` lets a backup replace the file of the same name.
    """

    directories: tuple[str, ...] = ("vstack",)
    overwrite: bool = True

    def allows(self, relative: PurePosixPath) -> bool:
        for d in self.directories:
            base = PurePosixPath(d.strip("/")) if d.strip("/") else PurePosixPath(".")
            if base == PurePosixPath(".") or base == relative.parent or base in relative.parents:
                return True
        return False


class _Refuse(Exception):
    def __init__(self, code: int, reason: str, message: str | None = None):
        super().__init__(reason)
        self.code, self.reason, self.message = code, reason, message
