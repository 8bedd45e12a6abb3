"""The SMI proxy database: client MAC address <-> PnP UDI, kept in ``flash:vstack/smi_pnp_proxy_db.txt``.

The guide: SMI works off the MAC address, PnP off the UDI; the proxy adds an
entry when it first sees a client, keeps stale entries, reloads the file at
boot, and clearing it is not allowed (only ``show vstack proxy-db`` reads it).
"""

from __future__ import annotations

from vstackcli.engine.storage import FileSystem, StorageError
from vstackcli.grammar.values import MacAddress

__all__ = ["PROXY_DB_FILE", "ProxyDatabase", "udi"]

PROXY_DB_FILE = "vstack/smi_pnp_proxy_db.txt"


def udi(pid: str, serial: str, vid: str = "V01") -> str:
    """A PnP unique device identifier."""
    return f"PID:{pid},VID:{vid},SN:{serial}"


class ProxyDatabase:
    def __init__(self, flash: FileSystem):
        self.flash = flash
        self.entries: dict[MacAddress, str] = {}
        self.load()

    def load(self) -> None:
        try:
            text = self.flash.read(PROXY_DB_FILE).decode("utf-8", "replace")
        except StorageError:
            return
        for line in text.splitlines():
            mac, _, value = line.partition(" ")
            try:
                self.entries[MacAddress.parse(mac)] = value.strip()
            except ValueError:
                continue

    def add(self, mac: MacAddress, pid: str, serial: str) -> bool:
        """Add a client seen for the first time; False when it was already there (no action, as the guide says)."""
        if mac in self.entries:
            return False
        self.entries[mac] = udi(pid, serial)
        text = "".join(f"{m} {u}\n" for m, u in self.entries.items())
        self.flash.write(PROXY_DB_FILE, text.encode())
        return True

    def render(self) -> list[str]:
        lines = ["SMI Proxy Database:", "MAC Address    UDI",
                 "============== ================================================"]
        lines += [f"{mac!s:<14} {value}" for mac, value in self.entries.items()]
        return lines
