"""Reading reps' calendars for availability and booking.

The number of queries does not grow with the number of reps: one query for
the local busy blocks of every rep, one for their booked meetings, one for
rotation counts. External calendars (Google) are asked in a worker thread
and the caller waits at most CALENDAR_LOOKUP_TIMEOUT seconds; this is done
before any transaction opens, never under a lock. A calendar that cannot be
read makes its rep unavailable, with the reason (never "always free").
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, Q

from knock import request_gate
from routing.availability import parse_working_hours
from routing.models import Rep

from .availability import RepCalendar
from .backends import CalendarError, CalendarRef, get_backend
from .models import DEFAULT_BACKEND, Meeting

logger = logging.getLogger(__name__)

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()

Busy = dict[int, "list[tuple[datetime, datetime]] | str"]  # rep id -> intervals or an error


def backend_name(rep: Rep) -> str:
    connection = getattr(rep, "calendar_connection", None)
    return connection.backend if connection is not None else DEFAULT_BACKEND


def is_connected(rep: Rep) -> bool:
    """CRM owner first needs a connected calendar (SPEC 5a): local or google, not none."""
    return get_backend(backend_name(rep)).connected


def _ref(rep: Rep) -> CalendarRef:
    connection = getattr(rep, "calendar_connection", None)
    calendar_id = connection.calendar_id if connection else ""
    return CalendarRef(rep.id, calendar_id, rep.email, rep.workspace_id)


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="calendar-lookup")
        return _executor


def _ask(backend, refs, start, end) -> dict:
    try:
        return backend.busy(refs, start, end)
    except CalendarError as exc:
        return {ref.rep_id: exc for ref in refs}
    except Exception as exc:  # a bug in a client must not fail the lead
        logger.exception("calendar lookup on %s crashed", backend.name)
        error = CalendarError(f"{backend.name} lookup failed: {exc.__class__.__name__}")
        return {ref.rep_id: error for ref in refs}


def fetch_busy(
    reps: list[Rep], start: datetime, end: datetime, *, external: bool, live: bool = False
) -> Busy:
    """Busy intervals per rep from their calendars (external ones only if `external`).

    Reps are grouped by backend: each backend is asked once for all its reps.
    External backends run together in the worker pool under one time box (the
    backend's own, else CALENDAR_LOOKUP_TIMEOUT). `live`: no cached answers.
    """
    groups: dict[str, list[Rep]] = {}
    for rep in reps:
        groups.setdefault(backend_name(rep), []).append(rep)
    found: Busy = {}
    pending = []
    for name, members in groups.items():
        try:
            backend = get_backend(name)
        except CalendarError as exc:
            found.update({r.id: str(exc) for r in members})
            continue
        refs = [_ref(r) for r in members]
        if backend.external and not external:
            continue
        try:
            prepare = getattr(backend, "prepare", None)  # this thread: database reads allowed
            box = prepare(refs, live=live) if prepare else None
        except CalendarError as exc:
            found.update(_recorded(backend, {ref.rep_id: exc for ref in refs}))
            continue
        if not backend.external:
            found.update(_recorded(backend, _ask(backend, refs, start, end)))
            continue
        pending.append((backend, refs, box, _pool().submit(_ask, backend, refs, start, end)))
    default = float(getattr(settings, "CALENDAR_LOOKUP_TIMEOUT", 2.0))
    for backend, refs, box, future in pending:
        timeout = box or default
        try:
            with request_gate.outside():  # an external calendar's wait holds no place
                answers = future.result(timeout=timeout)
        except FutureTimeout:
            future.cancel()
            answers = {ref.rep_id: f"timeout after {timeout:g} s" for ref in refs}
        found.update(_recorded(backend, answers))
    return found


def _recorded(backend, answers: dict) -> Busy:
    answers = _errors_as_text(answers)
    try:
        if hasattr(backend, "record"):
            backend.record(answers)
    except Exception:  # keeping the last error is a nicety: it must not fail the lead
        logger.exception("recording calendar errors on %s failed", backend.name)
    return answers


def _errors_as_text(answers: dict) -> Busy:
    return {
        k: str(v) if isinstance(v, CalendarError | str) else list(v) for k, v in answers.items()
    }


def booked_meetings(
    rep_ids, start: datetime, end: datetime, *, exclude: int | None = None
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Booked meetings every rep attends that overlap [start, end): one query."""
    found: dict[int, list] = {r: [] for r in rep_ids}
    rows = Meeting.reps.through.objects.filter(
        rep_id__in=list(found),
        meeting__status="booked",
        meeting__start__lt=end,
        meeting__end__gt=start,
    )
    if exclude is not None:
        rows = rows.exclude(meeting_id=exclude)
    for rep_id, m_start, m_end in rows.values_list("rep_id", "meeting__start", "meeting__end"):
        found[rep_id].append((m_start, m_end))
    return found


@dataclass(frozen=True)
class Span:
    """The stretch whose busy time matters for a window: buffers and a day of
    margin either side, so daily caps see every meeting of the window's days."""

    start: datetime
    end: datetime

    @classmethod
    def around(cls, lo: datetime, hi: datetime, booking: dict) -> Span:
        before = timedelta(minutes=booking["buffer_before"] + booking["duration"])
        after = timedelta(minutes=booking["buffer_after"] + booking["duration"])
        return cls(lo - before - timedelta(days=1), hi + after + timedelta(days=1))


def calendars_for(
    reps: list[Rep],
    span: Span,
    *,
    external: Busy | None = None,
    exclude_meeting: int | None = None,
) -> dict[int, RepCalendar]:
    """Each rep's RepCalendar for the pure maths.

    `external`: busy time already fetched from external calendars (booking asks
    them before its transaction, then re-reads only the local data under lock).
    """
    busy = fetch_busy(reps, span.start, span.end, external=external is None)
    if external:
        busy.update({k: v for k, v in external.items() if k in {r.id for r in reps}})
    meetings = booked_meetings([r.id for r in reps], span.start, span.end, exclude=exclude_meeting)
    out = {}
    for rep in reps:
        blocks = busy.get(rep.id, [])
        error = blocks if isinstance(blocks, str) else None
        out[rep.id] = RepCalendar(
            rep_id=rep.id,
            timezone=rep.timezone or "UTC",
            working_hours=parse_working_hours(rep.working_hours),
            busy=tuple(blocks) if error is None else (),
            meetings=tuple(meetings[rep.id]),
            out_of_office_until=rep.out_of_office_until,
            error=error,
        )
    return out


def external_busy(reps: list[Rep], span: Span) -> Busy:
    """Only the external calendars (for booking's live re-check before its transaction)."""
    external = [r for r in reps if get_backend_safe(backend_name(r)).external]
    return fetch_busy(external, span.start, span.end, external=True, live=True) if external else {}


def get_backend_safe(name: str):
    try:
        return get_backend(name)
    except CalendarError:
        return get_backend("none")


def rotation(rep_ids, now: datetime) -> dict[int, tuple]:
    """Sort keys for rotation (SPEC 5a): fewest upcoming booked meetings, then the
    least recently booked, then id. Cancelled and no-show meetings do not count."""
    stats = {
        row["owner_id"]: row
        for row in Meeting.objects.filter(owner_id__in=list(rep_ids), status="booked")
        .values("owner_id")
        .annotate(upcoming=Count("id", filter=Q(start__gte=now)), last=Max("created_at"))
    }
    keys = {}
    for rep_id in rep_ids:
        row = stats.get(rep_id)
        upcoming = row["upcoming"] if row else 0
        last = row["last"].timestamp() if row and row["last"] else float("-inf")
        keys[rep_id] = (upcoming, last, rep_id)
    return keys
