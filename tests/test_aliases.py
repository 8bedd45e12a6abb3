"""`alias exec|configure ...`: the first word of a line expands as IOS does, `show aliases` lists the
built-in and configured aliases, and one line is kept per alias name; `show banner` prints a banner."""

from __future__ import annotations

from conftest import run, running

from vstackcli.shell.session import Session


def test_builtin_exec_aliases(enabled: Session) -> None:
    assert run(enabled, "s clock")[0].startswith("*")  # `s` is IOS's alias of `show`
    out = run(enabled, "show aliases")
    assert out[:3] == ["Exec mode aliases:", "  h                     help", "  lo                    logout"]
    assert "  s                     show" in out
    for typed in ("s", "sh", "show"):  # a bare show, through the alias or not: IOS's own words
        assert run(enabled, typed) == ['% Type "show ?" for a list of subcommands']


def test_configured_aliases_expand_with_their_arguments(configuring: Session) -> None:
    run(configuring, "alias exec sv show vstack status", "alias exec ver show version", "alias configure hn hostname",
        "hn EDGE", "end")
    assert configuring.prompt() == "EDGE#"
    assert run(configuring, "sv") == run(configuring, "show vstack status")
    assert run(configuring, "ver | include ^Cisco IOS") == run(configuring, "show version | include ^Cisco IOS")
    assert "  sv                    show vstack status" in run(configuring, "show aliases exec")
    assert run(configuring, "show aliases configure") == ["Global configuration mode aliases:",
                                                          "  hn                    hostname", ""]
    assert run(configuring, "svx")[0].startswith("Translating")  # only the exact word is an alias
    assert [x for x in running(configuring) if x.startswith("alias")] == [
        "alias exec sv show vstack status", "alias exec ver show version", "alias configure hn hostname"]


def test_one_line_per_alias_name_and_no_removes_it(configuring: Session) -> None:
    run(configuring, "alias exec sv show vstack status", "alias exec sv show vstack status detail",
        "ntp server 10.0.0.123", "ntp server 10.0.0.123 prefer")
    lines = running(configuring)
    assert [x for x in lines if x.startswith("alias")] == ["alias exec sv show vstack status detail"]
    assert [x for x in lines if x.startswith("ntp")] == ["ntp server 10.0.0.123 prefer"]
    run(configuring, "no alias exec sv", "no ntp server 10.0.0.123")
    lines = running(configuring)
    assert not [x for x in lines if x.startswith(("alias", "no alias", "ntp", "no ntp"))]
    run(configuring, "end")
    assert run(configuring, "sv")[0].startswith("Translating")


def test_show_banner_prints_the_text_as_entered(configuring: Session) -> None:
    run(configuring, "banner motd ^C", "*** Authorized access only ***", "Smart Install lab", "^C",
        "banner login #one line#", "end")
    assert run(configuring, "show banner motd") == ["*** Authorized access only ***", "Smart Install lab"]
    assert run(configuring, "show banner login") == ["one line"]
    assert run(configuring, "show banner exec") == []
