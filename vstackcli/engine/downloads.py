"""The image and configuration download list behind ``show vstack download-status``.

Each zero-touch or on-demand download of an image or a configuration is one
record, numbered from 1, until ``clear vstack download-list [entry N]``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime

__all__ = ["DownloadList", "DownloadRecord"]

STATUS_TEXT = {"scheduled": "Scheduled", "pending": "Pending", "in progress": "In Progress",
               "done": "Success", "failed": "Failed"}


@dataclass
class DownloadRecord:
    index: int
    client_ip: ipaddress.IPv4Address | None
    mac: str
    kind: str  # "image" or "config"
    url: str
    status: str  # scheduled | pending | in progress | done | failed
    when: datetime
    reload_at: datetime | None = None
    on_demand: bool = False
    detail: str = ""


class DownloadList:
    def __init__(self) -> None:
        self.records: list[DownloadRecord] = []
        self._next = 1

    def add(self, **fields: object) -> DownloadRecord:
        record = DownloadRecord(index=self._next, **fields)  # type: ignore[arg-type]
        self._next = self._next % 255 + 1
        self.records = [r for r in self.records if r.index != record.index]
        self.records.append(record)
        return record

    def clear(self, index: int | None = None) -> bool:
        if index is None:
            self.records.clear()
            return True
        before = len(self.records)
        self.records = [r for r in self.records if r.index != index]
        return len(self.records) != before

    def latest(self, mac: str, kind: str) -> DownloadRecord | None:
        for record in reversed(self.records):
            if record.mac == mac and record.kind == kind:
                return record
        return None

    def render(self, detail: bool = False) -> list[str]:
        if not self.records:
            return ["No download requests in the download list"]
        lines = [
            "Entry IP_addr         MAC Address    Type   Status      File",
            "===== =============== ============== ====== =========== ==============================",
        ]
        for r in self.records:
            ip = str(r.client_ip) if r.client_ip else "0.0.0.0"
            lines.append(f"{r.index:<5} {ip:<15} {r.mac:<14} {r.kind:<6} {STATUS_TEXT[r.status]:<11} {r.url}")
            if detail:
                when = f"{r.when:%H:%M:%S UTC %a %b} {r.when.day} {r.when.year}"
                lines.append(f"      {'on-demand' if r.on_demand else 'zero-touch'} since {when}")
                if r.reload_at is not None:
                    lines.append(f"      reload at {r.reload_at:%H:%M:%S UTC %a %b} {r.reload_at.day}")
                if r.detail:
                    lines.append(f"      {r.detail}")
        return lines
