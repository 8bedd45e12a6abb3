"""The topology picture: `show vstack topology` (a vstackcli extension) draws the director database as a
tree (clients under the upstream neighbour their reports name, stack members under their stack), and
`show vstack topology html` / `vstackcli fleet --html` give a well-formed self-contained HTML page."""

from __future__ import annotations

import ipaddress
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from conftest import run

from vstackcli.engine.clients import Neighbor, StackMember
from vstackcli.engine.core import ClientReport
from vstackcli.fleet.picture import fleet_tree, html_page, text_tree
from vstackcli.fleet.state import FleetState
from vstackcli.fleet.topology import load
from vstackcli.grammar.values import MacAddress, parse_interface
from vstackcli.shell.session import Session
from vstackcli.sim.spec import Phase, SwitchEvent

CONFIG = """configure terminal
hostname Director
interface vlan 1
ip address 10.0.0.1 255.255.255.0
exit
vstack director 10.0.0.1
vstack basic
vstack config flash:default.txt
end"""

IP = ipaddress.IPv4Address


def _report(n: int, upstream: str, port: str, pid: str = "WS-C2960X-48FPD-L", stack=()) -> ClientReport:
    return ClientReport(MacAddress(n * 0x100), pid, IP(f"10.0.0.{100 + n}"), f"sw{n}", f"FOC{n}", "15.2(2)E6",
                        upstream=Neighbor(IP(upstream), parse_interface(port)), stack=stack)


def _director(device):
    session = Session(device, privilege=15, length=0)
    run(session, *CONFIG.split("\n"))
    director = device.director
    stack = (StackMember(1, MacAddress(0x100), "WS-C3750X-24P-L"), StackMember(2, MacAddress(0x180),
                                                                             "WS-C3750X-24P-L"))
    director.on_report(_report(1, "10.0.0.1", "GigabitEthernet1/0/1", "WS-C3750X-24P-L", stack))
    director.on_report(_report(2, "10.0.0.1", "GigabitEthernet1/0/2"))
    director.on_report(_report(3, "10.0.0.101", "GigabitEthernet1/0/5"))  # behind sw1
    director.on_report(_report(4, "10.0.0.103", "GigabitEthernet1/0/1"))  # behind sw3
    director.on_report(_report(5, "10.0.0.77", "GigabitEthernet1/0/9"))  # behind a device it does not know
    return session


def test_show_vstack_topology_draws_the_director_database_as_a_tree(device):
    session = _director(device)
    lines = session.execute("show vstack topology").lines
    assert lines[0] == "Director  10.0.0.1  WS-C3750X-24P  Director"
    text = "\n".join(lines)
    assert " +-Gi1/0/1  sw1  1  WS-C3750X-24P-L  10.0.0.101  S A a" in text
    assert "member 2  0000.0000.0180  WS-C3750X-24P-L" in text
    # sw3 hangs off sw1 (one level in), sw4 off sw3 (two levels in)
    sw1 = next(n for n, line in enumerate(lines) if "  sw1  " in line)
    sw3 = next(n for n, line in enumerate(lines) if "  sw3  " in line)
    sw4 = next(n for n, line in enumerate(lines) if "  sw4  " in line)
    indent = [lines[n].index("+-") for n in (sw1, sw3, sw4)]
    assert indent[0] < indent[1] < indent[2] and sw1 < sw3 < sw4
    assert lines[sw3].lstrip(" |").startswith("+-Gi1/0/5  sw3")
    unknown = next(line for line in lines if "  sw5  " in line)
    assert "Gi1/0/9 of 10.0.0.77" in unknown and unknown.index("+-") == indent[0]
    assert all(line.isascii() for line in lines)


def test_the_topology_of_an_empty_or_non_director_device(device):
    session = Session(device, privilege=15, length=0)
    run(session, "configure terminal", "no vstack", "end")
    assert session.execute("show vstack topology").lines == ["SmartInstall: DISABLED"]
    run(session, "configure terminal", "vstack", "end")
    assert "director only" in session.execute("show vstack topology").lines[0]
    run(session, *CONFIG.split("\n"))
    assert session.execute("show vstack topology").lines[1] == " (no clients in the director database)"


class _Balanced(HTMLParser):
    VOID = {"meta", "br", "img", "link", "input", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.add(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def _check_page(text: str) -> ET.Element:
    assert text.startswith("<!DOCTYPE html>")
    parser = _Balanced()
    parser.feed(text)
    assert parser.errors == [] and parser.stack == []
    assert "script" not in parser.tags and "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    svg = ET.fromstring(text[text.index("<svg"):text.index("</svg>") + 6])
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    return svg


def test_the_html_page_is_well_formed_with_an_inline_svg(device):
    session = _director(device)
    lines = session.execute("show vstack topology html").lines
    svg = _check_page("\n".join(lines))
    ns = "{http://www.w3.org/2000/svg}"
    assert len(svg.findall(f"{ns}g")) == 6  # the director and five clients
    texts = " ".join(t.text or "" for t in svg.iter(f"{ns}text"))
    assert "sw4" in texts and "Gi1/0/5" in texts and "stack: 2 members" in texts
    assert len(svg.findall(f"{ns}path")) == 5


def test_redirect_writes_the_page_into_flash(device):
    session = _director(device)
    session.execute("show vstack topology html | redirect flash:topology.html")
    _check_page(device.storage.flash.read("topology.html").decode())


def test_the_fleet_picture_follows_the_topology_file_and_escapes_names(tmp_path):
    top = load(__import__("pathlib").Path(__file__).resolve().parent.parent / "examples" / "fleet-small.toml")
    state = FleetState(top)
    state.started("dist-1")
    state.event(SwitchEvent("dist-1", Phase.JOINED, "192.168.1.2"))
    state.started("access-2")
    state.event(SwitchEvent("access-2", Phase.FAILED, "<boom> & co"))
    root = fleet_tree(state)
    lines = text_tree(root)
    assert lines[0].startswith("director")
    dist1 = next(n for n, line in enumerate(lines) if "dist-1" in line)
    assert "access-3" in lines[dist1 + 2] and "member 2" in lines[dist1 + 1]
    page = html_page(root, "fleet <test>")
    svg = _check_page(page)
    assert "&lt;test&gt;" in page
    classes = [g.get("class") for g in svg.iter("{http://www.w3.org/2000/svg}g")]
    assert classes.count("ok") == 1 and classes.count("waiting") == 8 and classes.count("busy") == 0
