"""The fleet's state and display: phase counts, transfer totals, plain lines and the summary table
(plain mode is what automation and pipes see), and the rich live view rendering to a file console."""

from __future__ import annotations

import io

from rich.console import Console

from vstackcli.fleet.display import LiveDisplay, PlainDisplay, make_display, summary_rows
from vstackcli.fleet.state import FleetState
from vstackcli.fleet.topology import generate
from vstackcli.sim.spec import Phase, SwitchEvent


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _fleet():
    clock = Clock()
    state = FleetState(generate(3, "WS-C2960X-48FPD-L"), clock=clock)
    return state, clock


def _run_sw1(state: FleetState, clock: Clock) -> None:
    state.started("sw1")
    for phase, detail, done, total in [(Phase.DHCP, "", 0, 0), (Phase.IMAGE_LIST, "list.txt", 0, 0),
                                       (Phase.IMAGE, "img.tar", 0, 4096), (Phase.IMAGE, "img.tar", 2048, 4096),
                                       (Phase.IMAGE, "img.tar", 4096, 4096), (Phase.CONFIG, "c.txt", 100, 100),
                                       (Phase.RELOAD, "", 0, 0), (Phase.JOINED, "192.168.1.2", 0, 0)]:
        clock.now += 0.5
        state.event(SwitchEvent("sw1", phase, detail, done, total))


def test_state_counts_phases_and_bytes():
    state, clock = _fleet()
    assert state.counts()["waiting"] == 3
    _run_sw1(state, clock)
    state.started("sw2")
    state.event(SwitchEvent("sw2", Phase.FAILED, "image missing"))
    counts = state.counts()
    assert (counts["joined"], counts["failed"], counts["waiting"]) == (1, 1, 1)
    assert state.bytes() == 4096 + 100 and state.expected_bytes() == 4196
    sw1 = state.switches["sw1"]
    assert sw1.elapsed == 4.0 and sw1.done and not state.done
    assert state.phase_times()["image"] == 1.5  # three events half a second apart, then config
    state.event(SwitchEvent("ghost", Phase.DHCP))  # an unknown switch changes nothing
    assert sum(state.counts().values()) == 3


def test_plain_mode_prints_one_line_per_phase_change_and_a_summary():
    state, clock = _fleet()
    out = io.StringIO()
    display = make_display(state, out)  # a StringIO is not a terminal: plain
    assert isinstance(display, PlainDisplay)
    display.start()
    _run_sw1(state, clock)
    state.switches["sw1"].ip, state.switches["sw1"].hostname = "192.168.1.2", "Cisco-00.0140"
    state.switches["sw1"].version_after = "15.2(2)E6"
    state.started("sw2")
    state.event(SwitchEvent("sw2", Phase.DENIED, "join window closed"))
    display.stop()
    display.summary()
    text = out.getvalue()
    assert "\x1b" not in text
    lines = text.splitlines()
    assert lines[0].endswith("fleet of 3 switches from --count 3")
    image_lines = [line for line in lines if " sw1 image" in line and "image list" not in line]
    assert len(image_lines) == 1  # progress events are not lines, phase changes are
    assert any(line.endswith("sw1 joined (192.168.1.2)") for line in lines)
    header = next(n for n, line in enumerate(lines) if line.startswith("Name"))
    assert lines[header].split() == ["Name", "PID", "IP", "Hostname", "Version", "Phase", "Time"]
    row = lines[header + 2].split()
    assert row[:4] == ["sw1", "WS-C2960X-48FPD-L", "192.168.1.2", "Cisco-00.0140"]
    assert "12.2(55)SE5 -> 15.2(2)E6" in lines[header + 2] and "joined" in row and row[-1] == "4.0s"
    assert "denied (join window closed)" in lines[header + 3]
    assert lines[header + 4].split()[:2] == ["sw3", "WS-C2960X-48FPD-L"] and "waiting" in lines[header + 4]
    assert lines[-1].startswith("3 switches in ") and "1 waiting, 1 joined, 1 denied" in lines[-1]


def test_summary_rows_say_replaced_for_an_unplugged_switch():
    state, clock = _fleet()
    _run_sw1(state, clock)
    state.unplugged("sw1")
    assert summary_rows(state)[0][5] == "replaced"
    assert state.switches["sw1"].done


def test_the_live_view_renders_counts_progress_and_events():
    state, clock = _fleet()
    out = io.StringIO()
    console = Console(file=out, width=120, force_terminal=True, color_system=None)
    display = make_display(state, out, plain=False)
    assert isinstance(display, LiveDisplay)
    display = LiveDisplay(state, console)
    display.start()
    _run_sw1(state, clock)
    display.refresh()
    display.stop()
    display.summary()
    text = out.getvalue()
    assert "1/3 joined" in text and "TFTP" in text and "sw1 joined" in text
    assert "Fleet summary" in text and "WS-C2960X-48FPD-L" in text
