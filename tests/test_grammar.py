"""The spec language, token types and the walker, on small hand-made modes."""

from __future__ import annotations

import ipaddress

import pytest

from vstackcli.grammar import Ambiguous, Command, Incomplete, Invalid, Match, ModeGraph
from vstackcli.grammar.spec import SpecError, parse_spec
from vstackcli.grammar.tokens import Level, lookup_token_type
from vstackcli.grammar.values import FileUrl, IndexList, MacAddress, VlanList, parse_interface

HELP = {"vstack": "Configure vstack", "director": "Director", "basic": "Basic", "download-image": "Image",
        "download-config": "Config", "tar": "Tar", "index": "Index", "reload": "Reload", "in": "In",
        "override": "Override", "connect": "Connect", "show": "Show", "version": "Version", "vlan": "VLAN",
        "ip": "IP", "ipv6": "IPv6", "routing": "Routing", "unicast-routing": "Unicast"}


def graph(*specs: str, negation: bool = True) -> ModeGraph:
    return ModeGraph([Command(s, help=HELP, negatable=negation) for s in specs], {}, negation)


def test_bad_spec_fails_at_import_with_a_caret() -> None:
    with pytest.raises(SpecError) as err:
        parse_spec("vstack <a|b")
    assert "^" in str(err.value)


def test_missing_help_text_is_refused() -> None:
    with pytest.raises(SpecError, match="no help text for 'undocumented'"):
        ModeGraph([Command("vstack undocumented", help=HELP)], {}, False)


def test_unique_prefix_abbreviation_at_every_word() -> None:
    g = graph("vstack director A.B.C.D", "vstack basic")
    result = g.parse("vs dir 1.1.1.1")
    assert isinstance(result, Match)
    assert result.args["director"] == ipaddress.IPv4Address("1.1.1.1")
    assert result.command.spec == "vstack director A.B.C.D"


def test_ambiguous_at_the_first_ambiguous_word_without_look_ahead() -> None:
    g = graph("vstack download-image tar URL A.B.C.D", "vstack download-config URL A.B.C.D")
    assert isinstance(g.parse("vstack download tar flash:x 1.1.1.1"), Ambiguous)


def test_exact_keyword_beats_a_longer_keyword_sharing_its_prefix() -> None:
    g = graph("ip routing", "ipv6 unicast-routing")
    result = g.parse("ip routing")
    assert isinstance(result, Match) and result.command.spec == "ip routing"
    assert isinstance(g.parse("i routing"), Ambiguous)


def test_incomplete_and_invalid_offsets() -> None:
    g = graph("vstack director A.B.C.D")
    assert isinstance(g.parse("vstack director"), Incomplete)
    # keyword: caret under the first character no keyword can still match
    assert g.parse("vstack dix 1.1.1.1") == Invalid(9)
    # value: caret at the start of the bad token
    assert g.parse("vstack director 1.1.1") == Invalid(16)
    # extra words after a complete command
    assert g.parse("vstack director 1.1.1.1 extra") == Invalid(24)


def test_first_word_caret_counts_every_keyword_of_the_mode() -> None:
    g = graph("connect LINE", "show version", negation=False)
    # 'con' still matches 'connect', so the caret sits under the 'f' of 'configure'
    assert g.parse("configure terminal") == Invalid(3, unrecognized=True)


def test_negated_forms_take_optional_parts_marked_with_bang() -> None:
    g = ModeGraph([Command("vstack director ![A.B.C.D$ip]", help=HELP, negatable=True)], {}, True)
    assert isinstance(g.parse("no vstack director"), Match)
    assert g.parse("no vstack director").negated
    assert isinstance(g.parse("vstack director"), Incomplete)
    assert g.parse("default vstack director").default


def test_line_token_keeps_the_rest_of_the_line_verbatim() -> None:
    g = graph("connect LINE", negation=False)
    result = g.parse("connect a  b   c")
    assert isinstance(result, Match) and result.args["connect"] == "a  b   c"


def test_keywords_bind_their_spelling_and_values_their_type() -> None:
    g = graph("vstack download-image <tar URL$url <A.B.C.D$ip|index INDEX-LIST$index>> [override] reload "
              "[in hh:mm$time]", negation=False)
    result = g.parse("vstack download-image tar tftp://1.1.1.1/x.tar index 1-3,5 reload in 6:30")
    assert isinstance(result, Match)
    assert result.args["tar"] == "tar"
    assert result.args["url"] == FileUrl("tftp:", "x.tar", "1.1.1.1")
    assert list(result.args["index"]) == [1, 2, 3, 5]
    assert result.args["time"] == (6, 30)
    assert "override" not in result.args


def test_help_after_space_lists_next_tokens_with_cr() -> None:
    g = graph("vstack", "vstack director A.B.C.D", "vstack basic")
    entries = g.help("vstack ")
    assert [e.display for e in entries] == ["basic", "director", "<cr>"]
    assert [e.display for e in g.help("vstack director ")] == ["A.B.C.D"]


def test_help_on_a_partial_word_lists_matching_keywords() -> None:
    g = graph("vstack director A.B.C.D", "vstack basic", "vlan <1-4094>")
    assert [e.display for e in g.help("v")] == ["vlan", "vstack"]
    assert [e.display for e in g.help("vstack d")] == ["director"]


def test_tab_completes_a_unique_keyword_only() -> None:
    g = graph("vstack director A.B.C.D", "vstack basic", "vlan <1-4094>")
    assert g.complete("vs") == ["vstack"]
    assert g.complete("v") == ["vlan", "vstack"]
    assert g.complete("vstack dir") == ["director"]


@pytest.mark.parametrize(
    ("spelling", "word", "level"),
    [
        ("A.B.C.D", "10.1.2.3", Level.EXACT),
        ("A.B.C.D", "10.1", Level.PARTIAL),
        ("A.B.C.D", "10.1.2.300", Level.NONE),
        ("A.B.C.D", "0255.255.1", Level.NONE),
        ("H.H.H", "0023.34ca.c180", Level.EXACT),
        ("H.H.H", "00:1B:54:44:C6:00", Level.EXACT),
        ("H.H.H", "0023.34", Level.PARTIAL),
        ("hh:mm", "06:30", Level.EXACT),
        ("hh:mm", "6:30", Level.EXACT),
        ("hh:mm", "24:00", Level.NONE),
        ("hh:mm", "6", Level.PARTIAL),
        ("<1-4094>", "4094", Level.EXACT),
        ("<1-4094>", "4095", Level.NONE),
        ("<10-20>", "1", Level.PARTIAL),
        ("URL", "flash:x.tar", Level.EXACT),
        ("URL", "tftp://1.1.1.1/x", Level.EXACT),
        ("URL", "fl", Level.PARTIAL),
        ("URL", "bogus:x", Level.NONE),
        ("VLAN-LIST", "1-10,20", Level.EXACT),
        ("VLAN-LIST", "1-5000", Level.PARTIAL),
        ("IFNAME", "gi1/0/3", Level.EXACT),
        ("IFNAME", "Vlan1", Level.EXACT),
        ("IFNAME", "vlan5000", Level.NONE),
    ],
)
def test_token_levels(spelling: str, word: str, level: Level) -> None:
    ttype = lookup_token_type(spelling)
    assert ttype is not None
    assert ttype.level(word) is level


def test_values_print_canonically() -> None:
    assert str(MacAddress.parse("00:1B:54:44:C6:00")) == "001b.5444.c600"
    assert str(MacAddress.parse("23.34ca.c180")) == "0023.34ca.c180"
    assert str(VlanList.parse("20,1-3,2,4", 1, 4094)) == "1-4,20"
    assert str(IndexList.parse("1-3,4", 1, 255)) == "1-4"
    assert str(parse_interface("gi1/0/3")) == "GigabitEthernet1/0/3"
    assert str(parse_interface("1/0/3", "GigabitEthernet")) == "GigabitEthernet1/0/3"
    assert str(FileUrl.parse("TFTP://1.1.1.1/dir/f.txt")) == "tftp://1.1.1.1/dir/f.txt"
    assert str(parse_interface("g1/0/1")) == "GigabitEthernet1/0/1"
    with pytest.raises(ValueError):
        parse_interface("t1")  # Tunnel or TenGigabitEthernet
