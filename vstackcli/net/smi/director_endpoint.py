"""The director's side of Smart Install: its TCP 4786 endpoint and the engine's ``Backend`` for it.

- ``DirectorEndpoint`` listens while the device is an operational director. To a
  probe it behaves as a real director (research 4.4): it reads it and closes
  without writing. vstackcli's extension messages (``extension.py``) from clients
  feed ``Director.on_report``, ``on_download`` and ``on_backup``. Anything else
  is logged as ``%SMI-6-SMI_INVALID_MESSAGE`` and the connection is closed.
- ``command_message`` turns the engine's ``ClientCommand`` into the wire message:
  ``config`` as type 3, ``image`` as type 2 with the image list the engine wrote,
  ``backup`` as a type-8 ``copy`` towards the director's TFTP.
- On loopback (simulated switches, docs/simulation.md) a client reports a leased
  address that is never sent to: the endpoint remembers the loopback alias each
  report came from and commands go there (``aliases``), so the database shows the
  leased address as on a real network while every packet stays on 127/8.
- A client that is not Smart Install capable (type N) is updated over telnet
  (``legacy.py``): the director logs in with the command's password and types
  ``archive download-sw`` or ``copy ... startup-config``.
- ``SmiBackend`` adapts the engine's synchronous ``Backend`` calls to the endpoint
  on an asyncio loop: ``apply`` opens or closes the port at once, ``send`` opens
  a fresh connection per command to the client's port and writes one message.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ipaddress
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from vstackcli.engine.backend import Backend, ClientCommand, DesiredState
from vstackcli.engine.messages import smi
from vstackcli.engine.syslog import SystemLog
from vstackcli.grammar.values import FileUrl, MacAddress
from vstackcli.net.smi import codec, extension
from vstackcli.net.smi.codec import ChangeConfig, ExecCommands, ExecuteFile, ImageUpgrade, Malformed, Probe
from vstackcli.net.smi.legacy import LEGACY_PORT, LEGACY_PORT_UNPRIVILEGED, LegacyError, run_legacy
from vstackcli.net.smi.server import SmiServer, Truncated, read_frame, send_bytes

if TYPE_CHECKING:
    from vstackcli.engine.core import Director

__all__ = ["SMI_PORT", "DirectorEndpoint", "SmiBackend", "command_message", "tftp_url"]

SMI_PORT = 4786
DIRECTOR_CONNECTIONS = 1024  # hundreds of clients report at once when a network boots (a client allows 64)
Dispatch = Callable[[Callable[[], object]], None]


def _direct(call: Callable[[], object]) -> None:
    call()


def tftp_url(location: str, director: ipaddress.IPv4Address) -> str:
    """A file location as the client must fetch it: the director's own files through its TFTP server."""
    url = FileUrl.parse(location)
    if url.is_local:
        return f"tftp://{director}/{url.path}"
    if url.scheme != "tftp:" or not url.host:
        raise ValueError(f"{location}: Smart Install clients fetch files by TFTP only")
    return str(url)


def command_message(command: ClientCommand, director: ipaddress.IPv4Address) -> codec.Message:
    """The Smart Install message for an engine command; ``ValueError`` when it cannot be expressed."""
    message = _command_message(command, director)
    codec.encode(message)  # every field fits its width
    return message


def _command_message(command: ClientCommand, director: ipaddress.IPv4Address) -> codec.Message:
    if command.kind == "config":
        hour, minute = command.reload_in or (0, 0)
        return ChangeConfig(tftp_url(command.url, director), reload=command.reload or command.reload_in is not None,
                            hour=hour, minute=minute)
    if command.kind == "image":
        if not command.image_list:
            raise ValueError("an image command needs the image list the engine wrote")
        image = FileUrl.parse(command.url)
        folder = f"flash:{command.image_list}" if image.is_local else f"tftp://{image.host}/{command.image_list}"
        url = tftp_url(folder, director)
        if command.reload_in is not None:
            return ImageUpgrade(url, reload=True, hour=command.reload_in[0], minute=command.reload_in[1])
        if command.reload:
            return ImageUpgrade(url, reload_now=True)
        return ImageUpgrade(url, reload=False)
    if command.kind == "backup":
        return ExecCommands((f"copy nvram:startup-config {tftp_url(command.url, director)}",))
    if command.kind == "script":  # the post-install file: quoted CLI commands the client runs (type 5)
        return ExecuteFile(tftp_url(command.url, director))
    raise ValueError(f"unknown command kind {command.kind!r}")


class DirectorEndpoint(SmiServer):
    """The director's TCP endpoint; ``director`` receives what clients report (through ``dispatch``)."""

    role = "director"

    def __init__(self, director: Director | None, host: str = "127.0.0.1", port: int = 0, *,
                 log: SystemLog | None = None, idle_timeout: float = 30.0, client_port: int = SMI_PORT,
                 dispatch: Dispatch | None = None, max_connections: int = DIRECTOR_CONNECTIONS):
        super().__init__(host, port, log=log if log is not None else (director.device.log if director else None),
                         idle_timeout=idle_timeout, max_connections=max_connections)
        self.director = director
        self.client_port = client_port
        self.dispatch = dispatch or _direct
        self.aliases: dict[ipaddress.IPv4Address, str] = {}  # on loopback: a client's reported IP -> its peer

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                frame = await read_frame(reader, self.idle_timeout, extension.EXTENSION_SIZES)
                if frame is None:
                    return
                message, _rest = extension.decode(frame[0].pack() + frame[1])
            except (Malformed, Truncated) as exc:
                self.invalid(writer, exc)
                return
            if isinstance(message, Probe):
                return  # a real director reads the probe and closes without writing (research 4.4)
            if not isinstance(message, extension.Report | extension.DownloadReport | extension.BackupData):
                self.invalid(writer, Malformed("not a message a director accepts", frame[0]))
                return
            self._deliver(message, self.peer_ip(writer))

    def _deliver(self, message: extension.Extension, peer: object) -> None:
        director = self.director
        if director is None:
            return
        if isinstance(message, extension.Report):
            ip = peer if isinstance(peer, ipaddress.IPv4Address) else None
            report = message.to_client_report(ip)
            if ip is not None and ip.is_loopback and report.ip is not None and report.ip != ip and \
                    ipaddress.ip_address(self.host).is_loopback:
                self.aliases[report.ip] = str(ip)  # simulated switches: every packet stays on 127/8
            if message.cdp:
                self.dispatch(lambda: director.on_cdp(report))
            else:
                self.dispatch(lambda: director.on_report(report))
        elif isinstance(message, extension.DownloadReport):
            self.dispatch(lambda: director.on_download(message.mac, message.kind, message.phase, message.detail))
        else:
            self.dispatch(lambda: director.on_backup(message.mac, message.data))

    async def send_command(self, command: ClientCommand, director_ip: ipaddress.IPv4Address,
                           timeout: float = 5.0) -> bytes:
        """Send one command on a fresh connection to the client's port; return the bytes sent."""
        payload = codec.encode(command_message(command, director_ip))
        await send_bytes(self.address_of(command.client_ip), self.client_port, [payload], timeout)
        return payload

    def address_of(self, client_ip: ipaddress.IPv4Address) -> str:
        """Where a client is reached: its address, or on loopback the alias its reports came from."""
        return self.aliases.get(client_ip, str(client_ip))


class SmiBackend:
    """The engine's ``Backend`` for Smart Install, driving a ``DirectorEndpoint`` on ``loop``.

    ``host``/``port`` fix where the director listens; by default the director's
    address and 4786 when running as root, else 127.0.0.1 and a free port (which
    is reused when the port reopens). ``inner`` receives every ``apply`` too (the
    DHCP/TFTP backends). ``dispatch`` runs engine calls (``on_report``...) where the
    engine lives; by default directly on the loop's thread.
    """

    def __init__(self, director: Director, loop: asyncio.AbstractEventLoop, *, inner: Backend | None = None,
                 host: str | None = None, port: int | None = None, client_port: int = SMI_PORT,
                 dispatch: Dispatch | None = None, privileged: bool | None = None, idle_timeout: float = 30.0,
                 send_timeout: float = 5.0, legacy_port: int | None = None):
        self.director = director
        self.loop = loop
        self.inner = inner
        self.host = host
        self.port = port
        self.client_port = client_port
        self.dispatch = dispatch or _direct
        self.privileged = os.geteuid() == 0 if privileged is None else privileged
        self.idle_timeout = idle_timeout
        self.send_timeout = send_timeout
        self.legacy_port = legacy_port if legacy_port is not None else (
            LEGACY_PORT if self.privileged else LEGACY_PORT_UNPRIVILEGED)  # telnet to type-N clients
        self.desired: DesiredState | None = None
        self.endpoint: DirectorEndpoint | None = None
        self.sent: list[bytes] = []
        self._last_port: int | None = None
        self._lock: asyncio.Lock | None = None
        self._pending: list[concurrent.futures.Future | asyncio.Future] = []
        self.aliases: dict[ipaddress.IPv4Address, str] = {}  # kept across endpoint restarts

    # ---- Backend -----------------------------------------------------------------------------

    def apply(self, desired: DesiredState) -> None:
        if self.inner is not None:
            self.inner.apply(desired)
        self.desired = desired
        self._submit(self._apply(desired))

    def send(self, command: ClientCommand) -> None:
        desired = self.desired
        if desired is None or not desired.smi_port_open or desired.director_ip is None:
            raise ConnectionError("Smart Install is not running as director")
        entry = self.director.db.by_ip(command.client_ip)
        if entry is not None and entry.device_type == "N" and command.kind in ("image", "config"):
            try:
                url = tftp_url(command.url, desired.director_ip)
            except ValueError as exc:
                raise ConnectionError(str(exc)) from None
            self._submit(self._send_legacy(command, entry.mac, url, desired.director_ip))
            return
        try:
            command_message(command, desired.director_ip)
        except ValueError as exc:
            raise ConnectionError(str(exc)) from None
        self._submit(self._send(command, desired.director_ip))

    # ---- waiting (tests, shutdown) -----------------------------------------------------------

    def wait(self, timeout: float = 10.0) -> None:
        """From another thread: block until everything submitted so far has run."""
        pending, self._pending = self._pending, []
        for future in pending:
            if isinstance(future, concurrent.futures.Future):
                future.result(timeout)

    async def settle(self) -> None:
        """On the loop: wait until everything submitted so far has run."""
        pending, self._pending = self._pending, []
        for future in pending:
            await (asyncio.wrap_future(future) if isinstance(future, concurrent.futures.Future) else future)

    async def close(self) -> None:
        if self.endpoint is not None:
            await self.endpoint.stop()
            self.endpoint = None

    # ---- on the loop -------------------------------------------------------------------------

    def _submit(self, coro) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            self._pending.append(self.loop.create_task(coro))
        else:
            self._pending.append(asyncio.run_coroutine_threadsafe(coro, self.loop))

    def _where(self, director_ip: ipaddress.IPv4Address) -> tuple[str, int]:
        if self.privileged:
            return self.host or str(director_ip), SMI_PORT if self.port is None else self.port
        return self.host or "127.0.0.1", 0 if self.port is None else self.port

    @property
    def log(self) -> SystemLog:
        return self.director.device.log

    async def _apply(self, desired: DesiredState) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            want = self._where(desired.director_ip) if desired.smi_port_open and desired.director_ip else None
            current = self.endpoint
            if current is not None and (want is None or want[0] != current.host or
                                        (want[1] and want[1] != current.bound_port)):
                await current.stop()
                self.endpoint = current = None
            if want is None or current is not None:
                return
            host, port = want
            error: OSError | None = None
            for candidate in ([self._last_port] if not port and self._last_port else []) + [port]:
                endpoint = DirectorEndpoint(self.director, host, candidate, log=self.log,
                                            idle_timeout=self.idle_timeout, client_port=self.client_port,
                                            dispatch=self.dispatch)
                try:
                    self._last_port = await endpoint.start()
                except OSError as exc:
                    error = exc
                    continue
                endpoint.aliases = self.aliases
                self.endpoint = endpoint
                return
            reason = (error.strerror or str(error)) if error is not None else "not bound"
            smi(self.log, "INTERNAL_ERROR", chars=f"Smart Install port {host}:{port}: {reason}", dec=1)

    async def _send(self, command: ClientCommand, director_ip: ipaddress.IPv4Address) -> None:
        payload = codec.encode(command_message(command, director_ip))
        endpoint = self.endpoint
        host = endpoint.address_of(command.client_ip) if endpoint is not None else str(command.client_ip)
        try:
            await send_bytes(host, self.client_port, [payload], self.send_timeout)
        except (OSError, TimeoutError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            self.dispatch(lambda: self._failed(command, str(reason)))
            return
        self.sent.append(payload)

    async def _send_legacy(self, command: ClientCommand, mac: MacAddress, url: str,
                           director_ip: ipaddress.IPv4Address) -> None:
        """A client that is not Smart Install capable: log in over telnet and type the update (legacy.py)."""
        endpoint = self.endpoint
        host = endpoint.address_of(command.client_ip) if endpoint is not None else str(command.client_ip)
        director = self.director
        self.dispatch(lambda: director.on_download(mac, command.kind, "started"))
        try:
            await run_legacy(command, host, self.legacy_port, director_ip, url)
        except LegacyError as exc:
            reason = str(exc)[:128]
            self.dispatch(lambda: director.on_download(mac, command.kind, "failed", reason))
            return
        self.dispatch(lambda: director.on_download(mac, command.kind, "done"))

    def _failed(self, command: ClientCommand, reason: str) -> None:
        director = self.director
        entry = director.db.by_ip(command.client_ip)
        if command.kind in ("image", "config") and entry is not None:
            director.on_download(entry.mac, command.kind, "failed", reason)
        elif command.kind == "backup":
            smi(self.log, "SMI_DIRECTOR_BACKUP_FAILURE", inet=command.client_ip, repository=command.url,
                reason=reason)
        else:
            with contextlib.suppress(Exception):
                smi(self.log, "UPGRD_FAILED", inet=command.client_ip, chars=command.kind)
