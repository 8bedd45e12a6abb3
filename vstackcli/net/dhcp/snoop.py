"""Snooping an external DHCP server: the director sits in the DHCP path as a relay agent and puts the Smart
Install options into the server's OFFERs and ACKs for the clients it manages.

Topology: one or more client-side interfaces (each on one VLAN, each with an address of the director's) and one
server-side interface that reaches the DHCP server(s). The director is a relay (RFC 1542 / RFC 2131 4.1):

- client -> server: a BOOTREQUEST broadcast (or unicast to the director) on a client side gets giaddr = that
  side's address (unless a relay further down already set one) and hops + 1, and goes unicast to every
  configured server, port 67, from the server-side interface. The server picks the pool by giaddr (dnsmasq:
  a ``--dhcp-range`` in the client side's subnet and a route back to it) and replies to giaddr port 67.
- server -> client: a BOOTREPLY from the server side whose giaddr is one of our client sides is decoded; for
  an OFFER or ACK with an address the ``decide`` hook (``Director.on_dhcp``) is asked for the client's MAC, the
  side's VLAN and the address. When it returns ``SmiOptions``, options 12, 67, 125 (enterprise 9, sub-options 5
  and 16) and 150 are added or replaced and the message is re-encoded; otherwise the reply's bytes pass
  unchanged. Either way the director has seen the client (``on_dhcp`` adds it to the database: SWITCH_ADD).
  The reply goes to ciaddr:68 when the client has an address and did not ask for broadcast, else it is
  broadcast on the client side (as our server does: no raw sockets, research 1.7).

Why a relay and not a transparent forwarder of broadcasts: a broadcast forwarded as-is makes the server answer
by broadcast on its own segment (the director would need port 68 there too and the server a range in its own
subnet), and a unicast reply to a client without an address cannot be delivered through the director without
raw sockets. As a relay every reply comes back to the director addressed to it.

Not seen: unicast renewals (RENEWING) go to the server identifier, so they pass by routing, not through the
snooper; a Smart Install client takes its options from the first exchange, and a REBINDING or INIT-REBOOT
broadcast comes through again. Option 82 is neither added nor stripped.

``DhcpSnooper`` is the logic without sockets (``from_client`` / ``from_server`` return what to send where, never
raise); ``SnoopThread`` binds one UDP socket per interface on port 67 with ``SO_BINDTODEVICE`` (root or a
network namespace) and runs the snooper on an asyncio loop in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from vstackcli.engine.core import DhcpDecision, DhcpRequest, SmiOptions
from vstackcli.grammar.values import MacAddress
from vstackcli.net.dhcp.codec import (
    ACK,
    BOOTREPLY,
    BOOTREQUEST,
    OFFER,
    DecodeError,
    Message,
    Opt,
    decode,
    encode,
    ip_list,
)
from vstackcli.net.dhcp.server import CLIENT_PORT, SERVER_PORT, interface_address, open_socket, smi_vi_vendor

__all__ = ["ClientSide", "DhcpSnooper", "SnoopThread", "insert_smi_options"]

log = logging.getLogger("vstackcli.net.dhcp.snoop")

IPv4 = ipaddress.IPv4Address
ZERO = IPv4(0)
BROADCAST = "255.255.255.255"
MAX_HOPS = 16
LOG_EVERY = 10.0
DECISION_HOLD = 60.0
SERVER_SIDE = "server"

Decide = Callable[[DhcpRequest], DhcpDecision]
Send = tuple[bytes, tuple[str, int], str]  # payload, destination, the side (client interface or SERVER_SIDE)


@dataclass(frozen=True)
class ClientSide:
    """A client-facing interface: its name, the director's address on it (the relay's giaddr), its VLAN."""

    interface: str
    address: IPv4
    vlan: int = 1


def insert_smi_options(msg: Message, smi: SmiOptions) -> Message:
    """``msg`` with options 12, 67, 150 and 125 added or replaced (the server's others kept, in order, option 82
    last). Options that came from an overloaded ``file``/``sname`` (option 52) are all written in the options
    field, so option 52 is dropped and the two header fields stay empty as ``decode`` left them."""
    ours: dict[int, bytes] = {}
    if smi.hostname:
        ours[Opt.HOSTNAME] = smi.hostname.encode()
    if smi.config_file:
        ours[Opt.BOOTFILE] = smi.config_file.encode()
    ours[Opt.CISCO_TFTP] = ip_list([smi.tftp_server or smi.director])
    ours[Opt.VI_VENDOR] = smi_vi_vendor(smi)
    options = {code: value for code, value in msg.options.items()
               if code not in ours and code not in (Opt.OVERLOAD, Opt.RELAY_AGENT)}
    options.update(ours)
    if Opt.RELAY_AGENT in msg.options:
        options[Opt.RELAY_AGENT] = msg.options[Opt.RELAY_AGENT]
    return Message(op=msg.op, xid=msg.xid, secs=msg.secs, flags=msg.flags, ciaddr=msg.ciaddr, yiaddr=msg.yiaddr,
                   siaddr=msg.siaddr, giaddr=msg.giaddr, chaddr=msg.chaddr, htype=msg.htype, hops=msg.hops,
                   sname=msg.sname, file=msg.file, options=options)


class DhcpSnooper:
    """Relay logic between client sides and DHCP servers, with the Smart Install insertion; no sockets."""

    def __init__(self, sides: Iterable[ClientSide], servers: Iterable[IPv4 | str], decide: Decide | None = None):
        self.sides = {side.interface: side for side in sides}
        self.by_address = {side.address: side for side in self.sides.values()}
        self.servers = [IPv4(s) for s in servers]
        if not self.sides or not self.servers:
            raise ValueError("a snooper needs at least one client side and one server")
        self.decide = decide
        self.stats: Counter[str] = Counter()
        self._logged: dict[str, float] = {}
        self._decisions: dict[bytes, tuple[int, float, DhcpDecision]] = {}

    def _note(self, kind: str, message: str, *args, level: int = logging.WARNING) -> None:
        self.stats[kind] += 1
        now = time.monotonic()
        if now - self._logged.get(kind, -LOG_EVERY) >= LOG_EVERY:
            self._logged[kind] = now
            log.log(level, "DHCP snoop %s (%d so far): " + message, kind, self.stats[kind], *args)

    def _guard(self, fn, data: bytes, *args) -> list[Send]:
        try:
            return fn(data, *args)
        except DecodeError as exc:
            self._note("malformed", "%s", exc)
        except Exception:
            self.stats["errors"] += 1
            now = time.monotonic()
            if now - self._logged.get("errors", -LOG_EVERY) >= LOG_EVERY:
                self._logged["errors"] = now
                log.exception("DHCP snoop internal error (%d so far)", self.stats["errors"])
        return []

    # ---- client -> server ---------------------------------------------------------------------

    def from_client(self, data: bytes, interface: str) -> list[Send]:
        """A datagram that reached port 67 on client side ``interface``: relay it to the servers. Never raises."""
        return self._guard(self._from_client, data, interface)

    def _from_client(self, data: bytes, interface: str) -> list[Send]:
        side = self.sides[interface]
        msg = decode(data)
        if msg.op != BOOTREQUEST:
            self._note("not_request", "BOOTREPLY on client side %s ignored", interface, level=logging.DEBUG)
            return []
        if msg.hops >= MAX_HOPS:
            self._note("hops", "hops %d from %s", msg.hops, msg.chaddr.hex())
            return []
        out = bytearray(data)
        out[3] = msg.hops + 1
        if msg.giaddr == ZERO:
            out[24:28] = side.address.packed
        self.stats["to_server"] += 1
        return [(bytes(out), (str(server), SERVER_PORT), SERVER_SIDE) for server in self.servers]

    # ---- server -> client ---------------------------------------------------------------------

    def from_server(self, data: bytes, source: tuple[str, int] = ("0.0.0.0", SERVER_PORT)) -> list[Send]:
        """A datagram that reached port 67 on the server side: a reply for one of our client sides, with the
        Smart Install options when the director manages the client. Never raises."""
        return self._guard(self._from_server, data, source)

    def _from_server(self, data: bytes, source: tuple[str, int]) -> list[Send]:
        msg = decode(data)
        if msg.op != BOOTREPLY:
            self._note("not_reply", "BOOTREQUEST from %s on the server side ignored", source[0], level=logging.DEBUG)
            return []
        side = self.by_address.get(msg.giaddr)
        if side is None:
            self._note("foreign_giaddr", "reply for giaddr %s from %s is not ours", msg.giaddr, source[0])
            return []
        payload = data
        kind = msg.message_type
        if kind in (OFFER, ACK) and msg.yiaddr != ZERO and msg.htype == 1 and len(msg.chaddr) == 6:
            decision = self._decision(msg, side, fresh=kind == OFFER)
            if decision is not None and decision.options is not None:
                payload = encode(insert_smi_options(msg, decision.options))
                self.stats["inserted"] += 1
                log.info("DHCP snoop: Smart Install options for %s in the %s of %s", msg.chaddr.hex(),
                         "OFFER" if kind == OFFER else "ACK", source[0])
            else:
                self.stats["plain"] += 1
        else:
            self.stats["passed"] += 1
        if msg.ciaddr != ZERO and not msg.broadcast:
            destination = (str(msg.ciaddr), CLIENT_PORT)
        else:
            destination = (BROADCAST, CLIENT_PORT)
        return [(payload, destination, side.interface)]

    def _decision(self, msg: Message, side: ClientSide, fresh: bool) -> DhcpDecision | None:
        """``decide`` once per exchange: the OFFER's decision serves the ACK of the same xid."""
        if self.decide is None:
            return None
        now = time.monotonic()
        cached = self._decisions.get(msg.chaddr)
        if not fresh and cached is not None and cached[0] == msg.xid and cached[1] >= now:
            return cached[2]
        mac = MacAddress(int.from_bytes(msg.chaddr, "big"))
        try:
            decision = self.decide(DhcpRequest(mac, vlan=side.vlan, ip=msg.yiaddr))
        except Exception:
            self._note("decide_errors", "the director failed on %s; the reply passes unchanged", mac,
                       level=logging.ERROR)
            return None
        if len(self._decisions) > 4096:
            self._decisions = {k: v for k, v in self._decisions.items() if v[1] >= now}
        self._decisions[msg.chaddr] = (msg.xid, now + DECISION_HOLD, decision)
        return decision


# ---- transport ------------------------------------------------------------------------------------


class _Side(asyncio.DatagramProtocol):
    def __init__(self, runner: SnoopThread, name: str):
        self.runner = runner
        self.name = name
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        snooper = self.runner.snooper
        sends = snooper.from_server(data, addr) if self.name == SERVER_SIDE else snooper.from_client(data, self.name)
        for payload, destination, side in sends:
            try:
                self.runner.transports[side].sendto(payload, destination)
            except (OSError, KeyError) as exc:
                snooper._note("send_errors", "sending to %s: %s", destination[0], exc)

    def error_received(self, exc: Exception) -> None:
        self.runner.snooper._note("socket_errors", "%s", exc)


class SnoopThread:
    """Run a ``DhcpSnooper`` on port 67 of each client-side interface and of ``server_interface`` (root or a
    network namespace), on its own event loop in a daemon thread."""

    def __init__(self, snooper: DhcpSnooper, server_interface: str):
        self.snooper = snooper
        self.socks = {name: open_socket(name) for name in snooper.sides}
        try:
            self.socks[SERVER_SIDE] = open_socket(server_interface)
        except BaseException:
            for s in self.socks.values():
                s.close()
            raise
        self.transports: dict[str, asyncio.DatagramTransport] = {}
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="dhcp-snoop", daemon=True)
        self._ready = threading.Event()

    @classmethod
    def on_interfaces(cls, client_interfaces: dict[str, int], server_interface: str, servers: Iterable[IPv4 | str],
                      decide: Decide | None = None) -> SnoopThread:
        """Client interfaces (name -> VLAN) with their current addresses as giaddr."""
        sides = [ClientSide(name, interface_address(name), vlan) for name, vlan in client_interfaces.items()]
        return cls(DhcpSnooper(sides, servers, decide), server_interface)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def bind() -> None:
            for name, sock in self.socks.items():
                transport, _ = await self.loop.create_datagram_endpoint(lambda n=name: _Side(self, n), sock=sock)
                self.transports[name] = transport

        self.loop.run_until_complete(bind())
        self._ready.set()
        self.loop.run_forever()

    def start(self) -> SnoopThread:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
        for sock in self.socks.values():
            with contextlib.suppress(Exception):
                sock.close()
        self.loop.close()

    def __enter__(self) -> SnoopThread:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
