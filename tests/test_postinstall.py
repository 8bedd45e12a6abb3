"""Post-install script format (engine/postinstall.py), against the guide's own examples."""

from __future__ import annotations

import pytest

from vstackcli.engine.postinstall import PostInstallError, parse_post_install, validate_post_install

# "Following is an example of a well-formatted post install config file:" (verbatim, blank lines as printed)
GUIDE_WELL_FORMATTED = '''"system mtu 1600"

"vlan 123" "name VLAN" "exit"

"sdm prefer default"
'''

# "Valid CLI example include:"
GUIDE_VALID = ['"sdm prefer degault"', '"vlan 12" "name TEST" "exit"', '"vtp domain cisco"',
               '"vlan 123" "name VLAN" "exit"']

# "... and all following examples are invalid", then "Two distinct CLI commands must not be in same line"
GUIDE_INVALID = ["'sdm prefer default'", "'vlan 123' , 'name VLAN' , 'exit'", '>"vlan 123" "name VLAN" "exit"',
                 '"vlan 123" "system mtu 1600"']


def test_guide_well_formatted_file():
    assert parse_post_install(GUIDE_WELL_FORMATTED) == [
        ["system mtu 1600"], ["vlan 123", "name VLAN", "exit"], ["sdm prefer default"]]
    assert validate_post_install(GUIDE_WELL_FORMATTED) == []


@pytest.mark.parametrize("line", GUIDE_VALID)
def test_guide_valid_examples(line):
    assert validate_post_install(line) == []
    assert len(parse_post_install(line)) == 1


@pytest.mark.parametrize("line", GUIDE_INVALID)
def test_guide_invalid_examples(line):
    with pytest.raises(PostInstallError) as err:
        parse_post_install(line)
    assert err.value.line_number == 1
    assert len(validate_post_install(line)) == 1


def test_messages_say_what_is_wrong():
    def message(text: str) -> str:
        with pytest.raises(PostInstallError) as err:
            parse_post_install(text)
        return err.value.message

    assert "single quotes are invalid" in message("'sdm prefer default'")
    assert "single quotes are invalid" in message("'vlan 123' , 'name VLAN' , 'exit'")
    assert "text outside double quotes: '>'" in message('>"vlan 123" "name VLAN" "exit"')
    assert 'two distinct CLI commands on one line: "vlan 123" and "system mtu 1600"' in message(
        '"vlan 123" "system mtu 1600"')
    assert "missing closing double quote" in message('"vlan 123" "name VLAN')
    assert "unsupported command \"interface Gi1/0/1\"" in message('"interface Gi1/0/1" "shutdown"')
    assert "unsupported command \"system\"" in message('"system"')
    assert "empty command" in message('"vlan 5" ""')
    assert "text outside double quotes: 'vlan 5'" in message("vlan 5")
    assert "takes no sub-commands" in message('"sdm prefer default" "exit"')
    assert "two distinct CLI commands" in message('"vtp domain cisco" "vtp mode transparent"')


def test_at_most_twenty_commands_per_line():
    twenty = '"vlan 10" ' + " ".join(f'"name V{i}"' for i in range(19))
    assert validate_post_install(twenty) == []
    assert parse_post_install(twenty)[0][0] == "vlan 10"
    errors = validate_post_install(twenty + ' "exit"')
    assert errors == ["line 1: 21 commands on one line; at most 20 are allowed"]


def test_commas_and_blank_lines_are_fine():
    text = '\n   \n"vlan 123", "name VLAN", "exit"\n\n"mtu 1500"\n"VTP mode transparent"\n'
    assert parse_post_install(text) == [["vlan 123", "name VLAN", "exit"], ["mtu 1500"], ["VTP mode transparent"]]
    assert parse_post_install("") == []


def test_vlan_sub_commands_may_include_mtu():
    assert parse_post_install('"vlan 20" "mtu 1500" "state active" "exit"') == [
        ["vlan 20", "mtu 1500", "state active", "exit"]]


def test_validate_reports_every_bad_line_with_its_number():
    text = "\n".join([GUIDE_WELL_FORMATTED.rstrip("\n"), *GUIDE_INVALID, '"vtp domain cisco"'])
    errors = validate_post_install(text)
    assert [e.split(":")[0] for e in errors] == ["line 6", "line 7", "line 8", "line 9"]
    with pytest.raises(PostInstallError) as err:
        parse_post_install(text)
    assert err.value.line_number == 6
    assert str(err.value).startswith("line 6: ")


def test_windows_line_endings_and_bom():
    assert parse_post_install('\ufeff"sdm prefer default"\r\n"vtp domain cisco"\r\n') == [
        ["sdm prefer default"], ["vtp domain cisco"]]
