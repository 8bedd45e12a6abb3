"""The prompt_toolkit console's keys, driven through a pipe input: ?, Tab, Ctrl-Z, Ctrl-C, paste."""

from __future__ import annotations

import asyncio

from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from vstackcli.shell.console import Console
from vstackcli.shell.session import Session


def drive(session: Session, keys: str) -> str:
    """Type ``keys`` into a console on ``session``; return what it printed outside the prompt line."""
    written: list[str] = []
    with create_pipe_input() as inp, create_app_session(input=inp, output=DummyOutput()):
        inp.send_text(keys)
        console = Console(session, write=written.append, read_key=lambda: "q")

        async def main() -> None:
            task = asyncio.ensure_future(console.run())
            await asyncio.sleep(0.5)
            inp.close()
            await asyncio.wait_for(task, 5)

        asyncio.run(main())
    return "".join(written)


def test_question_mark_prints_help_and_keeps_the_line(enabled: Session) -> None:
    out = drive(enabled, "conf t\rvstack director ?1.1.1.1\r")
    assert "Switch(config)#vstack director ?\n  A.B.C.D  Director's IP address\n" in out
    assert str(enabled.device.config.vstack.director) == "1.1.1.1"


def test_tab_completes_keywords(enabled: Session) -> None:
    drive(enabled, "conf t\rvst\tdir\t2.2.2.2\r")
    assert str(enabled.device.config.vstack.director) == "2.2.2.2"


def test_ctrl_z_ends_configuration(enabled: Session) -> None:
    out = drive(enabled, "conf t\rhostname Director\r\x1a")
    assert enabled.prompt() == "Director#"
    assert "%SYS-5-CONFIG_I: Configured from console by console" in out


def test_ctrl_c_abandons_the_line_and_leaves_configuration(enabled: Session) -> None:
    drive(enabled, "conf t\rhostname Never\x03")
    assert enabled.prompt() == "Switch#"


def test_pasted_block_runs_line_by_line(enabled: Session) -> None:
    paste = "\x1b[200~configure terminal\nvstack director 3.3.3.3\nvstack basic\nend\n\x1b[201~"
    out = drive(enabled, paste)
    assert enabled.device.config.vstack.is_director
    assert "Switch(config)#vstack basic\n" in out


def test_enable_asks_for_the_password(session: Session) -> None:
    session.device.config.enable_secret = "5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0"  # "cisco"
    drive(session, "enable\rcisco\r")
    assert session.prompt() == "Switch#"


def test_long_output_pauses_at_more(enabled: Session) -> None:
    enabled.length = 10
    out = drive(enabled, "show version\r")
    assert " --More-- " in out and "Configuration register" not in out
