"""The join window: open/closed over time, admission letters, syslog transitions, the hold list."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

import pytest

from vstackcli.engine.clock import FakeClock
from vstackcli.engine.director import ClientEntry
from vstackcli.engine.joinwindow import (
    JOIN_WINDOW_ACTIONS,
    JoinWindowMonitor,
    admission,
    change_join_status,
    next_change,
    release_on_hold,
    set_join_status,
    window_open,
)
from vstackcli.engine.model import JoinWindow, JoinWindowStart
from vstackcli.engine.syslog import SystemLog
from vstackcli.grammar.values import MacAddress

DIRECTOR = ipaddress.IPv4Address("1.1.1.20")
START = "%SMI-6-SMI_JOIN_WINDOW_MESSAGE: SMI Join window Start on IBD(IP address: 1.1.1.20"
END = "%SMI-6-SMI_JOIN_WINDOW_MESSAGE: SMI Join window End on IBD(IP address: 1.1.1.20"


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A moment in May 2024, UTC like Clock.now()."""
    return datetime(2024, 5, day, hour, minute, second, tzinfo=UTC)


def sched(time: tuple[int, int], *, date: tuple[int, int, int] | None = None,
          interval: tuple[int, int] | None = None, end: tuple[int, int, int] | None = None,
          recurring: bool = False) -> JoinWindowStart:
    return JoinWindowStart(date, time, interval, end, recurring)


def window(*starts: JoinWindowStart, manual: bool = False, closed: bool = False) -> JoinWindow:
    return JoinWindow(manual=manual, closed=closed, starts=list(starts))


def messages(log: SystemLog) -> list[str]:
    return [m.format(timestamps=False) for m in log.buffer]


# ------------------------------------------------------------------ open / closed


def test_default_window_is_open_at_any_time():
    jw = JoinWindow()
    for moment in (at(1), at(10, 3, 17), at(31, 23, 59, 59)):
        assert window_open(jw, moment)
        assert admission(jw, moment) == "a"
    assert next_change(jw, at(1)) is None


def test_manual_mode_puts_clients_on_hold_while_open():
    assert admission(window(manual=True), at(10)) == "h"


def test_closed_by_hand_denies_in_either_mode():
    for manual in (False, True):
        jw = window(manual=manual, closed=True)
        assert not window_open(jw, at(10, 12))
        assert admission(jw, at(10, 12)) == "d"
        assert next_change(jw, at(10, 12)) is None


def test_one_shot_dated_schedule_opens_and_closes_on_the_minute():
    jw = window(sched((8, 0), date=(2024, 5, 10), interval=(1, 30)))
    assert not window_open(jw, at(10, 7, 59, 59))
    assert window_open(jw, at(10, 8, 0))
    assert window_open(jw, at(10, 9, 29, 59))
    assert not window_open(jw, at(10, 9, 30))
    assert not window_open(jw, at(11, 8, 30))  # once only
    assert not window_open(jw, at(9, 8, 30))
    assert admission(jw, at(10, 8, 30)) == "a"
    assert admission(jw, at(10, 10)) == "d"
    assert admission(window(*jw.starts, manual=True), at(10, 8, 30)) == "h"
    assert admission(window(*jw.starts, manual=True), at(10, 10)) == "d"


def test_recurring_schedule_opens_every_day_from_its_date():
    jw = window(sched((8, 0), date=(2024, 5, 10), interval=(2, 0), recurring=True))
    assert not window_open(jw, at(9, 9))  # before the start date
    for day in (10, 11, 12, 25):
        assert not window_open(jw, at(day, 7, 59))
        assert window_open(jw, at(day, 8, 0))
        assert window_open(jw, at(day, 9, 59))
        assert not window_open(jw, at(day, 10, 0))


def test_end_date_stops_the_recurrence():
    jw = window(sched((8, 0), date=(2024, 5, 10), interval=(2, 0), end=(2024, 5, 12), recurring=True))
    assert window_open(jw, at(12, 9))
    assert not window_open(jw, at(13, 9))
    assert next_change(jw, at(12, 9)) == at(12, 10)
    assert next_change(jw, at(12, 10)) is None


def test_end_date_cuts_an_occurrence_at_midnight():
    jw = window(sched((22, 0), date=(2024, 5, 10), interval=(4, 0), end=(2024, 5, 11), recurring=True))
    assert window_open(jw, at(11, 1))  # the 10th's occurrence runs past midnight
    assert window_open(jw, at(11, 23, 59))
    assert not window_open(jw, at(12, 0, 0))  # the 11th's is cut at the end of the end date
    assert next_change(jw, at(11, 22, 30)) == at(12)


def test_start_after_end_date_never_opens():
    jw = window(sched((8, 0), date=(2024, 5, 10), end=(2024, 5, 9)))
    assert not window_open(jw, at(10, 9))
    assert next_change(jw, at(1)) is None


def test_no_interval_lasts_until_the_end_of_the_day():
    jw = window(sched((8, 0), date=(2024, 5, 10)))
    assert not window_open(jw, at(10, 7, 59))
    assert window_open(jw, at(10, 8))
    assert window_open(jw, at(10, 23, 59, 59))
    assert not window_open(jw, at(11, 0))
    assert next_change(jw, at(10, 12)) == at(11)


def test_zero_interval_never_opens():
    jw = window(sched((8, 0), date=(2024, 5, 10), interval=(0, 0)))
    assert not window_open(jw, at(10, 8))
    assert next_change(jw, at(10, 7)) is None


def test_undated_one_shot_counts_from_its_configuration():
    jw = window(sched((8, 0), interval=(1, 0)))
    configured = at(10, 9, 0)
    assert not window_open(jw, at(10, 9, 30), since=configured)  # today's 08:00 had passed
    assert window_open(jw, at(11, 8, 30), since=configured)
    assert not window_open(jw, at(12, 8, 30), since=configured)  # once only
    assert next_change(jw, at(10, 9, 30), since=configured) == at(11, 8)
    early = at(10, 7, 0)
    assert window_open(jw, at(10, 8, 30), since=early)
    assert not window_open(jw, at(11, 8, 30), since=early)
    assert window_open(jw, at(10, 8, 0), since=at(10, 8, 0))  # typed on the minute: opens now


def test_undated_one_shot_without_since_is_today():
    jw = window(sched((8, 0), interval=(1, 0)))
    assert window_open(jw, at(10, 8, 30))
    assert not window_open(jw, at(10, 9, 30))
    assert next_change(jw, at(10, 7)) == at(10, 8)
    assert next_change(jw, at(10, 10)) is None


def test_undated_recurring_applies_every_day():
    jw = window(sched((23, 0), interval=(2, 0), recurring=True))
    assert window_open(jw, at(10, 0, 30))  # yesterday's occurrence, past midnight
    assert not window_open(jw, at(10, 1))
    assert window_open(jw, at(20, 23, 30))
    # configured at noon on the 10th: the first occurrence is that evening
    assert not window_open(jw, at(10, 0, 30), since=at(10, 12))
    assert window_open(jw, at(11, 0, 30), since=at(10, 12))


def test_per_schedule_since_mapping():
    a = sched((8, 0), interval=(1, 0))
    b = sched((14, 0), interval=(1, 0))
    jw = window(a, b)
    since = {a: at(10, 9), b: at(10, 9)}
    assert not window_open(jw, at(10, 8, 30), since)
    assert window_open(jw, at(10, 14, 30), since)
    assert window_open(jw, at(11, 8, 30), since)
    assert not window_open(jw, at(11, 14, 30), since)


def test_any_schedule_opens_the_window():
    jw = window(sched((8, 0), date=(2024, 5, 10), interval=(1, 0)),
                sched((9, 0), date=(2024, 5, 10), interval=(1, 0)),
                sched((15, 0), date=(2024, 5, 10), interval=(0, 30)))
    assert window_open(jw, at(10, 8, 59))
    assert window_open(jw, at(10, 9, 30))
    assert next_change(jw, at(10, 8, 30)) == at(10, 10)  # the two adjacent schedules are one window
    assert next_change(jw, at(10, 10)) == at(10, 15)
    assert next_change(jw, at(10, 15)) == at(10, 15, 30)
    assert next_change(jw, at(10, 15, 30)) is None


def test_next_change_of_a_recurring_schedule():
    jw = window(sched((8, 0), date=(2024, 5, 10), interval=(2, 0), recurring=True))
    assert next_change(jw, at(1)) == at(10, 8)
    assert next_change(jw, at(10, 8)) == at(10, 10)
    assert next_change(jw, at(10, 10)) == at(11, 8)
    assert next_change(jw, at(20, 23)) == at(21, 8)


def test_next_change_is_none_for_a_window_open_all_day_every_day():
    assert next_change(window(sched((0, 0), recurring=True)), at(10, 5)) is None
    assert window_open(window(sched((0, 0), recurring=True)), at(10, 5))


def test_naive_datetimes_work_too():
    jw = window(sched((8, 0), date=(2024, 5, 10), interval=(1, 0)))
    naive = datetime(2024, 5, 10, 8, 30)
    assert window_open(jw, naive)
    assert next_change(jw, naive) == datetime(2024, 5, 10, 9, 0)


# ------------------------------------------------------------------ syslog transitions


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(10, 7, 0))


@pytest.fixture
def log(clock: FakeClock) -> SystemLog:
    return SystemLog(clock)


def run_minutes(monitor: JoinWindowMonitor, jw: JoinWindow, clock: FakeClock, log: SystemLog, minutes: int,
                step: int = 1) -> None:
    for _ in range(0, minutes, step):
        clock.advance(60 * step)
        monitor.tick(jw, clock.now(), DIRECTOR, log)


def test_one_shot_window_logs_start_and_end_once_each(clock, log):
    jw = window(sched((8, 0), date=(2024, 5, 10), interval=(1, 0)))
    monitor = JoinWindowMonitor()
    assert monitor.tick(jw, clock.now(), DIRECTOR, log) is False
    assert messages(log) == []
    run_minutes(monitor, jw, clock, log, 4 * 60)
    assert messages(log) == [START, END]
    assert [m.when for m in log.buffer] == [at(10, 8), at(10, 9)]
    assert log.buffer[0].format() == "*May 10 08:00:00.000: " + START


def test_recurring_window_logs_each_day(clock, log):
    jw = window(sched((8, 0), date=(2024, 5, 10), interval=(2, 0), recurring=True))
    monitor = JoinWindowMonitor()
    monitor.tick(jw, clock.now(), DIRECTOR, log)
    run_minutes(monitor, jw, clock, log, 3 * 24 * 60, step=15)
    assert messages(log) == [START, END] * 3
    assert [m.when for m in log.buffer] == [at(10, 8), at(10, 10), at(11, 8), at(11, 10), at(12, 8), at(12, 10)]


def test_engine_loop_on_next_change(clock, log):
    jw = window(sched((8, 0), date=(2024, 5, 10), interval=(0, 45), end=(2024, 5, 11), recurring=True))
    monitor = JoinWindowMonitor()
    monitor.tick(jw, clock.now(), DIRECTOR, log)
    seen = []
    while (moment := monitor.next_change(jw, clock.now())) is not None:
        clock.advance((moment - clock.now()).total_seconds())
        seen.append((monitor.tick(jw, clock.now(), DIRECTOR, log), clock.now()))
    assert seen == [(True, at(10, 8)), (False, at(10, 8, 45)), (True, at(11, 8)), (False, at(11, 8, 45))]
    assert messages(log) == [START, END, START, END]


def test_first_tick_is_silent_inside_a_window(clock, log):
    clock.advance(90 * 60)  # 08:30
    jw = window(sched((8, 0), date=(2024, 5, 10), interval=(1, 0)))
    monitor = JoinWindowMonitor()
    assert monitor.tick(jw, clock.now(), DIRECTOR, log) is True
    assert messages(log) == []
    assert monitor.tick(JoinWindow(), clock.now(), DIRECTOR, log) is True  # default: still open
    assert messages(log) == []


def test_first_tick_on_a_boundary_logs_it(clock, log):
    clock.advance(60 * 60)  # 08:00 exactly
    jw = window(sched((8, 0), date=(2024, 5, 10), interval=(1, 0)))
    monitor = JoinWindowMonitor()
    monitor.tick(jw, clock.now(), DIRECTOR, log)
    assert messages(log) == [START]
    other = JoinWindowMonitor()
    other.tick(window(sched((7, 0), date=(2024, 5, 10), interval=(1, 0))), clock.now(), DIRECTOR, log)
    assert messages(log) == [START, END]


def test_a_late_tick_still_logs_a_window_it_missed(clock, log):
    jw = window(sched((8, 0), date=(2024, 5, 10), interval=(0, 30)))
    monitor = JoinWindowMonitor()
    monitor.tick(jw, clock.now(), DIRECTOR, log)
    clock.advance(5 * 3600)
    assert monitor.tick(jw, clock.now(), DIRECTOR, log) is False
    assert messages(log) == [START, END]
    monitor.tick(jw, clock.now(), DIRECTOR, log)
    assert messages(log) == [START, END]


def test_manual_close_and_reopen_are_logged(clock, log):
    jw = JoinWindow()
    monitor = JoinWindowMonitor()
    monitor.tick(jw, clock.now(), DIRECTOR, log)
    jw.closed = True
    monitor.tick(jw, clock.now(), DIRECTOR, log)
    monitor.tick(jw, clock.now(), DIRECTOR, log)
    jw.closed = False
    clock.advance(60)
    monitor.tick(jw, clock.now(), DIRECTOR, log)
    assert messages(log) == [END, START]


def test_monitor_dates_undated_schedules_from_when_it_first_saw_them(clock, log):
    clock.advance(2 * 3600)  # 09:00 on the 10th
    monitor = JoinWindowMonitor()
    jw = JoinWindow()
    monitor.tick(jw, clock.now(), DIRECTOR, log)
    jw.starts.append(sched((8, 0), interval=(1, 0)))  # typed at 09:00: tomorrow 08:00
    monitor.tick(jw, clock.now(), DIRECTOR, log)
    assert messages(log) == [END]  # a schedule now rules the default-open window
    assert monitor.admission(jw, clock.now()) == "d"
    assert monitor.next_change(jw, clock.now()) == at(11, 8)
    run_minutes(monitor, jw, clock, log, 2 * 24 * 60, step=10)
    assert messages(log) == [END, START, END]
    assert [m.when for m in log.buffer][1:] == [at(11, 8), at(11, 9)]
    assert monitor.next_change(jw, clock.now()) is None


def test_monitor_admission_follows_mode(clock, log):
    jw = JoinWindow(manual=True)
    monitor = JoinWindowMonitor()
    assert monitor.is_open(jw, clock.now())
    assert monitor.admission(jw, clock.now()) == "h"
    jw.manual = False
    assert monitor.admission(jw, clock.now()) == "a"


# ------------------------------------------------------------------ hold list and join status


def entries(*joins: str) -> list[ClientEntry]:
    return [ClientEntry(i, MacAddress.parse(f"0016.4779.b78{i}"), "WS-C2960-24TC-L", None, f"sw{i}", join=j)
            for i, j in enumerate(joins, start=1)]


def joins(db: list[ClientEntry]) -> str:
    return "".join(e.join for e in db)


def test_on_hold_install_all_allows_held_clients_only():
    db = entries("h", "a", "h", "d")
    changed = release_on_hold(db, None, "install")
    assert [e.index for e in changed] == [1, 3]
    assert joins(db) == "aaad"


def test_on_hold_install_a_list():
    db = entries("h", "h", "h")
    release_on_hold(db, {1, 3}, "install")
    assert joins(db) == "aha"


def test_on_hold_remove_denies():
    db = entries("h", "h", "a")
    release_on_hold(db, {2}, "remove")
    assert joins(db) == "hda"
    release_on_hold(db, None, "remove")
    assert joins(db) == "dda"


def test_on_hold_refuses_an_index_not_on_hold_and_changes_nothing():
    db = entries("h", "a", "h")
    with pytest.raises(ValueError, match="no client on hold with index 2,9"):
        release_on_hold(db, {1, 2, 9}, "install")
    assert joins(db) == "hah"
    with pytest.raises(ValueError, match="unknown on-hold-clients action"):
        release_on_hold(db, None, "drop")


def test_join_window_status_moves_a_denied_client():
    db = entries("d", "d")
    assert set_join_status(db[0], "allowed") is True
    assert set_join_status(db[1], "held") is True
    assert joins(db) == "ah"
    assert set_join_status(db[0], "allowed") is False  # already allowed: nothing to do


def test_join_window_status_refuses_clients_not_denied():
    db = entries("a", "h")
    with pytest.raises(ValueError, match="client 1 is not in the denied state \\(it is allowed\\)"):
        set_join_status(db[0], "held")
    with pytest.raises(ValueError, match="client 2 is not in the denied state \\(it is held\\)"):
        set_join_status(db[1], "allowed")
    with pytest.raises(ValueError, match="allowed or held"):
        set_join_status(db[0], "denied")
    assert joins(db) == "ah"


def test_change_join_status_is_all_or_nothing():
    db = entries("d", "a", "d", "h")
    with pytest.raises(ValueError, match="client 4 is not in the denied state"):
        change_join_status(db, [1, 3, 4], "allowed")
    with pytest.raises(ValueError, match="no client with index 7"):
        change_join_status(db, [1, 7], "allowed")
    assert joins(db) == "dadh"
    changed = change_join_status(db, [1, 2, 3], "allowed")
    assert [e.index for e in changed] == [1, 3]
    assert joins(db) == "aaah"


def test_actions_table():
    assert set(JOIN_WINDOW_ACTIONS) == {"a", "h", "d"}
    assert {a.state for a in JOIN_WINDOW_ACTIONS.values()} == {"allowed", "held", "denied"}
    assert all(key == a.letter for key, a in JOIN_WINDOW_ACTIONS.items())
    assert [k for k, a in JOIN_WINDOW_ACTIONS.items() if a.zero_touch] == ["a"]
    assert all(a.dhcp_lease and a.on_demand for a in JOIN_WINDOW_ACTIONS.values())
    assert "vstack on-hold-clients install" in JOIN_WINDOW_ACTIONS["h"].leaves_by
    assert any("join-window-status" in c for c in JOIN_WINDOW_ACTIONS["d"].leaves_by)


def test_clock_now_is_usable_directly():
    clock = FakeClock(at(10, 8, 15))
    jw = window(sched((8, 0), date=(2024, 5, 10), interval=(1, 0)))
    assert window_open(jw, clock.now())
    clock.advance(timedelta(hours=1).total_seconds())
    assert not window_open(jw, clock.now())
