"""The vty login dialogue, as IOS words it.

``no login`` lets the session straight in; ``login`` asks for the line password
(and refuses with ``Password required, but none set`` when there is none);
``login local`` asks ``Username:`` and ``Password:`` and checks the user database.
Failures are logged and counted by the login guard; three end the connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vstackcli.net.vty.access import check_line_password, check_login, line_privilege
from vstackcli.net.vty.guard import login_guard

if TYPE_CHECKING:
    from vstackcli.net.vty.terminal import VtyTerminal

__all__ = ["LOGIN_TIMEOUT", "NO_PASSWORD", "login"]

LOGIN_TIMEOUT = 30.0  # IOS gives a login prompt 30 seconds
ATTEMPTS = 3
HEADER = "\n\nUser Access Verification\n\n"
NO_PASSWORD = "\nPassword required, but none set\n"
INVALID = "% Login invalid\n\n"
BAD_PASSWORDS = "% Bad passwords\n"


async def login(term: VtyTerminal, user: str | None, privilege: int | None) -> tuple[str, int] | None:
    """Who the session runs as and at which privilege; None when the login failed (the caller closes)."""
    from vstackcli.net.vty.terminal import run_locked

    device = term.device
    index = term.line.index
    motd = device.config.banners.get("motd")
    if motd:
        term.write("\n" + motd.strip("\n") + "\n")
    if user is not None:  # the transport authenticated the user (SSH)
        if privilege is None:
            privilege = await run_locked(device, line_privilege, device.config, index, user)
        return user, privilege
    policy = term.policy
    if policy.login == "":
        return "", policy.privilege
    guard = login_guard(device)
    peer = term.line.peer
    if policy.login == "line":
        if not policy.has_password:
            term.write(NO_PASSWORD)
            await term.flush()
            return None
        term.write(HEADER)
        for _ in range(ATTEMPTS):
            term.write("Password: ")
            typed = await _answer(term, "Password: ", echo=False)
            if await run_locked(device, check_line_password, device, index, typed):
                return "", policy.privilege
            await _failed(term, "", peer)
            if guard.blocked(peer[0]):
                break
        term.write(BAD_PASSWORDS)
        await term.flush()
        return None
    term.write(HEADER)
    for _ in range(ATTEMPTS):
        term.write("Username: ")
        name = (await _answer(term, "Username: ")).strip()
        term.write("Password: ")
        typed = await _answer(term, "Password: ", echo=False)
        granted = await run_locked(device, check_login, device, name, typed)
        if granted is not None:
            await run_locked(device, guard.succeeded, name, peer, term.local_port)
            return name, await run_locked(device, line_privilege, device.config, index, name)
        await _failed(term, name, peer)
        term.write(INVALID)
        if guard.blocked(peer[0]):
            break
    await term.flush()
    return None


async def _answer(term: VtyTerminal, prompt: str, echo: bool = True) -> str:
    """One answer to a login prompt; IOS says so when it does not come in time."""
    from vstackcli.net.vty.terminal import Hangup

    try:
        return await term.read_line(prompt, echo=echo, timeout=LOGIN_TIMEOUT)
    except Hangup as exc:
        if exc.timed_out:
            term.write(f"\n% {prompt.strip()}  timeout expired!\n")
            await term.flush()
        raise


async def _failed(term: VtyTerminal, user: str, peer: tuple[str, int]) -> None:
    from vstackcli.net.vty.terminal import run_locked

    await run_locked(term.device, login_guard(term.device).failed, user, peer, term.local_port)
