"""What the director asks of its live backends, and a recording fake for tests.

The engine computes a ``DesiredState`` from the running-config after every
change (``Director.reconcile``) and hands it to the backend, which starts,
reconfigures or stops the DHCP, TFTP and Smart Install servers to match. On-demand
work goes out as ``ClientCommand``s. The live backends (issues 4-6) implement
``Backend``; ``RecordingBackend`` records what it was told.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from vstackcli.grammar.values import VlanList

__all__ = ["Backend", "ClientCommand", "DesiredState", "FileTransfers", "PoolSpec", "ProgressHook", "RecordingBackend"]


@dataclass(frozen=True)
class PoolSpec:
    """A DHCP pool the director serves: a Smart Install pool or an IOS ``ip dhcp pool``."""

    name: str
    network: ipaddress.IPv4Network
    routers: tuple[ipaddress.IPv4Address, ...] = ()
    tftp_servers: tuple[ipaddress.IPv4Address, ...] = ()
    bootfile: str = ""
    remember: bool = False
    smart_install: bool = False


@dataclass(frozen=True)
class DesiredState:
    """Everything the backends must run, derived from the configuration alone."""

    director_ip: ipaddress.IPv4Address | None = None  # None: not a director, Smart Install port closed
    smi_port_open: bool = False  # TCP 4786 (clients listen too while Smart Install is enabled)
    pools: tuple[PoolSpec, ...] = ()
    snooping_vlans: VlanList = field(default_factory=VlanList)
    tftp_serving: bool = False  # flash: served over TFTP (files on flash: are configured)
    proxy: bool = False


@dataclass(frozen=True)
class ClientCommand:
    """An on-demand action for one client over the Smart Install protocol.

    ``kind``: ``image`` (type 2, through ``image_list``), ``config`` (type 3),
    ``backup`` (type 8 ``copy`` towards the director's TFTP), ``script`` (type 5: the post-install file).
    """

    kind: str
    client_ip: ipaddress.IPv4Address
    url: str
    image_list: str = ""
    password: str = ""
    reload: bool = False
    reload_in: tuple[int, int] | None = None
    override: bool = False
    issu: bool = False
    allow_reload: bool = False


class Backend(Protocol):
    def apply(self, desired: DesiredState) -> None: ...

    def send(self, command: ClientCommand) -> None: ...


ProgressHook = Callable[[int, "int | None"], None]  # (bytes done, total size or None), as a transfer runs


class FileTransfers(Protocol):
    """The director as TFTP client (``copy tftp://...``, external repositories); the net layer provides it.

    ``get`` and ``put`` raise ``OSError`` when the transfer fails, its ``str()`` the reason IOS prints."""

    def get(self, url: str) -> bytes: ...

    def put(self, url: str, data: bytes) -> None: ...

    def copy_in(self, url: str, fs: object, dest: str, progress: ProgressHook | None = None
                ) -> tuple[list[str], bool]: ...

    def copy_out(self, fs: object, src: str, url: str, progress: ProgressHook | None = None
                 ) -> tuple[list[str], bool]: ...


class RecordingBackend:
    """Records every state applied and every command sent; tests assert on them."""

    def __init__(self) -> None:
        self.states: list[DesiredState] = []
        self.commands: list[ClientCommand] = []

    @property
    def current(self) -> DesiredState | None:
        return self.states[-1] if self.states else None

    def apply(self, desired: DesiredState) -> None:
        self.states.append(desired)

    def send(self, command: ClientCommand) -> None:
        self.commands.append(command)


class OfflineBackend(RecordingBackend):
    """The backend until the live servers exist: it records, and it cannot reach clients."""

    def send(self, command: ClientCommand) -> None:
        raise ConnectionError("the Smart Install protocol backend is not running")
