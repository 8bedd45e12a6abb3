"""Every CLI example of the Cisco Smart Install Feature Guide, typed as a reader of the guide would type it.

Source: /work/shared/seeds/000_5cccd99b50da2d74.txt (a PDF extraction). Each example below quotes the guide's
lines with their prompts; the line numbers in the comments point into that text. Lines the PDF wrapped are
rejoined (URLs and file names without spaces, several-word tails with their spaces). The guide's own quirks
that a user would type are kept (``exit`` shown at a ``(config)`` prompt after a group, ``option 150
10.10.10.1`` without ``ip``, a colon MAC, ``reload in 6:30``...).

Requirement: a configuration example typed verbatim gives no error and leaves the expected running-config.
Each typed line is checked for error output, and the prompt the guide shows before it is compared with the
session's prompt, except where the guide's prompt is a misprint: such lines start with ``~`` here (the
comment next to them says why). EXEC examples whose work needs the Smart Install protocol backend (on-demand
downloads, TFTP copies) are only required to parse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from textwrap import dedent

from vstackcli.engine.render import config_lines
from vstackcli.shell.session import Session

# What no line of a configuration example may print.
CONFIG_ERRORS = ("% Invalid", "% Incomplete", "% Ambiguous", "%Error", "% Unknown")
# What an EXEC line that is only required to parse may not print (its %Error from the backend is expected).
PARSE_ERRORS = ("% Invalid", "% Incomplete", "% Ambiguous", "% Unknown")

# Concrete values for the guide's placeholders.
DIRECTOR_IP = "192.168.1.1"  # director_ip_address: the guide itself says "the director_ip_address is 192.168.1.1"
NETWORK = "192.168.1.0"  # network_ip_address in "address-pool network_ip_address 255.255.255.0": VLAN 1's subnet
TFTP_SERVER = "192.168.1.100"  # "tftp ip address" / "server-ip-address": a TFTP server on that subnet

# Setup lines that are not part of an example: give the device the guide's host name.
DIRECTOR_EXEC = ("configure terminal", "hostname Director", "end")  # then at Director#
DIRECTOR_CONFIG = ("configure terminal", "hostname Director")  # then at Director(config)#


@dataclass
class Played:
    """What typing an example produced: each guide line's output, and everything that went wrong."""

    outputs: list[list[str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def play(session: Session, guide: str, *, setup: tuple[str, ...] = (), errors: tuple[str, ...] = CONFIG_ERRORS,
         ) -> Played:
    """Type ``setup`` then the guide's lines (``Prompt# command``) into ``session``.

    A line ending in ``?`` asks for help on the text before it instead of executing it, as the key does.
    A question (``Destination filename [...]?``) is answered with Enter. Setup lines must never fail.
    """
    played = Played()
    for line in setup:
        _type(session, "(setup)", line, CONFIG_ERRORS, played)
    for raw in dedent(guide).strip("\n").split("\n"):
        if not raw.strip():
            continue
        misprint = raw.startswith("~")
        prompt, _, command = raw.lstrip("~").partition("#")
        command = command.strip()
        actual = session.prompt()
        if not misprint and actual != prompt + "#":
            played.problems.append(f"{command!r}: the guide shows prompt {prompt + '#'!r}, the session {actual!r}")
        played.outputs.append(_type(session, actual, command, errors, played))
    return played


def _type(session: Session, prompt: str, command: str, errors: tuple[str, ...], played: Played) -> list[str]:
    if command.endswith("?"):
        lines = session.help(command[:-1])
    else:
        reply = session.execute(command)
        lines = list(reply.lines)
        for _ in range(5):  # a question is answered with Enter; no example asks more than one
            if reply.question is None:
                break
            lines.append(reply.question.prompt)
            reply = session.execute("")
            lines.extend(reply.lines)
    if any(marker in line for line in lines for marker in errors):
        shown = "\n    ".join(lines)
        played.problems.append(f"{prompt} {command}\n    {shown}")
    return lines


def blocks_of(expected: list[str]) -> list[list[str]]:
    """Group expected lines: a line and the one-space-indented lines after it form a block."""
    blocks: list[list[str]] = []
    for line in expected:
        if line.startswith(" ") and blocks:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return blocks


def config_problems(session: Session, expected: list[str]) -> list[str]:
    """Each expected block must appear whole (no other submode lines), the blocks in the given order."""
    body = config_lines(session.device.config)
    problems: list[str] = []
    start = 0
    for block in blocks_of(expected):
        whole = [i for i in _found(body, block) if not _at(body, i + len(block)).startswith(" ")]
        later = [i for i in whole if i >= start]
        if later:
            start = later[0] + len(block)
        elif whole:
            problems.append(f"running-config has this block out of order: {block}")
        elif _found(body, block):
            problems.append(f"running-config has this block with more submode lines: {block}")
        else:
            problems.append(f"running-config lacks: {block}")
    if problems:
        shown = [line for i, line in enumerate(body)
                 if line != "!" and not (line.startswith("interface ") and _at(body, i + 1) == "!")]
        problems.append("running-config (without '!' and empty interfaces):\n    " + "\n    ".join(shown))
    return problems


def _found(body: list[str], block: list[str]) -> list[int]:
    return [i for i in range(len(body)) if body[i:i + len(block)] == block]


def _at(body: list[str], i: int) -> str:
    return body[i] if i < len(body) else "end"


def check(session: Session, *played: Played, expected: list[str]) -> None:
    problems = [p for x in played for p in x.problems] + config_problems(session, expected)
    assert not problems, "\n".join(problems)


def entries(lines: list[str]) -> list[str]:
    """Help lines with runs of spaces squeezed, as the PDF shows them."""
    return [" ".join(line.split()) for line in lines if line.strip()]


# ---- Configuring the director as DHCP server -----------------------------------------------------------------


def test_director_as_dhcp_server(enabled: Session) -> None:
    # guide lines 1159-1177
    played = play(enabled, """
        Director# configure terminal
        Director(config)# vstack director 1.1.1.20
        Director(config)# vstack basic
        Director(config)# vstack dhcp-localserver pool1
        Director(config-vstack-dhcp)# address-pool 1.1.1.0 255.255.255.0
        Director(config-vstack-dhcp)# default-router 1.1.1.30
        Director(config-vstack-dhcp)# file-server 1.1.1.40
        Director(config-vstack-dhcp)# exit
        Director(config)# ip dhcp remember
        Director(config)# end
    """, setup=DIRECTOR_EXEC)
    check(enabled, played, expected=[
        "ip dhcp remember",
        "vstack director 1.1.1.20",
        "vstack basic",
        "vstack dhcp-localserver pool1",
        " address-pool 1.1.1.0 255.255.255.0",
        " file-server 1.1.1.40",
        " default-router 1.1.1.30",
    ])
    assert enabled.prompt() == "Director#"


def test_another_device_as_dhcp_server(enabled: Session) -> None:
    # guide lines 1229-1238, on a device with the default host name Switch
    played = play(enabled, """
        ~Switch # configure terminal
        Switch(config)# ip dhcp pool pool1
        Switch(dhcp-config)# network 10.10.10.0 255.255.255.0
        Switch(dhcp-config)# option 150 10.10.10.1
        Switch(dhcp-config)# remember
        ~Switch(config-if)# end
    """)
    # misprints: "Switch #" has a stray space; "end" is typed in dhcp-config mode, not config-if
    check(enabled, played, expected=[
        "ip dhcp pool pool1",
        " network 10.10.10.0 255.255.255.0",
        " option 150 ip 10.10.10.1",
        " remember",
    ])
    assert enabled.prompt() == "Switch#"


# ---- Smart Install configuration examples: director as TFTP server / third-party TFTP server ---------------


def test_copy_files_to_the_director_parses(enabled: Session) -> None:
    # guide lines 1398-1399; "tftp ip address" replaced by TFTP_SERVER. The transfer needs the network
    # backend, so the lines only have to parse (the Destination filename question is answered with Enter).
    played = play(enabled, f"""
        Director# copy tftp://{TFTP_SERVER}/default_configuration.txt flash:
        Director# copy tftp://{TFTP_SERVER}/IOS_image_file.tar flash:
    """, setup=DIRECTOR_EXEC, errors=PARSE_ERRORS)
    assert not played.problems, "\n".join(played.problems)


def test_copy_from_tftp_offers_the_source_file_name(enabled: Session) -> None:
    # guide line 1398: IOS asks "Destination filename [default_configuration.txt]?" for a copy to "flash:"
    reply = enabled.execute(f"copy tftp://{TFTP_SERVER}/default_configuration.txt flash:")
    assert reply.question is not None
    assert reply.question.prompt == "Destination filename [default_configuration.txt]? "


def test_director_as_tftp_and_dhcp_server(enabled: Session) -> None:
    # guide lines 1424-1454 (configuration mode; the guide starts at Director(config)#)
    played = play(enabled, f"""
        Director(config)# interface vlan 1
        ~Director(config)# ip address 192.168.1.1 255.255.255.0
        ~Director(config)# vstack config flash:default_configuration.txt
        Director(config)# vstack image flash:IOS_image_file_name.tar
        Director(config)# vstack dhcp-localserver smart_install_pool
        Director(config-vstack-dhcp)# address-pool {NETWORK} 255.255.255.0
        Director(config-vstack-dhcp)# file-server {DIRECTOR_IP}
        Director(config-vstack-dhcp)# default-router {DIRECTOR_IP}
        Director(config-vstack-dhcp)# exit
        Director(config)# ip dhcp remember
        Director(config)# vstack director {DIRECTOR_IP}
        Director(config)# vstack basic
    """, setup=DIRECTOR_CONFIG)
    # misprints: "ip address" and the next line are typed at Director(config-if)#; "vstack config" leaves
    # interface mode for global configuration (IOS walk-up). file-server: the director is the TFTP server.
    check(enabled, played, expected=[
        "ip dhcp remember",
        "interface Vlan1",
        " ip address 192.168.1.1 255.255.255.0",
        f"vstack director {DIRECTOR_IP}",
        "vstack basic",
        "vstack image flash:IOS_image_file_name.tar",
        "vstack config flash:default_configuration.txt",
        "vstack dhcp-localserver smart_install_pool",
        f" address-pool {NETWORK} 255.255.255.0",
        f" file-server {DIRECTOR_IP}",
        f" default-router {DIRECTOR_IP}",
    ])
    assert enabled.prompt() == "Director(config)#"


def test_third_party_tftp_server(enabled: Session) -> None:
    # guide lines 1532-1567; "server-ip-address" and the file-server's network_ip_address are TFTP_SERVER
    played = play(enabled, f"""
        Director(config)# interface vlan 1
        ~Director(config)# ip address 192.168.1.1 255.255.255.0
        ~Director(config)# vstack config tftp://{TFTP_SERVER}/default_configuration.txt
        Director(config)# vstack image tftp://{TFTP_SERVER}/default_image_file.tar
        Director(config)# vstack dhcp-localserver smart_install_pool
        Director(config-vstack-dhcp)# address-pool {NETWORK} 255.255.255.0
        Director(config-vstack-dhcp)# file-server {TFTP_SERVER}
        Director(config-vstack-dhcp)# default-router {DIRECTOR_IP}
        Director(config-vstack-dhcp)# exit
        Director(config)# ip dhcp remember
        Director(config)# vstack director {DIRECTOR_IP}
        Director(config)# vstack basic
    """, setup=DIRECTOR_CONFIG)
    # misprints: as in the previous example, two lines are typed at Director(config-if)#
    check(enabled, played, expected=[
        "ip dhcp remember",
        "interface Vlan1",
        " ip address 192.168.1.1 255.255.255.0",
        f"vstack director {DIRECTOR_IP}",
        "vstack basic",
        f"vstack image tftp://{TFTP_SERVER}/default_image_file.tar",
        f"vstack config tftp://{TFTP_SERVER}/default_configuration.txt",
        "vstack dhcp-localserver smart_install_pool",
        f" address-pool {NETWORK} 255.255.255.0",
        f" file-server {TFTP_SERVER}",
        f" default-router {DIRECTOR_IP}",
    ])


def test_monitoring_commands_parse(enabled: Session) -> None:
    # guide lines 413, 1476-1480, 1586-1589. Line 1586 prints "show vstack download status": the PDF lost the
    # hyphen of download-status (its Step 8 table shows "show vstack download-" / "status").
    played = play(enabled, """
        Director# show vstack status
        Director# show vstack download
        Director# show vstack download-status
    """, setup=(*DIRECTOR_EXEC, "configure terminal", "vstack director 1.1.1.20", "vstack basic", "end"))
    assert not played.problems, "\n".join(played.problems)


# ---- Configuring a network with a single switch type -------------------------------------------------------


def test_single_switch_type_files_in_director_flash(enabled: Session) -> None:
    # guide lines 1758-1774
    played = play(enabled, """
        Director# configure terminal
        Director(config)# vstack director 1.1.1.20
        Director(config)# vstack basic
        Director(config)# vstack image flash:c2960-lanbase-tar.122-52SE.tar
        Director(config)# vstack config flash:2960lanbase_config.txt
        Director(config)# vstack script flash:2960lanbase_post_install.txt
        Director(config)# end
    """, setup=DIRECTOR_EXEC)
    check(enabled, played, expected=[
        "vstack director 1.1.1.20",
        "vstack basic",
        "vstack image flash:c2960-lanbase-tar.122-52SE.tar",
        "vstack config flash:2960lanbase_config.txt",
        "vstack script flash:2960lanbase_post_install.txt",
    ])


def test_single_switch_type_files_on_tftp_server(enabled: Session) -> None:
    # guide lines 1779-1803
    played = play(enabled, """
        Director# configure terminal
        Director(config)# vstack director 1.1.1.20
        Director(config)# vstack basic
        Director(config)# vstack image tftp://101.122.33.10/c2960-lanbase-tar.122-52SE.tar
        Director(config)# vstack config tftp://101.122.33.10/2960LANBase_config.txt
        Director(config)# vstack script tftp://101.122.33.10/2960LANBase_post_install.txt
        Director(config)# end
    """, setup=DIRECTOR_EXEC)
    check(enabled, played, expected=[
        "vstack director 1.1.1.20",
        "vstack basic",
        "vstack image tftp://101.122.33.10/c2960-lanbase-tar.122-52SE.tar",
        "vstack config tftp://101.122.33.10/2960LANBase_config.txt",
        "vstack script tftp://101.122.33.10/2960LANBase_post_install.txt",
    ])


# ---- Built-in groups ---------------------------------------------------------------------------------------


def test_built_in_groups_for_a_mixed_network(enabled: Session) -> None:
    # guide lines 2018-2054
    played = play(enabled, """
        Director# configure terminal
        Director(config)# vstack director 1.1.1.20
        Director(config)# vstack basic
        Director(config)# vstack group built-in 3560 24
        Director(config-vstack-group)# image tftp://101.122.33.10/c3560-ipbaselmk9-tar.122-52.SE.tar
        Director(config-vstack-group)# config tftp://101.122.33.10/3560-24-ipbase_config.txt
        Director(config-vstack-group)# script tftp://101.122.33.10/3560-24-ipbase_post_install.txt
        ~Director(config)# exit
        Director(config)# vstack group built-in 2960 24
        Director(config-vstack-group)# image tftp://101.122.33.10/c2960-lanbasek9-tar.122-52.SE.tar
        Director(config-vstack-group)# config tftp://101.122.33.10/2960-24-LANbase_config.txt
        Director(config-vstack-group)# script tftp://101.122.33.10/3560-24-ipbase_post_install.txt
        ~Director(config)# end
    """, setup=DIRECTOR_EXEC)
    # misprints: "exit" and "end" are typed at Director(config-vstack-group)#
    check(enabled, played, expected=[
        "vstack director 1.1.1.20",
        "vstack basic",
        "vstack group built-in 3560 24",
        " image tftp://101.122.33.10/c3560-ipbaselmk9-tar.122-52.SE.tar",
        " config tftp://101.122.33.10/3560-24-ipbase_config.txt",
        " script tftp://101.122.33.10/3560-24-ipbase_post_install.txt",
        "vstack group built-in 2960 24",
        " image tftp://101.122.33.10/c2960-lanbasek9-tar.122-52.SE.tar",
        " config tftp://101.122.33.10/2960-24-LANbase_config.txt",
        " script tftp://101.122.33.10/3560-24-ipbase_post_install.txt",
    ])
    assert enabled.prompt() == "Director#"


# ---- Client access and SMI proxy ---------------------------------------------------------------------------


def test_attach_help_offers_a_client_address(enabled: Session) -> None:
    # guide lines 2342-2346; the numbered client entries need clients in the director database
    played = play(enabled, "Director# vstack attach ?", setup=DIRECTOR_EXEC)
    assert not played.problems, "\n".join(played.problems)
    assert "A.B.C.D IP address of remote node to attempt attaching to" in entries(played.outputs[-1])


def test_vstack_help_with_smi_proxy_enabled(enabled: Session) -> None:
    # guide lines 2428-2438: with SMI Proxy on, "vst ?" offers only these
    played = play(enabled, "IBD(config)# vst ?",
                  setup=("configure terminal", "hostname IBD", "vstack proxy ip-address 4.1.1.1 startup-vlan 1"))
    assert not played.problems, "\n".join(played.problems)
    assert entries(played.outputs[-1]) == [
        "dhcp-localserver Configure vstack dhcp parameters",
        "proxy Configure smi pnp proxy feature",
        "startup-vlan Configure vstack startup management vlan",
        "vlan Configure vstack management vlan",
        "<cr>",
    ]


def test_smi_proxy_on_interface_vlan_1(enabled: Session) -> None:
    # guide lines 2456-2460
    played = play(enabled, """
        Switch# configure terminal
        Switch(config)# vstack proxy interface vlan 1 startup-vlan 1
        Switch(config)# end
    """)
    check(enabled, played, expected=["vstack proxy interface Vlan1 startup-vlan 1"])


def test_smi_proxy_at_ip_address(enabled: Session) -> None:
    # guide lines 2464-2468
    played = play(enabled, """
        Switch# configure terminal
        Switch(config)# vstack proxy ip-address 4.1.1.1 startup-vlan 1
        Switch(config)# end
    """)
    check(enabled, played, expected=["vstack proxy ip-address 4.1.1.1 startup-vlan 1"])


def test_smi_proxy_at_ip_address_with_pnp_profile(enabled: Session) -> None:
    # guide lines 2464-2476: the whole example; the second proxy command replaces the first
    played = play(enabled, """
        Switch# configure terminal
        Switch(config)# vstack proxy ip-address 4.1.1.1 startup-vlan 1
        Switch(config)# end
        Switch# configure terminal
        Switch(config)#vstack proxy ip-address 4.1.1.1 startup-vlan 1 pnp-profile pnp-zero-touch
        Switch(config)# end
    """)
    check(enabled, played, expected=["vstack proxy ip-address 4.1.1.1 startup-vlan 1 pnp-profile pnp-zero-touch"])
    proxies = [line for line in config_lines(enabled.device.config) if line.startswith("vstack proxy")]
    assert len(proxies) == 1


# ---- On-demand updates (EXEC commands: they must parse) -----------------------------------------------------


def test_on_demand_download_to_a_client(enabled: Session) -> None:
    # guide lines 2674-2690
    configured = play(enabled, """
        Director# configure terminal
        Director(config)# vstack director 1.1.1.20
        Director(config)# vstack basic
        Director(config)# end
    """, setup=DIRECTOR_EXEC)
    image, config = "c2960-lanbasek9-tar.122-52.SE.tar", "2960LANBase_config.txt"
    downloads = play(enabled, f"""
        Director# vstack download-image tar tftp://101.122.33.10/{image} 1.1.1.30 mypassword reload in 06:30
        Director# vstack download-config tftp://101.122.33.10/{config} 1.1.1.30 mypassword reload in 06:30
    """, errors=PARSE_ERRORS)
    check(enabled, configured, downloads, expected=["vstack director 1.1.1.20", "vstack basic"])


def test_on_demand_download_to_a_built_in_group(enabled: Session) -> None:
    # guide lines 2694-2707
    configured = play(enabled, """
        Director# configure terminal
        Director(config)# vstack director 1.1.1.20
        Director(config)# vstack basic
        Director(config)# end
    """, setup=DIRECTOR_EXEC)
    downloads = play(enabled, """
        Director# vstack download-image built-in 3750 24 mypassword override reload in 6:30
        Director# vstack download-config built-in 3750 24 mypassword reload in 06:30
    """, errors=PARSE_ERRORS)
    check(enabled, configured, downloads, expected=["vstack director 1.1.1.20", "vstack basic"])


# ---- Custom groups -----------------------------------------------------------------------------------------


def test_custom_group_by_connectivity(enabled: Session) -> None:
    # guide lines 2849-2875
    played = play(enabled, """
        Director# configure terminal
        Director(config)# vstack director 1.1.1.20
        Director(config)# vstack basic
        Director(config)# vstack group custom textgroup2 connectivity
        Director(config-vstack-group)# match host 1.1.1.10 interface GigabitEthernet 1/0/3
        Director(config-vstack-group)# image tftp://101.122.33.10/c3750-ipbase-tar.122-52.SE.tar
        Director(config-vstack-group)# config tftp://101.122.33.10/3750-24-ipbase_config.txt
        Director(config-vstack-group)# script tftp://101.122.33.10/3750-24-ipbase_post_install.txt
        Director(config-vstack-group)# exit
        Director(config)# end
    """, setup=DIRECTOR_EXEC)
    check(enabled, played, expected=[
        "vstack director 1.1.1.20",
        "vstack basic",
        "vstack group custom textgroup2 connectivity",
        " match host 1.1.1.10 interface GigabitEthernet1/0/3",
        " image tftp://101.122.33.10/c3750-ipbase-tar.122-52.SE.tar",
        " config tftp://101.122.33.10/3750-24-ipbase_config.txt",
        " script tftp://101.122.33.10/3750-24-ipbase_post_install.txt",
    ])


def test_custom_group_by_mac_address(enabled: Session) -> None:
    # guide lines 2990-3020
    played = play(enabled, """
        Director# configure terminal
        Director(config)# vstack director 1.1.1.20
        Director(config)# vstack basic
        Director(config)# vstack group custom textgroup3 mac
        Director(config-vstack-group)# match mac 0023.34ca.c180
        Director(config-vstack-group)# match mac 001a.a1b4.ee00
        Director(config-vstack-group)# match mac 00:1B:54:44:C6:00
        Director(config-vstack-group)# image tftp://101.122.33.10/c3750-ipbase-tar.122-52.SE.tar
        Director(config-vstack-group)# config tftp://101.122.33.10/3750-24-ipbase_config.txt
        Director(config-vstack-group)# script tftp://101.122.33.10/3750-24-ipbase_post_install.txt
        Director(config-vstack-group)# exit
        Director(config)# end
    """, setup=DIRECTOR_EXEC)
    check(enabled, played, expected=[
        "vstack director 1.1.1.20",
        "vstack basic",
        "vstack group custom textgroup3 mac",
        " match mac 0023.34ca.c180",
        " match mac 001a.a1b4.ee00",
        " match mac 001b.5444.c600",
        " image tftp://101.122.33.10/c3750-ipbase-tar.122-52.SE.tar",
        " config tftp://101.122.33.10/3750-24-ipbase_config.txt",
        " script tftp://101.122.33.10/3750-24-ipbase_post_install.txt",
    ])


def test_custom_group_by_stack_number(enabled: Session) -> None:
    # guide lines 3157-3179
    played = play(enabled, """
        Director# configure terminal
        Director(config)# vstack director 1.1.1.20
        Director(config)# vstack basic
        Director(config)# vstack group custom testgroup stack
        Director(config-vstack-group)# image tftp://101.122.33.10/c3750-ipbase-tar.122-52.SE.tar
        Director(config-vstack-group)# config tftp://101.122.33.10/3750stack_config.txt
        Director(config-vstack-group)# script tftp://101.122.33.10/3750stack_post_install.txt
        Director(config-vstack-group)# match 1 3750 24poe
        Director(config-vstack-group)# match 2 3750 24poe
        Director(config-vstack-group)# match 3 3750 24poe
        Director(config-vstack-group)# exit
        Director(config)# end
    """, setup=DIRECTOR_EXEC)
    check(enabled, played, expected=[
        "vstack director 1.1.1.20",
        "vstack basic",
        "vstack group custom testgroup stack",
        " match 1 3750 24poe",
        " match 2 3750 24poe",
        " match 3 3750 24poe",
        " image tftp://101.122.33.10/c3750-ipbase-tar.122-52.SE.tar",
        " config tftp://101.122.33.10/3750stack_config.txt",
        " script tftp://101.122.33.10/3750stack_post_install.txt",
    ])


def test_custom_group_by_product_id(enabled: Session) -> None:
    # guide lines 3276-3300
    played = play(enabled, """
        Director# configure terminal
        Director(config)# vstack director 1.1.1.20
        Director(config)# vstack basic
        Director(config)# vstack group custom textgroup4 product-id
        Director(config-vstack-group)# match WS-C2960-48TC-L
        Director(config-vstack-group)# image tftp://101.122.33.10/c2960-lanbase-tar.122-52.SE.tar
        Director(config-vstack-group)# config tftp://101.122.33.10/c2960-lanbase_config.txt
        Director(config-vstack-group)# script tftp://101.122.33.10/c2960-lanbase_post_install.txt
        Director(config-vstack-group)# exit
        Director(config)# end
    """, setup=DIRECTOR_EXEC)
    check(enabled, played, expected=[
        "vstack director 1.1.1.20",
        "vstack basic",
        "vstack group custom textgroup4 product-id",
        " match WS-C2960-48TC-L",
        " image tftp://101.122.33.10/c2960-lanbase-tar.122-52.SE.tar",
        " config tftp://101.122.33.10/c2960-lanbase_config.txt",
        " script tftp://101.122.33.10/c2960-lanbase_post_install.txt",
    ])


# ---- Client hostname prefix --------------------------------------------------------------------------------


def test_client_hostname_prefix(enabled: Session) -> None:
    # guide lines 3357-3359 (the rest of the example is a client's console)
    played = play(enabled, """
        Director(config)# vstack hostname-prefix Cisco
        Director(config)# exit
    """, setup=DIRECTOR_CONFIG)
    check(enabled, played, expected=["vstack hostname-prefix Cisco"])
    assert enabled.prompt() == "Director#"


# ---- Post-install scripts ----------------------------------------------------------------------------------


def test_post_install_script_in_default_mode(enabled: Session) -> None:
    # guide lines 4380-4384
    played = play(enabled, """
        Switch# config terminal
        Switch(config)# vstack script flash:post_install.txt
        Switch(config)# end
    """)
    check(enabled, played, expected=["vstack script flash:post_install.txt"])


def test_post_install_script_for_a_built_in_group(enabled: Session) -> None:
    # guide lines 4431-4450: the 2960xr group's help, then "any built-in group" typed in it
    played = play(enabled, """
        Switch(config)# vstack group built-in 2960xr 24-2sfp-il
        Switch(config-vstack-group)#?
        ~switch(config-vstack-group)# script flash:post_install.txt
        ~switch(config-vstack-group)# end
    """, setup=("configure terminal",))
    # misprints: the host name is shown in lower case in the last two lines
    check(enabled, played, expected=[
        "vstack group built-in 2960xr 24-2sfp-il",
        " script flash:post_install.txt",
    ])
    # the guide's help (its heading, "Vstack group configuration commands", is not compared: the PDF drops
    # the colon IOS prints after it)
    assert entries(played.outputs[1])[1:] == [
        "config The config file for the group",
        "exit Exit from group-vstack config mode",
        "image The image file for the group",
        "no Negate a command or set its defaults",
        "script The script file for the group",
    ]
    assert enabled.prompt() == "Switch#"


def test_post_install_script_for_a_custom_group(enabled: Session) -> None:
    # guide lines 4520-4528
    played = play(enabled, """
        Switch# config terminal
        Switch(config)# vstack group custom 3k-stack stack
        Switch(config-vstack-group)# script flash:post_install.txt
        Switch(config-vstack-group)# match 1 3750x 24
        Switch(config-vstack-group)# end
    """)
    check(enabled, played, expected=[
        "vstack group custom 3k-stack stack",
        " match 1 3750x 24",
        " script flash:post_install.txt",
    ])
    assert enabled.prompt() == "Switch#"
