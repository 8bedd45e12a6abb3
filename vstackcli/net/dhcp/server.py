"""The director's DHCPv4 server: pools from the running-config (``PoolSpec``), Smart Install options from a
``decide`` hook (``Director.on_dhcp``), bindings in a ``LeaseStore``.

``DhcpServer.handle(bytes, source)`` is the whole protocol: it returns the replies and where they go, and it
never raises (bad input is counted in ``stats`` and logged at most once per ``LOG_EVERY`` seconds per kind).
The transport around it is an asyncio datagram endpoint on a socket that is either bound to an interface
(``SO_BINDTODEVICE``, port 67, broadcasts allowed: root or a network namespace) or bound to loopback on an
unprivileged port, where every reply goes back to the sender (tests and unprivileged runs).

Replies go where RFC 2131 section 4.1 sends them: to the relay (giaddr, port 67) for relayed requests, to
ciaddr for a client that has an address, else broadcast on the segment (a server without raw sockets cannot
unicast to a client that has no address yet; broadcasting is what makes udhcpc work in a namespace).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import ipaddress
import json
import logging
import os
import signal
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from vstackcli.engine.backend import PoolSpec
from vstackcli.engine.core import DhcpDecision, DhcpRequest, SmiOptions
from vstackcli.grammar.values import MacAddress
from vstackcli.net.dhcp.codec import (
    ACK,
    BOOTREPLY,
    BOOTREQUEST,
    DECLINE,
    DISCOVER,
    INFORM,
    NAK,
    OFFER,
    RELEASE,
    REQUEST,
    DecodeError,
    Message,
    Opt,
    decode,
    encode,
    encode_vi_vendor,
    ip_list,
)
from vstackcli.net.dhcp.leases import LeaseStore, PoolLeases

__all__ = ["CISCO_ENTERPRISE", "DhcpServer", "ServerThread", "open_socket", "smi_vi_vendor"]

log = logging.getLogger("vstackcli.net.dhcp")

IPv4 = ipaddress.IPv4Address
ZERO = IPv4(0)
BROADCAST = IPv4("255.255.255.255")
SERVER_PORT, CLIENT_PORT = 67, 68
UNPRIVILEGED_PORT = 6767
CISCO_ENTERPRISE = 9
SUBOPT_IMAGE_LIST = 5
SUBOPT_DIRECTOR = 16  # 4 raw address bytes (see research 1.3: to confirm against a real director's capture)
LOG_EVERY = 10.0
DECISION_HOLD = 60.0

Decide = Callable[[DhcpRequest], DhcpDecision]
Reply = tuple[bytes, tuple[str, int]]


def smi_vi_vendor(options: SmiOptions) -> bytes:
    """Option 125 data: enterprise 9, sub-option 5 (image list) when set, sub-option 16 (director IP)."""
    subs = []
    if options.image_list:
        subs.append((SUBOPT_IMAGE_LIST, options.image_list.encode()))
    subs.append((SUBOPT_DIRECTOR, options.director.packed))
    return encode_vi_vendor(CISCO_ENTERPRISE, subs)


class DhcpServer:
    """DHCP protocol logic over pools, bindings and the Smart Install decision; no sockets."""

    def __init__(self, server_ip: IPv4 | str, pools: Iterable[PoolSpec] = (), decide: Decide | None = None,
                 store: LeaseStore | None = None, lease_time: int = 86400, vlan: int = 1,
                 clock: Callable[[], float] = time.time):
        self.server_ip = IPv4(server_ip)
        self.decide = decide
        self.store = store or LeaseStore()
        self.lease_time = lease_time
        self.vlan = vlan
        self.clock = clock
        self.stats: Counter[str] = Counter()
        self._logged: dict[str, float] = {}
        self._decisions: dict[bytes, tuple[int, float, DhcpDecision]] = {}
        self.apply(pools)

    def apply(self, pools: Iterable[PoolSpec]) -> None:
        """Serve these pools (``DesiredState.pools``); bindings of pools that keep their name carry over."""
        self.store.configure(pools, excluded=(self.server_ip,))

    # ---- accounting -------------------------------------------------------------------------

    def _note(self, kind: str, message: str, *args, level: int = logging.WARNING) -> None:
        """Count ``kind``; log it at most once per LOG_EVERY seconds (with the count so far)."""
        self.stats[kind] += 1
        now = time.monotonic()
        if now - self._logged.get(kind, -LOG_EVERY) >= LOG_EVERY:
            self._logged[kind] = now
            log.log(level, "DHCP %s (%d so far): " + message, kind, self.stats[kind], *args)

    # ---- the protocol -----------------------------------------------------------------------

    def handle(self, data: bytes, source: tuple[str, int] = ("0.0.0.0", CLIENT_PORT)) -> list[Reply]:
        """One datagram in, the replies out (payload, destination). Never raises."""
        self.stats["received"] += 1
        try:
            return self._handle(data, source)
        except DecodeError as exc:
            self._note("malformed", "%s from %s", exc, source[0])
        except Exception:  # a bug must not stop the server: count it, log it with its traceback now and then
            self.stats["errors"] += 1
            now = time.monotonic()
            if now - self._logged.get("errors", -LOG_EVERY) >= LOG_EVERY:
                self._logged["errors"] = now
                log.exception("DHCP internal error (%d so far) on a packet from %s", self.stats["errors"], source[0])
        return []

    def _handle(self, data: bytes, source: tuple[str, int]) -> list[Reply]:
        msg = decode(data)
        if msg.op != BOOTREQUEST:
            self._note("not_request", "BOOTREPLY from %s ignored", source[0], level=logging.DEBUG)
            return []
        if msg.htype != 1 or len(msg.chaddr) != 6:
            self._note("bad_hardware", "htype %d hlen %d from %s", msg.htype, len(msg.chaddr), source[0])
            return []
        kind = msg.message_type
        if kind is None:
            self._note("bootp", "BOOTP or message type missing from %s", source[0], level=logging.INFO)
            return []
        pool = self._pool_for(msg)
        if pool is None:
            self._note("no_pool", "no pool for a request from %s (giaddr %s)", msg.chaddr.hex(), msg.giaddr)
            return []
        now = self.clock()
        if kind == DISCOVER:
            return self._discover(msg, pool, now)
        if kind == REQUEST:
            return self._request(msg, pool, now)
        if kind == INFORM:
            return self._inform(msg, pool)
        if kind in (RELEASE, DECLINE):
            if msg.address(Opt.SERVER_ID) not in (None, self.server_ip):
                self._note("other_server", "%s for another server", "RELEASE" if kind == RELEASE else "DECLINE",
                           level=logging.DEBUG)
                return []
            if kind == RELEASE:
                changed = pool.release(msg.chaddr, msg.ciaddr)
                self.stats["releases"] += 1
            else:
                requested = msg.address(Opt.REQUESTED_IP)
                changed = requested is not None
                if requested is not None:
                    pool.decline(msg.chaddr, requested, now)
                    log.warning("DHCP client %s declined %s (in use?)", msg.chaddr.hex(), requested)
                self.stats["declines"] += 1
            if changed and pool.spec.remember:
                self.store.commit()
            return []
        self._note("unexpected_type", "message type %d from %s", kind, source[0], level=logging.INFO)
        return []

    def _pool_for(self, msg: Message) -> PoolLeases | None:
        pools = list(self.store.pools.values())
        if not pools:
            return None
        if msg.giaddr != ZERO:
            return next((p for p in pools if msg.giaddr in p.spec.network), None)
        if msg.ciaddr != ZERO:
            found = next((p for p in pools if msg.ciaddr in p.spec.network), None)
            if found is not None:
                return found
        return next((p for p in pools if self.server_ip in p.spec.network), pools[0])

    def _discover(self, msg: Message, pool: PoolLeases, now: float) -> list[Reply]:
        ip = pool.choose(msg.chaddr, msg.address(Opt.REQUESTED_IP), now)
        if ip is None:
            self._note("exhausted", "pool %s has no free address for %s", pool.spec.name, msg.chaddr.hex())
            return []
        pool.offer(msg.chaddr, ip, now)
        decision = self._decision(msg, pool, ip, now, fresh=True)
        self.stats["offers"] += 1
        return [self._reply(msg, OFFER, pool, ip, decision)]

    def _request(self, msg: Message, pool: PoolLeases, now: float) -> list[Reply]:
        server_id = msg.address(Opt.SERVER_ID)
        requested = msg.address(Opt.REQUESTED_IP)
        if server_id is not None:  # SELECTING: the client chose an offer
            if server_id != self.server_ip:
                pool.release(msg.chaddr, ZERO)  # drops our pending offer only
                self._note("other_server", "client %s chose server %s", msg.chaddr.hex(), server_id,
                           level=logging.DEBUG)
                return []
            ip = requested or (msg.ciaddr if msg.ciaddr != ZERO else None)
        elif requested is not None:  # INIT-REBOOT
            ip = requested
        elif msg.ciaddr != ZERO:  # RENEWING (unicast) or REBINDING (broadcast)
            ip = msg.ciaddr
        else:
            self._note("malformed", "REQUEST from %s names no address", msg.chaddr.hex())
            return []
        if ip is None or not pool.is_free_for(ip, msg.chaddr, now):
            self.stats["naks"] += 1
            log.info("DHCP NAK %s for %s (pool %s)", ip, msg.chaddr.hex(), pool.spec.name)
            return [self._reply(msg, NAK, pool, None, None)]
        decision = self._decision(msg, pool, ip, now, fresh=False)
        hostname = decision.options.hostname if decision is not None and decision.options is not None else ""
        previous = pool.lease_of(msg.chaddr)
        pool.bind(msg.chaddr, ip, now + self.lease_time, msg.options.get(Opt.CLIENT_ID, b""), hostname)
        if pool.spec.remember and (previous is None or previous.ip != ip or previous.hostname != hostname
                                   or previous.expires < now + self.lease_time / 2):
            self.store.commit()  # before the ACK leaves: an acknowledged lease is never lost
        self.stats["acks"] += 1
        return [self._reply(msg, ACK, pool, ip, decision)]

    def _inform(self, msg: Message, pool: PoolLeases) -> list[Reply]:
        self.stats["informs"] += 1
        return [self._reply(msg, ACK, pool, None, None, inform=True)]

    def _decision(self, msg: Message, pool: PoolLeases, ip: IPv4, now: float, fresh: bool) -> DhcpDecision | None:
        """Director.on_dhcp for Smart Install pools; the OFFER's decision is reused by the REQUEST of the same
        exchange (same xid) so one zero-touch step is decided once."""
        if not pool.spec.smart_install or self.decide is None:
            return None
        cached = self._decisions.get(msg.chaddr)
        if not fresh and cached is not None and cached[0] == msg.xid and cached[1] >= now:
            return cached[2]
        mac = MacAddress(int.from_bytes(msg.chaddr, "big"))
        try:
            decision = self.decide(DhcpRequest(mac, vlan=self.vlan, ip=ip))
        except Exception:
            self._note("decide_errors", "the director failed on %s; a plain lease instead", mac, level=logging.ERROR)
            return None
        if len(self._decisions) > 4096:
            self._decisions = {k: v for k, v in self._decisions.items() if v[1] >= now}
        self._decisions[msg.chaddr] = (msg.xid, now + DECISION_HOLD, decision)
        return decision

    def _reply(self, msg: Message, kind: int, pool: PoolLeases, ip: IPv4 | None, decision: DhcpDecision | None,
               inform: bool = False) -> Reply:
        spec = pool.spec
        options: dict[int, bytes] = {Opt.MESSAGE_TYPE: bytes((kind,)), Opt.SERVER_ID: self.server_ip.packed}
        smi = decision.options if decision is not None else None
        tftp: tuple[IPv4, ...] = ()
        if kind != NAK:
            if not inform:
                lease = self.lease_time
                options[Opt.LEASE_TIME] = struct.pack("!I", lease)
                options[Opt.RENEWAL_TIME] = struct.pack("!I", lease // 2)
                options[Opt.REBINDING_TIME] = struct.pack("!I", lease * 7 // 8)
            options[Opt.SUBNET_MASK] = spec.network.netmask.packed
            if spec.routers:
                options[Opt.ROUTER] = ip_list(spec.routers)
            if smi is not None:
                if smi.hostname:
                    options[Opt.HOSTNAME] = smi.hostname.encode()
                tftp = (smi.tftp_server,) if smi.tftp_server is not None else spec.tftp_servers
            elif not spec.smart_install:
                tftp = spec.tftp_servers
            if tftp:
                options[Opt.CISCO_TFTP] = ip_list(tftp)
            bootfile = smi.config_file if smi is not None else ("" if spec.smart_install else spec.bootfile)
            if bootfile:
                options[Opt.BOOTFILE] = bootfile.encode()
            if smi is not None:
                options[Opt.VI_VENDOR] = smi_vi_vendor(smi)
        if Opt.RELAY_AGENT in msg.options:
            options[Opt.RELAY_AGENT] = msg.options[Opt.RELAY_AGENT]  # RFC 3046: echoed, last
        reply = Message(op=BOOTREPLY, xid=msg.xid, flags=msg.flags, htype=msg.htype, chaddr=msg.chaddr,
                        ciaddr=msg.ciaddr if kind != NAK else ZERO, yiaddr=ip or ZERO,
                        siaddr=tftp[0] if tftp else ZERO, giaddr=msg.giaddr, options=options)
        return encode(reply), self._destination(msg, kind)

    @staticmethod
    def _destination(msg: Message, kind: int) -> tuple[str, int]:
        if msg.giaddr != ZERO:
            return str(msg.giaddr), SERVER_PORT
        if kind != NAK and msg.ciaddr != ZERO:
            return str(msg.ciaddr), CLIENT_PORT
        return str(BROADCAST), CLIENT_PORT


# ---- transport ------------------------------------------------------------------------------------


def interface_address(name: str) -> IPv4:
    """The IPv4 address of interface ``name`` (SIOCGIFADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        packed = fcntl.ioctl(s.fileno(), 0x8915, struct.pack("256s", name.encode()[:15]))
    return IPv4(packed[20:24])


def open_socket(interface: str | None = None, host: str = "127.0.0.1", port: int | None = None) -> socket.socket:
    """The server socket: on ``interface`` port 67 (root or a namespace), else ``host`` on an unprivileged port."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        if interface is not None:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode() + b"\0")
            s.bind(("0.0.0.0", SERVER_PORT if port is None else port))
        else:
            s.bind((host, UNPRIVILEGED_PORT if port is None else port))
        s.setblocking(False)
    except BaseException:
        s.close()
        raise
    return s


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, server: DhcpServer, reply_to_source: bool):
        self.server = server
        self.reply_to_source = reply_to_source
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        for payload, destination in self.server.handle(data, addr):
            try:
                self.transport.sendto(payload, addr if self.reply_to_source else destination)
            except OSError as exc:
                self.server._note("send_errors", "sending to %s: %s", destination[0], exc)

    def error_received(self, exc: Exception) -> None:
        self.server._note("socket_errors", "%s", exc)


class ServerThread:
    """Run a ``DhcpServer`` on its own event loop in a daemon thread (the CLI, tests and benchmarks)."""

    def __init__(self, server: DhcpServer, interface: str | None = None, host: str = "127.0.0.1",
                 port: int | None = None):
        self.server = server
        self.sock = open_socket(interface, host, port)
        self.address = self.sock.getsockname()
        self.reply_to_source = interface is None
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="dhcp-server", daemon=True)
        self._ready = threading.Event()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.loop.create_datagram_endpoint(
            lambda: _Protocol(self.server, self.reply_to_source), sock=self.sock))
        self._ready.set()
        self.loop.run_forever()

    def start(self) -> ServerThread:
        self._thread.start()
        self._ready.wait(10)
        return self

    def call(self, fn: Callable, *args):
        """Run ``fn(*args)`` on the server's loop (e.g. ``server.apply``) and return its result."""
        async def run():
            return fn(*args)
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(10)

    def stop(self) -> None:
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
        with contextlib.suppress(Exception):
            self.sock.close()
        self.loop.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# ---- standalone process (restart and kill -9 tests, manual runs) --------------------------------------


def pool_from_json(d: dict) -> PoolSpec:
    return PoolSpec(d["name"], ipaddress.IPv4Network(d["network"]), tuple(IPv4(a) for a in d.get("routers", ())),
                    tuple(IPv4(a) for a in d.get("tftp_servers", ())), d.get("bootfile", ""),
                    bool(d.get("remember", False)), bool(d.get("smart_install", False)))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m vstackcli.net.dhcp.server",
                                description="Serve IOS-style DHCP pools (no Smart Install decisions).")
    p.add_argument("--interface", help="serve on this interface, port 67 (root or a namespace)")
    p.add_argument("--host", default="127.0.0.1", help="without --interface: listen here (default loopback)")
    p.add_argument("--port", type=int, help="default 67 with --interface, else 6767")
    p.add_argument("--server-ip", help="server identifier (default: the interface's address, or --host)")
    p.add_argument("--pool", action="append", default=[], help='JSON: {"name", "network", "routers", '
                   '"tftp_servers", "bootfile", "remember", "smart_install"}')
    p.add_argument("--leases", type=Path, help="bindings file for pools with remember")
    p.add_argument("--lease-time", type=int, default=86400)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    server_ip = args.server_ip or (str(interface_address(args.interface)) if args.interface else args.host)
    server = DhcpServer(server_ip, [pool_from_json(json.loads(text)) for text in args.pool],
                        store=LeaseStore(args.leases), lease_time=args.lease_time)
    runner = ServerThread(server, args.interface, args.host, args.port).start()
    print(f"serving on {runner.address[0]}:{runner.address[1]} pid {os.getpid()}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    runner.stop()


if __name__ == "__main__":
    main()
