"""Rendering never prints defaults, and replaying what it prints rebuilds an equal model."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vstackcli.engine.clock import FakeClock
from vstackcli.engine.device import Device, Platform, factory_config
from vstackcli.engine.render import config_lines
from vstackcli.shell.replay import replay
from vstackcli.shell.session import Session

octet = st.integers(1, 254)
ip = st.builds(lambda a, b, c: f"10.{a}.{b}.{c}", octet, octet, octet)
mac = st.integers(0, 2**48 - 1).map(lambda v: f"{v:012x}").map(lambda h: f"{h[:4]}.{h[4:8]}.{h[8:]}")
name = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
url = st.one_of(
    name.map(lambda n: f"flash:{n}.tar"),
    st.tuples(ip, name).map(lambda t: f"tftp://{t[0]}/{t[1]}.txt"),
    name.map(lambda n: f"usb:dir/{n}.txt"),
)
vlans = st.lists(st.integers(2, 4094), min_size=1, max_size=5).map(lambda v: ",".join(map(str, v)))
family_ports = st.sampled_from([("3750", "24poe"), ("3560", "24"), ("2960", "24"), ("2960xr", "24-2sfp-il"),
                                ("3750x", "24")])
hhmm = st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]:02d}:{t[1]:02d}")


def _custom(kind: str, group: str, matches: list[str], files: list[tuple[str, str]]) -> list[str]:
    return [f"vstack group custom {group} {kind}", *matches, *[f"{w} {u}" for w, u in files], "exit"]


files = st.lists(st.tuples(st.sampled_from(["image", "config", "script"]), url), max_size=3)
custom_groups = st.one_of(
    st.builds(lambda g, ms, f: _custom("mac", g, [f"match mac {m}" for m in ms], f), name, st.lists(mac, max_size=3),
              files),
    st.builds(lambda g, hs, f: _custom("connectivity", g, [f"match host {h} interface GigabitEthernet1/0/{p}"
                                                           for h, p in hs], f),
              name, st.lists(st.tuples(ip, st.integers(1, 24)), max_size=2), files),
    st.builds(lambda g, ss, f: _custom("stack", g, [f"match {n} {fp[0]} {fp[1]}" for n, fp in ss], f),
              name, st.lists(st.tuples(st.integers(1, 9), family_ports), max_size=3), files),
    st.builds(lambda g, ps, f: _custom("product-id", g, [f"match {p}" for p in ps], f), name,
              st.lists(st.sampled_from(["WS-C2960-48TC-L", "WS-C3750X-24P-L", "WS-C3560-24PS-S"]), max_size=2),
              files),
)
statements = st.one_of(
    name.map(lambda n: [f"hostname H{n}"]),
    ip.map(lambda a: [f"vstack director {a}"]),
    st.just(["vstack basic"]),
    st.just(["no vstack basic"]),
    vlans.map(lambda v: [f"vstack vlan {v}"]),
    st.integers(2, 4094).map(lambda v: [f"vstack vlan {v}", f"vstack startup-vlan {v}"]),
    name.map(lambda n: [f"vstack hostname-prefix {n}"]),
    st.tuples(st.sampled_from(["image", "config", "script"]), url).map(lambda t: [f"vstack {t[0]} {t[1]}"]),
    st.just(["no vstack backup"]),
    url.map(lambda u: [f"vstack backup file-server {u.replace('flash:', 'tftp://10.9.9.9/')}"]),
    st.just(["no vstack join-window mode auto"]),
    st.tuples(hhmm, st.one_of(st.none(), hhmm), st.booleans()).map(
        lambda t: ["vstack join-window start " + t[0] + (f" {t[1]}" if t[1] else "") + (" recurring" if t[2] else "")]),
    st.tuples(st.integers(1, 28), st.sampled_from(["Jan", "Jul", "Dec"]), st.integers(2020, 2030), hhmm).map(
        lambda t: [f"vstack join-window start {t[0]} {t[1]} {t[2]} {t[3]} end 28 Dec 2035"]),
    st.tuples(name, ip, ip, ip).map(lambda t: [f"vstack dhcp-localserver {t[0]}", f"address-pool {t[1]} 255.255.255.0",
                                               f"default-router {t[2]}", f"file-server {t[3]}", "exit"]),
    st.tuples(family_ports, files).map(lambda t: [f"vstack group built-in {t[0][0]} {t[0][1]}",
                                                  *[f"{w} {u}" for w, u in t[1]], "exit"]),
    custom_groups,
    st.tuples(st.integers(2, 200), st.integers(1, 200)).map(
        lambda t: [f"interface vlan {t[0]}", f"ip address 172.{t[0] % 16 + 16}.{t[0]}.1 255.255.255.0",
                   f"ip helper-address 10.0.0.{t[1]}", "description uplink to core", "exit"]),
    st.tuples(name, ip, ip).map(lambda t: [f"ip dhcp pool {t[0]}", f"network {t[1]} 255.255.255.0",
                                           f"default-router {t[2]}", f"option 150 ip {t[2]}", "remember", "exit"]),
    st.just(["ip routing"]),
    st.just(["ip dhcp remember"]),
    vlans.map(lambda v: ["ip dhcp snooping", f"ip dhcp snooping vlan {v}"]),
    name.map(lambda n: [f"username {n} privilege 15 secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0"]),
    st.just(["enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0"]),
    st.just(["logging buffered 16384", "service password-encryption", "spanning-tree mode rapid-pvst"]),
    st.just(["line vty 0 4", " transport input ssh", " exec-timeout 0 0", "exit"]),
    st.just(["banner motd ^CAuthorized access only", "second line^C"]),
    st.just(["no vstack"]),
)


def _apply(device: Device, lines: list[str]) -> None:
    session = Session(device, privilege=15, length=0)
    session.execute("configure terminal")
    for line in lines:
        session.execute(line)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(statements, max_size=12))
def test_render_then_replay_rebuilds_an_equal_model(tmp_path: Path, program: list[list[str]]) -> None:
    first = Device(tmp_path / "a", clock=FakeClock())
    _apply(first, [line for stmt in program for line in stmt])
    text = "\n".join(config_lines(first.config)) + "\n"
    second = Device(tmp_path / "b", clock=FakeClock())
    report = replay(second, text)
    assert report.failures == []
    assert second.config == first.config
    assert config_lines(second.config) == config_lines(first.config)


def test_defaults_are_never_printed() -> None:
    text = "\n".join(config_lines(factory_config(Platform())))
    for default in ("vstack", "startup-vlan 1", "join-window mode auto", "vstack backup", "ip routing"):
        assert default not in text
