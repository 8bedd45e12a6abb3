"""Group resolution (engine/groups.py): the guide's precedence and membership rules."""

from __future__ import annotations

import ipaddress

import pytest
from conftest import run

from vstackcli.engine.clients import ClientFacts, Neighbor, StackMember
from vstackcli.engine.groups import Assignment, GroupIndex, resolve
from vstackcli.engine.model import BuiltinGroup, CustomGroup, StackMatch, VstackConfig
from vstackcli.grammar.values import FileUrl, MacAddress, parse_interface

IP = ipaddress.IPv4Address
MAC = MacAddress.parse("0023.34ca.c180")
OTHER_MAC = MacAddress.parse("001a.a1b4.ee00")
UPLINK = Neighbor(IP("1.1.1.10"), parse_interface("GigabitEthernet1/0/3"))
PID_2960_24 = "WS-C2960-24TT-L"  # built-in 2960 24
PID_3750_24POE = "WS-C3750-24PS-S"  # built-in 3750 24poe


def url(name: str) -> FileUrl:
    return FileUrl.parse(f"tftp://101.122.33.10/{name}")


def mac_group(name: str = "macs", *macs: MacAddress) -> CustomGroup:
    return CustomGroup(name, "mac", image=url(f"{name}.tar"), macs=list(macs or (MAC,)))


def conn_group(name: str = "conn", neighbor: Neighbor = UPLINK) -> CustomGroup:
    return CustomGroup(name, "connectivity", image=url(f"{name}.tar"), hosts=[(neighbor.host, neighbor.interface)])


def pid_group(name: str = "pids", *pids: str) -> CustomGroup:
    return CustomGroup(name, "product-id", image=url(f"{name}.tar"), product_ids=list(pids or ("WS-C2960-24TT",)))


def stack_group(name: str = "stk", *matches: tuple[int, str, str]) -> CustomGroup:
    lines = [StackMatch(*m) for m in matches or ((1, "3750", "24poe"), (2, "3750", "24poe"))]
    return CustomGroup(name, "stack", image=url(f"{name}.tar"), config=url(f"{name}.txt"), stack=lines)


def config(*groups: CustomGroup, builtin: tuple[str, str] | None = ("2960", "24"),
           default: bool = True) -> VstackConfig:
    cfg = VstackConfig()
    if default:
        cfg.image, cfg.config = url("default.tar"), url("default.txt")
    if builtin is not None:
        cfg.builtin_groups[builtin] = BuiltinGroup(*builtin, image=url("builtin.tar"))
    for g in groups:
        cfg.custom_groups[g.name] = g
    return cfg


def standalone(pid: str = PID_2960_24, mac: MacAddress = MAC, upstream: Neighbor | None = UPLINK,
               in_database: bool = True) -> ClientFacts:
    return ClientFacts(mac, pid, upstream, (), in_database)


def stack(*pids: str, mac: MacAddress = MAC, numbers: tuple[int, ...] | None = None) -> ClientFacts:
    numbers = numbers or tuple(range(1, len(pids) + 1))
    members = tuple(StackMember(n, MacAddress(MAC.value + n), pid) for n, pid in zip(numbers, pids, strict=True))
    return ClientFacts(mac, pids[0], UPLINK, members)


def group_of(cfg: VstackConfig, client: ClientFacts) -> str | None:
    found = resolve(cfg, client)
    return None if found is None else found.group


# ---------------------------------------------------------------- precedence pairs


def test_stack_beats_mac():
    cfg = config(mac_group("macs", MAC), stack_group("stk"))
    assert group_of(cfg, stack(PID_3750_24POE, PID_3750_24POE, mac=MAC)) == "stack group stk"


def test_mac_beats_connectivity():
    cfg = config(conn_group("conn"), mac_group("macs", MAC))
    assert group_of(cfg, standalone()) == "mac group macs"
    assert group_of(cfg, standalone(mac=OTHER_MAC)) == "connectivity group conn"


def test_connectivity_beats_product_id():
    cfg = config(pid_group("pids", "WS-C2960-24TT"), conn_group("conn"))
    assert group_of(cfg, standalone()) == "connectivity group conn"
    other = Neighbor(IP("1.1.1.10"), parse_interface("GigabitEthernet1/0/4"))
    assert group_of(cfg, standalone(upstream=other)) == "product-id group pids"


def test_product_id_beats_builtin():
    cfg = config(pid_group("pids", "WS-C2960-24TT"))
    assert group_of(cfg, standalone()) == "product-id group pids"
    assert group_of(cfg, standalone("WS-C2960-24TC-L")) == "built-in 2960 24"


def test_builtin_beats_default():
    cfg = config()
    assert group_of(cfg, standalone()) == "built-in 2960 24"
    assert group_of(cfg, standalone("WS-C3560-24PS")) == "default"


def test_full_chain_falls_through_in_order():
    cfg = config(mac_group("macs", MAC), conn_group("conn"), pid_group("pids", "WS-C2960-24TT"))
    index = GroupIndex.build(cfg)
    client = standalone()
    assert index.resolve(client).group == "mac group macs"
    client = standalone(mac=OTHER_MAC)
    assert index.resolve(client).group == "connectivity group conn"
    client = standalone(mac=OTHER_MAC, upstream=None)
    assert index.resolve(client).group == "product-id group pids"
    client = standalone("WS-C2960-24TC", mac=OTHER_MAC, upstream=None)
    assert index.resolve(client).group == "built-in 2960 24"
    client = standalone("WS-C3560-24PS", mac=OTHER_MAC, upstream=None)
    assert index.resolve(client).group == "default"


def test_assignment_carries_the_group_files():
    cfg = config(builtin=None)
    cfg.script = url("post.txt")
    assert resolve(cfg, standalone()) == Assignment("default", url("default.tar"), url("default.txt"), url("post.txt"))
    g = CustomGroup("m", "mac", image=url("i.tar"), config=url("c.txt"), script=url("s.txt"), macs=[MAC])
    assert resolve(config(g), standalone()) == Assignment("mac group m", url("i.tar"), url("c.txt"), url("s.txt"))


# ---------------------------------------------------------------- stacks


def test_stack_only_through_stack_group():
    """"A client switch in a stack can be updated only when it belongs to a custom stack group.\""""
    cfg = config(mac_group("macs", MAC), conn_group("conn"), pid_group("pids", "WS-C3750-24PS"),
                 builtin=("3750", "24poe"))
    assert group_of(cfg, stack(PID_3750_24POE, PID_3750_24POE)) is None


def test_stack_group_matches_members_and_gives_each_member_the_image():
    cfg = config(stack_group("stk", (1, "3750", "24poe"), (2, "3750", "48"), (3, "3750", "24poe")))
    found = resolve(cfg, stack(PID_3750_24POE, "WS-C3750G-48TS", PID_3750_24POE))
    assert found.group == "stack group stk"
    assert found.config == url("stk.txt")
    assert found.member_images == ((1, url("stk.tar")), (2, url("stk.tar")), (3, url("stk.tar")))


def test_heterogeneous_stack_needs_every_member_named():
    cfg = config(stack_group("stk", (1, "3750", "24poe"), (2, "3750", "48")))
    assert group_of(cfg, stack(PID_3750_24POE, "WS-C3750G-48TS")) == "stack group stk"
    assert group_of(cfg, stack(PID_3750_24POE, "WS-C3750G-48TS", PID_3750_24POE)) is None  # member 3 unnamed
    assert group_of(cfg, stack("WS-C3750G-48TS", PID_3750_24POE)) is None  # numbers swapped


def test_homogeneous_stack_matches_without_every_member_number():
    """Guide: "if a stack is homogeneous (all one switch type), you do not need to identify each switch type"."""
    cfg = config(stack_group("stk", (1, "3750", "24poe")))
    assert group_of(cfg, stack(PID_3750_24POE, PID_3750_24POE, PID_3750_24POE)) == "stack group stk"
    found = resolve(cfg, stack(PID_3750_24POE, PID_3750_24POE, numbers=(4, 2)))
    assert [n for n, _ in found.member_images] == [2, 4]
    assert group_of(cfg, stack("WS-C3750G-48TS", "WS-C3750G-48TS")) is None  # another port configuration
    assert group_of(cfg, stack(PID_3750_24POE, "WS-C3750G-48TS")) is None  # not homogeneous


def test_exact_stack_group_preferred_over_homogeneous_shortcut():
    loose = stack_group("loose", (1, "3750", "24poe"))
    exact = stack_group("exact", (1, "3750", "24poe"), (2, "3750", "24poe"))
    assert group_of(config(loose, exact), stack(PID_3750_24POE, PID_3750_24POE)) == "stack group exact"


def test_stack_with_unknown_member_pid_matches_nothing():
    cfg = config(stack_group("stk", (1, "3750", "24poe")))
    assert group_of(cfg, stack(PID_3750_24POE, "WS-C9999-24")) is None


def test_stack_group_without_image_still_wins():
    g = CustomGroup("bare", "stack", stack=[StackMatch(1, "3750", "24poe")])
    found = resolve(config(g), stack(PID_3750_24POE, PID_3750_24POE))
    assert found == Assignment("stack group bare", None, None, None)


def test_single_member_stack_is_standalone():
    cfg = config(stack_group("stk", (1, "2960", "24")))
    assert group_of(cfg, stack(PID_2960_24)) == "built-in 2960 24"


# ---------------------------------------------------------------- connectivity, product ID, MAC


def test_connectivity_requires_director_database():
    cfg = config(conn_group("conn"))
    assert group_of(cfg, standalone()) == "connectivity group conn"
    assert group_of(cfg, standalone(in_database=False)) == "built-in 2960 24"


def test_connectivity_needs_host_and_interface():
    cfg = config(conn_group("conn"))
    assert group_of(cfg, standalone(upstream=Neighbor(IP("1.1.1.11"), UPLINK.interface))) == "built-in 2960 24"
    assert group_of(cfg, standalone(upstream=None)) == "built-in 2960 24"


@pytest.mark.parametrize(("client_pid", "group_pid", "matches"), [
    ("WS-C2960-24TT", "WS-C2960-24TT", True),
    ("ws-c2960-24tt-l", "WS-C2960-24TT", True),  # case-insensitive, license suffix
    ("WS-C2960-24TT-L", "ws-c2960-24tt", True),
    ("WS-C2960X-24TD-L", "WS-C2960X-24TD", True),
    ("WS-C2960X-24TD-L", "WS-C2960X-24TD-L", True),
    ("WS-C2960X-24TDL", "WS-C2960X-24TD", False),  # no "-" after the group PID
    ("WS-C2960X-24TD", "WS-C2960X-24TD-L", False),  # group PID longer than the client's
    ("WS-C2960-48TT", "WS-C2960-24TT", False),
])
def test_product_id_matching(client_pid, group_pid, matches):
    cfg = config(pid_group("pids", group_pid), builtin=None, default=False)
    assert (group_of(cfg, standalone(client_pid, upstream=None)) == "product-id group pids") is matches


def test_product_id_longest_match_wins():
    cfg = config(pid_group("broad", "WS-C2960X"), pid_group("narrow", "WS-C2960X-24TD"), builtin=None)
    assert group_of(cfg, standalone("WS-C2960X-24TD-L")) == "product-id group narrow"
    assert group_of(cfg, standalone("WS-C2960X-48TD-L")) == "product-id group broad"


def test_product_id_groups_exclude_stacks_and_need_no_database():
    cfg = config(pid_group("pids", "WS-C3750-24PS"), builtin=None)
    assert group_of(cfg, standalone("WS-C3750-24PS-S", in_database=False)) == "product-id group pids"
    assert group_of(cfg, stack(PID_3750_24POE, PID_3750_24POE)) is None


def test_mac_in_two_groups_first_configured_wins():
    cfg = config(mac_group("first", MAC), mac_group("second", MAC))
    assert group_of(cfg, standalone()) == "mac group first"


def test_mac_group_needs_no_database():
    cfg = config(mac_group("macs", MAC))
    assert group_of(cfg, standalone(in_database=False)) == "mac group macs"


# ---------------------------------------------------------------- groups without files, None cases


def test_matching_group_without_files_still_wins():
    cfg = config(CustomGroup("empty", "mac", macs=[MAC]))
    assert resolve(cfg, standalone()) == Assignment("mac group empty", None, None, None)
    cfg = config(builtin=None)
    cfg.builtin_groups[("2960", "24")] = BuiltinGroup("2960", "24")
    assert resolve(cfg, standalone()) == Assignment("built-in 2960 24", None, None, None)


def test_none_when_nothing_applies():
    assert resolve(VstackConfig(), standalone()) is None
    assert resolve(config(builtin=("3750", "24"), default=False), standalone()) is None
    assert resolve(config(builtin=None, default=False), standalone("NOT-A-SWITCH")) is None


def test_default_without_image_or_config_is_nothing():
    cfg = VstackConfig(script=url("post.txt"))
    assert resolve(cfg, standalone()) is None
    cfg.config = url("c.txt")
    assert resolve(cfg, standalone()) == Assignment("default", None, url("c.txt"), url("post.txt"))


def test_unknown_pid_gets_the_default():
    assert group_of(config(), standalone("WS-C9999-8")) == "default"


# ---------------------------------------------------------------- configured through the CLI


def test_guide_examples_typed_into_a_session(configuring):
    run(configuring,
        "vstack director 1.1.1.20", "vstack basic",
        "vstack image tftp://101.122.33.10/c2960-lanbase-tar.122-52SE.tar",
        "vstack config tftp://101.122.33.10/2960LANBase_config.txt",
        "vstack group built-in 3560 24",
        "image tftp://101.122.33.10/c3560-ipbaselmk9-tar.122-52.SE.tar", "exit",
        "vstack group custom textgroup2 connectivity",
        "match host 1.1.1.10 interface GigabitEthernet 1/0/3",
        "image tftp://101.122.33.10/c3750-ipbase-tar.122-52.SE.tar", "exit",
        "vstack group custom textgroup3 mac",
        "match mac 0023.34ca.c180", "match mac 001a.a1b4.ee00", "match mac 00:1B:54:44:C6:00",
        "image tftp://101.122.33.10/c3750-ipbase-tar.122-52.SE.tar", "exit",
        "vstack group custom testgroup stack",
        "image tftp://101.122.33.10/c3750-ipbase-tar.122-52.SE.tar",
        "match 1 3750 24poe", "match 2 3750 24poe", "match 3 3750 24poe", "exit",
        "vstack group custom pids product-id", "match WS-C2960-24TT", "exit")
    index = GroupIndex.build(configuring.device.config.vstack)
    assert index.resolve(standalone("WS-C3560-24TS")).group == "mac group textgroup3"
    c = MacAddress.parse("00:1B:54:44:C6:00")
    assert index.resolve(standalone("WS-C3560-24TS", mac=c)).group == "mac group textgroup3"
    assert index.resolve(standalone("WS-C3560-24TS", mac=MacAddress(1))).group == "connectivity group textgroup2"
    assert index.resolve(standalone("WS-C3560-24TS", mac=MacAddress(1), upstream=None)).group == "built-in 3560 24"
    found = index.resolve(standalone("WS-C2960-24TT-L", mac=MacAddress(1), upstream=None))
    assert found.group == "product-id group pids"
    assert index.resolve(standalone("WS-C3750X-24T", mac=MacAddress(1), upstream=None)).group == "default"
    found = index.resolve(stack(PID_3750_24POE, PID_3750_24POE, PID_3750_24POE))
    assert found.group == "stack group testgroup"
    assert len(found.member_images) == 3


def test_index_reflects_a_removed_group_after_rebuild(configuring):
    run(configuring, "vstack director 1.1.1.20", "vstack basic",
        "vstack group custom m mac", "match mac 0023.34ca.c180", "image flash:m.tar", "exit")
    assert resolve(configuring.device.config.vstack, standalone()).group == "mac group m"
    run(configuring, "no vstack group custom m mac")
    assert resolve(configuring.device.config.vstack, standalone()) is None
