"""Booking one offered slot, race-free (SPEC 5a).

1. Before any transaction: the availability, the slot, and the external
   calendars (Google) re-checked live, time-boxed, never under a lock.
2. One durable transaction: the candidate reps' rows are locked FOR UPDATE in
   id order (PostgreSQL; SQLite's IMMEDIATE transactions already serialise
   writers), their booked meetings and local busy blocks re-read under the lock
   and re-checked with the same `is_free` that built the slots (round robin also
   re-applies the rotation there: `_next_in_rotation`); then the Decision, the
   Meeting and its outbox plan commit together or not at all.
A slot taken meanwhile is a Conflict (409) carrying the slots still free.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from routing import events, seams
from routing.actions.errors import ActionError, NotFound
from routing.models import Decision, Rep, Workspace

from .. import availability as slots_maths
from .. import feed, lookup
from ..backends import CalendarError, get_backend
from ..models import Availability, Meeting
from .planning import slot_rules


class Conflict(ActionError):
    """The slot was taken meanwhile: 409 with the offered slots that are still free."""

    status_code = 409

    def __init__(self, message: str, slots: list[dict]):
        super().__init__({"detail": message, "slots": slots})
        self.slots = slots


class AlreadyBooked(ActionError):
    """The availability has booked its meeting already (a 400 naming it)."""

    def __init__(self, meeting_id: int):
        super().__init__({"availability": [
            f"This availability has booked a meeting already (meeting {meeting_id}); "
            "ask for availability again."
        ]})  # fmt: skip
        self.meeting_id = meeting_id


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _offered(availability: Availability, start: datetime) -> dict | None:
    return next((s for s in availability.slots if _parse(s["start"]) == start), None)


def _reps(workspace, rep_ids) -> dict[int, Rep]:
    qs = Rep.objects.filter(workspace=workspace, id__in=list(rep_ids))
    return {r.id: r for r in qs.select_related("calendar_connection")}


def free_reps(reps: list[Rep], booking: dict, start: datetime, *, now, external, exclude=None):
    """The reps free at `start`, by the same maths as the offer (local data read now)."""
    rules = slot_rules(booking)
    span = lookup.Span.around(start, start, booking)
    cals = lookup.calendars_for(reps, span, external=external, exclude_meeting=exclude)
    return [r for r in reps if slots_maths.is_free(cals[r.id], rules, now=now, slot_start=start)]


def fresh_slots(availability: Availability, *, now) -> list[dict]:
    """The availability's offered slots that are still free (for a 409); round robin:
    those a rep with the fewest upcoming meetings is free at, listing that rep."""
    round_robin = availability.logic == "round_robin"
    wanted = _round_robin_candidates(availability) if round_robin else availability.rep_ids
    reps = list(_reps(availability.workspace, wanted).values())
    if round_robin:
        reps = [r for r in reps if r.is_active]
    if not reps:
        return []
    rules = slot_rules(availability.booking)
    offered = [(_parse(s["start"]), s) for s in availability.slots]
    if not offered:
        return []
    lo, hi = offered[0][0], offered[-1][0] + timedelta(seconds=1)
    cals = lookup.calendars_for(reps, lookup.Span.around(lo, hi, availability.booking))
    avails = {
        r.id: {
            s for s, _ in slots_maths.rep_slots(cals[r.id], rules, now=now, start=lo, end=hi).slots
        }
        for r in reps
    }
    out = []
    for start, slot in offered:
        if round_robin:
            free = [r for r in reps if start in avails[r.id]]
            owner = _next_in_rotation([r.id for r in reps], free, slot["reps"][0], now)
            if owner is not None:
                out.append({**slot, "reps": [owner.id]})
            continue
        free = [rep_id for rep_id in slot["reps"] if start in avails.get(rep_id, ())]
        keep = len(free) == len(slot["reps"]) if availability.logic == "all_calendars" else free
        if keep:
            out.append({**slot, "reps": free})
    return _localized(out, availability.timezone)


def _round_robin_candidates(availability: Availability) -> list[int]:
    """The shown rep, then every rep the offer could have shown (booking re-applies
    the rotation over them all)."""
    shown = availability.rep_ids
    return list(dict.fromkeys([*shown, *availability.booking.get("candidates", [])]))


def _localized(slots: list[dict], tz: str) -> list[dict]:
    found = [
        slots_maths.Slot(_parse(s["start"]), _parse(s["end"]), tuple(s["reps"])) for s in slots
    ]
    return slots_maths.localize(found, tz)


def _lock(rep_ids) -> None:
    if connection.vendor == "postgresql":
        list(Rep.objects.select_for_update().filter(id__in=sorted(rep_ids)).order_by("id"))


def _choose(
    availability, reps: list[Rep], free: list[Rep], candidates: list[int], now
) -> tuple[Rep, list[Rep]]:
    """(owner, attendees) among the reps free at the slot (`reps`: every active candidate)."""
    logic = availability.logic
    by_id = {r.id: r for r in free}
    if logic == "all_calendars":
        if len(free) != len(candidates):
            raise LookupError
        ordered = [by_id[r] for r in candidates]
        return ordered[0], ordered
    if not free:
        raise LookupError
    if logic == "round_robin":
        owner = _next_in_rotation([r.id for r in reps], free, candidates[0], now)
        if owner is None:
            raise LookupError
        return owner, [owner]
    if logic == "any_calendar" and len(free) > 1:
        keys = lookup.rotation([r.id for r in free], now)
        owner = min(free, key=lambda r: keys[r.id])
        return owner, [owner]
    return free[0], [free[0]]


def _next_in_rotation(candidate_ids: list[int], free: list[Rep], shown_id, now) -> Rep | None:
    """Round robin (SPEC 5a): a rep with the fewest upcoming meetings of all the
    candidates, free or not, gets the meeting: the shown rep while they still are one,
    else the next such rep free at the slot; None (a 409: the lead asks again) when every
    rep with the fewest is busy then. Concurrent leads were all shown the same rep;
    handing the slot to any free rep instead gave a rep with more meetings a lead out of
    turn (16 leads over 4 reps: 5/4/4/3). `candidate_ids`: the reps the offer could have
    shown (with a slot in the lead's window), so a rep with no free time never blocks."""
    keys = lookup.rotation(candidate_ids, now)
    fewest = min(key[0] for key in keys.values())
    eligible = [r for r in free if keys[r.id][0] == fewest]
    shown = next((r for r in eligible if r.id == shown_id), None)
    if shown is not None:
        return shown
    return min(eligible, key=lambda r: keys[r.id], default=None)


def book(
    workspace: Workspace, availability_id, start: datetime, *, now=None, finalize=None
) -> Meeting:
    """Book `start` of an availability. `finalize(meeting)` runs inside the booking's
    transaction (the API records its Idempotency-Key answer there)."""
    began = time.perf_counter()
    now = now or timezone.now()
    availability = (
        Availability.objects.filter(workspace=workspace, id=availability_id)
        .select_related("lead", "link", "workspace")
        .first()
    )
    if availability is None:
        raise NotFound({"availability": ["No such availability in this workspace."]})
    if not availability.qualified:
        raise ActionError(
            {"availability": ["This lead was disqualified: no meeting can be booked."]}
        )
    if availability.expired(now):
        raise ActionError({"availability": ["This availability is older than an hour; ask again."]})
    slot = _offered(availability, start)
    if slot is None:
        raise ActionError({"start": ["Not one of the offered slots."]})
    candidates = list(slot["reps"])
    if availability.logic == "all_calendars":
        # Slots list reps by id; the owner of a group meeting is the first *listed* rep.
        candidates = [r for r in availability.rep_ids if r in candidates]
    elif availability.logic == "round_robin":
        candidates = list(dict.fromkeys([*candidates, *_round_robin_candidates(availability)]))
    reps = [r for r in _reps(workspace, candidates).values() if r.is_active]
    booking = availability.booking
    span = lookup.Span.around(start, start, booking)
    external = lookup.external_busy(reps, span)  # live, time-boxed, before any lock
    try:
        with transaction.atomic(durable=True):
            _not_booked_yet(availability)
            _lock(candidates)
            free = free_reps(reps, booking, start, now=now, external=external)
            try:
                owner, attendees = _choose(availability, reps, free, candidates, now)
            except LookupError:
                raise _Taken from None
            meeting = _write(availability, owner, attendees, start, free, began)
            if finalize is not None:
                finalize(meeting)
    except _Taken:
        raise Conflict(
            "This slot was taken meanwhile; pick another.", fresh_slots(availability, now=now)
        ) from None
    return meeting


def _not_booked_yet(availability: Availability) -> None:
    """An availability books one meeting: a second booking of it is a 400 naming the
    first (cancelled or not: the lead asks for availability again). In the booking's
    transaction: the availability's row is locked (before the reps', in id order), then
    its meeting read by a statement of its own, whose snapshot (READ COMMITTED) is taken
    after the lock was granted, so of two bookings of one offer the second sees the
    first's meeting. (One statement would not: a subquery of the locking SELECT reads the
    snapshot from before its wait.)"""
    list(Availability.objects.select_for_update().filter(pk=availability.pk).values("pk"))
    first = Meeting.objects.filter(availability=availability).values_list("id", flat=True)
    booked = first.order_by("id").first()
    if booked is not None:
        raise AlreadyBooked(booked)


class _Taken(Exception):
    """Rolls the booking transaction back; turned into a Conflict outside it."""


def _write(availability, owner, attendees, start, free, began) -> Meeting:
    booking = availability.booking
    end = start + timedelta(minutes=booking["duration"])
    names = ", ".join(r.name for r in attendees)
    outcome = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "owner": {"id": owner.id, "name": owner.name},
        "reps": [{"id": r.id, "name": r.name} for r in attendees],
        "free_at_booking": [r.id for r in free],
        "summary": f"Booked {start.astimezone(UTC):%Y-%m-%d %H:%M} UTC with {names} "
        f"(owner {owner.name}).",
    }
    trace = dict(availability.trace)
    trace["booking_outcome"] = outcome
    trace["lines"] = [*trace.get("lines", []), outcome["summary"]]
    via = "crm_owner_first" if availability.via == "crm_owner" else "segment"
    decision = Decision(
        workspace_id=availability.workspace_id,
        kind="meeting",
        lead=availability.lead,
        link=availability.link,
        rule_id=availability.rule_id,
        rule_name=availability.rule_name,
        rule_version=availability.rule_version,
        segment_id=availability.segment_id,
        segment_name=availability.segment_name,
        via=via,
        assignee_type="rep",
        rep=owner,
        assignee_name=owner.name,
        context=availability.context,
        trace=trace,
        duration_ms=round((time.perf_counter() - began) * 1000, 3),
    )
    decision.save(force_insert=True)
    backend_name = lookup.backend_name(owner)
    meeting = Meeting.objects.create(
        workspace_id=availability.workspace_id,
        lead=availability.lead,
        decision=decision,
        availability=availability,
        owner=owner,
        rule_id=availability.rule_id,
        segment_id=availability.segment_id,
        link=availability.link,
        start=start,
        end=end,
        calendar_backend=backend_name,
        crm_record_type=availability.crm_record_type,
        crm_record_id=availability.crm_record_id,
    )
    meeting.reps.set(attendees)
    _local_event(meeting, backend_name)
    seams.plan_outbox("meeting.booked", meeting=meeting, decision=decision)
    events.decision_created_on_commit(decision)
    feed.meeting_changed_on_commit(meeting, "booked")
    return meeting


def _local_event(meeting: Meeting, backend_name: str) -> None:
    """The event id on a local calendar now; an external calendar's event is a
    durable delivery (planned through the outbox), never I/O in this transaction."""
    try:
        backend = get_backend(backend_name)
    except CalendarError:
        return
    if not backend.external and backend.connected:
        meeting.calendar_event_ids = {str(meeting.owner_id): backend.create_event(meeting)}
        meeting.save(update_fields=["calendar_event_ids"])
