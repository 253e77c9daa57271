"""calendars.availability: the pure slot maths (SPEC 5a). No database.

The properties compare rep_slots with a brute-force oracle that walks every minute and asks
routing.availability.within_working_hours (separate code) whether the rep is working then.
"""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendars.availability import (
    DAYS,
    DEFAULT_MEETING_HOURS,
    RepAvailability,
    RepCalendar,
    Slot,
    SlotRules,
    bench_case,
    intersection,
    is_free,
    localize,
    rep_slots,
    union,
    window,
)
from routing.availability import parse_working_hours, within_working_hours

MINUTE = timedelta(minutes=1)
ZONES = (
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "America/St_Johns",
)
# Days with a DST change somewhere in ZONES (2026): US, EU, Lord Howe, both directions.
TRANSITIONS = (
    date(2026, 3, 8),
    date(2026, 11, 1),
    date(2026, 3, 29),
    date(2026, 10, 25),
    date(2026, 4, 5),
    date(2026, 10, 4),
)
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def calendar(hours_json, tz="UTC", rep_id=1, **fields) -> RepCalendar:
    return RepCalendar(rep_id, tz, parse_working_hours(hours_json), **fields)


def every_day(start: str, end: str) -> dict:
    return {day: [[start, end]] for day in DAYS}


def starts(avail: RepAvailability, tz: str) -> list[str]:
    zone = ZoneInfo(tz)
    return [s.astimezone(zone).strftime("%a %H:%M") for s, _ in avail.slots]


# --- the oracle -----------------------------------------------------------------------------


def oracle(hours_json, cal: RepCalendar, rules: SlotRules, now, start, end):
    """Every slot, minute by minute, straight from SPEC 5a's words."""
    if cal.error:
        return []
    zone = ZoneInfo(cal.timezone)
    lo = max(start, now + timedelta(minutes=rules.min_notice))
    hi = min(end, now + timedelta(days=rules.horizon_days))
    if not hours_json:
        hours_json = {d: [[a.isoformat("minutes"), b.isoformat("minutes")] for a, b in v]
                      for d, v in DEFAULT_MEETING_HOURS.items()}  # fmt: skip
    duration = timedelta(minutes=rules.duration)
    step = rules.slot_interval or rules.duration
    first = lo.replace(second=0, microsecond=0)
    if first < lo:
        first += MINUTE
    working = {}

    def works(moment):
        if moment not in working:
            working[moment] = within_working_hours(hours_json, cal.timezone, moment)
        return working[moment]

    blocks = [*cal.busy, *cal.meetings]
    per_day = {}
    for s, _ in cal.meetings:
        per_day[s.astimezone(zone).date()] = per_day.get(s.astimezone(zone).date(), 0) + 1
    out = []
    t = first
    while t < hi:
        local = t.astimezone(zone)
        if (local.hour * 60 + local.minute) % step == 0 and all(
            works(t + k * MINUTE) for k in range(rules.duration)
        ):
            wide_start = t - timedelta(minutes=rules.buffer_before)
            wide_end = t + duration + timedelta(minutes=rules.buffer_after)
            clear = not any(bs < wide_end and be > wide_start for bs, be in blocks)
            after_ooo = cal.out_of_office_until is None or t >= cal.out_of_office_until
            under_cap = (
                rules.max_per_day is None or per_day.get(local.date(), 0) < rules.max_per_day
            )
            if clear and after_ooo and under_cap:
                out.append((t, t + duration))
        t += MINUTE
    return out


# --- strategies -----------------------------------------------------------------------------

quarter = st.integers(0, 95).map(lambda q: q * 15)


@st.composite
def hours_strategy(draw):
    hours = {}
    for day in DAYS:
        intervals = []
        for _ in range(draw(st.integers(0, 2))):
            begin = draw(quarter)
            length = draw(st.integers(1, 60).map(lambda n: n * 15))  # up to 15 h, may pass midnight
            intervals.append([hhmm(begin), hhmm(begin + length)])
        if intervals or draw(st.booleans()):
            hours[day] = intervals
    return hours


@st.composite
def moment_near_transition(draw):
    base = datetime.combine(draw(st.sampled_from(TRANSITIONS)), time(), UTC)
    return base + timedelta(
        hours=draw(st.integers(-40, 24)),
        minutes=draw(st.integers(0, 59)),
        seconds=draw(st.integers(0, 59)),
    )


@st.composite
def blocks_strategy(draw, now, most):
    blocks = []
    for _ in range(draw(st.integers(0, most))):
        begin = now + timedelta(minutes=5 * draw(st.integers(-60, 900)))
        blocks.append((begin, begin + timedelta(minutes=5 * draw(st.integers(1, 36)))))
    return tuple(blocks)


rules_strategy = st.builds(
    SlotRules,
    duration=st.sampled_from([15, 30, 45, 60, 90]),
    slot_interval=st.sampled_from([None, 10, 15, 20, 30, 45, 50, 60, 90]),
    min_notice=st.sampled_from([0, 30, 120, 300]),
    buffer_before=st.sampled_from([0, 5, 10, 30]),
    buffer_after=st.sampled_from([0, 10, 15]),
    horizon_days=st.integers(1, 2),
    max_per_day=st.one_of(st.none(), st.integers(1, 3)),
)


@st.composite
def case(draw, rep_id=1, tz=None):
    now = draw(moment_near_transition())
    hours_json = draw(hours_strategy())
    zone = tz or draw(st.sampled_from(ZONES))
    ooo = draw(st.one_of(st.none(), st.integers(0, 3000).map(lambda m: now + m * MINUTE)))
    cal = calendar(
        hours_json,
        zone,
        rep_id,
        busy=draw(blocks_strategy(now, 6)),
        meetings=draw(blocks_strategy(now, 5)),
        out_of_office_until=ooo,
    )
    start = now + timedelta(minutes=draw(st.integers(-120, 600)))
    end = start + timedelta(hours=draw(st.integers(1, 60)))
    return hours_json, cal, now, start, end


# --- properties -----------------------------------------------------------------------------


@PROPERTY
@given(case(), rules_strategy, st.data())
def test_slots_keep_every_rule_and_match_the_oracle(drawn, rules, data):
    hours_json, cal, now, start, end = drawn
    avail = rep_slots(cal, rules, now=now, start=start, end=end)
    slots = list(avail.slots)
    duration = timedelta(minutes=rules.duration)
    lo, hi = window(now, rules, start, end)
    zone = ZoneInfo(cal.timezone)
    before, after = timedelta(minutes=rules.buffer_before), timedelta(minutes=rules.buffer_after)
    assert slots == sorted(slots), "sorted"
    assert len({s for s, _ in slots}) == len(slots), "no instant offered twice"
    for s, e in slots:
        assert s.utcoffset() == timedelta(0)
        assert e - s == duration, "each slot lasts its real duration"
        assert now + timedelta(minutes=rules.min_notice) <= s, "min notice"
        assert s >= start and s < end and s < now + timedelta(days=rules.horizon_days), "window"
        assert lo <= s < hi
        for bs, be in (*cal.busy, *cal.meetings):
            assert not (bs < e + after and be > s - before), "overlaps a busy block or meeting"
        local = s.astimezone(zone)
        assert (local.hour * 60 + local.minute) % rules.step == 0, "aligned on the rep's clock"
        for k in range(0, rules.duration, 5):
            assert within_working_hours(hours_json, cal.timezone, s + k * MINUTE), "working hours"
        if cal.out_of_office_until:
            assert s >= cal.out_of_office_until
    assert slots == oracle(hours_json, cal, rules, now, start, end)
    assert (avail.reason is None) == bool(slots)
    # The booking re-check agrees with the display, for offered and for other instants.
    offered = {s for s, _ in slots}
    probes = [s for s, _ in slots[:4]] + [
        lo.replace(second=0) + 5 * MINUTE * data.draw(st.integers(0, 700)) for _ in range(6)
    ]
    for probe in probes:
        if lo <= probe < hi:  # outside, the display window (not the rules) cut it off
            assert is_free(cal, rules, now=now, slot_start=probe) == (probe in offered)


@PROPERTY
@given(st.lists(case(), min_size=1, max_size=3), rules_strategy)
def test_union_and_intersection_agree_with_each_reps_slots(drawn, rules):
    now = drawn[0][2]
    start, end = now, now + timedelta(days=2)
    avails = [
        rep_slots(replace(cal, rep_id=i), rules, now=now, start=start, end=end)
        for i, (_, cal, *_rest) in enumerate(drawn, 1)
    ]
    per_rep = {a.rep_id: set(a.slots) for a in avails}
    merged = union(avails)
    assert [(x.start, x.end) for x in merged] == sorted(set().union(*per_rep.values()))
    for slot in merged:
        assert slot.reps == tuple(
            r for r in sorted(per_rep) if (slot.start, slot.end) in per_rep[r]
        )
    common = intersection(avails)
    assert [(x.start, x.end) for x in common] == sorted(set.intersection(*per_rep.values()))
    assert all(x.reps == tuple(sorted(per_rep)) for x in common)
    if any(not a.slots for a in avails):
        assert common == []


# --- DST, every hour of the day --------------------------------------------------------------

# (zone, day, kind, first wall hour of the skipped or repeated hour)
DST_DAYS = [
    ("America/New_York", date(2026, 3, 8), "skip", 2),
    ("America/New_York", date(2026, 11, 1), "repeat", 1),
    ("Europe/Berlin", date(2026, 3, 29), "skip", 2),
    ("Europe/Berlin", date(2026, 10, 25), "repeat", 2),
]


@pytest.mark.parametrize("tz,day,kind,hour", DST_DAYS, ids=[f"{z}-{d}" for z, d, *_ in DST_DAYS])
@pytest.mark.parametrize("begin", range(24))
def test_dst_days_for_every_start_hour(tz, day, kind, hour, begin):
    """8 working hours from `begin`: the changed hour is lost or gained, nothing shifts."""
    cal = calendar(every_day(hhmm(begin * 60), hhmm(begin * 60 + 480)), tz)
    base = datetime.combine(day, time(), UTC)
    avail = rep_slots(
        cal, SlotRules(), now=base - timedelta(days=3), start=base - timedelta(days=2),
        end=base + timedelta(days=2),
    )  # fmt: skip
    zone = ZoneInfo(tz)
    starts_utc = [s for s, _ in avail.slots]
    assert len(set(starts_utc)) == len(starts_utc)
    assert all(e - s == timedelta(minutes=30) for s, e in avail.slots)
    changed = (
        datetime.combine(day, time(hour)),
        datetime.combine(day, time(hour)) + timedelta(hours=1),
    )
    # The shift that began the day before (it may run into the day) and the day's own.
    for shift in (-1, 0):
        wall_start = datetime.combine(day + timedelta(days=shift), time(begin))
        wall_end = wall_start + timedelta(hours=8)
        inside = [
            s
            for s in starts_utc
            if wall_start <= s.astimezone(zone).replace(tzinfo=None) < wall_end
        ]
        overlap = max(timedelta(0), min(wall_end, changed[1]) - max(wall_start, changed[0]))
        real = timedelta(hours=8) + (overlap if kind == "repeat" else -overlap)
        assert len(inside) == real / timedelta(minutes=30), (shift, starts(avail, tz))
        for s in inside:
            local = s.astimezone(zone)
            assert local.minute in (0, 30) and local.second == 0
            skipped = kind == "skip" and local.date() == day and local.hour == hour
            assert not skipped, "no slot in the skipped hour"


def test_min_notice_that_ends_on_a_dst_day_counts_absolute_time():
    # New York springs forward at 07:00 UTC on 8 March 2026. 120 min after 05:40 UTC is 07:40
    # UTC = 03:40 EDT; the first slot is 04:00 EDT (08:00 UTC), not an hour off.
    cal = calendar(every_day("00:00", "12:00"), "America/New_York")
    now = utc(2026, 3, 8, 5, 40)
    avail = rep_slots(cal, SlotRules(), now=now, start=now, end=now + timedelta(hours=3))
    assert avail.slots[0][0] == utc(2026, 3, 8, 8, 0)
    assert localize(avail.slots[:1], "America/New_York")[0]["start"] == "2026-03-08T04:00:00-04:00"


def test_repeated_hour_offers_both_instants_once_each():
    cal = calendar(every_day("00:00", "03:00"), "America/New_York")
    now = utc(2026, 10, 30)
    avail = rep_slots(
        cal, SlotRules(min_notice=0), now=now, start=utc(2026, 11, 1, 4), end=utc(2026, 11, 1, 9)
    )
    assert localize(avail.slots, "America/New_York") == [
        {"start": s, "end": e, "reps": []}
        for s, e in [
            ("2026-11-01T00:00:00-04:00", "2026-11-01T00:30:00-04:00"),
            ("2026-11-01T00:30:00-04:00", "2026-11-01T01:00:00-04:00"),
            ("2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00"),
            ("2026-11-01T01:30:00-04:00", "2026-11-01T01:00:00-05:00"),
            ("2026-11-01T01:00:00-05:00", "2026-11-01T01:30:00-05:00"),
            ("2026-11-01T01:30:00-05:00", "2026-11-01T02:00:00-05:00"),
            ("2026-11-01T02:00:00-05:00", "2026-11-01T02:30:00-05:00"),
            ("2026-11-01T02:30:00-05:00", "2026-11-01T03:00:00-05:00"),
        ]
    ]


# --- explicit cases -------------------------------------------------------------------------

MONDAY = utc(2026, 1, 5)  # no DST change anywhere near


NO_NOTICE = SlotRules(min_notice=0)


def week(cal, rules=NO_NOTICE, now=MONDAY, days=7):
    return rep_slots(cal, rules, now=now, start=now, end=now + timedelta(days=days))


def test_half_hour_zone_lead_sees_the_reps_slots_at_its_own_offset():
    avail = week(calendar({"mon": [["09:00", "10:00"]]}, "America/New_York"))
    shown = localize(union([avail]), "Asia/Kolkata")
    assert shown == [
        {"start": "2026-01-05T19:30:00+05:30", "end": "2026-01-05T20:00:00+05:30", "reps": [1]},
        {"start": "2026-01-05T20:00:00+05:30", "end": "2026-01-05T20:30:00+05:30", "reps": [1]},
    ]


def test_half_hour_zone_rep_is_aligned_on_their_own_clock():
    avail = week(calendar({"mon": [["09:00", "10:00"]]}, "Asia/Kolkata"))
    assert [s for s, _ in avail.slots] == [utc(2026, 1, 5, 3, 30), utc(2026, 1, 5, 4, 0)]


def test_interval_past_midnight_runs_into_the_next_day():
    avail = week(calendar({"fri": [["22:00", "02:00"]]}, "Europe/Berlin"))
    assert starts(avail, "Europe/Berlin") == [
        "Fri 22:00", "Fri 22:30", "Fri 23:00", "Fri 23:30",
        "Sat 00:00", "Sat 00:30", "Sat 01:00", "Sat 01:30",
    ]  # fmt: skip
    to_midnight = week(
        calendar({"fri": [["23:00", "00:00"]]}), SlotRules(duration=60, min_notice=0)
    )
    assert starts(to_midnight, "UTC") == ["Fri 23:00"]


def test_touching_intervals_are_one_stretch():
    cal = calendar({"mon": [["09:00", "10:00"], ["10:00", "11:00"]]})
    assert starts(week(cal, SlotRules(duration=60, slot_interval=30, min_notice=0)), "UTC") == [
        "Mon 09:00", "Mon 09:30", "Mon 10:00",
    ]  # fmt: skip


def test_no_working_hours_means_weekdays_nine_to_five():
    avail = week(calendar({}, "America/New_York"), SlotRules(duration=60, min_notice=0))
    shown = starts(avail, "America/New_York")
    assert len(shown) == 5 * 8 and shown[0] == "Mon 09:00" and shown[-1] == "Fri 16:00"


def test_slot_interval_differs_from_duration():
    cal = calendar({"mon": [["09:00", "11:00"]]})
    rules = SlotRules(duration=60, slot_interval=15, min_notice=0)
    assert starts(week(cal, rules), "UTC") == [
        "Mon 09:00",
        "Mon 09:15",
        "Mon 09:30",
        "Mon 09:45",
        "Mon 10:00",
    ]
    # 45 and 90 align to multiples of the interval from local midnight.
    cal = calendar({"mon": [["08:00", "12:00"]]})
    assert starts(week(cal, SlotRules(duration=30, slot_interval=45, min_notice=0)), "UTC") == [
        "Mon 08:15", "Mon 09:00", "Mon 09:45", "Mon 10:30", "Mon 11:15",
    ]  # fmt: skip
    assert starts(week(cal, SlotRules(duration=30, slot_interval=90, min_notice=0)), "UTC") == [
        "Mon 09:00", "Mon 10:30",
    ]  # fmt: skip
    # 50 does not divide a day: it restarts at midnight.
    cal = calendar({"mon": [["23:00", "01:00"]]})
    assert starts(week(cal, SlotRules(duration=30, slot_interval=50, min_notice=0)), "UTC") == [
        "Mon 23:20", "Tue 00:00",
    ]  # fmt: skip


def test_buffers_widen_meetings_and_busy_blocks():
    meeting = (utc(2026, 1, 5, 10), utc(2026, 1, 5, 10, 30))
    cal = calendar({"mon": [["09:00", "12:00"]]}, meetings=(meeting,))
    plain = week(cal)
    assert starts(plain, "UTC") == ["Mon 09:00", "Mon 09:30", "Mon 10:30", "Mon 11:00", "Mon 11:30"]
    rules = SlotRules(buffer_before=10, buffer_after=15, min_notice=0)
    assert starts(week(cal, rules), "UTC") == ["Mon 09:00", "Mon 11:00", "Mon 11:30"]
    busy = calendar({"mon": [["09:00", "12:00"]]}, busy=(meeting,))
    assert week(busy, rules).slots == week(cal, rules).slots


def test_max_per_day_closes_a_full_day_on_the_reps_clock():
    # Two meetings on Tuesday in New York, one at 23:00 New York time (Wednesday in UTC).
    tue_morning = (utc(2026, 1, 6, 15), utc(2026, 1, 6, 15, 30))
    tue_night = (utc(2026, 1, 7, 4), utc(2026, 1, 7, 4, 30))
    cal = calendar({"tue": [["09:00", "12:00"]], "wed": [["09:00", "10:00"]]}, "America/New_York",
                   meetings=(tue_morning, tue_night))  # fmt: skip
    capped = week(cal, SlotRules(min_notice=0, max_per_day=2))
    assert starts(capped, "America/New_York") == ["Wed 09:00", "Wed 09:30"]
    assert len(week(cal, SlotRules(min_notice=0, max_per_day=3)).slots) == 6 - 1 + 2
    only_tuesday = calendar(
        {"tue": [["09:00", "12:00"]]}, "America/New_York", meetings=(tue_morning, tue_night)
    )
    full = week(only_tuesday, SlotRules(min_notice=0, max_per_day=2))
    assert full.slots == () and full.reason == "daily cap reached (2) on every day in the window"


def test_out_of_office():
    cal = calendar({"mon": [["09:00", "12:00"]]}, out_of_office_until=utc(2026, 1, 5, 10, 45))
    assert starts(week(cal, days=1), "UTC") == ["Mon 11:00", "Mon 11:30"]
    away = calendar({"mon": [["09:00", "12:00"]]}, out_of_office_until=utc(2026, 12, 9, 17))
    avail = week(away)
    assert avail.slots == () and avail.reason == "out of office until 2026-12-09 17:00 UTC"
    # Out of office over the only free time, back when there is none left.
    short = calendar({"mon": [["09:00", "10:00"]]}, out_of_office_until=utc(2026, 1, 5, 11))
    assert week(short, days=1).reason == "out of office until 2026-01-05 11:00 UTC"


def test_unreadable_calendar_is_unavailable_never_always_free():
    cal = calendar({}, error="notFound")
    avail = week(cal)
    assert avail == RepAvailability(1, (), "calendar unreadable: notFound")
    ok = week(calendar({}, rep_id=2))
    assert intersection([avail, ok]) == []
    assert {r for s in union([avail, ok]) for r in s.reps} == {2}
    assert not is_free(cal, SlotRules(min_notice=0), now=MONDAY, slot_start=ok.slots[0][0])


def test_no_free_time_and_empty_window_reasons():
    busy = calendar(
        {"mon": [["09:00", "10:00"]]}, busy=((utc(2026, 1, 5, 8), utc(2026, 1, 5, 11)),)
    )
    assert week(busy).reason == "no free time in the window"
    rules = SlotRules(horizon_days=1)
    empty = rep_slots(
        calendar({}),
        rules,
        now=MONDAY,
        start=MONDAY + timedelta(days=2),
        end=MONDAY + timedelta(days=3),
    )
    assert empty.slots == () and "window is empty" in empty.reason


def test_window_applies_min_notice_and_horizon():
    rules = SlotRules(min_notice=120, horizon_days=14)
    assert window(MONDAY, rules) == (MONDAY + timedelta(hours=2), MONDAY + timedelta(days=14))
    berlin = MONDAY.astimezone(ZoneInfo("Europe/Berlin"))
    lo, hi = window(MONDAY, rules, berlin + timedelta(days=1), berlin + timedelta(days=30))
    assert (lo, hi) == (
        MONDAY + timedelta(days=1),
        MONDAY + timedelta(days=14),
    ) and lo.tzinfo is UTC


def test_is_free_is_the_booking_recheck():
    cal = calendar({"mon": [["09:00", "12:00"]]})
    rules = SlotRules(min_notice=0)
    assert is_free(cal, rules, now=MONDAY, slot_start=utc(2026, 1, 5, 9, 30))
    assert not is_free(cal, rules, now=MONDAY, slot_start=utc(2026, 1, 5, 9, 45))  # not aligned
    assert not is_free(
        cal, rules, now=MONDAY, slot_start=utc(2026, 1, 5, 11, 45)
    )  # runs past 12:00
    assert not is_free(
        cal, SlotRules(min_notice=600), now=MONDAY, slot_start=utc(2026, 1, 5, 9, 30)
    )
    booked = calendar(
        {"mon": [["09:00", "12:00"]]}, meetings=((utc(2026, 1, 5, 9, 30), utc(2026, 1, 5, 10)),)
    )
    assert not is_free(booked, rules, now=MONDAY, slot_start=utc(2026, 1, 5, 9, 30))
    kolkata = utc(2026, 1, 5, 9, 30).astimezone(ZoneInfo("Asia/Kolkata"))
    assert is_free(cal, rules, now=MONDAY, slot_start=kolkata)  # any zone names the same instant


def test_union_lists_who_is_free_and_intersection_needs_everyone():
    a = week(calendar({"mon": [["09:00", "10:00"]]}, rep_id=5), days=1)
    b = week(calendar({"mon": [["09:30", "10:30"]]}, rep_id=3), days=1)
    assert [(s.start.strftime("%H:%M"), s.reps) for s in union([a, b])] == [
        ("09:00", (5,)), ("09:30", (3, 5)), ("10:00", (3,)),
    ]  # fmt: skip
    assert intersection([a, b]) == [Slot(utc(2026, 1, 5, 9, 30), utc(2026, 1, 5, 10), (3, 5))]
    assert intersection([]) == [] and union([]) == []


@PROPERTY
@given(case(), rules_strategy)
def test_busy_blocks_as_epoch_seconds_give_the_same_slots(drawn, rules):
    """The local calendar reads busy blocks as UTC seconds on PostgreSQL (issue 16)."""
    _, cal, now, start, end = drawn
    as_seconds = replace(cal, busy=tuple((a.timestamp(), b.timestamp()) for a, b in cal.busy))
    assert rep_slots(as_seconds, rules, now=now, start=start, end=end) == rep_slots(
        cal, rules, now=now, start=start, end=end
    )


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        week(calendar({}), now=datetime(2026, 1, 5))
    with pytest.raises(ValueError):
        week(calendar({}, busy=((datetime(2026, 1, 5, 9), datetime(2026, 1, 5, 10)),)))


def test_bad_rules_are_refused():
    with pytest.raises(ValueError):
        SlotRules(duration=0)
    with pytest.raises(ValueError):
        SlotRules(buffer_after=-5)


def test_bench_case_runs():
    result = bench_case(reps=5, days=3, runs=1)
    assert result["slots"] > 0 and result["busy_blocks"] == 5 * 4 * 4
