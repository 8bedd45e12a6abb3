"""The fleet topology: the TOML file (every mistake one clear line naming file, line and field), the
shipped example, and the --count/--pids generator (deterministic, a tree, upstream first)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vstackcli.fleet.topology import TopologyError, generate, load, parse, parse_pid_mix
from vstackcli.grammar.values import MacAddress

REPO = Path(__file__).resolve().parent.parent

GOOD = """
[defaults]
version = "12.2(55)SE5"
flash_size = "128mb"

[[switch]]
name = "core"
pid = "WS-C3750X-24P-L"
members = [{number = 1, mac = "0000.1111.0100"}, {number = 2, pid = "WS-C3750X-24P-L"}]
mac = "0000.1111.0100"

[[switch]]
name = "edge"
pid = "ws-c2960x-48fpd-l"
upstream = "core"
port = "Gi1/0/7"
fault = "key-pressed"
"""


def test_a_file_parses_into_switch_specs_upstream_first():
    top = parse(GOOD, "t.toml")
    core, edge = top.switches
    assert core.mac == MacAddress.parse("0000.1111.0100")
    assert core.flash_size == 128 * 1024**2 and core.version == "12.2(55)SE5"
    assert [m.number for m in core.members] == [1, 2] and core.members[0].mac == core.mac
    assert core.members[1].mac != core.mac and core.serial.startswith("FOC")
    assert edge.pid == "WS-C2960X-48FPD-L" and edge.upstream == "core"
    assert edge.upstream_port == "GigabitEthernet1/0/7" and edge.fault == "key-pressed"
    assert top.depth(edge) == 2 and core.upstream is None


def test_downstream_switches_come_after_their_upstream_whatever_the_file_order():
    text = """
[[switch]]
name = "b"
pid = "WS-C2960X-48FPD-L"
upstream = "a"
[[switch]]
name = "a"
pid = "WS-C2960X-48FPD-L"
"""
    assert [s.name for s in parse(text).switches] == ["a", "b"]


def test_generated_macs_are_stable_and_unique():
    text = "\n".join(f'[[switch]]\nname = "s{i}"\npid = "WS-C2960X-48FPD-L"\nport = "Gi1/0/{i}"'
                     for i in range(1, 20))
    first, second = parse(text), parse(text)
    assert [s.mac for s in first.switches] == [s.mac for s in second.switches]
    assert len({s.mac for s in first.switches}) == 19


@pytest.mark.parametrize(("text", "line", "words"), [
    ('[[switch]]\nname = "a"\npid = "X"\nupstream = "ghost"\n', 4, ["field 'upstream'", "ghost"]),
    ('[[switch]]\nname = "a"\npid = "X"\n\n[[switch]]\nname = "a"\npid = "X"\nport = "Gi1/0/2"\n', 6,
     ["field 'name'", "already used"]),
    ('[[switch]]\nname = "a"\npid = "X"\nmac = "zz"\n', 4, ["field 'mac'", "not a MAC"]),
    ('[[switch]]\nname = "a"\npid = "X"\ncolour = "red"\n', 4, ["unknown field", "colour"]),
    ('[[switch]]\nname = "a"\npid = "X"\nfault = "lightning"\n', 4, ["unknown fault", "key-pressed"]),
    ('[[switch]]\nname = "a"\npid = "X"\nport = "Banana9"\n', 4, ["field 'port'", "interface"]),
    ('[[switch]]\nname = "a"\npid = "X"\nmembers = 12\n', 4, ["2 to 9"]),
    ('[[switch]]\nname = "a"\npid = "X"\nupstream = "b"\n[[switch]]\nname = "b"\npid = "X"\nupstream = "a"\n',
     None, ["upstream loop"]),
    ('[[switch]]\nname = "a"\npid = "X"\n[[switch]]\nname = "b"\npid = "Y"\nreplaces = "a"\n', 7,
     ["same product ID"]),
    ('[[switch]]\nname = "a"\npid = "X"\n[[switch]]\nname = "b"\npid = "X"\nport = "Gi1/0/2"\nreplaces = "a"\n',
     8, ["same port"]),
    ('[[switch]]\nname = "a"\npid = "X"\n[[switch]]\nname = "b"\npid = "X"\n', 4, ["already has 'a'"]),
    ('[defaults]\nflash_size = "huge"\n[[switch]]\nname = "a"\npid = "X"\n', 2, ["[defaults]", "flash_size"]),
    ('[[switch]]\nname = "a"\n', 1, ["field 'pid'", "missing"]),
    ('[[switch]]\nname = "director"\npid = "X"\n', 2, ["not a usable name"]),
    ('[[switch]\nname = "a"\n', None, ["not valid TOML", "line 1"]),
    ('[defaults]\nversion = "x"\n', None, ["no switches"]),
    ('[[router]]\nname = "r"\n', None, ["unknown table", "router"]),
])
def test_every_mistake_is_one_line_naming_file_line_and_field(text, line, words):
    with pytest.raises(TopologyError) as info:
        parse(text, "bad.toml")
    message = str(info.value)
    assert "\n" not in message and message.startswith("bad.toml")
    if line is not None:
        assert message.startswith(f"bad.toml:{line}:"), message
    for word in words:
        assert word in message, message


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(TopologyError, match="cannot read the topology file"):
        load(tmp_path / "nope.toml")


def test_the_shipped_example_has_ten_switches_two_pids_a_stack_and_a_replacement():
    top = load(REPO / "examples" / "fleet-small.toml")
    assert len(top.switches) == 10
    assert set(top.pids()) == {"WS-C2960X-48FPD-L", "WS-C3750X-24P-L"}
    assert sum(len(s.members) >= 2 for s in top.switches) == 1
    new = [s for s in top.switches if s.replaces]
    assert len(new) == 1 and top.by_name(new[0].replaces).pid == new[0].pid
    assert max(top.depth(s) for s in top.switches) == 2


def test_the_pid_mix_is_parsed_with_weights():
    assert parse_pid_mix("ws-c2960x-48fpd-l:3, WS-C3750X-24P-L") == [("WS-C2960X-48FPD-L", 3),
                                                                     ("WS-C3750X-24P-L", 1)]
    for bad in ("", "A:0", "A:x", "not a pid!"):
        with pytest.raises(TopologyError, match="--pids"):
            parse_pid_mix(bad)


def test_the_generator_is_deterministic_mixes_pids_and_builds_a_tree():
    top = generate(40, "WS-C2960X-48FPD-L:3,WS-C3750X-24P-L:1", seed=5)
    again = generate(40, "WS-C2960X-48FPD-L:3,WS-C3750X-24P-L:1", seed=5)
    assert [(s.name, s.mac, s.serial, s.upstream, s.upstream_port) for s in top.switches] == \
        [(s.name, s.mac, s.serial, s.upstream, s.upstream_port) for s in again.switches]
    assert generate(40, "A", seed=6).switches[0].mac != top.switches[0].mac
    assert top.pids() == {"WS-C2960X-48FPD-L": 30, "WS-C3750X-24P-L": 10}
    assert len({s.mac for s in top.switches}) == 40
    names = set()
    for s in top.switches:  # upstream first, at most four behind any switch, one switch per port
        assert s.upstream is None or s.upstream in names
        names.add(s.name)
    behind = [sum(1 for s in top.switches if s.upstream == p.name) for p in top.switches]
    assert max(behind) <= 4 and sum(behind) > 0
    ports = [(s.upstream, s.upstream_port) for s in top.switches]
    assert len(set(ports)) == len(ports)
    assert {top.depth(s) for s in top.switches} == {1, 2}


def test_five_hundred_generated_switches_stay_three_hops_deep():
    top = generate(500, "WS-C2960X-48FPD-L")
    assert max(top.depth(s) for s in top.switches) == 3
    assert sum(1 for s in top.switches if s.upstream is None) == 24
    for bad in (0, 10001):
        with pytest.raises(TopologyError, match="--count must be 1 to 10000"):
            generate(bad, "A")
