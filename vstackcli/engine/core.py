"""The director's brain: discovery, zero-touch decisions, reports, health, backups, reconcile.

Plain logic over the ``Device`` (configuration, storage, log, injected clock).
The network backends call the ``on_*`` methods with what they saw; the shell
calls the operator actions; ``tick()`` moves time-driven state (health, join
window, scheduled reloads). Nothing here opens a socket or prints.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vstackcli.engine import reconcile as rec
from vstackcli.engine.backend import Backend, ClientCommand, DesiredState, OfflineBackend
from vstackcli.engine.backup import BackupStore, repository
from vstackcli.engine.clients import ClientFacts, Neighbor, StackMember
from vstackcli.engine.director import ClientEntry, DirectorDatabase
from vstackcli.engine.downloads import DownloadList
from vstackcli.engine.groups import Assignment, GroupIndex
from vstackcli.engine.hostnames import client_hostname, vlan_mac
from vstackcli.engine.imagelists import (
    image_list_name,
    tailored_config_location,
    write_director_files,
    write_tailored_config,
)
from vstackcli.engine.joinwindow import JoinWindowMonitor
from vstackcli.engine.messages import smi
from vstackcli.engine.proxydb import ProxyDatabase
from vstackcli.engine.replacement import announce_replacement, find_replaced
from vstackcli.engine.secrets import type7_decode
from vstackcli.engine.storage import StorageError
from vstackcli.grammar.values import FileUrl, MacAddress

if TYPE_CHECKING:
    from vstackcli.engine.device import Device
    from vstackcli.engine.model import RunningConfig

__all__ = ["ClientReport", "DhcpDecision", "DhcpRequest", "Director", "SmiOptions"]

KEEPALIVE_SECONDS = 30.0


@dataclass(frozen=True)
class DhcpRequest:
    """A DHCP DISCOVER/REQUEST the director saw (served itself or snooped)."""

    mac: MacAddress
    vlan: int = 1
    pid: str = ""  # when known (CDP from the upstream neighbour, or the client's report)
    upstream: Neighbor | None = None
    stack: tuple[StackMember, ...] = ()
    ip: ipaddress.IPv4Address | None = None  # the address offered or acknowledged


@dataclass(frozen=True)
class SmiOptions:
    """What the DHCP reply must carry for a Smart Install client."""

    director: ipaddress.IPv4Address  # option 125 sub-option 16
    image_list: str = ""  # option 125 sub-option 5: path of the image list on the TFTP server
    config_file: str = ""  # option 67
    tftp_server: ipaddress.IPv4Address | None = None  # option 150
    hostname: str = ""  # option 12
    script: str = ""  # the post-install script, handed over the Smart Install protocol, not DHCP


@dataclass(frozen=True)
class DhcpDecision:
    options: SmiOptions | None  # None: a plain lease, no Smart Install options
    join: str  # a / h / d
    reason: str = ""


@dataclass(frozen=True)
class ClientReport:
    """A Smart Install client's join or keepalive report (vstackcli's protocol extension)."""

    mac: MacAddress
    pid: str
    ip: ipaddress.IPv4Address | None
    hostname: str = ""
    serial: str = ""
    version: str = ""
    smart_install: bool = True
    upstream: Neighbor | None = None
    stack: tuple[StackMember, ...] = ()


class Director:
    """The Smart Install director of one device."""

    def __init__(self, device: Device, backend: Backend | None = None, keepalive: float = KEEPALIVE_SECONDS):
        self.device = device
        self.backend: Backend = backend or OfflineBackend()
        self.keepalive = keepalive
        self.db: DirectorDatabase = device.director_db
        self.downloads = DownloadList()
        self.monitor = JoinWindowMonitor()
        self.applied: DesiredState | None = None
        self.operational = False
        self._had_interface = False
        self._index: tuple[int, GroupIndex] | None = None
        self._files_written_for = -1
        self._written: dict[str, bytes] = {}
        self._backup_names: dict[MacAddress, str] = {}  # MAC -> hostname its backup files are named after
        self.proxy_db = ProxyDatabase(device.storage.flash)
        self._upgrading: set[MacAddress] = set()  # clients with an image or config download in progress
        self.cdp: dict[MacAddress, ClientReport] = {}  # CDP database updates: base MAC -> what a neighbour saw

    # ---- configuration -> backends -------------------------------------------------------

    @property
    def config(self) -> RunningConfig:
        return self.device.config

    def groups(self) -> GroupIndex:
        generation = self.device.generation
        if self._index is None or self._index[0] != generation:
            self._index = (generation, GroupIndex.build(self.config.vstack))
        return self._index[1]

    def reconcile(self) -> DesiredState:
        """Bring the backends and the director role in line with the running-config."""
        cfg = self.config
        if rec.director_interface(cfg) is not None:
            self._had_interface = True
        elif cfg.vstack.director is None or not cfg.vstack.is_director:
            self._had_interface = False
        director = rec.is_operational_director(cfg, self._had_interface)
        if director != self.operational:
            self.operational = director
            smi(self.device.log, "DIRECTOR", chars="Enabled" if director else "Disabled")
            if not director:
                self.db.clear()
        desired = rec.desired_state(cfg, director)
        if desired != self.applied:
            self.applied = desired
            self.backend.apply(desired)
        if director and cfg.vstack.director is not None:
            self.monitor.tick(cfg.vstack.join_window, self.device.clock.now(), cfg.vstack.director, self.device.log)
        if director and self._files_written_for != self.device.generation:
            self._files_written_for = self.device.generation
            write_director_files(cfg.vstack, self.write_file, self.device.log)
            if cfg.vstack.image is not None:
                password = _plain_password(cfg.enable_password)
                write_tailored_config(cfg.vstack.director, password, self.write_file, self.device.log,
                                      tailored_config_location(cfg.vstack))
        return desired

    def write_file(self, location: str, data: bytes) -> None:
        """Write a file the director makes (image list, tailored config) unless it is already there."""
        if self._written.get(location) == data:
            return
        url = FileUrl.parse(location)
        if not url.is_local:
            transfers = self.device.transfers
            if transfers is None:
                raise ConnectionError(f"cannot write {location}: the TFTP client is not running")
            transfers.put(location, data)
            self._written[location] = data
            return
        flash = self.device.storage.flash
        if not (flash.exists(url.path) and flash.read(url.path) == data):  # at boot the files are usually there
            flash.write(url.path, data)
        self._written[location] = data

    # ---- zero-touch ------------------------------------------------------------------------

    def on_dhcp(self, request: DhcpRequest) -> DhcpDecision:
        """A client asks for an address: decide whether its lease carries the Smart Install options."""
        cfg = self.config
        v = cfg.vstack
        if not self.operational or v.director is None:
            return DhcpDecision(None, "a", "not a director")
        if request.vlan != v.startup_vlan and request.vlan not in v.vlans:
            return DhcpDecision(None, "a", f"VLAN {request.vlan} is not a Smart Install management VLAN")
        now = self.device.clock.now()
        entry = self.db.by_mac(request.mac) or self._by_base_mac(request.mac)
        replaced = None
        if entry is None:
            facts = ClientFacts(request.mac, request.pid, request.upstream, request.stack, in_database=False)
            if request.pid:
                replaced = find_replaced(self.db.clients, facts, upstream_of=lambda e: e.upstream)
            entry = self._add_client(request.mac, request.pid or "", request.ip, "P", request.upstream,
                                     request.stack)
            if replaced is not None:
                announce_replacement(self.device.log, replaced.mac, request.mac)
                entry.hostname = replaced.hostname
                self.db.remove(replaced)
        elif request.ip is not None:
            entry.ip = request.ip
        state = self.monitor.admission(v.join_window, now)
        if entry.join_override:
            state = entry.join
        elif entry.join == "h" and state != "d":
            state = "h"  # a held client stays on the hold list until the operator releases it
        entry.join = state
        if entry.join != "a":
            entry.phase = "denied" if entry.join == "d" else "on hold"
            return DhcpDecision(None, entry.join, "join window" if entry.join == "d" else "on hold")
        if self._upstream_busy(entry):
            entry.phase = "waiting"
            return DhcpDecision(None, "a", "an upstream hop is still upgrading")
        seen = self.cdp_facts(request.mac)  # a MAC group names the base MAC, which CDP tells
        if seen is not None and not entry.pid:  # CDP came after an earlier request: learn from it now
            entry.pid, entry.stack = seen.pid, entry.stack or seen.stack
            if entry.upstream is None and seen.upstream is not None:
                entry.upstream = seen.upstream
                entry.neighbors = [(str(seen.upstream.host), str(seen.upstream.interface))]
                entry.hops = self._hops(seen.upstream)
            if entry.device_type == "P" and entry.pid:  # only now can it be seen as a replacement
                others = [c for c in self.db.clients if c is not entry]
                replaced = find_replaced(others, ClientFacts(entry.mac, entry.pid, entry.upstream, entry.stack,
                                                             in_database=False), upstream_of=lambda e: e.upstream)
                if replaced is not None:
                    announce_replacement(self.device.log, replaced.mac, entry.mac)
                    entry.hostname = replaced.hostname
                    self.db.remove(replaced)
        facts = ClientFacts(seen.mac if seen is not None else entry.mac, entry.pid, entry.upstream, entry.stack,
                            in_database=True)
        assignment = self.groups().resolve(facts)  # without a PID (no CDP yet): a MAC group or the default
        if replaced is not None:
            assignment = self.groups().resolve(ClientFacts(replaced.mac, replaced.pid, replaced.upstream,
                                                           replaced.stack)) or assignment
        if assignment is None or (assignment.image is None and assignment.config is None):
            self._not_configured(entry)
            entry.phase = "not configured"
            return DhcpDecision(None, "a", "nothing configured for this client")
        config_file = self._config_for(entry, assignment, replaced)
        image_list = image_list_name(assignment) if assignment.image is not None else ""
        tftp = self._tftp_server(assignment, v.director)
        try:
            hostname = client_hostname(v.hostname_prefix, request.mac)
        except ValueError:
            hostname = ""
        if hostname and not entry.hostname:
            entry.hostname = hostname
        if entry.phase == "reloading":  # back from its zero-touch reload: the same lease, nothing to start again
            return DhcpDecision(SmiOptions(v.director, image_list, config_file, tftp, hostname, ""), "a")
        if assignment.image is not None:
            self._start(entry, "image", str(assignment.image), on_demand=False)
        if assignment.config is not None or config_file:
            self._start(entry, "config", config_file or str(assignment.config), on_demand=False)
        script = assignment.script.path if assignment.script is not None else ""
        entry.script = str(assignment.script) if assignment.script is not None else ""
        entry.phase = "offered"
        return DhcpDecision(SmiOptions(v.director, image_list, config_file, tftp, hostname, script), "a")

    def _by_base_mac(self, dhcp_mac: MacAddress) -> ClientEntry | None:
        """A joined client asks DHCP with its Vlan1 MAC (base + 0x40) but is listed under its base MAC."""
        return self.db.by_mac(MacAddress(dhcp_mac.value - 0x40)) if dhcp_mac.value >= 0x40 else None

    def _by_vlan_mac(self, base: MacAddress) -> ClientEntry | None:
        """A client reports with its base MAC before its join re-keys the entry its DHCP request made."""
        try:
            return self.db.by_mac(vlan_mac(base))
        except ValueError:
            return None

    def _config_for(self, entry: ClientEntry, assignment: Assignment, replaced: ClientEntry | None) -> str:
        """Option 67: the client's last backup (rev2) when backup is on and one exists, else the seed."""
        v = self.config.vstack
        source = replaced or entry
        if v.backup:
            files = self.backups().files(source.mac)
            if files and files[-1].endswith(".rev2"):
                return files[-1]
        return assignment.config.path if assignment.config is not None else ""

    @staticmethod
    def _tftp_server(assignment: Assignment, director: ipaddress.IPv4Address) -> ipaddress.IPv4Address:
        for url in (assignment.image, assignment.config):
            if url is not None and url.scheme == "tftp:" and url.host:
                try:
                    return ipaddress.IPv4Address(url.host)
                except ValueError:
                    continue
        return director

    def _not_configured(self, entry: ClientEntry) -> None:
        log = self.device.log
        ip = entry.ip or "0.0.0.0"
        smi(log, "IMG_CFG_NOT_CONFIGURED", chars=entry.hostname or entry.mac, inet=ip)
        kind = "switch-stack" if len(entry.stack) > 1 else "sku type"
        smi(log, "INCORRECT_CFG", kind=kind, model=entry.pid or "unknown")

    def _upstream_busy(self, entry: ClientEntry) -> bool:
        """Updates go one hop at a time: none while a client nearer the director is upgrading."""
        for mac in self._upgrading:
            c = self.db.by_mac(mac)
            if c is not None and c is not entry and c.hops < entry.hops and (c.image == "i" or c.config == "c"):
                return True
        return False

    def _add_client(self, mac: MacAddress, pid: str, ip: ipaddress.IPv4Address | None, device_type: str,
                    upstream: Neighbor | None, stack: tuple[StackMember, ...]) -> ClientEntry:
        entry = ClientEntry(self.db.next_index(), mac, pid, ip, "", device_type=device_type, upstream=upstream,
                            stack=stack, last_seen=self.device.clock.monotonic())
        entry.hops = self._hops(upstream)
        if upstream is not None:
            entry.neighbors = [(str(upstream.host), str(upstream.interface))]
        self.db.add(entry)
        smi(self.device.log, "SWITCH_ADD", enet=mac)
        return entry

    def _hops(self, upstream: Neighbor | None) -> int:
        hops, seen = 1, set()
        director = self.config.vstack.director
        while upstream is not None and upstream.host != director and upstream.host not in seen:
            seen.add(upstream.host)
            parent = self.db.by_ip(upstream.host)
            if parent is None:
                break
            hops += 1
            upstream = parent.upstream
        return hops

    # ---- what clients report -----------------------------------------------------------------

    def on_cdp(self, report: ClientReport) -> ClientEntry | None:
        """A CDP database update: an upstream device saw this neighbour (docs/smi-extension.md).

        The facts are kept for the client's DHCP requests (its PID, port and stack decide
        its group and whether it replaces an inactive switch). A client that is not Smart
        Install capable never reports itself: it enters the database here (type N).
        """
        v = self.config.vstack
        upstream = report.upstream
        if upstream is not None and int(upstream.host) == 0 and v.director is not None:
            upstream = Neighbor(v.director, upstream.interface)  # the director heard it on its own port
        report = ClientReport(report.mac, report.pid, report.ip, report.hostname, report.serial, report.version,
                              report.smart_install, upstream, report.stack)
        if len(self.cdp) >= 65536:
            self.cdp.pop(next(iter(self.cdp)))
        self.cdp[report.mac] = report
        if report.smart_install or not self.operational:
            return None
        entry = self.db.by_mac(report.mac) or self._rekey_from_dhcp(report.mac)
        if entry is None:
            entry = self._add_client(report.mac, report.pid, report.ip, "N", upstream, report.stack)
        entry.pid, entry.ip = report.pid or entry.pid, report.ip or entry.ip
        entry.hostname = report.hostname or entry.hostname
        entry.serial, entry.version = report.serial or entry.serial, report.version or entry.version
        entry.device_type, entry.health, entry.phase = "N", "A", "joined"
        entry.last_seen = self.device.clock.monotonic()
        if upstream is not None:
            entry.upstream = upstream
            entry.neighbors = [(str(upstream.host), str(upstream.interface))]
            entry.hops = self._hops(upstream)
        self._legacy_zero_touch(entry)
        return entry

    def _legacy_zero_touch(self, entry: ClientEntry) -> None:
        """Zero-touch of a client that is not Smart Install capable, once it is up with an address: it took
        its configuration by AutoInstall (option 67); its image goes in over telnet (``archive download-sw``)
        with the director's enable password, the one the tailored configuration hands such clients."""
        if entry.ip is None:
            return
        mine = [r for r in self.downloads.records
                if r.mac == str(entry.mac) and r.status == "pending" and not r.on_demand]
        for record in mine:
            if record.kind == "config":
                record.status, record.detail = "done", "taken by AutoInstall (option 67)"
        image = next((r for r in mine if r.kind == "image"), None)
        password = _plain_password(self.config.enable_password)
        if image is None:
            return
        if not password:
            image.status, image.detail = "failed", "no enable password on the director to log in to the client"
            entry.image = "X"
            return
        try:
            self.backend.send(ClientCommand("image", entry.ip, image.url, password=password, reload=True))
        except (ConnectionError, OSError) as exc:
            image.status, image.detail = "failed", str(exc)
            entry.image = "X"

    def cdp_facts(self, dhcp_mac: MacAddress) -> ClientReport | None:
        """What CDP said of the client asking DHCP from ``dhcp_mac`` (its Vlan1 MAC, or its base MAC)."""
        found = self.cdp.get(dhcp_mac)
        if found is None and dhcp_mac.value >= 0x40:
            found = self.cdp.get(MacAddress(dhcp_mac.value - 0x40))
        return found

    def on_report(self, report: ClientReport) -> ClientEntry:
        """A client joined or kept alive: refresh its entry (and its stack members' entries)."""
        entry = self.db.by_mac(report.mac)
        joining = entry is None or entry.phase != "joined"
        if entry is None:
            entry = self._rekey_from_dhcp(report.mac)
        if entry is None:
            entry = self._add_client(report.mac, report.pid, report.ip, "S" if report.smart_install else "N",
                                     report.upstream, report.stack)
        entry.pid = report.pid or entry.pid
        entry.ip = report.ip or entry.ip
        entry.hostname = report.hostname or entry.hostname
        entry.serial, entry.version = report.serial or entry.serial, report.version or entry.version
        entry.device_type = "S" if report.smart_install else "N"
        entry.health = "A"
        entry.phase = "joined"
        entry.last_seen = self.device.clock.monotonic()
        if report.upstream is not None:
            entry.upstream = report.upstream
            entry.neighbors = [(str(report.upstream.host), str(report.upstream.interface))]
            entry.hops = self._hops(report.upstream)
        entry.stack = report.stack or entry.stack
        self._stack_members(entry)
        v = self.config.vstack
        if joining and self.operational and v.backup and report.smart_install and entry.ip is not None:
            self.request_backup(entry)
        if v.enabled and v.proxy is not None and entry.pid:
            try:
                self.proxy_db.add(entry.mac, entry.pid, entry.serial)
            except StorageError as exc:
                smi(self.device.log, "INTERNAL_ERROR", chars=f"SMI proxy database: {exc}", dec=1)
        return entry

    def _rekey_from_dhcp(self, base: MacAddress) -> ClientEntry | None:
        """A Catalyst asks DHCP with its Vlan1 MAC (base + 0x40) and reports its base MAC: one client."""
        try:
            entry = self.db.by_mac(vlan_mac(base))
        except ValueError:
            return None
        if entry is not None:
            self.db.remove(entry)
            if entry.mac in self._upgrading:
                self._upgrading.discard(entry.mac)
                self._upgrading.add(base)
            for record in self.downloads.records:  # download-status lists the client under its MAC too
                if record.mac == str(entry.mac):
                    record.mac = str(base)
            entry.mac = base
            self.db.add(entry)
        return entry

    def _stack_members(self, head: ClientEntry) -> None:
        for member in head.stack:
            if member.mac == head.mac:
                continue
            e = self.db.by_mac(member.mac)
            if e is None:
                e = self.db.add(ClientEntry(self.db.next_index(), member.mac, member.pid, head.ip, head.hostname,
                                            stack_of=head.index, last_seen=head.last_seen))
            e.ip, e.hostname, e.health, e.last_seen = head.ip, head.hostname, head.health, head.last_seen
            e.device_type, e.join = head.device_type, head.join

    def on_download(self, mac: MacAddress, kind: str, phase: str, detail: str = "") -> None:
        """A client reports a download: ``phase`` is started, done or failed."""
        entry = self.db.by_mac(mac) or self._by_vlan_mac(mac)
        if entry is None:
            return
        record = self.downloads.latest(str(entry.mac), kind)
        name = record.url if record else kind
        ip = entry.ip or "0.0.0.0"
        letters = {"image": {"started": "i", "done": "I", "failed": "X"},
                   "config": {"started": "c", "done": "C", "failed": "x"}}[kind]
        setattr(entry, kind, letters[phase])
        if entry.image == "i" or entry.config == "c":
            self._upgrading.add(entry.mac)
        else:
            self._upgrading.discard(entry.mac)
        if record is not None:
            record.status = {"started": "in progress", "done": "done", "failed": "failed"}[phase]
            record.detail = detail
        entry.phase = {"started": "downloading", "failed": "failed"}.get(
            phase, "downloading" if self._downloads_pending(entry) else "reloading")
        if entry.phase == "reloading" and entry.script:
            self._send_script(entry)
        log = self.device.log
        if phase == "started":
            smi(log, "UPGRD_STARTED", inet=ip, chars=name)
        elif phase == "done":
            smi(log, "UPGRD_SUCCESS", inet=ip, chars=name)
        else:
            smi(log, "UPGRD_FAILED", inet=ip, chars=kind)

    def _send_script(self, entry: ClientEntry) -> None:
        """After its image and configuration, a client runs the group's post-install script, then reloads."""
        script, entry.script = entry.script, ""
        try:
            self.backend.send(ClientCommand("script", entry.ip, script))
        except (ConnectionError, OSError) as exc:
            smi(self.device.log, "UPGRD_FAILED", inet=entry.ip or "0.0.0.0", chars=f"post-install script ({exc})")

    def _downloads_pending(self, entry: ClientEntry) -> bool:
        mac = str(entry.mac)
        return any(r.mac == mac and r.status in ("pending", "in progress") for r in self.downloads.records)

    def _start(self, entry: ClientEntry, kind: str, url: str, on_demand: bool, **extra: object):
        if not on_demand:  # a new zero-touch decision replaces one the client never acted on
            self.downloads.records = [r for r in self.downloads.records
                                      if not (r.mac == str(entry.mac) and r.kind == kind and r.status == "pending"
                                              and not r.on_demand)]
        return self.downloads.add(client_ip=entry.ip, mac=str(entry.mac), kind=kind, url=url, status="pending",
                                  when=self.device.clock.now(), on_demand=on_demand, **extra)

    # ---- backups ---------------------------------------------------------------------------

    def request_backup(self, entry: ClientEntry) -> None:
        """Ask a client for its startup configuration (after it boots, and when the director starts):
        a type 8 ``copy`` into ``flash:vstack/incoming/<mac>.cfg``, which the TFTP side hands to on_backup."""
        command = ClientCommand("backup", entry.ip, f"flash:vstack/incoming/{entry.mac}.cfg")
        try:
            self.backend.send(command)
        except (ConnectionError, OSError) as exc:
            repository = self.backups().label
            smi(self.device.log, "SMI_DIRECTOR_BACKUP_FAILURE", inet=entry.ip, repository=repository,
                reason=str(exc))

    def backups(self) -> BackupStore:
        """The backup repository: flash:/vstack, or `vstack backup file-server URL`."""
        v = self.config.vstack
        repo = repository(v.backup_file_server)
        sink = self.device.storage.flash if repo.local else _RemoteRepository(v.backup_file_server,
                                                                               self.device.transfers)
        return BackupStore.for_repository(sink, repo, enabled=v.backup, mapping=self._backup_names)

    def on_backup(self, mac: MacAddress, data: bytes) -> bool:
        """A client sent its startup configuration after ``write memory``."""
        entry = self.db.by_mac(mac)
        store = self.backups()
        outcome = store.backup(self.device.log, entry.hostname if entry and entry.hostname else "Switch", mac,
                               entry.ip if entry and entry.ip else "0.0.0.0", data)
        self._backup_names = store.mapping
        return outcome is not None and outcome.ok

    # ---- time --------------------------------------------------------------------------------

    def tick(self) -> None:
        """Advance time-driven state: client health and the join window."""
        if not self.operational:
            return
        self.db.age(self.device.clock.monotonic(), self.keepalive)
        for entry in self.db.clients:
            if entry.stack_of is not None:
                head = self.db.by_index(entry.stack_of)
                if head is not None:
                    entry.health = head.health
        director = self.config.vstack.director
        if director is not None:
            self.monitor.tick(self.config.vstack.join_window, self.device.clock.now(), director, self.device.log)


def _plain_password(stored: str) -> str:
    """The enable password as legacy clients must be told it (type 7 decoded, type 0 as is)."""
    kind, _, value = stored.partition(" ")
    if kind == "7" and value:
        try:
            return type7_decode(value)
        except ValueError:
            return ""
    return value if kind == "0" and value else stored


class _RemoteRepository:
    """A TFTP repository for backups (``vstack backup file-server tftp://...``): files go over TFTP;
    nothing is ever deleted there, as the guide says of third-party repositories."""

    def __init__(self, url: FileUrl, transfers: object | None):
        self.url = url
        self.transfers = transfers

    def _url(self, name: str) -> str:
        directory = self.url.path.strip("/")
        relative = name[len(directory) + 1:] if directory and name.startswith(directory + "/") else name
        return f"tftp://{self.url.host}/{directory + '/' if directory else ''}{relative}"

    def _need(self) -> object:
        if self.transfers is None:
            raise ConnectionError(f"cannot reach {self.url}: the TFTP client is not running")
        return self.transfers

    def read(self, name: str) -> bytes:
        return self._need().get(self._url(name))

    def write(self, name: str, data: bytes) -> None:
        self._need().put(self._url(name), data)

    def delete(self, name: str) -> None:
        """Third-party repositories keep their files."""

    def exists(self, name: str) -> bool:
        try:
            self.read(name)
        except (ConnectionError, OSError, ValueError):
            return False
        except Exception:
            return False
        return True

