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
    if not call.device.director.operational:
        raise CommandError("%Error: this device is not a Smart Install director; "
                           "configure vstack director and vstack basic first")


def _on_demand(call: Call, kind: str) -> None:
    from vstackcli.engine.ondemand import OnDemandError, Request, download

    _need_director(call)
    url = call.arg("url")
    if url is not None:
        check_url(url, "image" if kind == "image" else "configuration")
    family = call.arg("family")
    request = Request(
        kind=kind, url=url, ip=call.arg("ip"), indexes=call.arg("index"),
        builtin=(family, call.arg("ports")) if family is not None else None,
        password=call.arg("password", ""), override=bool(call.arg("override")),
        reload=bool(call.arg("reload")) or bool(call.arg("allow_reload")), reload_in=call.arg("time"),
        issu=bool(call.arg("issu")), allow_reload=bool(call.arg("allow_reload")),
        image_list_form=kind == "image" and url is not None and not call.arg("tar"),
    )
    try:
        call.out.extend(download(call.device.director, request))
    except OnDemandError as exc:
        raise CommandError(str(exc)) from None


def _download_image(call: Call) -> None:
    _on_demand(call, "image")


def _download_config(call: Call) -> None:
    _on_demand(call, "config")


def _attach(call: Call) -> None:
    """Telnet to the client's vty, as IOS does: the front-end opens the connection after this line."""
    _need_director(call)
    index = call.arg("client")
    if index is not None:
        entry = call.device.director_db.by_index(index)
        if entry is None or entry.ip is None:
            raise CommandError(f"%Error: no active client with index {index}")
        address = entry.ip
    else:
        address = call.arg("ip")
    where = getattr(call.device.director.backend, "vty_target", None)
    reach = where(address) if where is not None else None
    if reach is None:
        raise CommandError(f"%Error: cannot attach to {address}: the Smart Install servers are not running")
    from vstackcli.net.attach import AttachTarget

    call.attach = AttachTarget(str(address), *reach)


def _join_window_status(call: Call) -> None:
    _need_director(call)
    from vstackcli.engine.joinwindow import change_join_status

    db = call.device.director_db
    for i in call.arg("index"):
        if db.by_index(i) is None:
            raise CommandError(f"%Error: no client with index {i} in the director database")
    try:
        changed = change_join_status(db.clients, set(call.arg("index")), "allowed" if call.arg("allowed") else "held")
    except ValueError as exc:
        raise CommandError(f"%Error: {exc}") from None
    for entry in changed:
        entry.join_override = True


def _untar(call: Call) -> None:
    from vstackcli.engine.storage import StorageError
    from vstackcli.engine.untar import UntarError, untar

    src: FileUrl = check_url(call.arg("source"), "archive")
    dst: FileUrl | None = call.arg("destination")
    if dst is not None and not dst.is_local:
        raise CommandError(f"%Error: {dst}: the director extracts into its own flash only "
                           "(a third-party repository cannot be written that way)")
    device = call.device
    try:
        if src.is_local:
            data = device.storage.flash.read(src.path)
        elif device.transfers is not None:
            data = device.transfers.get(str(src))
        else:
            raise CommandError(f"%Error opening {src} (the TFTP client is not running)")
        call.out.extend(untar(data, device.storage.flash, dst.path if dst else "", str(src)))
    except StorageError as exc:
        raise CommandError(str(exc)) from None
    except UntarError as exc:
        raise CommandError(str(exc)) from None
    except Exception as exc:
        raise CommandError(f"%Error opening {src} ({exc})") from None


def _clear_vstack(call: Call) -> None:
    db = call.device.director_db
    entry = call.arg("entry_index")
    if call.arg("director_db"):
        removed = [c for c in db.clients if entry is None or c.index == entry or c.stack_of == entry]
        if not db.clear(entry) and entry is not None:
            raise CommandError(f"%Error: no entry {entry} in the director database")
        from vstackcli.engine.messages import smi

        for client in removed:
            smi(call.device.log, "SWITCH_REMOVE", enet=client.mac)
    elif call.arg("download_list") and not call.device.director.downloads.clear(entry) and entry is not None:
        raise CommandError(f"%Error: no entry {entry} in the download list")


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
