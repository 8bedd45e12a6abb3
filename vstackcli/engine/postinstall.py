"""The post-install script format (guide, "Support for Post-install Operations").

Each line holds up to 20 IOS CLI commands, each enclosed in double quotes::

    "system mtu 1600"
    "vlan 123" "name VLAN" "exit"
    "sdm prefer default"
    "vtp domain cisco"

Rules, from the guide:

- every command is enclosed in double quotes; a single quote is invalid; commas are
  not required (a comma between two commands is accepted, nothing else is);
- a line holds at most 20 commands, and all the commands of one line belong to one
  top-level command: its first command, then that command's sub-commands
  (``"vlan 123" "name VLAN" "exit"``); two distinct CLI commands must not share a
  line (``"vlan 123" "system mtu 1600"`` is invalid);
- the supported top-level commands are ``system mtu`` (or ``mtu``), ``vlan``,
  ``sdm`` and ``vtp``. Only ``vlan`` enters a sub-mode, so only a ``vlan`` line has
  sub-commands.

Arguments are not checked (the guide lists ``"sdm prefer degault"`` as valid).
Blank lines are fine.
"""

from __future__ import annotations

__all__ = ["MAX_COMMANDS", "TOP_LEVEL", "PostInstallError", "parse_post_install", "validate_post_install"]

MAX_COMMANDS = 20
TOP_LEVEL = ("system mtu", "mtu", "vlan", "sdm", "vtp")
_WITH_SUBMODE = ("vlan",)
_TOP_WORDS = frozenset({"system", "vlan", "sdm", "vtp"})  # a later command starting so is another command
_SEPARATORS = " \t,"


class PostInstallError(ValueError):
    """A post-install file line the director would not run as written."""

    def __init__(self, line_number: int, message: str):
        super().__init__(f"line {line_number}: {message}")
        self.line_number = line_number
        self.message = message


def _top_level(command: str) -> str | None:
    """The supported top-level command ``command`` starts, or None."""
    words = command.lower().split()
    if words[:2] == ["system", "mtu"]:
        return "system mtu"
    if words and words[0] in ("mtu", "vlan", "sdm", "vtp"):
        return words[0]
    return None


def _split(line: str, number: int) -> list[str]:
    """The double-quoted commands of one line, in order."""
    commands: list[str] = []
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c in _SEPARATORS:
            i += 1
            continue
        if c == '"':
            end = line.find('"', i + 1)
            if end < 0:
                raise PostInstallError(number, f"missing closing double quote after {line[i:]!r}")
            command = " ".join(line[i + 1:end].split())
            if not command:
                raise PostInstallError(number, "empty command \"\"")
            commands.append(command)
            i = end + 1
            continue
        if c in "'\u2018\u2019":
            raise PostInstallError(number, "single quotes are invalid; enclose each command in double quotes")
        if c in "\u201c\u201d":
            raise PostInstallError(number, "typographic quotes are invalid; enclose each command in plain double "
                                           "quotes (\")")
        rest = line[i:].split('"', 1)[0].strip()
        raise PostInstallError(number, f"text outside double quotes: {rest!r}; enclose each command in "
                                       "double quotes")
    return commands


def _check(commands: list[str], number: int) -> None:
    if len(commands) > MAX_COMMANDS:
        raise PostInstallError(number, f"{len(commands)} commands on one line; at most {MAX_COMMANDS} are allowed")
    first = commands[0]
    top = _top_level(first)
    if top is None:
        raise PostInstallError(number, f"unsupported command \"{first}\"; only system mtu, vlan, sdm and vtp "
                                       "commands are supported")
    for command in commands[1:]:
        word = command.split()[0].lower()
        if word in _TOP_WORDS:
            raise PostInstallError(number, f"two distinct CLI commands on one line: \"{first}\" and "
                                           f"\"{command}\"; put each on its own line")
        if top not in _WITH_SUBMODE:
            raise PostInstallError(number, f"\"{first}\" takes no sub-commands, but \"{command}\" follows it; "
                                           "put each command on its own line")


def _parse_line(line: str, number: int) -> list[str] | None:
    commands = _split(line, number)
    if not commands:
        return None  # blank
    _check(commands, number)
    return commands


def parse_post_install(text: str) -> list[list[str]]:
    """The commands of each non-blank line; ``PostInstallError`` at the first invalid line."""
    parsed: list[list[str]] = []
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), 1):
        commands = _parse_line(line, number)
        if commands is not None:
            parsed.append(commands)
    return parsed


def validate_post_install(text: str) -> list[str]:
    """Every error, one per invalid line (``line N: ...``); empty when the file is valid."""
    errors: list[str] = []
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), 1):
        try:
            _parse_line(line, number)
        except PostInstallError as err:
            errors.append(str(err))
    return errors
