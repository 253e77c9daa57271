"""Meeting slot maths (SPEC 5a). Pure: no Django, no I/O; stdlib zoneinfo only.

What a slot is, precisely (where SPEC 5a is silent, this follows Cal.com / Chili Piper):

- Working hours are read on the rep's own wall clock. An instant is working time when the
  rep's clock then reads a time inside one of that weekday's intervals; an interval whose
  end is not after its start runs past midnight into the next day ("22:00"-"02:00", and
  "18:00"-"00:00" runs to midnight). Touching intervals (Mon 12:00-00:00 then Tue
  00:00-02:00, or 09:00-12:00 and 12:00-17:00) count as one stretch of working time.
  A rep with no working hours ({}) gets DEFAULT_MEETING_HOURS, never "always free".
- DST: a skipped local hour holds no working time (a day that starts at 02:30 on the spring
  change starts at 03:00, when the clock passes 02:30); a repeated hour is working time both
  times the clock shows it, so both occurrences are offered as distinct instants.
- Candidate starts are the instants at which the rep's clock shows a whole multiple of
  `slot_interval` minutes after local midnight: for intervals dividing 60 that is "aligned
  from the top of the hour"; for 45 or 90 minutes it is 00:00, 00:45, 01:30, ...; an
  interval that does not divide 24 h restarts at each local midnight. A slot keeps its real
  length: end = start + duration in absolute time, even across a DST change.
- A slot is kept when its whole duration lies in working time, it starts inside the window
  (window() below: from max(start, now + min_notice), before min(end, now + horizon_days)),
  it starts at or after out_of_office_until, and [start - buffer_before, end + buffer_after)
  touches no busy block and no booked meeting (buffers need not lie in working hours).
  Only the new meeting's buffers widen the check; existing meetings carry none.
- max_per_day: a local day (the rep's clock, the day a meeting starts on) that already holds
  that many booked meetings offers no slot. The caller passes the meetings of every day the
  window touches (one day of margin either side is enough).
- A calendar that could not be read (`error`) offers nothing, and the reason says so.
- Slots are aware UTC datetimes, sorted; localize() renders them in the lead's zone.
- intersection() intersects the reps' slots: reps whose clocks differ by a non-multiple of
  the interval (Kathmandu +05:45 with New York and a 30-minute interval) share no slot.

Speed: every instant is an integer count of UTC seconds; a zone's UTC offset pieces for the
window are computed once (cached), working hours become sorted UTC spans, busy blocks are
sorted and merged once, and each candidate is one bisect. No per-minute loop.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # the same keys as routing's working hours
DAY = 86400
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SAMPLE = 6 * 3600  # zone offsets are sampled this often; real DST changes are months apart

DEFAULT_MEETING_HOURS: dict[str, list[tuple[time, time]]] = {
    day: [(time(9), time(17))] for day in DAYS[:5]
}


@dataclass(frozen=True)
class SlotRules:
    duration: int = 30  # minutes
    slot_interval: int | None = None  # None -> duration
    min_notice: int = 120
    buffer_before: int = 0
    buffer_after: int = 0
    horizon_days: int = 14
    max_per_day: int | None = None

    def __post_init__(self):
        # The API validates bookings with field errors; this only guards the maths.
        if self.duration < 1 or (self.slot_interval is not None and self.slot_interval < 1):
            raise ValueError("duration and slot_interval must be at least 1 minute")
        if min(self.min_notice, self.buffer_before, self.buffer_after, self.horizon_days) < 0:
            raise ValueError("min_notice, buffers and horizon_days cannot be negative")

    @property
    def step(self) -> int:
        return self.slot_interval or self.duration


@dataclass(frozen=True)
class RepCalendar:
    rep_id: int
    timezone: str
    working_hours: dict[str, list[tuple[time, time]]]
    # Aware datetimes, or UTC epoch seconds as floats (how the local calendar reads them).
    busy: tuple[tuple[datetime, datetime] | tuple[float, float], ...] = ()
    meetings: tuple[tuple[datetime, datetime], ...] = ()
    out_of_office_until: datetime | None = None
    error: str | None = None


@dataclass(frozen=True)
class RepAvailability:
    rep_id: int
    slots: tuple[tuple[datetime, datetime], ...]
    reason: str | None


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    reps: tuple[int, ...]


def _ts(moment: datetime) -> float:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} is naive; slot maths needs aware datetimes")
    return moment.timestamp()


# (start seconds, minutes) -> the slot's datetimes, shared by every rep offering that slot:
# building aware datetimes and hashing them in union() was most of the cost, and a datetime
# caches its hash. A memo, not state: it is cleared when it grows large.
_SLOTS: dict[tuple[int, int], tuple[datetime, datetime]] = {}


def _slot(seconds: int, minutes: int) -> tuple[datetime, datetime]:
    slot = _SLOTS.get((seconds, minutes))
    if slot is None:
        if len(_SLOTS) > 100_000:
            _SLOTS.clear()
        start = _EPOCH + timedelta(seconds=seconds)
        slot = _SLOTS[seconds, minutes] = (start, start + timedelta(minutes=minutes))
    return slot


def _secs(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def window(
    now: datetime, rules: SlotRules, start: datetime | None = None, end: datetime | None = None
) -> tuple[datetime, datetime]:
    """The effective window in UTC; it may be empty (start >= end)."""
    _ts(now)
    earliest = now + timedelta(minutes=rules.min_notice)
    latest = now + timedelta(days=rules.horizon_days)
    lo = earliest if start is None else max(start, earliest)
    hi = latest if end is None else min(end, latest)
    return lo.astimezone(UTC), hi.astimezone(UTC)


@lru_cache(maxsize=512)
def _offset_pieces(tz_name: str, lo: int, hi: int) -> tuple[tuple[int, int, int], ...]:
    """[(from, to, utc offset seconds)] covering [lo, hi): where the zone's offset is constant.

    zoneinfo does not expose its transitions, so sample the offset and bisect each change to
    the second. Cached: every rep in one zone asks for the same day-aligned range.
    """
    zone = ZoneInfo(tz_name)

    def offset(seconds: int) -> int:
        return int(datetime.fromtimestamp(seconds, zone).utcoffset().total_seconds())

    pieces = []
    begin, current, at = lo, offset(lo), lo
    while at < hi:
        probe = min(at + _SAMPLE, hi)
        if offset(probe) == current:
            at = probe
            continue
        same, changed = at, probe  # offset(same) == current != offset(changed)
        while changed - same > 1:
            middle = (same + changed) // 2
            same, changed = (middle, changed) if offset(middle) == current else (same, middle)
        pieces.append((begin, changed, current))
        begin, current, at = changed, offset(changed), changed
    pieces.append((begin, hi, current))
    return tuple(pieces)


def _working_spans(hours, pieces, first_day: int, last_day: int) -> list[list[int]]:
    """Working time of local days first_day..last_day (days since 1970-01-01), merged UTC spans."""
    spans = []
    for day in range(first_day, last_day + 1):
        for start, end in hours.get(DAYS[(day + 3) % 7], ()):  # 1970-01-01 was a Thursday
            wall_start = day * DAY + _secs(start)
            wall_end = (day + (end <= start)) * DAY + _secs(end)
            for piece_start, piece_end, offset in pieces:
                # The instants whose wall reading is in [wall_start, wall_end) within this piece.
                a = max(wall_start - offset, piece_start)
                b = min(wall_end - offset, piece_end)
                if a < b:
                    spans.append((a, b))
    spans.sort()
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return merged


@lru_cache(maxsize=256)
def _spans_cached(hours_key, pieces, first_day: int, last_day: int) -> tuple[tuple[int, int], ...]:
    return tuple(map(tuple, _working_spans(dict(hours_key), pieces, first_day, last_day)))


def _blocks(cal: RepCalendar) -> tuple[list[float], list[float]]:
    """Busy blocks and meetings, sorted and merged: (starts, ends), both ascending."""
    pairs = []
    for start, end in (*cal.busy, *cal.meetings):
        if type(start) is not float:  # an aware datetime (floats are UTC seconds already)
            if start.tzinfo is None or end.tzinfo is None:
                raise ValueError(f"rep {cal.rep_id}: busy blocks and meetings need aware datetimes")
            start, end = start.timestamp(), end.timestamp()
        pairs.append((start, end))
    pairs.sort()
    starts: list[float] = []
    ends: list[float] = []
    for a, b in pairs:
        if b <= a:
            continue
        if ends and a <= ends[-1]:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a)
            ends.append(b)
    return starts, ends


def _aligned(first: int, last: int, pieces, step: int, out: list) -> None:
    """Append (range of starts, offset) for the aligned starts in [first, last]."""
    for piece_start, piece_end, offset in pieces:
        u, v = max(first, piece_start), min(last, piece_end - 1)
        if u > v:
            continue
        if DAY % step == 0:  # local midnight is itself aligned: one progression
            wall = -(-(u + offset) // step) * step
            out.append((range(wall - offset, v + 1, step), offset))
            continue
        for day in range((u + offset) // DAY, (v + offset) // DAY + 1):
            base = day * DAY
            wall = base + -(-max(0, u + offset - base) // step) * step
            wall_last = min(base + DAY - 1, v + offset)
            if wall <= wall_last:
                out.append((range(wall - offset, wall_last - offset + 1, step), offset))


def _free_starts(cal, rules, lo: int, hi: int) -> list[tuple[range, int]]:
    """Every free, aligned start in [lo, hi) (ignoring OOO and cap) as (range, utc offset) runs."""
    duration, step = rules.duration * 60, rules.step * 60
    before, after = rules.buffer_before * 60, rules.buffer_after * 60
    extra_days = duration // DAY + 1
    pieces = _offset_pieces(cal.timezone, (lo // DAY - 3) * DAY, (hi // DAY + 4 + extra_days) * DAY)
    first_day = (lo + next(o for s, e, o in pieces if s <= lo < e)) // DAY - 1
    last_day = (hi + next(o for s, e, o in pieces if s <= hi < e)) // DAY + extra_days
    hours = cal.working_hours or DEFAULT_MEETING_HOURS
    # Reps who share a zone and hours share their spans (cached: pieces is itself cached).
    key = tuple((day, tuple(map(tuple, intervals))) for day, intervals in hours.items())
    spans = _spans_cached(key, pieces, first_day, last_day)
    block_starts, block_ends = _blocks(cal)
    n_blocks = len(block_ends)
    # A block [bs, be) forbids the starts t in the open interval (bs - duration - after,
    # be + before); sweep the sorted blocks once against the sorted spans.
    lead = duration + after
    found: list[tuple[range, int]] = []
    i = 0
    for span_start, span_end in spans:
        first, last = max(span_start, lo), min(span_end - duration, hi - 1)
        if first > last:
            continue
        while i < n_blocks and block_ends[i] + before <= first:
            i += 1
        j, x = i, first
        while x <= last:
            if j == n_blocks or block_starts[j] - lead >= last:
                _aligned(x, last, pieces, step, found)
                break
            y = math.floor(block_starts[j] - lead)
            if y >= x:
                _aligned(x, y, pieces, step, found)
            x = max(x, math.ceil(block_ends[j] + before))
            j += 1
    return found


def rep_slots(
    cal: RepCalendar, rules: SlotRules, *, now: datetime, start: datetime, end: datetime
) -> RepAvailability:
    """This rep's free slots in the window, or none and the reason (for the trace)."""
    if cal.error:
        return RepAvailability(cal.rep_id, (), f"calendar unreadable: {cal.error}")
    lo_dt, hi_dt = window(now, rules, start, end)
    lo, hi = math.ceil(lo_dt.timestamp()), math.ceil(hi_dt.timestamp())
    ooo = cal.out_of_office_until
    ooo_reason = f"out of office until {ooo.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if ooo else None
    if lo >= hi:
        return RepAvailability(cal.rep_id, (), "the window is empty after min notice and horizon")
    if ooo is not None and _ts(ooo) >= hi:
        return RepAvailability(cal.rep_id, (), ooo_reason)
    runs = _free_starts(cal, rules, lo, hi)
    if not any(run for run, _ in runs):
        return RepAvailability(cal.rep_id, (), "no free time in the window")
    if ooo is not None:
        ooo_ts = _ts(ooo)
        runs = [(run[bisect_left(run, ooo_ts) :], offset) for run, offset in runs]
        if not any(run for run, _ in runs):
            return RepAvailability(cal.rep_id, (), ooo_reason)
    if rules.max_per_day is None:
        starts = [t for run, _ in runs for t in run]
    else:
        zone = ZoneInfo(cal.timezone)
        naive_epoch = _EPOCH.replace(tzinfo=None)
        per_day = Counter(
            (start.astimezone(zone).replace(tzinfo=None) - naive_epoch).days
            for start, _ in cal.meetings
        )
        cap = rules.max_per_day
        starts = [t for run, off in runs for t in run if per_day[(t + off) // DAY] < cap]
        if not starts:
            return RepAvailability(
                cal.rep_id, (), f"daily cap reached ({cap}) on every day in the window"
            )
    duration = rules.duration
    return RepAvailability(cal.rep_id, tuple(_slot(t, duration) for t in starts), None)


def is_free(cal: RepCalendar, rules: SlotRules, *, now: datetime, slot_start: datetime) -> bool:
    """The booking re-check: the same code as display, over a one-second window at the slot."""
    found = rep_slots(cal, rules, now=now, start=slot_start, end=slot_start + timedelta(seconds=1))
    return any(start == slot_start for start, _ in found.slots)


def union(avails: Iterable[RepAvailability]) -> list[Slot]:
    """any_calendar / single_rep / round_robin: every rep's slots, each listing who is free."""
    free: dict[tuple[datetime, datetime], set[int]] = {}
    get = free.get
    for avail in avails:
        rep = avail.rep_id
        for slot in avail.slots:
            reps = get(slot)
            if reps is None:
                free[slot] = {rep}
            else:
                reps.add(rep)
    return [Slot(s, e, tuple(sorted(reps))) for (s, e), reps in sorted(free.items())]


def intersection(avails: Iterable[RepAvailability]) -> list[Slot]:
    """all_calendars: the slots every given rep is free at; none if any rep has none."""
    avails = list(avails)
    if not avails:
        return []
    common = set(avails[0].slots)
    for avail in avails[1:]:
        common &= set(avail.slots)
    reps = tuple(sorted({avail.rep_id for avail in avails}))
    return [Slot(s, e, reps) for s, e in sorted(common)]


def localize(slots: Iterable[Slot | tuple[datetime, datetime]], tz_name: str) -> list[dict]:
    """ISO 8601 with the lead's offset: [{"start", "end", "reps"}]."""
    zone = ZoneInfo(tz_name)
    out = []
    for slot in slots:
        start, end, reps = (
            (slot.start, slot.end, slot.reps) if isinstance(slot, Slot) else (*slot, ())
        )
        out.append(
            {
                "start": start.astimezone(zone).isoformat(),
                "end": end.astimezone(zone).isoformat(),
                "reps": list(reps),
            }
        )
    return out


def bench_case(reps: int = 50, days: int = 14, blocks_per_day: int = 4, runs: int = 7) -> dict:
    """Time the maths of an any-calendar availability: per-rep slots + union, in ms."""
    import random
    import time as clock

    rng = random.Random(12)
    zones = ("America/New_York", "Europe/Berlin", "Asia/Kolkata", "America/Los_Angeles", "UTC")
    now = datetime(2026, 3, 2, 12, 7, tzinfo=UTC)
    cals = []
    for rep in range(1, reps + 1):
        busy = []
        for day in range(days + 1):
            for _ in range(blocks_per_day):
                begin = now + timedelta(days=day, minutes=30 * rng.randrange(-16, 20))
                busy.append((begin, begin + timedelta(minutes=rng.choice((30, 45, 60)))))
        cals.append(RepCalendar(rep, zones[rep % len(zones)], {}, busy=tuple(busy)))
    rules = SlotRules(duration=30, buffer_after=10, max_per_day=6)
    start, end = window(now, rules)
    timings, count = [], 0
    _offset_pieces.cache_clear()
    for _ in range(runs):
        began = clock.perf_counter()
        slots = union(rep_slots(cal, rules, now=now, start=start, end=end) for cal in cals)
        timings.append((clock.perf_counter() - began) * 1000)
        count = len(slots)
    ordered = sorted(timings)
    return {
        "reps": reps,
        "days": days,
        "busy_blocks": reps * (days + 1) * blocks_per_day,
        "slots": count,
        "first_ms": round(timings[0], 2),
        "median_ms": round(ordered[len(ordered) // 2], 2),
    }


if __name__ == "__main__":
    print(bench_case())
