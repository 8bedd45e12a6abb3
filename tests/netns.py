"""Test hosts in network namespaces: a veth pair with one end in the test's own namespace.

``veth_namespace("dhcp", 3)`` creates namespace ``vx-dhcp-3`` holding ``vxc<N>`` and leaves its peer
``vxs<N>`` in the test's namespace, with 198.18.N.1/24 on the peer (198.18.0.0/15 is the benchmarking
range, never routed). The client end gets 198.18.N.2/24 unless ``client_address=False`` (a DHCP client
must start without one). Everything is removed on exit. Needs root and iproute2; tests using it skip
elsewhere, and CI runs as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

__all__ = ["Namespace", "needs_netns", "veth_namespace"]

needs_netns = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("ip") is None,
                                 reason="network namespaces need root and iproute2")


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=20)


@dataclass(frozen=True)
class Namespace:
    name: str
    client_if: str
    server_if: str
    server_ip: str
    client_ip: str

    def cmd(self, *args: str) -> list[str]:
        """A command line that runs inside the namespace."""
        return ["ip", "netns", "exec", self.name, *args]

    def run(self, *args: str, timeout: float = 60, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(self.cmd(*args), capture_output=True, text=True, timeout=timeout, **kw)

    def popen(self, *args: str, **kw) -> subprocess.Popen:
        return subprocess.Popen(self.cmd(*args), **kw)


@contextmanager
def veth_namespace(tag: str, index: int, client_address: bool = True) -> Iterator[Namespace]:
    name = f"vx-{tag}-{index}"
    server_if, client_if = f"vxs{tag[:4]}{index}", f"vxc{tag[:4]}{index}"
    ns = Namespace(name, client_if, server_if, f"198.18.{index}.1", f"198.18.{index}.2")
    subprocess.run(["ip", "netns", "del", name], capture_output=True)
    subprocess.run(["ip", "link", "del", server_if], capture_output=True)
    _ip("netns", "add", name)
    try:
        _ip("link", "add", server_if, "type", "veth", "peer", "name", client_if)
        _ip("link", "set", client_if, "netns", name)
        _ip("addr", "add", f"{ns.server_ip}/24", "dev", server_if)
        _ip("link", "set", server_if, "up")
        _ip("netns", "exec", name, "ip", "link", "set", "lo", "up")
        _ip("netns", "exec", name, "ip", "link", "set", client_if, "up")
        if client_address:
            _ip("netns", "exec", name, "ip", "addr", "add", f"{ns.client_ip}/24", "dev", client_if)
        yield ns
    finally:
        subprocess.run(["ip", "link", "del", server_if], capture_output=True)
        subprocess.run(["ip", "netns", "del", name], capture_output=True)
