"""Is a rep able to take a lead right now? Pure: no Django, no I/O.

Rep working hours live here, in routing, and not in calendars/ beside the meeting slot
maths (issue 11 item 4 asked for that move; this is why it was not made): the pool pick
(``pools.py``, ``directory.py``) needs them inside the routing transaction, and routing
may not import calendars (the import-linter contract in pyproject.toml). The direction
allows the reverse, so the working-hours format is defined once, here: ``DAYS``, the
stored form and its validation (``parse_working_hours``, also used by the API, the
console and Slack sync), and calendars reads it (``calendars/lookup.py`` parses a rep's
hours with ``parse_working_hours`` before handing them to ``calendars.availability``,
whose slot maths on those intervals stays in calendars). What is here is only what a pool
pick asks: "within working hours now?" and "why can't this rep take a lead now?".
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Messages name the day as a person reads it; the keys stay the API's.
DAY_NAMES = dict(
    zip(
        DAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)


class WorkingHoursError(ValueError):
    pass


def parse_working_hours(value) -> dict[str, list[tuple[time, time]]]:
    """Validate `{"mon": [["09:00", "17:00"]], ...}`; raise WorkingHoursError naming the day.

    An empty dict means "always available". A day that is absent is a day off.
    An interval whose end is before its start runs past midnight.
    """
    if value in (None, {}):
        return {}
    if not isinstance(value, dict):
        raise WorkingHoursError('must be an object like {"mon": [["09:00", "17:00"]]}')
    parsed: dict[str, list[tuple[time, time]]] = {}
    for day, intervals in value.items():
        if day not in DAYS:
            raise WorkingHoursError(f"unknown day {day!r}; use one of {', '.join(DAYS)}")
        name = DAY_NAMES[day]
        if not isinstance(intervals, list):
            raise WorkingHoursError(f"{name}: must be a list of [start, end] pairs")
        parsed[day] = []
        for interval in intervals:
            if (
                not isinstance(interval, list | tuple)
                or len(interval) != 2
                or not all(isinstance(t, str) for t in interval)
            ):
                raise WorkingHoursError(f'{name}: each interval must be ["HH:MM", "HH:MM"]')
            start, end = (_clock_time(name, t) for t in interval)
            if start == end:
                raise WorkingHoursError(
                    f"{name}: an interval cannot start and end at the same time ({start:%H:%M})"
                )
            parsed[day].append((start, end))
    return parsed


def _clock_time(day_name: str, text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise WorkingHoursError(
            f'{day_name}: {text!r} is not a time of day; use HH:MM, e.g. "09:00"'
        ) from None


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def within_working_hours(working_hours: dict, timezone: str, now: datetime) -> bool:
    hours = parse_working_hours(working_hours)
    if not hours:
        return True
    try:
        local = now.astimezone(ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        local = now
    moment = local.time()
    for start, end in hours.get(DAYS[local.weekday()], []):
        if start < end and start <= moment < end:
            return True
        if start > end and moment >= start:  # the evening part of an overnight interval
            return True
    # An overnight interval that began yesterday.
    for start, end in hours.get(DAYS[(local.weekday() - 1) % 7], []):
        if start > end and moment < end:
            return True
    return False


def unavailable_reason(
    *,
    is_active: bool,
    out_of_office_until: datetime | None,
    working_hours: dict,
    timezone: str,
    max_open_chats: int | None,
    open_chats: int,
    now: datetime,
    check_hours: bool = True,
    is_paused: bool = False,
) -> str | None:
    """Why this rep cannot take a lead now, or None when they can."""
    if not is_active:
        return "inactive"
    if is_paused:
        return "paused in this pool"
    if out_of_office_until is not None and out_of_office_until > now:
        return f"out of office until {out_of_office_until:%Y-%m-%d %H:%M %Z}".strip()
    if check_hours and not within_working_hours(working_hours, timezone, now):
        return f"outside working hours ({timezone})"
    if max_open_chats is not None and open_chats >= max_open_chats:
        return f"at capacity ({open_chats}/{max_open_chats} open chats)"
    return None


def describe_hours(working_hours: dict) -> str:
    """'Mon-Fri 09:00-18:00, Sat 10:00-14:00'; '' means always available."""
    if not working_hours:
        return ""
    runs: list[list] = []  # [first day, last day, text]
    for index, day in enumerate(DAYS):
        intervals = working_hours.get(day) or []
        text = ", ".join(f"{a}-{b}" for a, b in intervals)
        if runs and text and runs[-1][2] == text and DAYS.index(runs[-1][1]) == index - 1:
            runs[-1][1] = day
        elif text:
            runs.append([day, day, text])
    return (
        ", ".join(f"{a.title()}{'' if a == b else '-' + b.title()} {text}" for a, b, text in runs)
        or "Never"
    )
