"""When and where the SSH server listens: while the device has an RSA host key.

IOS enables SSH when ``crypto key generate rsa`` makes a key (``%SSH-5-ENABLED``)
and disables it when ``crypto key zeroize rsa`` removes it; until then the
switch answers no SSH at all. ``SshBackend`` follows that: it re-checks the key
at start, on every ``DesiredState`` (which also gives the director address),
on every ``%SSH-*`` system message, when ``crypto key`` tells it through
``Storage.host_key_changed`` (and waits, so the next connection gets the new key;
a regenerated key logs nothing) and when a connection finds the key file
replaced behind its back, then opens, moves or closes the
listener on its own event-loop thread. By default it listens on 127.0.0.1 on a
free port; with an interface (real ports: root, or a network namespace) on the
director's address, port 22.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ipaddress
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from vstackcli.engine.backend import ClientCommand, DesiredState
from vstackcli.engine.device import Device
from vstackcli.engine.hostkey import HOST_KEY_FILE
from vstackcli.engine.syslog import LogMessage

if TYPE_CHECKING:
    from vstackcli.net.vty.ssh import SshServer

__all__ = ["SSH_PORT", "SshBackend"]

log = logging.getLogger(__name__)

SSH_PORT = 22


class SshBackend:
    """Runs the device's SSH server while there is a host key to serve with."""

    def __init__(self, device: Device, loop: asyncio.AbstractEventLoop, interface: str | None = None):
        self.device = device
        self.loop = loop
        self.interface = interface
        self.server: SshServer | None = None
        self.director_ip: ipaddress.IPv4Address | None = None
        self.status = "SSH disabled: no RSA host key (crypto key generate rsa)"
        self._fingerprint: str | None = None
        self._pending: list[concurrent.futures.Future] = []
        self._lock: asyncio.Lock | None = None
        self._unsubscribe: Callable[[], None] = device.log.subscribe(self._message)
        device.storage.host_key_listeners.append(self._key_changed)
        self.refresh()

    @property
    def address(self) -> tuple[str, int] | None:
        server = self.server
        return (server.host, server.bound_port) if server is not None and server.bound_port else None

    def apply(self, desired: DesiredState) -> None:
        self.director_ip = desired.director_ip
        self.refresh()

    def send(self, command: ClientCommand) -> None:
        raise ConnectionError("SSH does not carry client commands")

    def _message(self, message: LogMessage) -> None:
        if message.facility == "SSH":
            self.refresh()

    def refresh(self) -> None:
        """Re-check the key and the address on the loop (from any thread; does not wait)."""
        future = asyncio.run_coroutine_threadsafe(self._reconcile(), self.loop)
        self._pending = [f for f in self._pending if not f.done()] + [future]

    def wait(self, timeout: float = 10.0) -> None:
        """Block until every refresh asked for so far has run."""
        pending, self._pending = self._pending, []
        for future in pending:
            with contextlib.suppress(concurrent.futures.CancelledError):
                future.result(timeout)

    def _where(self) -> tuple[str, int] | None:
        if self.interface is None:
            return "127.0.0.1", 0
        return (str(self.director_ip), SSH_PORT) if self.director_ip is not None else None

    async def _reconcile(self) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self.server is None and not self.device.storage.nvram.exists(HOST_KEY_FILE):
                self.status = "SSH disabled: no RSA host key (crypto key generate rsa)"
                return  # asyncssh (~80 ms to import) is loaded only once there is a key to serve
            from vstackcli.net.vty.ssh import SshServer, load_host_key

            key = await asyncio.to_thread(load_host_key, self.device)
            where = self._where()
            fingerprint = key.get_fingerprint() if key is not None else None
            current = self.server
            if current is not None and key is not None and where is not None and current.host == where[0]:
                if fingerprint != self._fingerprint:  # regenerated: same listener, new key
                    current.use_key(key)
                    self._fingerprint = fingerprint
                return
            if current is not None:
                await current.close()
                self.server = None
            if key is None:
                self.status = "SSH disabled: no RSA host key (crypto key generate rsa)"
                return
            if where is None:
                self.status = "SSH server not listening: no director address yet"
                return
            server = SshServer(self.device, key, host=where[0], port=where[1], on_key_change=self.refresh)
            try:
                await server.start()
            except OSError as exc:
                self.status = f"SSH server cannot listen on {where[0]}:{where[1]}: {exc.strerror or exc}"
                log.warning("%s", self.status)
                return
            self.server = server
            self._fingerprint = fingerprint
            self.status = f"SSH server listening on {server.host}:{server.bound_port}"

    def _key_changed(self) -> None:
        """The key was made, replaced or removed: serve with what nvram: now holds before the command returns,
        so the very next connection sees it (unless called on the loop itself, which cannot wait for itself)."""
        self.refresh()
        with contextlib.suppress(RuntimeError):
            if asyncio.get_running_loop() is self.loop:
                return
        with contextlib.suppress(Exception):
            self.wait(10)

    def close(self) -> None:
        self._unsubscribe()
        with contextlib.suppress(ValueError):
            self.device.storage.host_key_listeners.remove(self._key_changed)
        with contextlib.suppress(Exception):
            self.wait(5)  # a refresh still running would otherwise open a listener after this
        server, self.server = self.server, None
        if server is not None:
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(server.close(), self.loop).result(5)
