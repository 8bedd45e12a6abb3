"""Built-in product families and their port configurations, from ``data/families.toml``.

The grammar expands them into the ``vstack group built-in FAMILY PORTS`` keywords;
the engine maps a client's product ID to its built-in group.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

__all__ = ["Family", "family_for_pid", "load_families"]


@dataclass(frozen=True)
class Family:
    name: str
    help: str
    stackable: bool
    ports: dict[str, tuple[str, tuple[str, ...]]]  # port config -> (help, PIDs)


@cache
def load_families() -> dict[str, Family]:
    raw = tomllib.loads(resources.files("vstackcli.data").joinpath("families.toml").read_text())
    families = {}
    for name, body in raw["family"].items():
        ports = {p: (v["help"], tuple(v.get("pids", ()))) for p, v in body["ports"].items()}
        families[name] = Family(name, body["help"], bool(body.get("stackable", False)), ports)
    return families


@lru_cache(maxsize=65536)
def family_for_pid(pid: str) -> tuple[str, str] | None:
    """The built-in group (family, port config) a product ID belongs to, if any."""
    pid = pid.upper()
    for name, fam in load_families().items():
        for port, (_text, pids) in fam.ports.items():
            for base in pids:
                b = base.upper()
                if pid == b or pid.startswith(b + "-"):
                    return name, port
    return None
