"""Property: whatever verbatim lines are typed (single-valued settings, keyed lines, plain ones, their `no`
forms), the running-config keeps one line per key and replays into an identical running-config."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vstackcli.engine.clock import FakeClock
from vstackcli.engine.device import Device
from vstackcli.engine.render import config_lines
from vstackcli.modes.verbatim import key_of
from vstackcli.shell.replay import replay
from vstackcli.shell.session import Session

VALUES = st.sampled_from(["1", "2", "10", "lab", "x-1"])
GLOBAL = st.one_of(
    st.builds(lambda v: f"spanning-tree mode {v}", st.sampled_from(["pvst", "rapid-pvst", "mst"])),
    st.builds(lambda v: f"vtp mode {v}", st.sampled_from(["server", "client", "transparent", "off"])),
    st.builds(lambda v: f"snmp-server location Lab {v}", VALUES),
    st.builds(lambda n, v: f"snmp-server community {n} {v}", st.sampled_from(["public", "private"]),
              st.sampled_from(["RO", "RW"])),
    st.builds(lambda n, p: f"ntp server 10.0.0.{n}{p}", st.integers(1, 3), st.sampled_from(["", " prefer"])),
    st.builds(lambda n, c: f"alias exec {n} {c}", st.sampled_from(["sv", "ver"]),
              st.sampled_from(["show version", "show clock", "show vstack status"])),
    st.sampled_from(["ip http server", "ip http secure-server", "file prompt quiet", "ip domain-lookup",
                     "service password-encryption", "system mtu routing 1500", "system mtu routing 1504"]),
)
LINES = st.lists(st.tuples(st.booleans(), GLOBAL), max_size=12)


def _typed(negate: bool, line: str) -> str:
    return f"no {line}" if negate else line


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LINES)
def test_one_line_per_key_and_a_faithful_replay(typed: list[tuple[bool, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        device = Device(Path(tmp) / "a", clock=FakeClock())
        session = Session(device, privilege=15, length=0)
        session.execute("configure terminal")
        for negate, line in typed:
            out = session.execute(_typed(negate, line)).lines
            assert not [x for x in out if x.startswith("%")], (line, out)
        keys = [key_of(block.line) for block in device.config.extra]
        assert len(keys) == len(set(keys)), keys
        rendered = config_lines(device.config)
        again = Device(Path(tmp) / "b", clock=FakeClock())
        replay(again, "\n".join(rendered), source="running-config")
        assert config_lines(again.config) == rendered
