"""Cancel, reschedule, no-show (SPEC 5a). Cancelled and no-show meetings free
their slot and stop counting as upcoming meetings for rotation."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from routing import seams
from routing.actions.errors import ActionError
from routing.booking import default_booking
from routing.models import Rep

from .. import availability as slots_maths
from .. import feed, lookup
from ..models import Meeting
from .booking import Conflict, _lock, free_reps
from .planning import slot_rules


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("decision").get(pk=meeting.pk)


def booking_of(meeting: Meeting) -> dict:
    """The booking rules a meeting was offered under (its availability), else the defaults."""
    if meeting.availability_id and meeting.availability is not None:
        return meeting.availability.booking
    return default_booking(duration=meeting.duration, slot_interval=meeting.duration)


@transaction.atomic
def cancel(meeting: Meeting, reason: str = "") -> Meeting:
    meeting = _locked(meeting)
    if meeting.status == "cancelled":
        return meeting  # idempotent: a retried cancel changes nothing
    if meeting.status != "booked":
        raise ActionError({"status": [f"A {meeting.status} meeting cannot be cancelled."]})
    meeting.status = "cancelled"
    meeting.cancel_reason = reason or ""
    meeting.save(update_fields=["status", "cancel_reason", "updated_at"])
    seams.plan_outbox("meeting.cancelled", meeting=meeting, decision=meeting.decision)
    feed.meeting_changed_on_commit(meeting, "cancelled")
    return meeting


@transaction.atomic
def no_show(meeting: Meeting, *, now=None) -> Meeting:
    now = now or timezone.now()
    meeting = _locked(meeting)
    if meeting.status == "no_show":
        return meeting
    if meeting.status != "booked":
        raise ActionError({"status": [f"A {meeting.status} meeting cannot be a no-show."]})
    if meeting.start > now:
        raise ActionError({"status": ["A meeting that has not started yet cannot be a no-show."]})
    meeting.status = "no_show"
    meeting.save(update_fields=["status", "updated_at"])
    seams.plan_outbox("meeting.no_show", meeting=meeting, decision=meeting.decision)
    feed.meeting_changed_on_commit(meeting, "no_show")
    return meeting


def reschedule(meeting: Meeting, start, *, now=None) -> Meeting:
    """Move a booked meeting, keeping its owner and attendees when they are free then."""
    now = now or timezone.now()
    if meeting.status != "booked":
        raise ActionError({"status": [f"A {meeting.status} meeting cannot be rescheduled."]})
    booking = booking_of(meeting)
    lo, hi = slots_maths.window(now, slot_rules(booking))
    if not lo <= start < hi:
        raise ActionError(
            {"start": [f"Choose a start between {lo:%Y-%m-%d %H:%M} and {hi:%Y-%m-%d %H:%M} UTC."]}
        )
    attendees = list(
        Rep.objects.filter(id__in=meeting.reps.values("id")).select_related("calendar_connection")
    )
    ids = sorted(r.id for r in attendees)
    span = lookup.Span.around(start, start, booking)
    external = lookup.external_busy(attendees, span)
    with transaction.atomic(durable=True):
        meeting = _locked(meeting)
        if meeting.status != "booked":
            raise ActionError({"status": [f"A {meeting.status} meeting cannot be rescheduled."]})
        _lock(ids)
        free = free_reps(attendees, booking, start, now=now, external=external, exclude=meeting.pk)
        if start == meeting.start:
            return meeting  # moved to where it is: nothing changes, nothing is sent
        if len(free) == len(attendees) and attendees:
            meeting.start = start
            meeting.end = start + timedelta(minutes=booking["duration"])
            meeting.save(update_fields=["start", "end", "updated_at"])
            seams.plan_outbox("meeting.rescheduled", meeting=meeting, decision=meeting.decision)
            feed.meeting_changed_on_commit(meeting, "rescheduled")
            return meeting
    busy = ", ".join(r.name for r in attendees if r not in free)
    raise Conflict(
        f"{busy or 'The owner'} is not free then; pick another time.",
        reschedule_slots(meeting, attendees, booking, now),
    )


def reschedule_slots(meeting, attendees, booking, now) -> list[dict]:
    """The slots every attendee is free at (their own meeting aside), in the lead's zone;
    not the meeting's own start (moving there is no move)."""
    rules = slot_rules(booking)
    lo, hi = slots_maths.window(now, rules)
    cals = lookup.calendars_for(
        attendees, lookup.Span.around(lo, hi, booking), exclude_meeting=meeting.pk
    )
    avails = [
        slots_maths.rep_slots(cals[r.id], rules, now=now, start=lo, end=hi) for r in attendees
    ]
    tz = meeting.availability.timezone if meeting.availability else "UTC"
    slots = [s for s in slots_maths.intersection(avails) if s.start != meeting.start]
    return slots_maths.localize(slots, tz)
