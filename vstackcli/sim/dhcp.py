"""The DHCP client of a simulated switch: DISCOVER, OFFER, REQUEST, ACK, as a zero-touch Catalyst does.

It asks from its Vlan1 MAC (base + 0x40) with the client identifier a Catalyst
sends, ``\\0cisco-<vlan mac>-Vl1`` (research/ztp-dhcp-tftp.md 1.5), and reads
what Smart Install puts in the lease: option 125 (enterprise 9: sub-option 5 the
image list, 16 the director), 150 (TFTP server), 67 (configuration file) and
12 (hostname). On loopback it sends unicast to the director's DHCP port from its
own alias (the server answers the sender); on an interface it broadcasts from
UDP 68 bound to the interface, and picks its replies out by xid and chaddr (so
several switches can share a namespace: every socket has SO_REUSEADDR).
"""

from __future__ import annotations

import asyncio
import ipaddress
import random
import socket
from dataclasses import dataclass

from vstackcli.grammar.values import MacAddress
from vstackcli.net.dhcp.codec import (
    ACK,
    BOOTREPLY,
    BROADCAST_FLAG,
    DISCOVER,
    NAK,
    OFFER,
    REQUEST,
    DecodeError,
    Message,
    Opt,
    decode,
    decode_vi_vendor,
    encode,
)
from vstackcli.sim.network import DHCP_CLIENT_PORT, DHCP_SERVER_PORT, SimNetwork

__all__ = ["DhcpClient", "Lease", "client_id"]

IPv4 = ipaddress.IPv4Address
CISCO = 9
PARAMETERS = bytes((1, 3, 6, 12, 15, 66, 67, 125, 150))


def client_id(vlan_mac: MacAddress) -> bytes:
    """Option 61 of a Catalyst asking on Vlan1: type 0, then ``cisco-<mac>-Vl1``."""
    return b"\x00" + f"cisco-{vlan_mac}-Vl1".encode("ascii")


@dataclass(frozen=True)
class Lease:
    """An acknowledged lease and the Smart Install options it carried."""

    ip: IPv4
    network: ipaddress.IPv4Network
    server: IPv4
    director: IPv4 | None = None  # option 125 sub-option 16: present only for a zero-touch client
    image_list: str = ""  # option 125 sub-option 5
    tftp_server: IPv4 | None = None  # option 150 (else siaddr)
    config_file: str = ""  # option 67
    hostname: str = ""  # option 12

    @property
    def smart_install(self) -> bool:
        return self.director is not None


def _text(value: bytes | None) -> str:
    return value.rstrip(b"\0").decode("ascii", "replace") if value else ""


def lease_from(ack: Message) -> Lease:
    """The lease an ACK grants."""
    mask = ack.options.get(Opt.SUBNET_MASK)
    prefix = ipaddress.IPv4Network(f"0.0.0.0/{IPv4(mask)}").prefixlen if mask and len(mask) == 4 else 24
    director, image_list = None, ""
    if Opt.VI_VENDOR in ack.options:
        try:
            cisco = decode_vi_vendor(ack.options[Opt.VI_VENDOR]).get(CISCO, {})
        except DecodeError:
            cisco = {}
        if len(cisco.get(16, b"")) == 4:
            director = IPv4(cisco[16])
        image_list = _text(cisco.get(5))
    tftp = ack.options.get(Opt.CISCO_TFTP)
    tftp_server = IPv4(tftp[:4]) if tftp and len(tftp) >= 4 else (ack.siaddr if int(ack.siaddr) else None)
    server = ack.address(Opt.SERVER_ID) or ack.siaddr
    return Lease(ack.yiaddr, ipaddress.IPv4Network(f"{ack.yiaddr}/{prefix}", strict=False), server, director,
                 image_list, tftp_server, _text(ack.options.get(Opt.BOOTFILE)), _text(ack.options.get(Opt.HOSTNAME)))


class _Replies(asyncio.DatagramProtocol):
    def __init__(self, xid_box: list[int], chaddr: bytes):
        self.xid_box = xid_box
        self.chaddr = chaddr
        self.queue: asyncio.Queue[Message] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr) -> None:
        try:
            msg = decode(data)
        except DecodeError:
            return
        if msg.op == BOOTREPLY and msg.xid == self.xid_box[0] and msg.chaddr[:6] == self.chaddr:
            self.queue.put_nowait(msg)

    def error_received(self, exc: Exception) -> None:
        pass


class DhcpClient:
    """One switch's DHCP client on ``network``; ``local`` is its loopback alias (loopback networks)."""

    def __init__(self, mac: MacAddress, network: SimNetwork, local: str | None = None, *, timeout: float = 1.0,
                 retries: int = 4):
        self.mac = mac
        self.network = network
        self.local = local
        self.timeout = timeout
        self.retries = retries
        self.chaddr = mac.value.to_bytes(6, "big")

    def _socket(self) -> socket.socket:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if self.network.is_loopback:
                s.bind((self.local or "127.0.0.1", 0))
            else:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, self.network.ifname.encode() + b"\0")
                s.bind(("0.0.0.0", DHCP_CLIENT_PORT))
            s.setblocking(False)
        except BaseException:
            s.close()
            raise
        return s

    def _destination(self) -> tuple[str, int]:
        if self.network.is_loopback:
            assert self.network.dhcp is not None
            return self.network.dhcp
        return "255.255.255.255", DHCP_SERVER_PORT

    def _message(self, kind: int, xid: int, extra: dict[int, bytes]) -> bytes:
        options = {Opt.MESSAGE_TYPE: bytes((kind,)), Opt.CLIENT_ID: client_id(self.mac),
                   Opt.PARAMETER_LIST: PARAMETERS, **extra}
        return encode(Message(xid=xid, flags=BROADCAST_FLAG, chaddr=self.chaddr, options=options))

    async def obtain(self) -> Lease | None:
        """DISCOVER/OFFER/REQUEST/ACK; None when no server answers (or it says NAK) after the retries."""
        loop = asyncio.get_running_loop()
        box = [random.getrandbits(32)]
        transport, proto = await loop.create_datagram_endpoint(lambda: _Replies(box, self.chaddr),
                                                               sock=self._socket())
        try:
            for _attempt in range(self.retries):
                box[0] = random.getrandbits(32)
                offer = await self._exchange(transport, proto, self._message(DISCOVER, box[0], {}), OFFER)
                if offer is None:
                    continue
                request = self._message(REQUEST, box[0], {Opt.REQUESTED_IP: offer.yiaddr.packed,
                                                          Opt.SERVER_ID: offer.options.get(Opt.SERVER_ID,
                                                                                           offer.siaddr.packed)})
                ack = await self._exchange(transport, proto, request, ACK)
                if ack is not None:
                    return lease_from(ack)
            return None
        finally:
            transport.close()

    async def _exchange(self, transport, proto: _Replies, packet: bytes, want: int) -> Message | None:
        transport.sendto(packet, self._destination())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while (left := deadline - loop.time()) > 0:
            try:
                msg = await asyncio.wait_for(proto.queue.get(), left)
            except TimeoutError:
                return None
            if msg.message_type == want:
                return msg
            if msg.message_type == NAK:
                return None
        return None
