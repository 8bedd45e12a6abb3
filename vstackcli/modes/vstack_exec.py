"""Smart Install commands of privileged EXEC: attach, download-image, download-config,
join-window-status, untar, and ``clear vstack``.

This module parses and validates every documented form; the work itself is the
director engine's. Until the Smart Install backends are running, an on-demand
action is refused with a clear message rather than pretended.
"""

from __future__ import annotations

from vstackcli.grammar.graph import Command
from vstackcli.grammar.values import FileUrl
from vstackcli.modes.base import Call, CommandError
from vstackcli.modes.fragments import family_help, family_spec

__all__ = ["VSTACK_EXEC_COMMANDS", "check_url"]

UNSUPPORTED_SCHEMES = ("ftp:", "http:", "https:", "null:", "nvram:", "rcp:", "scp:", "system:", "tmpsys:")


def check_url(url: FileUrl, what: str) -> FileUrl:
    """Refuse the schemes IOS lists in help but Smart Install does not support."""
    if url.scheme in UNSUPPORTED_SCHEMES:
        raise CommandError(f"%Error: {url.scheme} is not supported for the Smart Install {what}; "
                           "use flash:, flash0:, flash1:, usb: or tftp://")
    if url.scheme == "tftp:" and not url.host:
        raise CommandError(f"%Error: {url} needs a server: tftp://host/path")
    if not url.path:
        raise CommandError(f"%Error: {url} names no file")
    return url


def _need_director(call: Call) -> None:
    v = call.config.vstack
    if not v.enabled:
        raise CommandError("%Error: Smart Install is disabled (no vstack)")
    if not v.is_director:
        raise CommandError("%Error: this device is not a Smart Install director; "
                           "configure vstack director and vstack basic first")


def _targets(call: Call) -> str:
    if call.arg("ip") is not None:
        return str(call.arg("ip"))
    if call.arg("index") is not None:
        for i in call.arg("index"):
            if call.device.director_db.by_index(i) is None:
                raise CommandError(f"%Error: no client with index {i} in the director database")
        return f"index {call.arg('index')}"
    return f"built-in group {call.arg('family')} {call.arg('ports')}"


def _not_running(call: Call, action: str) -> None:
    raise CommandError(f"%Error: {action} for {_targets(call)} cannot start: "
                       "the Smart Install protocol backend is not running")


def _download_image(call: Call) -> None:
    _need_director(call)
    if call.arg("url") is not None:
        check_url(call.arg("url"), "image")
    elif call.arg("family") is not None:
        group = call.config.vstack.builtin_groups.get((call.arg("family"), call.arg("ports")))
        if group is None or group.image is None:
            raise CommandError(f"%Error: no image is configured for built-in group "
                               f"{call.arg('family')} {call.arg('ports')}")
    _not_running(call, "image download")


def _download_config(call: Call) -> None:
    _need_director(call)
    if call.arg("url") is not None:
        check_url(call.arg("url"), "configuration")
    elif call.arg("family") is not None:
        group = call.config.vstack.builtin_groups.get((call.arg("family"), call.arg("ports")))
        if group is None or group.config is None:
            raise CommandError(f"%Error: no configuration is configured for built-in group "
                               f"{call.arg('family')} {call.arg('ports')}")
    _not_running(call, "configuration download")


def _attach(call: Call) -> None:
    _need_director(call)
    index = call.arg("client")
    if index is not None and call.device.director_db.by_index(index) is None:
        raise CommandError(f"%Error: no active client with index {index}")
    target = index if index is not None else call.arg("ip")
    raise CommandError(f"%Error: cannot attach to {target}: the client is not reachable")


def _join_window_status(call: Call) -> None:
    _need_director(call)
    state = "a" if call.arg("allowed") else "h"
    for i in call.arg("index"):
        entry = call.device.director_db.by_index(i)
        if entry is None:
            raise CommandError(f"%Error: no client with index {i} in the director database")
        entry.join = state


def _untar(call: Call) -> None:
    src: FileUrl = check_url(call.arg("source"), "archive")
    raise CommandError(f"%Error opening {src} (tar extraction is not available yet)")


def _clear_vstack(call: Call) -> None:
    db = call.device.director_db
    entry = call.arg("entry_index")
    if call.arg("director_db"):
        if not db.clear(entry) and entry is not None:
            raise CommandError(f"%Error: no entry {entry} in the director database")
    elif call.arg("download_list"):
        pass  # the download list is empty until the engine runs downloads


def _clear_logging(call: Call) -> None:
    from vstackcli.modes.files import confirm

    def clear() -> None:
        call.device.log.buffer.clear()

    return confirm("Clear logging buffer [confirm]", clear)


_HELP = {
    "vstack": "Smart Install commands",
    "attach": "Attach to a Smart Install client",
    "$client": "Client index",
    "$ip": "IP address of remote node to attempt attaching to",
    "download-image": "Download an image to Smart Install clients",
    "download-config": "Download a configuration to Smart Install clients",
    "tar": "Image tar file",
    "$url": "Location of the file",
    "index": "Director database index of the client(s)",
    "$index": "Index list, for example 1-3,4",
    "built-in": "Built-in group",
    "$password": "Remote switch password",
    "override": "Override the existing image",
    "reload": "Reload the switch after the download",
    "in": "Reload after a delay",
    "$time": "Time to reload (hh:mm)",
    "issu": "Upgrade using ISSU",
    "allow-reload": "Allow a reload if ISSU cannot be performed",
    "startup": "Apply to the startup configuration",
    "join-window-status": "Change the join window status of clients",
    "allowed": "Allow the client(s) to join",
    "held": "Put the client(s) on hold",
    "untar": "Extract a tar file",
    "$source": "Source URL",
    "$destination": "Destination URL",
    "clear": "Reset functions",
    "director-db": "Clear the director database",
    "download-list": "Clear the image and configuration download status list",
    "entry": "Clear a single entry",
    "$entry_index": "Entry index",
    "logging": "Clear logging buffer",
    **family_help(),
}

_TARGET = "<A.B.C.D$ip|index INDEX-LIST$index>"
_BUILTIN = f"built-in {family_spec()}"

VSTACK_EXEC_COMMANDS = [
    Command("vstack attach <CLIENT-INDEX$client|A.B.C.D$ip>", _attach, help=_HELP, privilege=15),
    Command(f"vstack download-image <tar URL$url {_TARGET}|URL$url {_TARGET}|{_BUILTIN}> WORD$password "
            "[override] <reload [in hh:mm$time]|issu [allow-reload] [in hh:mm$time]>",
            _download_image, help=_HELP, privilege=15),
    Command(f"vstack download-config <URL$url {_TARGET}|{_BUILTIN}> WORD$password [startup] [reload] "
            "[in hh:mm$time]", _download_config, help=_HELP, privilege=15),
    Command("vstack join-window-status index INDEX-LIST$index <allowed|held>", _join_window_status, help=_HELP,
            privilege=15),
    Command("vstack untar URL$source [URL$destination]", _untar, help=_HELP, privilege=15),
    Command("clear vstack <director-db [entry <1-255>$entry_index]|download-list [entry <1-255>$entry_index]>",
            _clear_vstack, help={**_HELP, "vstack": "Clear Smart Install information"}, privilege=15),
    Command("clear logging", _clear_logging, help=_HELP, privilege=15),
]
