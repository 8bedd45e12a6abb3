"""The files a director makes for its clients: image lists and the tailored configuration.

An image list is a text file naming the image(s) a client loads, one per line
(guide, "Image List File"; research ztp-dhcp-tftp.md §1.2): one line for a
standalone switch, one per member for a stack. The director writes it next to the
image: to its own flash when the image is on a local file system (the director is
then the TFTP server), else to the image's TFTP server. A failed write is logged
as ``%SMI-3-IMAGELIST_FAILED``; the guide has no other message, so group lists use
it too.

The tailored configuration file lets legacy (non Smart Install) clients reach the
director; the guide's example (``client_cfg_pnp.txt``) is followed, without the
proxy-only lines. A failed write logs ``%SMI-3-TAILOR_FAILED``.

No I/O here: ``write(location, data)`` is supplied by the caller.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Callable

from vstackcli.engine.groups import Assignment
from vstackcli.engine.messages import smi
from vstackcli.engine.model import CustomGroup, VstackConfig
from vstackcli.engine.syslog import SystemLog
from vstackcli.grammar.values import FileUrl

__all__ = [
    "TAILORED_CONFIG_NAME",
    "Writer",
    "director_assignments",
    "file_location",
    "image_list_location",
    "image_list_name",
    "image_list_text",
    "tailored_config_location",
    "tailored_config_text",
    "write_director_files",
    "write_tailored_config",
]

Writer = Callable[[str, bytes], None]

DIRECTORY = "vstack"
TAILORED_CONFIG_NAME = f"{DIRECTORY}/tailored_config.txt"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def _safe(name: str) -> str:
    """``name`` reduced to [A-Za-z0-9_-]; a short hash keeps two names that reduce alike apart."""
    cleaned = _UNSAFE.sub("_", name)
    if cleaned != name or not cleaned:
        cleaned = f"{cleaned}_{hashlib.sha1(name.encode()).hexdigest()[:8]}"
    return cleaned


def image_list_name(assignment: Assignment) -> str:
    """The image list's file name (with its ``vstack/`` directory) for the assignment's group.

    ``vstack/imagelist_default.txt``, ``vstack/imagelist_builtin_3750_24poe.txt``,
    ``vstack/imagelist_custom_NAME.txt`` (custom group names are unique across kinds).
    """
    group = assignment.group
    if group == "default":
        stem = "default"
    elif group.startswith("built-in "):
        stem = "builtin_" + "_".join(_safe(part) for part in group.removeprefix("built-in ").split())
    else:
        _kind, sep, name = group.partition(" group ")
        if not sep or not name:
            raise ValueError(f"not a group: {group!r}")
        stem = "custom_" + _safe(name)
    return f"{DIRECTORY}/imagelist_{stem}.txt"


def image_list_text(assignment: Assignment) -> str:
    """The image list: each image's path on its TFTP server, one line per stack member (member order)."""
    if assignment.member_images:
        images = [image for _number, image in sorted(assignment.member_images, key=lambda m: m[0])]
    elif assignment.image is not None:
        images = [assignment.image]
    else:
        raise ValueError(f"{assignment.group} has no image")
    paths = []
    for image in images:
        if not image.path:
            raise ValueError(f"{assignment.group}: image {image} names no file")
        paths.append(image.path)
    return "".join(f"{path}\n" for path in paths)


def file_location(image: FileUrl | None, name: str) -> str:
    """Where a director file goes: on the image's TFTP server, else the director's flash."""
    if image is not None and not image.is_local and image.host:
        return f"{image.scheme}//{image.host}/{name}"
    return f"flash:{name}"


def image_list_location(assignment: Assignment) -> str:
    """``flash:vstack/...`` for an image on a local file system, ``tftp://host/vstack/...`` otherwise."""
    return file_location(assignment.image, image_list_name(assignment))


def _stack_list(group: CustomGroup, base: Assignment) -> Assignment:
    """A stack group's list names the image once per member number its match lines name."""
    numbers = sorted({m.switch for m in group.stack})
    if not numbers or base.image is None:
        return base
    return Assignment(base.group, base.image, base.config, base.script,
                      tuple((n, base.image) for n in numbers))


def _is_image_list(image: FileUrl) -> bool:
    """A ``.txt`` image is already an image list (the guide allows one for stacks): nothing to make."""
    return image.path.lower().endswith(".txt")


def director_assignments(cfg: VstackConfig) -> list[Assignment]:
    """The default and every group that has an image: the image lists the director makes."""
    found: list[Assignment] = []
    if cfg.image is not None:
        found.append(Assignment("default", cfg.image, cfg.config, cfg.script))
    for (family, ports), builtin in cfg.builtin_groups.items():
        if builtin.image is not None:
            found.append(Assignment(f"built-in {family} {ports}", builtin.image, builtin.config, builtin.script))
    for group in cfg.custom_groups.values():
        if group.image is not None:
            base = Assignment(f"{group.kind} group {group.name}", group.image, group.config, group.script)
            found.append(_stack_list(group, base) if group.kind == "stack" else base)
    return [a for a in found if a.image is not None and not _is_image_list(a.image)]


def write_director_files(cfg: VstackConfig, write: Writer, log: SystemLog) -> list[str]:
    """Write the image lists of the default and of every group with an image; return the locations written.

    A failed write logs ``%SMI-3-IMAGELIST_FAILED`` and the others are still tried.
    """
    written: list[str] = []
    for assignment in director_assignments(cfg):
        try:
            location = image_list_location(assignment)
            write(location, image_list_text(assignment).encode("ascii", "replace"))
        except Exception:  # any failure of the writer is a failed list
            smi(log, "IMAGELIST_FAILED")
            continue
        written.append(location)
    return written


def tailored_config_text(director_ip: ipaddress.IPv4Address | str, enable_password: str,
                         username: str | None = None) -> str:
    """The tailored configuration for legacy clients, in the shape of the guide's example.

    ``username`` defaults to the enable password, as in the guide (``cisco``/``cisco``);
    with an empty password both lines are left out.
    """
    ip = ipaddress.IPv4Address(str(director_ip))
    user = enable_password if username is None else username
    for what, value in (("enable password", enable_password), ("username", user)):
        if any(c in value for c in "\r\n"):
            raise ValueError(f"{what} must be one line")
    lines = ["!", "version 12.2", "!"]
    if enable_password:
        lines += [f"enable password {enable_password}", "!"]
    if user:
        lines += [f"username {user}", "!"]
    lines += [f"vstack director {ip}", "!", "end", "!"]
    return "".join(f"{line}\n" for line in lines)


def tailored_config_location(cfg: VstackConfig) -> str:
    """Beside the default image: on its TFTP server, else in the director's flash."""
    return file_location(cfg.image, TAILORED_CONFIG_NAME)


def write_tailored_config(director_ip: ipaddress.IPv4Address | str, enable_password: str, write: Writer,
                          log: SystemLog, location: str = f"flash:{TAILORED_CONFIG_NAME}") -> str | None:
    """Write the tailored configuration; the location, or None after logging ``%SMI-3-TAILOR_FAILED``."""
    try:
        write(location, tailored_config_text(director_ip, enable_password).encode("ascii", "replace"))
    except Exception:  # any failure of the writer or of the text is a failed file
        smi(log, "TAILOR_FAILED")
        return None
    return location
