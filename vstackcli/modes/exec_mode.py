"""User and privileged EXEC: one command list, filtered by privilege as IOS does.

``Switch>`` sees the privilege-1 commands, ``Switch#`` all of them. Show
commands live in ``show.py``, Smart Install exec commands in ``vstack_exec.py``,
file commands in ``files.py``.
"""

from __future__ import annotations

from vstackcli.engine import secrets
from vstackcli.grammar.graph import Command
from vstackcli.modes.automation import AUTOMATION_COMMANDS
from vstackcli.modes.base import Call, CommandError, Mode, Question
from vstackcli.modes.files import FILE_COMMANDS, confirm, save_startup
from vstackcli.modes.shadows import exec_shadows
from vstackcli.modes.show import SHOW_COMMANDS, SHOW_HELP
from vstackcli.modes.show_line import SHOW_LINE_COMMANDS
from vstackcli.modes.show_ssh import SHOW_SSH_COMMANDS
from vstackcli.modes.vstack_exec import VSTACK_EXEC_COMMANDS

__all__ = ["EXEC_HELP_TEXT", "exec_mode"]

EXEC_HELP_TEXT = """Help may be requested at any point in a command by entering
a question mark '?'.  If nothing matches, the help list will
be empty and you must backup until entering a '?' shows the
available options.
Two styles of help are provided:
1. Full help is available when you are ready to enter a
   command argument (e.g. 'show ?') and describes each possible
   argument.
2. Partial help is provided when an abbreviated argument is entered
   and you want to know what arguments match the input
   (e.g. 'show pr?'.)"""


def _enable(call: Call) -> Question | None:
    level = call.arg("level", 15)
    cfg = call.config
    stored = cfg.enable_secret or cfg.enable_password
    if not stored or call.session.privilege >= level:
        if not stored and call.session.line != "console" and call.session.privilege < level:
            raise CommandError("% No password set")  # IOS lets only the console enable without one
        call.session.privilege = max(call.session.privilege, level) if stored else level
        return None
    attempts = [0]

    def check(typed: str) -> Question | None:
        if secrets.verify(stored, typed):
            call.session.privilege = level
            return None
        attempts[0] += 1
        if attempts[0] >= 3:
            raise CommandError("% Bad secrets\n")
        return Question("Password: ", check, secret=True)

    return Question("Password: ", check, secret=True)


def _disable(call: Call) -> None:
    call.session.privilege = min(call.arg("level", 1), call.session.privilege)


def _exit(call: Call) -> None:
    call.session.closed = True


def _terminal(call: Call) -> None:
    session = call.session
    if call.arg("length") is not None:
        session.length = call.arg("length")
    elif call.arg("width") is not None:
        session.width = call.arg("width")
    elif call.arg("monitor"):
        session.monitor = not call.arg("no")
    elif call.arg("editing"):
        session.editing = not call.arg("no")


def _configure(call: Call) -> Question | None:
    if call.arg("terminal"):
        return _enter_config(call)
    if call.arg("memory"):
        from vstackcli.shell.replay import replay

        text = call.device.storage.startup_config() or ""
        call.out.extend(replay(call.device, text, source="nvram:startup-config",
                               user=call.session.user).error_lines())
        return None

    def answer(typed: str) -> Question | None:
        choice = typed.strip().lower() or "terminal"
        for word in ("terminal", "memory", "network"):
            if word.startswith(choice):
                if word == "terminal":
                    return _enter_config(call)
                if word == "memory":
                    call.args["memory"] = True
                    return _configure(call)
                raise CommandError("%Error: configuring from the network is not supported by vstackcli")
        raise CommandError("?Must be \"terminal\", \"memory\" or \"network\"")

    return Question("Configuring from terminal, memory, or network [terminal]? ", answer)


def _enter_config(call: Call) -> None:
    call.print("Enter configuration commands, one per line.  End with CNTL/Z.")
    call.enter("config")


def _reload(call: Call) -> Question:
    device = call.device

    def proceed() -> None:
        from vstackcli.shell.replay import reload_device

        call.out.extend(reload_device(device))
        call.session.frames[1:] = []
        call.session.privilege = 1
        call.session.config_entered = False

    def ask_save(typed: str) -> Question | None:
        answer = typed.strip().lower()
        if answer in ("y", "yes"):
            save_startup(call)
        elif answer not in ("n", "no"):
            call.print("% Please answer 'yes' or 'no'.")
            return Question("System configuration has been modified. Save? [yes/no]: ", ask_save)
        return confirm("Proceed with reload? [confirm]", proceed)

    if device.dirty:
        return Question("System configuration has been modified. Save? [yes/no]: ", ask_save)
    return confirm("Proceed with reload? [confirm]", proceed)


def _help(call: Call) -> None:
    call.print(EXEC_HELP_TEXT)


_HELP = {
    "enable": "Turn on privileged commands",
    "$level": "Enable level",
    "disable": "Turn off privileged commands",
    "exit": "Exit from the EXEC",
    "logout": "Exit from the EXEC",
    "quit": "Exit from the EXEC",
    "help": "Description of the interactive help system",
    "terminal": "Set terminal line parameters",
    "length": "Set number of lines on a screen",
    "$length": "Number of lines on screen (0 for no pausing)",
    "width": "Set width of the display terminal",
    "$width": "Number of characters on a screen line",
    "monitor": "Copy debug output to the current terminal line",
    "no": "Negate a command or set its defaults",
    "configure": "Enter configuration mode",
    "memory": "Configure from NV memory",
    "network": "Configure from a TFTP network host",
    "reload": "Halt and perform a cold restart",
}

_TERMINAL_SHADOWS = {
    "autohangup": "Automatically hangup when last connection closes",
    "data-character-bits": "Size of characters being handled",
    "databits": "Set number of data bits per character",
    "default": "Set a command to its defaults",
    "domain-lookup": "Enable domain lookups in show commands",
    "escape-character": "Change the current line's escape character",
    "exec-character-bits": "Size of characters to the command exec",
    "flowcontrol": "Set the flow control",
    "full-help": "Provide help to unprivileged user",
    "history": "Enable and control the command history function",
    "ip": "IP options",
    "notify": "Inform users of output from concurrent sessions",
    "padding": "Set padding for a specified output character",
    "parity": "Set terminal parity",
    "speed": "Set the transmit and receive speeds",
    "stopbits": "Set async line stop bits",
    "terminal-type": "Set the terminal type",
}


def _terminal_shadow(call: Call) -> None:
    """Accepted for the session and otherwise ignored, as these settings have no effect here."""


def exec_mode() -> Mode:
    commands = [
        Command("enable [<0-15>$level]", _enable, help=_HELP),
        Command("disable [<0-15>$level]", _disable, help={**_HELP, "$level": "Privilege level to go to"}),
        Command("exit", _exit, help=_HELP),
        Command("logout", _exit, help=_HELP),
        Command("quit", _exit, help=_HELP, hidden=True),
        Command("help", _help, help=_HELP),
        Command("terminal <length <0-512>$length|width <0-512>$width|monitor|no monitor|editing|no editing>",
                _terminal, help={**_HELP, "no": "Negate a command or set its defaults",
                                 "editing": "Enable command line editing"}),
        *[Command(f"terminal {word} [LINE$rest]", _terminal_shadow, help={**_HELP, word: text}, shadow=True)
          for word, text in _TERMINAL_SHADOWS.items()],
        Command("configure [terminal|memory|network]", _configure,
                help={**_HELP, "terminal": "Configure from the terminal"}, privilege=15),
        Command("reload", _reload, help=_HELP, privilege=15),
        *FILE_COMMANDS,
        *AUTOMATION_COMMANDS,
        *SHOW_SSH_COMMANDS,
        *SHOW_LINE_COMMANDS,
        *SHOW_COMMANDS,
        *VSTACK_EXEC_COMMANDS,
        *exec_shadows("user_exec", {}),
        *exec_shadows("privileged_exec", {}, privilege=15),
        *exec_shadows("show", SHOW_HELP),
    ]
    return Mode("exec", "", "Exec commands:", None, commands, negation=False)
