"""The live backends of a running director: Smart Install (TCP 4786), DHCP, TFTP and SSH, as the engine asks.

``LiveBackends.start(device)`` gives the director a backend that opens, moves and
closes the servers whenever ``Director.reconcile`` hands it a new ``DesiredState``.
By default everything listens on loopback on free unprivileged ports, so the
shell's plain start needs no privileges; with ``interface`` (as root, or inside
a network namespace) DHCP serves that interface on port 67 and Smart Install
listens on the director's address, port 4786.

The engine is not thread-safe: every call into it from a server thread holds
``Device.lock``, as the shell does.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TypeVar

from vstackcli.engine.backend import ClientCommand, DesiredState
from vstackcli.engine.core import DhcpDecision, DhcpRequest
from vstackcli.engine.device import Device
from vstackcli.engine.hostnames import vlan_mac
from vstackcli.grammar.values import MacAddress
from vstackcli.net.dhcp.leases import LeaseStore
from vstackcli.net.dhcp.server import DhcpServer, ServerThread
from vstackcli.net.dhcp.snoop import SnoopThread
from vstackcli.net.smi.director_endpoint import SmiBackend
from vstackcli.net.tftp import client as tftp
from vstackcli.net.tftp.server import TftpServer, TransferStats, WritePolicy
from vstackcli.net.vty.ssh_backend import SshBackend
from vstackcli.net.vty.telnet import TelnetBackend

T = TypeVar("T")

__all__ = ["DhcpBackend", "LiveBackends", "LoopThread", "Snooping", "TftpBackend", "TftpTransfers", "TransferFailed"]


class TransferFailed(OSError):
    """A TFTP transfer of the engine's failed; ``str()`` is IOS's reason (``Permission denied``, ``Timed out``)."""

    def __init__(self, reason: str):
        super().__init__(errno.EIO, reason)

    def __str__(self) -> str:
        return self.strerror


class TftpTransfers(tftp.UrlTransfers):
    """The engine's ``FileTransfers`` over this package's TFTP client; failures are ``OSError``s, which is what
    the engine's repositories and backups catch."""

    def get(self, url: str) -> bytes:
        try:
            return self.read(url)
        except tftp.TftpError as exc:
            raise TransferFailed(exc.reason) from exc

    def put(self, url: str, data: bytes) -> None:
        try:
            self.write(url, data)
        except tftp.TftpError as exc:
            raise TransferFailed(exc.reason) from exc

    def copy_in(self, url: str, fs, dest: str, progress=None) -> tuple[list[str], bool]:
        result = tftp.copy_from_tftp(url, fs, dest, progress=progress)
        return result.lines, result.ok

    def copy_out(self, fs, src: str, url: str, progress=None) -> tuple[list[str], bool]:
        result = tftp.copy_to_tftp(fs, src, url, progress=progress)
        return result.lines, result.ok


class TftpBackend:
    """Serves flash: over TFTP while the configuration has files there or takes backups."""

    def __init__(self, device: Device, interface: str | None = None):
        self.device = device
        self.interface = interface
        self.server: TftpServer | None = None

    @property
    def address(self) -> tuple[str, int] | None:
        return (self.server.host, self.server.port) if self.server is not None else None

    def apply(self, desired: DesiredState) -> None:
        if not desired.tftp_serving:
            self.stop()
            return
        real = self.interface is not None and desired.director_ip is not None
        host, port = (str(desired.director_ip), 69) if real else ("127.0.0.1", 0)
        if self.server is not None and self.server.host == host:
            return
        self.stop()
        backups = self.device.config.vstack.backup_file_server
        folder = backups.path.strip("/") if backups is not None and backups.is_local else "vstack"
        self.server = TftpServer(self.device.storage.flash, host=host, port=port,
                                 write_policy=WritePolicy((folder,)), on_transfer=self._transferred)
        self.server.start()

    def _transferred(self, stats: TransferStats) -> None:
        """A client pushed its configuration into vstack/incoming/<mac>: hand it to the backup store."""
        if stats.direction != "write" or stats.error is not None or not stats.path.startswith("vstack/incoming/"):
            return
        flash = self.device.storage.flash
        try:
            mac = MacAddress.parse(stats.path.rsplit("/", 1)[-1].split(".cfg")[0])
            data = flash.read(stats.path)
        except (ValueError, OSError):
            return
        with self.device.lock:
            self.device.director.on_backup(mac, data)
            flash.delete(stats.path)

    def send(self, command: ClientCommand) -> None:
        raise ConnectionError("TFTP does not carry client commands")

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


class _Both:
    """DHCP and TFTP behind one ``Backend`` (the Smart Install backend passes every state on to it)."""

    def __init__(self, *backends: object):
        self.backends = backends

    def apply(self, desired: DesiredState) -> None:
        for backend in self.backends:
            backend.apply(desired)

    def send(self, command: ClientCommand) -> None:
        raise ConnectionError("only the Smart Install backend carries client commands")


class LoopThread:
    """An asyncio event loop in a daemon thread, for the servers."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="vstackcli-net", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(self, coro: Coroutine[object, object, T], timeout: float = 10.0) -> T:
        """Run a coroutine on the loop from another thread and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self.loop.close()


class DhcpBackend:
    """Runs the DHCP server while the configuration has pools to serve."""

    def __init__(self, device: Device, interface: str | None = None, host: str = "127.0.0.1",
                 port: int | None = 0):
        self.device = device
        self.interface = interface
        self.host = host
        self.port = port
        self.thread: ServerThread | None = None
        self.server: DhcpServer | None = None

    @property
    def address(self) -> tuple[str, int] | None:
        return self.thread.address if self.thread is not None else None

    def apply(self, desired: DesiredState) -> None:
        if not desired.pools:
            self.stop()
            return
        if self.thread is None:
            store = LeaseStore(self.device.storage.nvram.path("dhcp-bindings.json"))
            server_ip = desired.director_ip or "127.0.0.1"
            self.server = DhcpServer(server_ip, desired.pools, decide=self.decide, store=store)
            port = self.port if self.interface is None else None
            self.thread = ServerThread(self.server, self.interface, self.host, port).start()
        else:
            self.thread.call(self.server.apply, desired.pools)

    def decide(self, request: DhcpRequest) -> DhcpDecision:
        """The director's decision, with what the database knows of the client (PID, upstream, stack)."""
        with self.device.lock:
            director = self.device.director
            entry = director.db.by_mac(request.mac)
            if entry is None:  # a Catalyst asks with its Vlan1 MAC; a joined client reported its base MAC
                entry = next((c for c in director.db.clients if _vlan_mac(c.mac) == request.mac), None)
            if entry is not None and not request.pid:
                request = DhcpRequest(request.mac, request.vlan, entry.pid, entry.upstream, entry.stack, request.ip)
            elif entry is None and not request.pid and (seen := director.cdp_facts(request.mac)) is not None:
                request = DhcpRequest(request.mac, request.vlan, seen.pid, seen.upstream, seen.stack, request.ip)
            return director.on_dhcp(request)

    def send(self, command: ClientCommand) -> None:
        raise ConnectionError("DHCP does not carry client commands")

    # ---- what `show ip dhcp binding` and `clear ip dhcp binding` see --------------------------

    def bindings(self) -> list[tuple[str, object]]:
        """(pool name, lease) for every binding, read on the server's own thread."""
        if self.thread is None:
            return []
        return self.thread.call(lambda: [(name, lease) for name, pool in self.server.store.pools.items()
                                         for lease in pool.by_ip.values()])

    def clear(self, address: object | None) -> int:
        """Forget bindings (all, or the one of ``address``); returns how many went."""
        if self.thread is None:
            return 0

        def drop() -> int:
            gone = 0
            for pool in self.server.store.pools.values():
                for lease in [lease for lease in pool.by_ip.values() if address is None or lease.ip == address]:
                    pool.remove(lease)
                    gone += 1
            self.server.store.commit()
            return gone

        return self.thread.call(drop)

    def counters(self) -> dict[str, int]:
        return dict(self.server.stats) if self.server is not None else {}

    def stop(self) -> None:
        if self.thread is not None:
            self.thread.stop()
            self.thread = None
            self.server = None


def _vlan_mac(mac):
    try:
        return vlan_mac(mac)
    except ValueError:
        return None


@dataclass(frozen=True)
class Snooping:
    """Where an external DHCP server is snooped: client interfaces (name -> VLAN), the server side."""

    clients: dict[str, int]
    server_interface: str
    servers: tuple[str, ...]


@dataclass
class LiveBackends:
    """Every live server of one director."""

    device: Device
    loop: LoopThread
    dhcp: DhcpBackend
    tftp: TftpBackend
    smi: SmiBackend
    snoop: SnoopThread | None = None
    telnet: TelnetBackend | None = None
    ssh: SshBackend | None = None
    ssh_loop: LoopThread | None = None

    @classmethod
    def start(cls, device: Device, interface: str | None = None, snoop: Snooping | None = None) -> LiveBackends:
        """Start the servers; with ``snoop``, also relay between clients and an external DHCP server."""
        if snoop is not None and interface is not None and interface in snoop.clients:
            raise ValueError(f"{interface} cannot both serve DHCP and snoop an external server")
        loop = LoopThread()
        dhcp = DhcpBackend(device, interface)
        tftp_backend = TftpBackend(device, interface)
        telnet = TelnetBackend(device, interface)
        real_ports = interface is not None
        ssh_loop = LoopThread()  # SSH sessions get their own loop: many of them must not delay Smart Install
        ssh = SshBackend(device, ssh_loop.loop, interface)
        smi = SmiBackend(device.director, loop.loop, inner=_Both(dhcp, tftp_backend, telnet, ssh),
                         dispatch=_locked(device),
                         host=None if real_ports else "127.0.0.1", port=None if real_ports else 0,
                         privileged=real_ports)
        device.director.backend = smi
        device.transfers = TftpTransfers()
        device.dhcp = dhcp
        backends = cls(device, loop, dhcp, tftp_backend, smi, telnet=telnet, ssh=ssh, ssh_loop=ssh_loop)
        if snoop is not None:
            backends.snoop = SnoopThread.on_interfaces(snoop.clients, snoop.server_interface, snoop.servers,
                                                       decide=dhcp.decide).start()
        return backends

    def describe(self) -> list[str]:
        """Where each server listens now, for the start-up banner."""
        lines = []
        endpoint = self.smi.endpoint
        if endpoint is not None:
            lines.append(f"Smart Install director listening on {endpoint.host}:{endpoint.bound_port}")
        if self.dhcp.address is not None:
            where = f" on {self.dhcp.interface}" if self.dhcp.interface else ""
            lines.append(f"DHCP server listening on {self.dhcp.address[0]}:{self.dhcp.address[1]}{where}")
        if self.tftp.address is not None:
            lines.append(f"TFTP server listening on {self.tftp.address[0]}:{self.tftp.address[1]}")
        if self.telnet is not None and self.telnet.address is not None:
            lines.append(f"Telnet server listening on {self.telnet.address[0]}:{self.telnet.address[1]}")
        if self.ssh is not None:
            lines.append(self.ssh.status)
        if self.snoop is not None:
            sides = ", ".join(f"{side.interface} (VLAN {side.vlan})" for side in self.snoop.snooper.sides.values())
            servers = ", ".join(str(s) for s in self.snoop.snooper.servers)
            lines.append(f"DHCP snooping: clients on {sides}; servers {servers}")
        return lines

    def settle(self) -> None:
        """Wait until the servers have caught up with the last state applied."""
        self.smi.wait()
        if self.ssh is not None:
            self.ssh.wait()

    def close(self) -> None:
        if self.snoop is not None:
            self.snoop.stop()
        self.dhcp.stop()
        self.tftp.stop()
        if self.telnet is not None:
            self.telnet.stop()
        if self.ssh is not None:
            self.ssh.close()
        if self.ssh_loop is not None:
            self.ssh_loop.stop()
        with contextlib.suppress(Exception):
            self.loop.run(self.smi.close(), 5)
        self.loop.stop()


def _locked(device: Device) -> Callable[[Callable[[], object]], None]:
    def dispatch(call: Callable[[], object]) -> None:
        with device.lock:
            call()

    return dispatch
