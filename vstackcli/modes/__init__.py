"""Every mode of the director's shell, by name, built once at import.

``exec`` (user and privileged), ``config``, ``config-if``, ``config-if-range``, ``dhcp-config``,
``config-vstack-dhcp``, ``config-vstack-group``, ``config-line``, and the opaque submodes that
shadow keywords open (``config/config-line``...).
"""

from __future__ import annotations

from vstackcli.modes.base import Mode

__all__ = ["MODES"]


def _build() -> dict[str, Mode]:
    from vstackcli.modes.config import config_mode
    from vstackcli.modes.dhcp_pool import dhcp_pool_mode
    from vstackcli.modes.exec_mode import exec_mode
    from vstackcli.modes.interface import interface_mode
    from vstackcli.modes.interface_range import interface_range_mode
    from vstackcli.modes.line import line_mode
    from vstackcli.modes.opaque import opaque_mode
    from vstackcli.modes.shadows import load_shadows
    from vstackcli.modes.vstack_dhcp import vstack_dhcp_mode
    from vstackcli.modes.vstack_group import vstack_group_mode

    interface = interface_mode()
    modes = [exec_mode(), config_mode(), interface, interface_range_mode(interface), dhcp_pool_mode(),
             vstack_dhcp_mode(), vstack_group_mode(), line_mode()]
    for table, parent in (("config", "config"), ("interface", "config-if"), ("dhcp_pool", "dhcp-config")):
        for entry in load_shadows(table):
            if entry.submode:
                modes.append(opaque_mode(entry.submode, parent))
    return {m.name: m for m in modes}


MODES: dict[str, Mode] = _build()
