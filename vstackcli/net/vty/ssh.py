"""The switch's SSH server (asyncssh): vty sessions, one-command exec requests and SCP.

As on IOS, SSH needs an RSA host key: until ``crypto key generate rsa`` has put
one in nvram: the server does not listen ("SSH disabled"), and it starts as soon
as a key exists. Every connection is checked against the running-config as it is
then: ``transport input`` of the vty lines decides whether SSH is let in, ``login
local`` checks ``username NAME secret|password``, ``login`` with a line
``password`` accepts that password under any user name (IOS ignores the name
there), and ``no login`` lets every user in. Password and keyboard-interactive
authentication are both offered.

A shell channel (with or without a pty) becomes one vty session of
``terminal.serve_terminal``; the window size comes from the pty request and
window-change messages. An exec request (``ssh switch "show version"``) takes a
vty line, runs that one command at the user's privilege and closes, as IOS does;
``scp -t`` / ``scp -f`` exec requests are SCP transfers (``scp.py``). Output
written in one millisecond leaves as one SSH packet (``SshTerminalIO``).

Nothing here holds ``device.lock`` on the event loop: engine calls run in worker
threads, so a busy session never stalls the other connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import asyncssh

from vstackcli.engine import hostkey
from vstackcli.engine.device import Device
from vstackcli.net.vty import access
from vstackcli.net.vty.guard import login_guard
from vstackcli.net.vty.lines import registry
from vstackcli.net.vty.scp import ScpStream, parse_scp_command, serve_scp

__all__ = ["SshServer", "SshTerminalIO", "connection_algorithms", "host_key_stamp", "load_host_key"]

log = logging.getLogger(__name__)

SOFTWARE_VERSION = "Cisco-1.25"  # IOS announces SSH-1.99-Cisco-1.25 (SSH-2.0-... with ip ssh version 2); asyncssh 2.0
LOGIN_ATTEMPTS = 3  # IOS: `ip ssh authentication-retries` defaults to 3
LOGIN_TIMEOUT = 120  # IOS: `ip ssh time-out` defaults to 120 seconds
# IOS offers AES only (CTR; GCM on later releases), never chacha20-poly1305, whose per-packet setup in asyncssh
# also cost more than the rest of a short command
CIPHERS = ("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr")


_ALGORITHMS: weakref.WeakKeyDictionary[Device, dict[tuple[str, int], tuple[str, str, str, str]]] = \
    weakref.WeakKeyDictionary()
_ALGORITHMS_LOCK = threading.Lock()


def connection_algorithms(device: Device, peer: tuple[str, int]) -> tuple[str, str, str, str] | None:
    """(in cipher, in MAC, out cipher, out MAC) of the SSH connection from ``peer``, for ``show ssh``."""
    with _ALGORITHMS_LOCK:
        return _ALGORITHMS.get(device, {}).get(peer)


def load_host_key(device: Device) -> asyncssh.SSHKey | None:
    """The RSA key ``crypto key generate rsa`` keeps in nvram: (``engine/hostkey.py``), or None while there is none."""
    nvram = device.storage.nvram
    if not nvram.exists(hostkey.HOST_KEY_FILE):
        return None
    try:
        return asyncssh.import_private_key(nvram.read(hostkey.HOST_KEY_FILE))
    except (asyncssh.KeyImportError, ValueError, OSError) as exc:
        log.warning("the RSA key in nvram: cannot be read (%s): SSH stays disabled", exc)
        return None


def host_key_stamp(device: Device) -> int | None:
    """When the key file last changed (a regenerated key replaces it), or None when there is none."""
    try:
        return device.storage.nvram.path(hostkey.HOST_KEY_FILE).stat().st_mtime_ns
    except OSError:
        return None


@dataclass
class _Login:
    """What authentication decided for one connection."""

    user: str = ""
    privilege: int | None = None


COALESCE = 0.001  # seconds output waits for more: echo, output and prompt of a command go out as one packet


class SshTerminalIO:
    """``TerminalIO`` over one SSH session channel (bytes both ways).

    Writes made in one turn of the event loop go out as one SSH packet: the terminal echoes a pasted
    line key by key, and a packet per character (each encrypted and MACed) was most of a command's cost.
    """

    def __init__(self, channel: asyncssh.SSHServerChannel, width: int | None, height: int | None,
                 local_port: int = 22):
        self._channel = channel
        self._input: asyncio.Queue[bytes] = asyncio.Queue()
        self._writable = asyncio.Event()
        self._writable.set()
        self._closed = False
        self._pending = bytearray()
        self._flush_scheduled = False
        self.width = width
        self.height = height
        self.local_port = local_port

    def feed(self, data: bytes) -> None:
        self._input.put_nowait(data)

    def feed_eof(self) -> None:
        self._input.put_nowait(b"")
        self._writable.set()

    async def read(self) -> bytes:
        if self._closed:
            return b""
        data = await self._input.get()
        if not data:
            self._input.put_nowait(b"")  # EOF stays EOF
        return data

    def write(self, data: bytes) -> None:
        if self._closed or not data:
            return
        self._pending += data
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_later(COALESCE, self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        if self._pending:
            data = bytes(self._pending)
            self._pending.clear()
            with contextlib.suppress(Exception):
                self._channel.write(data)

    async def drain(self) -> None:
        """Wait while the peer's window is full; what is pending goes out at the end of this loop turn."""
        while not self._closed and not self._writable.is_set():
            self._flush()
            await self._writable.wait()

    def pause(self) -> None:
        self._writable.clear()

    def resume(self) -> None:
        self._writable.set()

    def close(self) -> None:
        if self._closed:
            return
        self._flush()
        self._closed = True
        self._writable.set()
        with contextlib.suppress(Exception):
            self._channel.exit(0)


class _Session(asyncssh.SSHServerSession):
    """One session channel: a shell (vty), an exec command or an SCP transfer."""

    def __init__(self, server: SshServer, connection: _Connection):
        self.server = server
        self.connection = connection
        self.channel: asyncssh.SSHServerChannel | None = None
        self.size: tuple[int | None, int | None] = (None, None)
        self.command: str | None = None
        self.io: SshTerminalIO | None = None
        self.scp: ScpStream | None = None
        self.task: asyncio.Task | None = None

    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self.channel = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], term_modes: object) -> bool:
        width, height = term_size[0], term_size[1]
        self.size = (width or None, height or None)
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self.command = command
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        return False  # no sftp server on IOS

    def session_started(self) -> None:
        assert self.channel is not None
        request = parse_scp_command(self.command) if self.command is not None else None
        if request is not None:
            self.scp = ScpStream()
            self.task = asyncio.ensure_future(self._scp(request))
        elif self.command is not None:
            self.task = asyncio.ensure_future(self._exec(self.command))
        else:
            self.io = SshTerminalIO(self.channel, *self.size, local_port=self.connection.local_port)
            self.task = asyncio.ensure_future(self._shell(self.io))
        self.server.tasks.add(self.task)
        self.task.add_done_callback(self.server.tasks.discard)

    def data_received(self, data: bytes, datatype: object) -> None:
        if self.io is not None:
            self.io.feed(data)
        elif self.scp is not None:
            self.scp.feed(data)

    def eof_received(self) -> bool:
        if self.io is not None:
            self.io.feed_eof()
        elif self.scp is not None:
            self.scp.feed_eof()
        return True  # keep the channel open for what is left to write

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        if self.io is not None:
            self.io.width = width or None
            self.io.height = height or None

    def pause_writing(self) -> None:
        if self.io is not None:
            self.io.pause()

    def resume_writing(self) -> None:
        if self.io is not None:
            self.io.resume()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.io is not None:
            self.io.feed_eof()
        if self.scp is not None:
            self.scp.feed_eof()

    # ---- what runs on the channel ---------------------------------------------------------------

    async def _shell(self, io: SshTerminalIO) -> None:
        from vstackcli.net.vty.terminal import serve_terminal

        login = self.connection.login
        try:
            await serve_terminal(self.server.device, io, peer=self.connection.peer, transport="ssh",
                                 user=login.user, privilege=login.privilege)
        except Exception:  # serve_terminal never raises; belt and braces for the server
            log.exception("SSH session from %s failed", self.connection.peer[0])
        finally:
            io.close()

    async def _exec(self, command: str) -> None:
        assert self.channel is not None
        status = 1
        try:
            text = await asyncio.to_thread(self.server.run_command, self.connection, command)
            if text is None:
                log.info("SSH exec from %s refused: all vty lines busy", self.connection.peer[0])
            else:
                self.channel.write(text.encode("utf-8", "replace"))
                status = 0
        except Exception:
            log.exception("SSH exec from %s failed", self.connection.peer[0])
        finally:
            with contextlib.suppress(Exception):
                self.channel.exit(status)

    async def _scp(self, request: object) -> None:
        assert self.channel is not None and self.scp is not None
        channel = self.channel
        status = 1
        try:
            status = await serve_scp(self.server.device, request, self.scp, channel.write, _drainer(channel))
        except Exception:
            log.exception("SCP from %s failed", self.connection.peer[0])
        finally:
            with contextlib.suppress(Exception):
                channel.exit(status)


def _drainer(channel: asyncssh.SSHServerChannel):
    async def drain() -> None:
        # the channel buffers what the peer's window does not take yet; wait while it is over the limit
        while channel.get_write_buffer_size() > 256 * 1024 and not channel.is_closing():
            await asyncio.sleep(0.005)

    return drain


class _Connection(asyncssh.SSHServer):
    """One SSH connection: the transport-input check, authentication and its sessions."""

    def __init__(self, server: SshServer):
        self.server = server
        self.conn: asyncssh.SSHServerConnection | None = None
        self.peer: tuple[str, int] = ("", 0)
        self.local_port = 22
        self.login = _Login()
        self.failures = 0

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername") or ("", 0)
        self.peer = (str(peer[0]), int(peer[1]))
        sock = conn.get_extra_info("sockname") or ("", 22)
        self.local_port = int(sock[1])
        self.server.check_key()

    def auth_completed(self) -> None:
        conn = self.conn
        if conn is None:
            return
        names = tuple(str(conn.get_extra_info(k) or "") for k in ("recv_cipher", "recv_mac", "send_cipher", "send_mac"))
        with _ALGORITHMS_LOCK:
            _ALGORITHMS.setdefault(self.server.device, {})[self.peer] = names  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        with _ALGORITHMS_LOCK:
            _ALGORITHMS.get(self.server.device, {}).pop(self.peer, None)

    def begin_auth(self, username: str):
        return self._begin_auth(username)

    async def _begin_auth(self, username: str) -> bool:
        server = self.server
        if server.guard.blocked(self.peer[0]):
            log.warning("SSH from %s refused: too many failed logins", self.peer[0])
            raise asyncssh.DisconnectError(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE,
                                           "Too many failed logins from this address")
        mode = await asyncio.to_thread(server.login_mode)
        if mode is None:
            log.info("SSH from %s refused: transport input does not allow ssh", self.peer[0])
            raise asyncssh.DisconnectError(asyncssh.DISC_SERVICE_NOT_AVAILABLE, "SSH not allowed on the vty lines")
        if mode == "":
            self.login = _Login(username, None)
            return False  # `no login`: in without a password
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str):
        return self._check(username, password)

    def kbdint_auth_supported(self) -> bool:
        return True

    def get_kbdint_challenge(self, username: str, lang: str, submethods: str):
        return "", "", "", [("Password: ", False)]

    def validate_kbdint_response(self, username: str, responses: list[str]):
        if len(responses) != 1:
            return False
        return self._check(username, responses[0])

    async def _check(self, username: str, password: str) -> bool:
        server = self.server
        privilege = await asyncio.to_thread(server.check_password, username, password)
        if privilege is not False:
            self.login = _Login(username, privilege)
            await asyncio.to_thread(server.guard.succeeded, username, self.peer, self.local_port)
            return True
        self.failures += 1
        await asyncio.to_thread(server.guard.failed, username, self.peer, self.local_port)
        if server.guard.blocked(self.peer[0]) or self.failures >= LOGIN_ATTEMPTS:
            raise asyncssh.DisconnectError(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE, "Authentication failed")
        return False

    def session_requested(self):
        return _Session(self.server, self)


class SshServer:
    """The SSH listener of one device, on an event loop."""

    def __init__(self, device: Device, host_key: asyncssh.SSHKey, host: str = "127.0.0.1", port: int = 0,
                 on_key_change: Callable[[], None] | None = None):
        self.device = device
        self.host_key = host_key
        self.key_stamp = host_key_stamp(device)
        self.on_key_change = on_key_change  # a regenerated key: the backend restarts the listener with it
        self.host = host
        self.port = port
        self.guard = login_guard(device)  # failed logins: shared with the telnet server
        self.bound_port: int | None = None
        self.tasks: set[asyncio.Task] = set()
        self._acceptor: asyncssh.SSHAcceptor | None = None

    async def start(self) -> None:
        self._acceptor = await asyncssh.create_server(
            lambda: _Connection(self), self.host, self.port, server_host_keys=[self.host_key],
            server_version=SOFTWARE_VERSION, line_editor=False, encoding=None,
            login_timeout=LOGIN_TIMEOUT, keepalive_interval=0, reuse_address=True, encryption_algs=CIPHERS)
        self.bound_port = self._acceptor.sockets[0].getsockname()[1]

    def use_key(self, key: asyncssh.SSHKey) -> None:
        """Serve new connections with ``key`` (a regenerated key); connections already up keep theirs."""
        self.host_key = key
        if self._acceptor is not None:
            self._acceptor.update(server_host_keys=[key])

    def check_key(self) -> None:
        """A connection arrived: if the key in nvram: was replaced since, have the listener reloaded."""
        if self.on_key_change is not None and host_key_stamp(self.device) != self.key_stamp:
            self.key_stamp = host_key_stamp(self.device)
            self.on_key_change()

    async def close(self) -> None:
        if self._acceptor is not None:
            self._acceptor.close()
            with contextlib.suppress(Exception):
                await self._acceptor.wait_closed()
            self._acceptor = None
        for task in list(self.tasks):
            task.cancel()

    # ---- engine calls, in worker threads under the device lock ----------------------------------

    def login_mode(self) -> str | None:
        """How the first vty that lets SSH in logs in: "local", "line", "" (no login); None: SSH refused."""
        with self.device.lock:
            policy = access.vty_policy(self.device)
        lines = [line for line in policy.lines if "ssh" in line.transports]
        return lines[0].login if lines else None

    def check_password(self, user: str, password: str) -> int | bool | None:
        """The privilege for a right password (None: the line's default); False for a wrong one."""
        with self.device.lock:
            policy = access.vty_policy(self.device)
            lines = [line for line in policy.lines if "ssh" in line.transports]
            if not lines:
                return False
            line = lines[0]
            if line.login == "local":
                privilege = access.check_login(self.device, user, password)
                return False if privilege is None else access.line_privilege(self.device.config, line.index, user)
            if line.login == "line":
                return None if access.check_line_password(self.device, line.index, password) else False
            return None

    def run_command(self, connection: _Connection, command: str) -> str | None:
        """An exec request: one command at the user's privilege on a vty line, its output in CR LF lines.

        None when every vty line that takes SSH is busy (the channel closes without output).
        """
        from vstackcli.shell.session import Session

        login = connection.login
        with self.device.lock:
            policy = access.vty_policy(self.device)
        lines_registry = registry(self.device)
        line = lines_registry.claim(policy.free_lines("ssh"), "ssh", connection.peer)
        if line is None:
            return None
        line.user = login.user
        try:
            with self.device.lock:
                privilege = login.privilege
                if privilege is None:
                    privilege = access.line_privilege(self.device.config, line.index, login.user or None)
                session = Session(self.device, user=login.user or "unknown", line=line.name,
                                  source=connection.peer[0], privilege=privilege, length=0, width=0)
                reply = session.execute(command)
                out = list(reply.lines)
                if reply.question is not None:
                    out.append(reply.question.prompt.rstrip())
                session.end_config()
        finally:
            lines_registry.release(line)
        return "".join(f"{text}\r\n" for text in out)
