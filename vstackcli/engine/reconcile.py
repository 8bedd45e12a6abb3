"""From the running-config to what the backends must run (``DesiredState``), and the director's role.

Pure functions: the configuration and the interface states in, the desired
state out. ``Director.reconcile`` applies the result and logs role changes.
"""

from __future__ import annotations

import ipaddress

from vstackcli.engine.backend import DesiredState, PoolSpec
from vstackcli.engine.model import RunningConfig
from vstackcli.grammar.values import VlanList

__all__ = ["desired_state", "director_interface", "is_operational_director"]


def director_interface(cfg: RunningConfig) -> str | None:
    """The interface holding the director IP address, if one does."""
    v = cfg.vstack
    if v.director is None:
        return None
    intf = cfg.interface_address(v.director)
    return str(intf.name) if intf is not None else None


def is_operational_director(cfg: RunningConfig, had_interface: bool = False) -> bool:
    """Director role: Smart Install on, ``vstack director`` and ``vstack basic``, no proxy, and the director
    IP address still usable. The guide: the director becomes a client when the interface with the director
    IP address shuts down or is deleted, or the director IP address changes. An address that was never on
    an interface keeps the role (the guide's examples configure the director IP alone)."""
    v = cfg.vstack
    if not v.is_director:
        return False
    intf = cfg.interface_address(v.director) if v.director else None
    if intf is None:
        return not had_interface
    return not intf.shutdown


def _pools(cfg: RunningConfig, director: bool, director_ip: ipaddress.IPv4Address | None) -> tuple[PoolSpec, ...]:
    pools = []
    if director:
        for p in cfg.vstack.dhcp_pools.values():
            if p.network is None:
                continue
            servers = (p.file_server,) if p.file_server else ((director_ip,) if director_ip else ())
            pools.append(PoolSpec(p.name, p.network, (p.default_router,) if p.default_router else (),
                                  servers, remember=cfg.dhcp_remember, smart_install=True))
    for p in cfg.dhcp_pools.values():
        if p.network is None:
            continue
        pools.append(PoolSpec(p.name, p.network, tuple(p.default_routers), tuple(p.option150), p.bootfile,
                              p.remember or cfg.dhcp_remember))
    return tuple(pools)


def desired_state(cfg: RunningConfig, director: bool) -> DesiredState:
    v = cfg.vstack
    director_ip = v.director if director else None
    vlans = VlanList.of({v.startup_vlan, *v.vlans}) if director else VlanList()
    local_files = any(url is not None and url.is_local for url in (v.image, v.config, v.script)) or any(
        url is not None and url.is_local
        for g in (*v.builtin_groups.values(), *v.custom_groups.values())
        for url in (g.image, g.config, g.script))
    return DesiredState(
        director_ip=director_ip,
        smi_port_open=v.enabled and (director or v.proxy is None),
        pools=_pools(cfg, director, director_ip),
        snooping_vlans=vlans,
        tftp_serving=director and (local_files or v.backup),
        proxy=v.enabled and v.proxy is not None,
    )
