"""IOS look and feel of a session: prompts, modes, errors, carets, help, walk-up, do, pipes, paging."""

from __future__ import annotations

from conftest import run, transcript

from vstackcli.shell.session import Session


def test_prompts_through_every_mode(enabled: Session) -> None:
    seen = []
    for line in ("configure terminal", "interface vlan 1", "exit", "ip dhcp pool p1", "exit",
                 "vstack dhcp-localserver pool1", "exit", "vstack group built-in 3750 24poe", "exit",
                 "vstack group custom g stack", "end"):
        enabled.execute(line)
        seen.append(enabled.prompt())
    assert seen == ["Switch(config)#", "Switch(config-if)#", "Switch(config)#", "Switch(dhcp-config)#",
                    "Switch(config)#", "Switch(config-vstack-dhcp)#", "Switch(config)#",
                    "Switch(config-vstack-group)#", "Switch(config)#", "Switch(config-vstack-group)#", "Switch#"]


def test_user_exec_enable_without_and_with_a_secret(session: Session) -> None:
    assert session.prompt() == "Switch>"
    run(session, "enable")
    assert session.prompt() == "Switch#"
    run(session, "configure terminal", "enable secret s3cret", "end", "disable")
    assert session.prompt() == "Switch>"
    reply = session.execute("enable")
    assert reply.question is not None and reply.question.prompt == "Password: " and reply.question.secret
    session.execute("wrong")
    session.execute("s3cret")
    assert session.prompt() == "Switch#"


def test_three_bad_enable_passwords(session: Session) -> None:
    session.device.config.enable_secret = "5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0"  # "cisco"
    session.execute("enable")
    session.execute("a")
    session.execute("b")
    assert session.execute("c").lines[0] == "% Bad secrets"
    assert session.prompt() == "Switch>"


def test_configure_asks_terminal_memory_or_network(enabled: Session) -> None:
    reply = enabled.execute("configure")
    assert reply.question.prompt == "Configuring from terminal, memory, or network [terminal]? "
    reply = enabled.execute("")
    assert reply.lines == ["Enter configuration commands, one per line.  End with CNTL/Z."]
    assert enabled.prompt() == "Switch(config)#"


def test_conf_t_and_config_message_on_leaving(enabled: Session) -> None:
    text = transcript(enabled, "conf t\nend")
    assert "Switch#conf t\nEnter configuration commands, one per line.  End with CNTL/Z.\n" in text
    assert "%SYS-5-CONFIG_I: Configured from console by console" in text


def test_invalid_input_caret_counts_the_prompt(session: Session) -> None:
    text = transcript(session, "configure terminal")
    # 'con' still matches 'connect' in user EXEC: the caret sits under the 'f'
    assert text.splitlines()[:3] == ["Switch>configure terminal", "          ^",
                                     "% Invalid input detected at '^' marker."]
    assert text.splitlines()[3] == ""


def test_caret_under_a_bad_argument(configuring: Session) -> None:
    lines = run(configuring, "vstack director 1.1.1")
    assert lines == [" " * len("Switch(config)#vstack director ") + "^", "% Invalid input detected at '^' marker.", ""]


def test_incomplete_and_ambiguous_texts(configuring: Session) -> None:
    assert run(configuring, "vstack group") == ["% Incomplete command.", ""]
    assert run(configuring, "vstack d") == ['% Ambiguous command:  "vstack d"']


def test_unknown_word_in_exec_is_a_host_name(enabled: Session) -> None:
    assert run(enabled, "foo") == ['Translating "foo"', "% Bad IP address or host name",
                                   "% Unknown command or computer name, or unable to find computer address"]


def test_show_in_config_needs_do(configuring: Session) -> None:
    lines = run(configuring, "show running-config")
    assert lines[1] == "% Invalid input detected at '^' marker."
    assert run(configuring, "do show privilege") == ["Current privilege level is 15"]
    assert configuring.prompt() == "Switch(config)#"


def test_do_carets_count_the_config_prompt(configuring: Session) -> None:
    lines = run(configuring, "do show vstak")
    assert lines[0].index("^") == len("Switch(config)#do show vsta")


def test_walk_up_runs_a_parent_line_and_moves_to_that_mode(configuring: Session) -> None:
    run(configuring, "interface vlan 1")
    assert run(configuring, "hostname R0") == []
    assert configuring.prompt() == "R0(config)#"
    run(configuring, "vstack group custom g mac", "match mac 0023.34ca.c180", "vstack dhcp-localserver p")
    assert configuring.prompt() == "R0(config-vstack-dhcp)#"


def test_no_walk_up_on_incomplete_or_ambiguous(configuring: Session) -> None:
    run(configuring, "vstack group custom g mac")
    assert run(configuring, "match") == ["% Incomplete command.", ""]
    assert configuring.prompt() == "Switch(config-vstack-group)#"


def test_hostname_is_cut_to_20_characters_in_config_modes(configuring: Session) -> None:
    run(configuring, "hostname THIS-IS-A-PARTICULAR-NAME")
    assert configuring.prompt() == "THIS-IS-A-PARTICULAR(config)#"
    run(configuring, "end")
    assert configuring.prompt() == "THIS-IS-A-PARTICULAR-NAME#"


def test_bad_hostname(configuring: Session) -> None:
    assert run(configuring, "hostname 1abc") == ["% Hostname contains one or more illegal characters."]


def test_question_mark_listings(configuring: Session) -> None:
    lines = configuring.help("vstack group ")
    assert lines == ["  built-in  Configure built-in group", "  custom    Configure custom group"]
    assert configuring.help("vstack di") == ["director  "]
    assert configuring.help("vstack director ") == ["  A.B.C.D  Director's IP address"]
    assert configuring.help("vstack image ")[0].startswith("  flash:  ")


def test_group_mode_help_is_the_guide_list(configuring: Session) -> None:
    run(configuring, "vstack group built-in 2960xr 24-2sfp-il")
    assert configuring.help("") == [
        "Vstack group configuration commands:",
        "  config  The config file for the group",
        "  exit    Exit from group-vstack config mode",
        "  image   The image file for the group",
        "  no      Negate a command or set its defaults",
        "  script  The script file for the group",
    ]


def test_proxy_mode_shrinks_vstack_help_to_the_guide_list(configuring: Session) -> None:
    run(configuring, "interface vlan 1", "ip address 10.0.0.1 255.255.255.0", "exit",
        "vstack proxy interface vlan 1 startup-vlan 1")
    assert configuring.help("vst ") == [
        "  dhcp-localserver  Configure vstack dhcp parameters",
        "  proxy             Configure smi pnp proxy feature",
        "  startup-vlan      Configure vstack startup management vlan",
        "  vlan              Configure vstack management vlan",
        "  <cr>",
    ]
    assert run(configuring, "vstack basic")[1] == "% Invalid input detected at '^' marker."


def test_show_help_has_output_modifiers(enabled: Session) -> None:
    lines = enabled.help("show running-config ")
    assert "  all" in "\n".join(lines)
    assert lines[-2].startswith("  |") and lines[-1] == "  <cr>"
    pipe = enabled.help("show running-config | ")
    assert any(line.startswith("  include") for line in pipe)


def test_pipes(enabled: Session) -> None:
    run(enabled, "configure terminal", "vstack director 1.1.1.20", "vstack basic",
        "vstack group custom g1 mac", "match mac 0023.34ca.c180", "end")
    assert run(enabled, "show running-config | include ^vstack") == [
        "vstack director 1.1.1.20", "vstack basic", "vstack group custom g1 mac"]
    assert run(enabled, "sh run | i director|basic") == ["vstack director 1.1.1.20", "vstack basic"]
    assert run(enabled, "show running-config | section group") == [
        "vstack group custom g1 mac", " match mac 0023.34ca.c180"]
    assert run(enabled, "show run | begin ^line vty 5")[0] == "line vty 5 15"
    assert run(enabled, "show run | count vstack") == ["Number of lines which match regexp = 3"]
    excluded = run(enabled, "show running-config | exclude interface|!")
    assert not any(line.startswith("interface") or line == "!" for line in excluded)


def test_pipe_errors(enabled: Session) -> None:
    lines = run(enabled, "show version | inclu")
    assert lines == ["% Incomplete command.", ""]
    lines = run(enabled, "show version | grep x")
    assert lines[0].index("^") == len("Switch#show version | ")


def test_redirect_to_flash(enabled: Session) -> None:
    run(enabled, "show version | redirect flash:version.txt")
    assert "Cisco IOS Software" in enabled.device.storage.flash.read("version.txt").decode()


def test_terminal_length_pages_with_more(enabled: Session) -> None:
    text = transcript(enabled, "terminal length 10\nshow version\n \nq")
    assert " --More-- " in text
    assert "\b" * 9 + " " * 8 + "\b" * 9 in text
    assert "Configuration register" not in text  # 'q' stopped it


def test_terminal_length_zero_never_pages(enabled: Session) -> None:
    text = transcript(enabled, "terminal length 0\nshow version")
    assert "--More--" not in text and "Configuration register is 0xF" in text


def test_show_version_has_what_automation_parses(enabled: Session) -> None:
    text = "\n".join(run(enabled, "show version"))
    assert "Cisco IOS Software, C3750E Software" in text
    assert "Switch uptime is 0 minutes" in text
    assert "Processor board ID FDO1633X0VS" in text
    assert "bytes of memory." in text
    assert 'System image file is "flash:/' in text


def test_show_privilege(session: Session) -> None:
    assert run(session, "show privilege") == ["Current privilege level is 1"]


def test_exit_closes_an_exec_session(session: Session) -> None:
    run(session, "exit")
    assert session.closed


def test_no_traceback_from_a_failing_handler(enabled: Session, monkeypatch) -> None:
    from vstackcli.modes import show_system

    def boom(call):
        raise RuntimeError("bug")

    command = next(c for c in enabled.mode.graph.commands if c.spec == "show version")
    monkeypatch.setattr(command, "handler", boom)
    assert run(enabled, "show version") == ["%Error: internal error while executing the command (see log)"]
    assert show_system is not None


def test_ip_address_checks_masks_overlaps_and_switch_ports(configuring: Session) -> None:
    run(configuring, "interface vlan 10", "ip address 10.1.0.1 255.255.0.0")
    assert run(configuring, "interface vlan 20", "ip address 10.1.2.1 255.255.255.0") == [
        "% 10.1.2.0 overlaps with Vlan10"]
    assert run(configuring, "ip address 10.0.0.1 255.0.0.0") == ["% 10.0.0.0 overlaps with Vlan10"]
    assert run(configuring, "ip address 10.2.0.1 255.0.255.0") == ["Bad mask 0xFF00FF00 for address 10.2.0.1"]
    assert run(configuring, "ip address 10.2.0.1 255.255.255.0") == []
    # re-addressing an interface does not clash with its own old subnet
    assert run(configuring, "interface vlan 10", "ip address 10.1.0.2 255.255.0.0") == []
    run(configuring, "exit", "no interface vlan 10", "interface vlan 30")
    assert run(configuring, "ip address 10.1.5.1 255.255.255.0") == []
    assert run(configuring, "interface gi1/0/1", "ip address 192.168.9.1 255.255.255.0") == [
        "% IP addresses may not be configured on L2 links."]


def test_vstack_attach_help_lists_active_clients(enabled: Session) -> None:
    import ipaddress

    from vstackcli.engine.director import ClientEntry
    from vstackcli.grammar.values import MacAddress

    db = enabled.device.director_db
    db.clients.append(ClientEntry(1, MacAddress.parse("0000.0040.4080"), "WS-C3750-24TS",
                                  ipaddress.IPv4Address("10.0.0.1"), "c3750-2042"))
    db.clients.append(ClientEntry(2, MacAddress.parse("0000.000c.0d80"), "WS-C3750-24TS",
                                  ipaddress.IPv4Address("10.0.0.2"), "c3750-2045"))
    assert enabled.help("vstack attach ") == [
        "  1        c3750-2042 @ IP 10.0.0.1 : MAC 0000.0040.4080",
        "  2        c3750-2045 @ IP 10.0.0.2 : MAC 0000.000c.0d80",
        "  A.B.C.D  IP address of remote node to attempt attaching to",
    ]


def test_logging_severity_rules(enabled: Session) -> None:
    text = transcript(enabled, "configure terminal\nlogging console warnings\nlogging buffered 16384 errors\nend")
    assert "%SYS-5-CONFIG_I" not in text  # severity 5 is above `warnings` (4)
    body = run(enabled, "show running-config")
    assert "logging buffered 16384 errors" in body and "logging console warnings" in body
    from vstackcli.engine.messages import smi

    smi(enabled.device.log, "SWITCH_ADD", enet="0000.0000.0001")  # severity 6: not kept
    smi(enabled.device.log, "TAILOR_FAILED")  # severity 3: kept
    kept = run(enabled, "show logging | include %SMI")
    assert kept == [m for m in kept if "TAILOR_FAILED" in m] and len(kept) == 1
    text = transcript(enabled, "configure terminal\nno logging console\nend")
    assert "no logging console" in run(enabled, "show running-config | include logging")


def test_no_of_a_kept_line_returns_to_the_default_and_shows_nothing(configuring: Session) -> None:
    run(configuring, "file prompt quiet", "no file prompt quiet", "no service pad", "do write memory")
    text = "\n".join(run(configuring, "do show running-config"))
    assert "file prompt" not in text  # set then removed: IOS's default again, not shown
    assert "\nno service pad\n" in text  # a default-on service turned off is shown


def test_model_number_has_one_license_suffix(tmp_path) -> None:
    from vstackcli.engine.device import Device, Platform

    for pid, model in (("WS-C3750X-24P", "WS-C3750X-24P-L"), ("WS-C2960-24TT-L", "WS-C2960-24TT-L")):
        device = Device(tmp_path / pid, platform=Platform(pid=pid))
        lines = run(Session(device, privilege=15, length=0), "show version | include Model number")
        assert lines == [f"Model number                    : {model}"]
