"""Client hostnames from ``vstack hostname-prefix`` and the DHCP request's MAC."""

from __future__ import annotations

import pytest

from vstackcli.engine.hostnames import client_hostname, is_legal_hostname, vlan_mac
from vstackcli.grammar.values import MacAddress


def mac(text: str) -> MacAddress:
    return MacAddress.parse(text)


def test_guide_example_prefix_is_upper_cased():
    assert client_hostname("Cisco", mac("0022.56bf.97c0")) == "CISCO-bf.97c0"


def test_empty_prefix_assigns_no_hostname():
    assert client_hostname("", mac("0022.56bf.97c0")) == ""


def test_vlan_mac_is_base_plus_0x40():
    assert vlan_mac(mac("0024.13c6.b580")) == mac("0024.13c6.b5c0")


def test_vlan_mac_carries_into_higher_bytes():
    assert vlan_mac(mac("0024.13c6.ffc0")) == mac("0024.13c7.0000")


def test_vlan_mac_overflow_refused():
    with pytest.raises(ValueError):
        vlan_mac(mac("ffff.ffff.ffff"))


@pytest.mark.parametrize(("base", "shown"), [
    ("0024.13c6.b580", "DEV-c6.b5c"),
    ("0021.a1ab.9b80", "DEV-ab.9bc"),
    ("0024.5111.0900", "DEV-11.094"),
    ("001f.2604.8980", "DEV-04.89c"),
])
def test_show_vstack_status_sample_names(base: str, shown: str):
    """The guide's table shows the name made from base MAC + 0x40, cut to 10 columns."""
    name = client_hostname("DEV", vlan_mac(mac(base)))
    assert name[:10] == shown
    assert len(name) == 11


def test_longest_prefix_fits():
    name = client_hostname("a" * 40, mac("0000.0000.0001"))
    assert name == "A" * 40 + "-00.0001"
    assert len(name) <= 63


def test_too_long_refused():
    with pytest.raises(ValueError):
        client_hostname("a" * 60, mac("0000.0000.0001"))


@pytest.mark.parametrize("prefix", ["1abc", "a_b", "a..b", "-x", "ab."])
def test_illegal_prefix_refused(prefix: str):
    with pytest.raises(ValueError):
        client_hostname(prefix, mac("0000.0000.0001"))


@pytest.mark.parametrize(("name", "ok"), [
    ("CISCO-bf.97c0", True),
    ("Switch", True),
    ("a", True),
    ("", False),
    ("9lives", False),
    ("a-", False),
    ("a.-b", False),
    ("a b", False),
    ("x" * 63, True),
    ("x" * 64, False),
])
def test_is_legal_hostname(name: str, ok: bool):
    assert is_legal_hostname(name) is ok
