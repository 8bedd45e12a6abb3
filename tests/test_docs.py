"""docs/ stays true: the command reference is generated from the modes."""

from __future__ import annotations

from pathlib import Path

from vstackcli.modes.reference import reference

REPO = Path(__file__).resolve().parent.parent


def test_command_reference_is_current() -> None:
    assert (REPO / "docs" / "commands.md").read_text() == reference(), (
        "regenerate: python -m vstackcli.modes.reference > docs/commands.md")


def test_readme_opens_with_the_two_commands() -> None:
    lines = (REPO / "README.md").read_text().splitlines()
    assert lines[0] == "```sh"
    assert lines[1].startswith("./scripts/shell ")
    assert lines[2].startswith("./scripts/test ")
    assert lines[3] == "```"
