"""A director and simulated switches in one test: the director's live servers on loopback (or on a
namespace's interface), the switches on their own event-loop thread, and helpers to wait for outcomes."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path

from conftest import run

from vstackcli.engine.clock import FakeClock
from vstackcli.engine.device import Device
from vstackcli.grammar.values import MacAddress
from vstackcli.net.live import LiveBackends, LoopThread
from vstackcli.shell.session import Session
from vstackcli.sim import Phase, SimNetwork, SimSwitch, SwitchEvent, SwitchSpec

IMAGE_150 = "c2960-lanbasek9-tar.150-2.SE.tar"
IMAGE_152 = "c2960x-universalk9-tar.152-4.E10.tar"

DIRECTOR = """configure terminal
hostname Director
interface vlan 1
ip address 192.168.1.1 255.255.255.0
exit
vstack director 192.168.1.1
vstack basic
vstack dhcp-localserver pool1
address-pool 192.168.1.0 255.255.255.0
default-router 192.168.1.1
file-server 192.168.1.1
exit
end"""


def wait_until(condition: Callable[[], object], timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met in time")
        time.sleep(0.02)


def mac(n: int) -> MacAddress:
    return MacAddress(0x0024_13C6_0000 + n * 0x100)


class Lab:
    """One director (a Device with its live servers) and the simulated switches around it."""

    def __init__(self, root: Path, *config: str, director: str = DIRECTOR, interface: str | None = None):
        self.clock = FakeClock()
        self.device = Device(root / "director", clock=self.clock)
        self.live = LiveBackends.start(self.device, interface=interface)
        self.session = Session(self.device, privilege=15, length=0)
        self.loop = LoopThread()
        self.switches: list[SimSwitch] = []
        self.events: list[SwitchEvent] = []
        self.cli(*director.split("\n"))
        if config:
            self.cli("configure terminal", *config, "end")
        self._network: SimNetwork | None = None

    # ---- the director -------------------------------------------------------------------------

    def cli(self, *lines: str) -> list[str]:
        with self.device.lock:
            out = run(self.session, *lines)
        self.live.settle()
        return out

    def ok(self, *lines: str) -> None:
        out = self.cli(*lines)
        assert not [line for line in out if line.startswith("%")], out

    def show(self, command: str) -> str:
        return "\n".join(self.cli(command))

    def flash(self, name: str, data: bytes) -> None:
        self.device.storage.flash.write(name, data)

    def locked(self, condition: Callable[[], object]) -> Callable[[], object]:
        """``condition`` evaluated under the device lock (the engine changes files and entries under it)."""
        def check() -> object:
            with self.device.lock:
                return condition()
        return check

    def messages(self) -> list[str]:
        return [m.format(timestamps=False) for m in self.device.log.buffer]

    def entry(self, base: MacAddress):
        with self.device.lock:
            return self.device.director.db.by_mac(base)

    def tick(self, seconds: float) -> None:
        with self.device.lock:
            self.clock.advance(seconds)
            self.device.director.tick()

    # ---- the switches -------------------------------------------------------------------------

    @property
    def network(self) -> SimNetwork:
        if self._network is None:
            self.live.settle()
            endpoint = self.live.smi.endpoint
            assert endpoint is not None and self.live.dhcp.address and self.live.tftp.address
            self._network = SimNetwork.loopback(self.live.dhcp.address, self.live.tftp.address,
                                                (endpoint.host, endpoint.bound_port))
        return self._network

    def switch(self, name: str, pid: str = "WS-C2960-24TT-L", n: int = 1, *, start: bool = True,
               network: SimNetwork | None = None, **spec) -> SimSwitch:
        sw = SimSwitch(SwitchSpec(name, pid, spec.pop("mac", mac(n)), **spec), network or self.network,
                       self.events.append, keepalive=0.2, reload_delay=0.02, dhcp_retry=0.1,
                       time_scale=0.001)
        self.switches.append(sw)
        if start:
            self.loop.run(sw.start())
        return sw

    def on_loop(self, coro) -> object:
        return self.loop.run(coro)

    def wait_phase(self, sw: SimSwitch, *phases: Phase, timeout: float = 10.0) -> None:
        """Until the switch is in one of ``phases``; a JOINED switch also until the director has handled its
        join (the report is on its way when the switch says joined, as on a real network)."""
        wait_until(lambda: sw.phase in phases, timeout, f"{sw.name} in {phases} (now {sw.phase} {sw.detail})")
        if sw.phase is Phase.JOINED:
            wait_until(self.locked(lambda: (e := self.device.director.db.by_mac(sw.spec.mac)) is not None
                                   and e.phase in ("joined", "downloading", "reloading")),
                       timeout, f"the director has {sw.name}'s join")

    def stop(self, sw: SimSwitch) -> None:
        self.loop.run(sw.stop())

    def close(self) -> None:
        for sw in self.switches:
            with contextlib.suppress(Exception):
                self.loop.run(sw.stop(), 5)
        self.loop.stop()
        self.live.close()


def run_async(coro) -> object:
    return asyncio.run(coro)
