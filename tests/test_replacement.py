"""Zero-touch replacement: which inactive client a new switch replaces, and what configuration it gets."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from vstackcli.engine.backup import BackupStore
from vstackcli.engine.clients import ClientFacts, Neighbor
from vstackcli.engine.clock import FakeClock
from vstackcli.engine.director import ClientEntry
from vstackcli.engine.replacement import (
    announce_replacement,
    find_replaced,
    first_neighbor,
    match_replacement,
    replacement_plan,
)
from vstackcli.engine.storage import FileSystem
from vstackcli.engine.syslog import SystemLog
from vstackcli.grammar.values import MacAddress, parse_interface

OLD = MacAddress.parse("0016.4779.b780")
NEW = MacAddress.parse("d0d0.fd37.5a80")
PID = "WS-C3750X-48P"
UPLINK = Neighbor(ipaddress.IPv4Address("172.20.249.54"), parse_interface("GigabitEthernet1/0/3"))


def entry(index: int = 1, mac: MacAddress = OLD, pid: str = PID, health: str = "I",
          neighbors: list[tuple[str, str]] | None = None) -> ClientEntry:
    return ClientEntry(index, mac, pid, ipaddress.IPv4Address(f"172.20.249.{100 + index}"), f"SW{index}",
                       health=health, neighbors=[("172.20.249.54", "Gi1/0/3")] if neighbors is None else neighbors)


def newcomer(pid: str = PID, upstream: Neighbor | None = UPLINK, mac: MacAddress = NEW) -> ClientFacts:
    return ClientFacts(mac=mac, pid=pid, upstream=upstream, in_database=False)


def test_same_pid_same_port_inactive_is_a_replacement():
    old = entry()
    match = match_replacement([old], newcomer())
    assert match.is_replacement and match.old is old
    assert find_replaced([old], newcomer()) is old


def test_interface_names_compare_canonically():
    old = entry(neighbors=[("172.20.249.54", "GigabitEthernet1/0/3"), ("172.20.249.60", "Gi1/0/1")])
    assert find_replaced([old], newcomer()) is old


def test_active_old_client_is_not_replaced():
    assert find_replaced([entry(health="A")], newcomer()) is None


def test_different_port_is_a_new_client():
    elsewhere = Neighbor(UPLINK.host, parse_interface("GigabitEthernet1/0/4"))
    match = match_replacement([entry()], newcomer(upstream=elsewhere))
    assert match.old is None
    assert "new client" in match.reason
    other_host = Neighbor(ipaddress.IPv4Address("172.20.249.55"), UPLINK.interface)
    assert find_replaced([entry()], newcomer(upstream=other_host)) is None


def test_different_pid_is_a_new_client():
    assert find_replaced([entry()], newcomer(pid="WS-C2960-48TC-S")) is None


def test_pid_compared_case_insensitively():
    assert find_replaced([entry()], newcomer(pid=PID.lower())) is not None


def test_two_candidates_replace_none():
    a, b = entry(1), entry(2, mac=MacAddress.parse("0024.13c6.b580"))
    match = match_replacement([a, b], newcomer())
    assert match.old is None
    assert match.candidates == (a, b)
    assert "only one client can be replaced at a time" in match.reason


def test_inactive_elsewhere_does_not_count_as_second_candidate():
    a = entry(1)
    b = entry(2, mac=MacAddress.parse("0024.13c6.b580"), neighbors=[("172.20.249.54", "Gi1/0/9")])
    assert find_replaced([a, b], newcomer()) is a


def test_unknown_upstream_is_never_a_replacement():
    assert find_replaced([entry()], newcomer(upstream=None)) is None
    assert find_replaced([entry(neighbors=[])], newcomer()) is None
    assert find_replaced([entry(neighbors=[("core-sw", "Gi1/0/3")])], newcomer()) is None


def test_known_mac_coming_back_is_not_a_replacement():
    old = entry()
    assert find_replaced([old, entry(2, mac=NEW, health="A")], newcomer()) is None


def test_director_entry_is_never_a_candidate():
    director = entry(0)
    director.is_director = True
    assert find_replaced([director], newcomer()) is None


def test_custom_upstream_of():
    old = entry(neighbors=[])
    assert find_replaced([old], newcomer(), upstream_of=lambda e: UPLINK) is old


def test_first_neighbor():
    assert first_neighbor(entry()) == UPLINK
    assert first_neighbor(entry(neighbors=[("172.20.249.54", "Bogus9")])) is None


@pytest.fixture
def store(tmp_path: Path) -> BackupStore:
    return BackupStore(FileSystem("flash:", tmp_path / "flash", 1_000_000), local=True)


def test_plan_uses_the_last_backup(store: BackupStore):
    store.store("SW1", OLD, b"first")
    store.store("SW1", OLD, b"hostname SW1\n")
    assert replacement_plan(entry(), store) == (b"hostname SW1\n", "backup")


def test_plan_falls_back_to_seed_without_rev2(store: BackupStore):
    assert replacement_plan(entry(), store) == (None, "seed")
    store.store("SW1", OLD, b"cfg")
    store.sink.delete("vstack/SW1" + str(OLD) + ".rev2")
    assert replacement_plan(entry(), store) == (None, "seed")


def test_plan_seed_when_backup_disabled_or_absent(store: BackupStore):
    store.store("SW1", OLD, b"cfg")
    assert replacement_plan(entry(), None) == (None, "seed")
    store.enabled = False
    assert replacement_plan(entry(), store) == (None, "seed")


def test_switch_replace_message():
    log = SystemLog(FakeClock())
    announce_replacement(log, OLD, NEW)
    assert log.buffer[-1].format(timestamps=False) == (
        "%SMI-6-SWITCH_REPLACE: Device 0016.4779.b780 is being replaced by d0d0.fd37.5a80 Device")
