"""On-demand updates: ``vstack download-image`` and ``vstack download-config``.

Targets are one IP address (a client in the database or not), director-database
index lists (``1-3,4``), or every client of a built-in group. Each target gets
one ``ClientCommand`` through the backend and one record in the download list;
a target the backend cannot reach is recorded as failed, and said so.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from vstackcli.engine.backend import ClientCommand
from vstackcli.engine.director import ClientEntry
from vstackcli.engine.families import family_for_pid
from vstackcli.engine.groups import Assignment
from vstackcli.engine.imagelists import image_list_text
from vstackcli.grammar.values import FileUrl, IndexList, MacAddress

if TYPE_CHECKING:
    from vstackcli.engine.core import Director

__all__ = ["OnDemandError", "Request", "Target", "download", "resolve_targets"]


class OnDemandError(Exception):
    """The request cannot start at all (no such client, nothing configured...)."""


@dataclass(frozen=True)
class Target:
    ip: ipaddress.IPv4Address
    entry: ClientEntry | None


@dataclass(frozen=True)
class Request:
    kind: str  # image | config
    url: FileUrl | None  # None: the built-in group's file
    ip: ipaddress.IPv4Address | None = None
    indexes: IndexList | None = None
    builtin: tuple[str, str] | None = None
    password: str = ""
    override: bool = False
    reload: bool = False
    reload_in: tuple[int, int] | None = None
    issu: bool = False
    allow_reload: bool = False
    image_list_form: bool = False  # `download-image URL ...` names an image list, not a tar


def resolve_targets(director: Director, request: Request) -> list[Target]:
    db = director.db
    if request.ip is not None:
        return [Target(request.ip, db.by_ip(request.ip))]
    if request.indexes is not None:
        targets = []
        for index in request.indexes:
            entry = db.by_index(index)
            if entry is None or entry.stack_of is not None:
                raise OnDemandError(f"%Error: no client with index {index} in the director database")
            if entry.ip is None:
                raise OnDemandError(f"%Error: client {index} has no IP address yet")
            targets.append(Target(entry.ip, entry))
        return targets
    assert request.builtin is not None
    members = [c for c in db.clients if c.stack_of is None and c.ip is not None
               and family_for_pid(c.pid) == request.builtin]
    if not members:
        family, ports = request.builtin
        raise OnDemandError(f"%Error: no client of built-in group {family} {ports} in the director database")
    return [Target(c.ip, c) for c in members]


def _file(director: Director, request: Request) -> FileUrl:
    if request.url is not None:
        return request.url
    group = director.config.vstack.builtin_groups.get(request.builtin)
    url = getattr(group, request.kind, None) if group is not None else None
    if url is None:
        family, ports = request.builtin
        what = "image" if request.kind == "image" else "configuration"
        raise OnDemandError(f"%Error: no {what} is configured for built-in group {family} {ports}")
    return url


def download(director: Director, request: Request) -> list[str]:
    """Start the request on every target; return what the console prints."""
    url = _file(director, request)
    targets = resolve_targets(director, request)
    needs_password = [t for t in targets if t.entry is None or t.entry.device_type == "N"]
    if needs_password and request.password.lower() in ("", "none"):
        raise OnDemandError("%Error: a client that is not Smart Install capable needs its enable password")
    image_list = ""
    if request.kind == "image":
        if request.image_list_form:
            image_list = url.path
        else:
            assignment = Assignment("default", url, None, None)
            image_list = "vstack/imagelist_ondemand_" + re.sub(r"[^A-Za-z0-9_.-]", "_", url.path) + ".txt"
            director.write_file(_list_location(url, image_list), image_list_text(assignment).encode())
    now = director.device.clock.now()
    reload_at = now + timedelta(hours=request.reload_in[0], minutes=request.reload_in[1]) \
        if request.reload_in else None
    out = []
    for target in targets:
        mac = str(target.entry.mac) if target.entry else str(MacAddress(0))
        record = director.downloads.add(client_ip=target.ip, mac=mac, kind=request.kind, url=str(url),
                                        status="scheduled" if reload_at else "pending", when=now,
                                        reload_at=reload_at, on_demand=True)
        command = ClientCommand(request.kind, target.ip, str(url), image_list, request.password,
                                request.reload, request.reload_in, request.override, request.issu,
                                request.allow_reload)
        try:
            director.backend.send(command)
        except (ConnectionError, OSError) as exc:
            record.status, record.detail = "failed", str(exc)
            if target.entry is not None:
                setattr(target.entry, request.kind, "X" if request.kind == "image" else "x")
            out.append(f"%Error: {request.kind} download to {target.ip} failed: {exc}")
    return out


def _list_location(url: FileUrl, name: str) -> str:
    if url.is_local:
        return f"flash:{name}"
    return f"tftp://{url.host}/{name}"
