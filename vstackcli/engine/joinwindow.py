"""The join window: when the director hands out Smart Install files, and what it does with new clients.

Pure logic over the configured :class:`~vstackcli.engine.model.JoinWindow` and a time the caller
supplies (``Clock.now()``: an aware UTC datetime). Nothing here reads a clock or keeps a timer; the
engine asks :func:`next_change` when to look again and calls :meth:`JoinWindowMonitor.tick` then and
after every ``vstack join-window`` command.

What the Smart Install guide says ("Using a Join Window", "Configuring Join Window Mode"):

* "If a join window is not configured, a zero touch update can happen at any time because that is
  the default state": no schedule and no ``vstack join-window close`` means open.
* ``vstack join-window close`` closes the window by hand, ``no vstack join-window close`` opens it.
* ``vstack join-window start [date] hh:mm [interval] [end date] [recurring]`` configures a time
  window; "a zero touch update is possible only during the configured window".
* Mode auto: a client that joins while the window is open is upgraded (allowed, ``a``). Mode manual
  (``no vstack join-window mode auto``): "when a client joins the network during an open join window,
  the client is put on the hold list" (``h``). "If the join window is closed, the client cannot join
  the network (denied)" (``d``).

Decisions where the guide is silent (each one is the single place to change it):

* Schedule times are wall-clock times in the time zone of ``now`` (UTC, since the emulated switch has
  no ``clock timezone``). Naive ``now`` values give naive datetimes throughout; do not mix the two.
* A schedule's occurrence opens at its day's ``hh:mm`` and lasts ``interval``; without an interval it
  lasts until the end of that day (midnight). A zero interval never opens.
* Dated schedules are absolute: the first occurrence is on the start date, whenever the command was
  typed (a date in the past is simply over). ``recurring`` repeats the occurrence every day after it.
* Undated schedules count from the moment they were configured (``since``): the first occurrence is
  the first ``hh:mm`` at or after that moment; ``recurring`` repeats it every day after that, otherwise
  it happens once. Typing ``start 08:00`` at 09:00 therefore opens the window tomorrow at 08:00.
  Without ``since``, an undated recurring schedule applies on every day, and an undated one-shot one is
  taken as configured at the midnight that began the day of ``now`` (the brief's "today's date").
  :class:`JoinWindowMonitor` records when it first saw each schedule and passes that as ``since``.
* ``end <date>``: no occurrence opens after that day, and one still open at the end of that day is
  closed at midnight.
* Several schedules: the window is open while any of them is.
* ``admission`` follows the guide's last two sentences: closed is denied whatever the mode. (The same
  paragraph also says that in auto mode "the join window state is active, whether or not the join
  window is open or closed"; that reading would leave no way for an auto-mode client to be denied and
  contradicts "A client attempting to join ... outside the join window is not allowed to do so".)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Protocol, TypeVar

from vstackcli.engine.messages import smi
from vstackcli.engine.model import JoinWindow, JoinWindowStart
from vstackcli.engine.syslog import SystemLog

__all__ = [
    "JOIN_STATUS",
    "JOIN_WINDOW_ACTIONS",
    "JoinEntry",
    "JoinWindowAction",
    "JoinWindowMonitor",
    "admission",
    "change_join_status",
    "next_change",
    "occurrences",
    "release_on_hold",
    "set_join_status",
    "window_open",
]

Since = datetime | Mapping[JoinWindowStart, datetime] | None

_DAY = timedelta(days=1)
_EPSILON = timedelta(microseconds=1)
_MAX_LOGGED_CHANGES = 64  # a tick after a long pause logs at most this many missed transitions


# --------------------------------------------------------------------------- schedules


def _tz_of(now: datetime) -> tzinfo | None:
    return now.tzinfo


def _at(day: date, hm: tuple[int, int], tz: tzinfo | None) -> datetime:
    return datetime.combine(day, time(hm[0], hm[1]), tzinfo=tz)


def _local(moment: datetime, tz: tzinfo | None) -> datetime:
    """``moment`` in the time zone schedules are read in (a no-op for naive or same-zone values)."""
    if tz is not None and moment.tzinfo is not None:
        return moment.astimezone(tz)
    return moment


def _since_for(start: JoinWindowStart, since: Since) -> datetime | None:
    if isinstance(since, Mapping):
        return since.get(start)
    return since


def _resolve_since(start: JoinWindowStart, since: Since, now: datetime) -> datetime | None:
    """The configuration moment that anchors an undated schedule (None: unanchored, every day)."""
    if start.start_date is not None:
        return None
    moment = _since_for(start, since)
    if moment is None and not start.recurring:
        # Unknown configuration time for a one-shot schedule: as if typed at the start of today.
        return datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    return moment


def _first_day(start: JoinWindowStart, since: datetime | None, tz: tzinfo | None) -> date | None:
    """The day of the first occurrence, or None when the schedule applies on every day."""
    if start.start_date is not None:
        return date(*start.start_date)
    if since is None:
        return None
    since = _local(since, tz)
    day = since.date()
    if _at(day, start.start_time, tz) < since:
        day += _DAY
    return day


def occurrences(start: JoinWindowStart, since: datetime | None, tz: tzinfo | None,
                first: date, last: date) -> Iterator[tuple[datetime, datetime]]:
    """The ``[open, close)`` intervals of one schedule whose opening day lies in ``first..last``.

    ``since`` is the moment the schedule was configured (used only by undated schedules, see the
    module notes; None makes an undated schedule apply on every day, one-shot or not: callers resolve
    that case first); ``tz`` the time zone of the clock. Empty intervals are left out.
    """
    begin = _first_day(start, since, tz)
    end_day = date(*start.end_date) if start.end_date is not None else None
    if begin is not None and not start.recurring:
        days: Iterable[date] = [begin] if first <= begin <= last else []
    else:
        from_day = first if begin is None else max(first, begin)
        days = [from_day + _DAY * i for i in range((last - from_day).days + 1)]
    for day in days:
        if end_day is not None and day > end_day:
            return
        opens = _at(day, start.start_time, tz)
        if start.interval is None:
            closes = datetime.combine(day + _DAY, time(0), tzinfo=tz)
        else:
            closes = opens + timedelta(hours=start.interval[0], minutes=start.interval[1])
        if end_day is not None:
            closes = min(closes, datetime.combine(end_day + _DAY, time(0), tzinfo=tz))
        if closes > opens:
            yield opens, closes


def _lookback(start: JoinWindowStart) -> int:
    """How many days before today an occurrence may have opened and still be open."""
    if start.interval is None:
        return 0
    return 1 + (start.interval[0] * 60 + start.interval[1]) // (24 * 60)


def _schedule_open(start: JoinWindowStart, now: datetime, since: datetime | None) -> bool:
    tz = _tz_of(now)
    today = now.date()
    return any(opens <= now < closes
               for opens, closes in occurrences(start, since, tz, today - _DAY * _lookback(start), today))


def window_open(jw: JoinWindow, now: datetime, since: Since = None) -> bool:
    """Whether the join window is open at ``now``.

    ``since`` is when the schedules were configured: one moment for all, or a mapping from each
    :class:`JoinWindowStart` to its own moment (what :class:`JoinWindowMonitor` passes). Only undated
    schedules use it; see the module notes for what happens without it.
    """
    if jw.closed:
        return False
    if not jw.starts:
        return True
    return any(_schedule_open(s, now, _resolve_since(s, since, now)) for s in jw.starts)


def admission(jw: JoinWindow, now: datetime, since: Since = None) -> str:
    """The join-window letter a client joining at ``now`` gets in the director database.

    ``a`` allowed (open, mode auto), ``h`` on hold (open, mode manual), ``d`` denied (closed).
    """
    if not window_open(jw, now, since):
        return "d"
    return "h" if jw.manual else "a"


def next_change(jw: JoinWindow, now: datetime, since: Since = None) -> datetime | None:
    """The first moment after ``now`` at which :func:`window_open` gives another answer; None if never.

    Schedules and the manual open/close only; a configuration change is the caller's to notice.
    """
    if jw.closed or not jw.starts:
        return None
    tz = _tz_of(now)
    anchors = {s: _resolve_since(s, since, now) for s in jw.starts}
    # After the latest date any schedule mentions, the pattern repeats every day: two more days of
    # boundaries are enough to find a change, or to know there is none.
    horizon = now.date()
    for s, anchor in anchors.items():
        for d in (s.start_date, s.end_date):
            if d is not None:
                horizon = max(horizon, date(*d))
        if anchor is not None:
            horizon = max(horizon, _local(anchor, tz).date())
    horizon += _DAY * 2
    boundaries: set[datetime] = set()
    for s, anchor in anchors.items():
        for opens, closes in occurrences(s, anchor, tz, now.date() - _DAY * _lookback(s), horizon):
            boundaries.update(b for b in (opens, closes) if b > now)
    state = window_open(jw, now, anchors)
    for moment in sorted(boundaries):
        if window_open(jw, moment, anchors) != state:
            return moment
    return None


# --------------------------------------------------------------------------- the syslog monitor


class JoinWindowMonitor:
    """Logs ``%SMI-6-SMI_JOIN_WINDOW_MESSAGE`` when the join window opens (Start) or closes (End).

    The engine calls :meth:`tick` at every :meth:`next_change` moment and after every join-window
    command. Every change of the effective state is logged, whatever caused it: a schedule starting or
    ending, ``vstack join-window close`` / ``no vstack join-window close``, or a schedule added or
    removed (adding the first schedule outside its hours closes the default-open window: End).

    The first tick only establishes the state, silently, unless a schedule boundary falls exactly on
    that moment (the window opens or closes right then), which is logged like any later change.

    The monitor remembers when it first saw each schedule and uses that as the configuration time of
    undated schedules (see the module notes); :meth:`is_open`, :meth:`admission` and
    :meth:`next_change` answer with the same memory so the engine sees one consistent window.
    """

    def __init__(self) -> None:
        self.state: bool | None = None
        self.last: datetime | None = None
        self.configured_at: dict[JoinWindowStart, datetime] = {}

    def _remember(self, jw: JoinWindow, now: datetime) -> None:
        current = set(jw.starts)
        self.configured_at = {s: t for s, t in self.configured_at.items() if s in current}
        for s in jw.starts:
            self.configured_at.setdefault(s, now)

    def is_open(self, jw: JoinWindow, now: datetime) -> bool:
        self._remember(jw, now)
        return window_open(jw, now, self.configured_at)

    def admission(self, jw: JoinWindow, now: datetime) -> str:
        self._remember(jw, now)
        return admission(jw, now, self.configured_at)

    def next_change(self, jw: JoinWindow, now: datetime) -> datetime | None:
        self._remember(jw, now)
        return next_change(jw, now, self.configured_at)

    def tick(self, jw: JoinWindow, now: datetime, director_ip: object, log: SystemLog) -> bool:
        """Bring the state up to ``now``, logging each Start/End; returns whether the window is open."""
        self._remember(jw, now)
        since = self.configured_at
        if self.state is None or self.last is None or now < self.last:
            self.state = window_open(jw, now - _EPSILON, since) if self.state is None else self.state
            self.last = now - _EPSILON
        # Transitions the schedules made since the last tick (the engine may have been late).
        moment: datetime | None = self.last
        logged = 0
        while moment is not None and logged < _MAX_LOGGED_CHANGES:
            moment = next_change(jw, moment, since)
            if moment is None or moment >= now:
                break
            self._set(window_open(jw, moment, since), director_ip, log)
            logged += 1
        self._set(window_open(jw, now, since), director_ip, log)
        self.last = now
        return self.state

    def _set(self, state: bool, director_ip: object, log: SystemLog) -> None:
        if state != self.state:
            self.state = state
            smi(log, "SMI_JOIN_WINDOW_MESSAGE", chars="Start" if state else "End", inet=director_ip)


# --------------------------------------------------------------------------- clients and their state


class JoinEntry(Protocol):
    """What the hold-list functions need of a director-database entry."""

    index: int
    join: str  # a allowed, h on hold, d denied


E = TypeVar("E", bound=JoinEntry)

JOIN_STATUS = {"allowed": "a", "held": "h", "denied": "d"}
_STATUS_NAME = {letter: name for name, letter in JOIN_STATUS.items()}


def _index_list(indexes: Iterable[int]) -> str:
    return ",".join(str(i) for i in sorted(indexes))


def release_on_hold(entries: Iterable[E], indexes: set[int] | None, action: str) -> list[E]:
    """``vstack on-hold-clients install|remove [list]``: act on held clients (all when ``indexes`` is None).

    ``install`` allows them (``a``): the director then upgrades them as it would have at join time.
    ``remove`` takes them off the hold list and denies them (``d``): they get no Smart Install files.
    Denial is not sticky: "you must restart the client to again put it in the hold state (if the mode is
    manual) or to automatically upgrade if the mode is auto and the join window is open", i.e. a client
    that joins again is admitted afresh by :func:`admission`.

    All or nothing: a listed index that is not a held client raises ValueError and changes nothing.
    Returns the entries changed, in database order.
    """
    if action not in ("install", "remove"):
        raise ValueError(f"unknown on-hold-clients action {action!r}")
    held = [e for e in entries if e.join == "h" and (indexes is None or e.index in indexes)]
    if indexes is not None:
        missing = set(indexes) - {e.index for e in held}
        if missing:
            raise ValueError(f"no client on hold with index {_index_list(missing)}")
    letter = "a" if action == "install" else "d"
    for entry in held:
        entry.join = letter
    return held


def _check_status(entry: JoinEntry, status: str) -> str:
    if status not in ("allowed", "held"):
        raise ValueError(f"join window status must be allowed or held, not {status!r}")
    letter = JOIN_STATUS[status]
    if entry.join not in ("d", letter):
        current = _STATUS_NAME.get(entry.join, entry.join)
        raise ValueError(f"client {entry.index} is not in the denied state (it is {current})")
    return letter


def set_join_status(entry: JoinEntry, status: str) -> bool:
    """``vstack join-window-status index N allowed|held`` for one client; True when it changed.

    The guide describes this command as changing "the join window state for a client ... from the
    denied state to the active or held state", so only a denied client moves; one already in the
    requested state is left alone (no error), any other state raises ValueError. A held client is
    released with ``vstack on-hold-clients install|remove`` instead.
    """
    letter = _check_status(entry, status)
    if entry.join == letter:
        return False
    entry.join = letter
    return True


def change_join_status(entries: Iterable[E], indexes: Iterable[int], status: str) -> list[E]:
    """``vstack join-window-status index LIST allowed|held``: all or nothing over the listed clients.

    Raises ValueError naming the first index with no entry, or the first client that is neither denied
    nor already in the requested state; otherwise applies :func:`set_join_status` to each and returns
    the entries that changed.
    """
    by_index = {e.index: e for e in entries}
    chosen: list[E] = []
    for i in sorted(set(indexes)):
        entry = by_index.get(i)
        if entry is None:
            raise ValueError(f"no client with index {i} in the director database")
        _check_status(entry, status)
        chosen.append(entry)
    return [e for e in chosen if set_join_status(e, status)]


# --------------------------------------------------------------------------- what each state allows


@dataclass(frozen=True)
class JoinWindowAction:
    """What the director does for a client in one join-window state (the guide's missing Table 1-3)."""

    state: str  # allowed | held | denied
    letter: str  # as in show vstack status
    zero_touch: bool  # DHCP offer/ack carries the Smart Install options (image, config, script)
    dhcp_lease: bool  # the client still gets its address ("the default files from the DHCP server")
    on_demand: bool  # vstack download-image / download-config / ... allowed
    listed: bool  # kept in the director database and shown by show vstack status
    leaves_by: tuple[str, ...]  # the commands (or events) that move a client out of this state
    note: str


JOIN_WINDOW_ACTIONS: dict[str, JoinWindowAction] = {
    "a": JoinWindowAction(
        "allowed", "a", zero_touch=True, dhcp_lease=True, on_demand=True, listed=True,
        leaves_by=("client restart (admitted again)",),
        note="Window open in auto mode: the director inserts the Smart Install options into the DHCP "
             "response and the client upgrades its image and configuration (zero touch).",
    ),
    "h": JoinWindowAction(
        "held", "h", zero_touch=False, dhcp_lease=True, on_demand=True, listed=True,
        leaves_by=("vstack on-hold-clients install", "vstack on-hold-clients remove"),
        note="Window open in manual mode: the client is on the hold list and gets no files until "
             "vstack on-hold-clients install allows it (then it is upgraded as an allowed client); "
             "vstack on-hold-clients remove takes it off the list, denied.",
    ),
    "d": JoinWindowAction(
        "denied", "d", zero_touch=False, dhcp_lease=True, on_demand=True, listed=True,
        leaves_by=("vstack join-window-status index N allowed", "vstack join-window-status index N held",
                   "client restart (admitted again)"),
        note="Window closed: the Smart Install files are not downloaded; the switch gets a plain lease "
             "with the default files of the DHCP server and reports that it cannot download an image or "
             "configuration file. On-demand updates stay possible 'at any time'.",
    ),
}
