"""``<device root>/run/servers.json``: where a running director's servers listen, for ``vstackcli fleet``.

The director (``vstackcli`` with its servers) writes the file atomically once its
servers are up, rewrites it when they move (a pool added, TFTP started, the director
address changed) and removes it at exit. The fleet reads it with ``find_director``::

    {"format": 1, "pid": 4242, "root": "/home/me/.local/share/vstackcli/device",
     "flash": ".../flash", "director_ip": "192.168.1.1", "interface": null, "keepalive": 30.0,
     "dhcp": ["127.0.0.1", 40311], "tftp": ["127.0.0.1", 40312], "smi": ["127.0.0.1", 40313]}

A server that is not running is ``null``.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vstackcli.engine.storage import atomic_write

if TYPE_CHECKING:
    from vstackcli.net.live import LiveBackends

__all__ = ["DirectorServers", "ServersError", "ServersFile", "find_director", "servers_path"]

FORMAT = 1


class ServersError(RuntimeError):
    """No usable director: the message is one line for the user."""


def servers_path(root: Path) -> Path:
    return Path(root) / "run" / "servers.json"


def snapshot(live: LiveBackends) -> dict[str, object]:
    """What ``servers.json`` says about ``live`` now."""
    device = live.device
    endpoint = live.smi.endpoint
    director_ip = live.smi.desired.director_ip if live.smi.desired is not None else None
    return {
        "format": FORMAT,
        "pid": os.getpid(),
        "root": str(device.storage.root),
        "flash": str(device.storage.flash.root),
        "director_ip": str(director_ip) if director_ip is not None else None,
        "interface": live.dhcp.interface,
        "keepalive": device.director.keepalive,
        "dhcp": list(live.dhcp.address) if live.dhcp.address is not None else None,
        "tftp": list(live.tftp.address) if live.tftp.address is not None else None,
        "smi": [endpoint.host, endpoint.bound_port] if endpoint is not None else None,
    }


class ServersFile:
    """Keeps ``<root>/run/servers.json`` true while the director runs (``start``), and removes it (``close``)."""

    def __init__(self, root: Path, live: LiveBackends, interval: float = 0.5):
        self.path = servers_path(root)
        self.live = live
        self.interval = interval
        self._last: dict[str, object] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def write(self) -> None:
        """Write the file if what it says changed."""
        data = snapshot(self.live)
        if data != self._last:
            atomic_write(self.path, (json.dumps(data, indent=1) + "\n").encode())
            self._last = data

    def start(self) -> ServersFile:
        self.write()
        self._thread = threading.Thread(target=self._watch, name="vstackcli-servers-file", daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            with contextlib.suppress(Exception):  # a moved server is caught on the next round
                self.write()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
        with contextlib.suppress(OSError):
            self.path.unlink()


@dataclass(frozen=True)
class DirectorServers:
    """Where a fleet finds its director."""

    dhcp: tuple[str, int]
    tftp: tuple[str, int]
    smi: tuple[str, int]
    director_ip: str | None = None
    keepalive: float = 30.0
    flash: Path | None = None
    interface: str | None = None
    pid: int | None = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _endpoint(value: object) -> tuple[str, int] | None:
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], int):
        return value[0], value[1]
    return None


def find_director(root: Path) -> DirectorServers:
    """Read a running director's ``servers.json``; ServersError with one clear line when there is none."""
    path = servers_path(root)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ServersError(f"no director is running with device root {root} ({path} is missing): start "
                           f"`vstackcli --root {root}` first, or give --dhcp/--tftp/--smi") from None
    except (OSError, ValueError) as exc:
        raise ServersError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ServersError(f"{path} is not a servers file this vstackcli understands")
    pid = data.get("pid")
    if isinstance(pid, int) and not _alive(pid):
        raise ServersError(f"no director is running with device root {root}: {path} is left over from "
                           f"process {pid}, which has ended")
    dhcp, tftp, smi = (_endpoint(data.get(key)) for key in ("dhcp", "tftp", "smi"))
    missing = [label for label, value in (("DHCP (no `vstack dhcp-localserver` pool?)", dhcp),
                                          ("TFTP (no image or config in flash:?)", tftp),
                                          ("Smart Install (not a director: `vstack director` + `vstack basic`?)",
                                           smi)) if value is None]
    if missing:
        raise ServersError(f"the director with device root {root} does not run " + ", ".join(missing))
    keepalive = data.get("keepalive")
    flash = data.get("flash")
    return DirectorServers(dhcp, tftp, smi, data.get("director_ip"),  # type: ignore[arg-type]
                           float(keepalive) if isinstance(keepalive, int | float) else 30.0,
                           Path(flash) if isinstance(flash, str) else None, data.get("interface"),
                           pid if isinstance(pid, int) else None)
