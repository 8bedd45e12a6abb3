"""What an image file name says: the IOS version a switch runs after booting it.

Catalyst tar names carry the release in compressed form:
``c2960-lanbasek9-tar.150-2.SE.tar`` is 15.0(2)SE, ``c3750e-universalk9-tar.122-55.SE5.tar``
is 12.2(55)SE5, ``c2960x-universalk9-mz.152-4.E10.bin`` is 15.2(4)E10.
"""

from __future__ import annotations

import re

__all__ = ["image_version"]

_RELEASE = re.compile(r"[.-](\d)(\d)(\d)-(\d+)\.([A-Za-z]+\d*[a-z]?)(?:\.(?:tar|bin))?$")


def image_version(name: str) -> str:
    """The IOS version of an image file (``15.0(2)SE``); the bare file name when it does not say."""
    base = name.rsplit("/", 1)[-1]
    match = _RELEASE.search(base)
    if match is None:
        return base
    major, minor, rel, number, train = match.groups()
    return f"{major}{minor}.{rel}({number}){train}"
