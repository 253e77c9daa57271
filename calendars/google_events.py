"""A meeting's Google Calendar event: planned in the booking's transaction, written by
durable outbox deliveries (kinds calendar.insert, calendar.patch, calendar.delete).

Only meetings whose owner's calendar is Google (Meeting.calendar_backend) get
one. The event is on the owner's calendar, written as the owner (domain-wide
delegation), with the lead and every attending rep invited (sendUpdates=all)
and a Google Meet link. Its id is derived from the meeting's id, so a retried
insert never makes a second event: Google's 409 means it is already there.

The handlers read the meeting when they run, not when they were planned: an
insert that runs after a reschedule writes the new time, and one that runs
after a cancel writes nothing (the delete already found nothing: 404 = gone).
Rate limits (403 rateLimitExceeded / userRateLimitExceeded, 429), 5xx and
time-outs are retried with backoff; 401, 404 (but on delete) and 400 are
permanent and shown on the delivery and on the owner's calendar connection.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

import outbox
from outbox.errors import DeliveryError
from outbox.models import Delivery

from .backends.base import CalendarError
from .models import CalendarConnection, Meeting

# google_client (google-api-python-client: ~0.7 s to import) loads when a delivery
# runs, not when the app starts (settings.KNOCK_OUTBOX_HANDLERS names the handlers).

INSERT, PATCH, DELETE = "calendar.insert", "calendar.patch", "calendar.delete"


def event_id_for(meeting: Meeting) -> str:
    """base32hex (a-v, 0-9), 5-1024 characters, unique per calendar: "knock", the
    meeting id, and a suffix keyed on this install's secret (two Knock installs
    writing to one calendar never collide, and ids are not guessable)."""
    message = f"knock-event:{meeting.workspace_id}:{meeting.pk}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return f"knock{meeting.pk}" + base64.b32hexencode(digest[:10]).decode().lower()


def _insert_key(meeting) -> str:
    return f"meeting:{meeting.pk}:{INSERT}"


def plan(event: str, **data) -> None:
    """The outbox planner (settings.KNOCK_OUTBOX_PLANNERS), inside the caller's transaction."""
    meeting = data.get("meeting")
    if meeting is None or meeting.calendar_backend != "google":
        return
    if event == "meeting.booked":
        _plan_insert(meeting, data.get("decision"))
    elif event in ("meeting.rescheduled", "meeting.cancelled"):
        insert = Delivery.objects.filter(
            workspace_id=meeting.workspace_id, key=_insert_key(meeting)
        ).first()
        if insert is None:
            return  # no event was ever planned for this meeting
        if event == "meeting.rescheduled":
            # One patch per move; each writes the meeting's time when it runs.
            key = f"meeting:{meeting.pk}:{PATCH}:{timezone.now().timestamp():.6f}"
            kind = PATCH
        else:
            key, kind = f"meeting:{meeting.pk}:{DELETE}", DELETE
        outbox.enqueue(
            meeting.workspace,
            kind=kind,
            key=key,
            backend="google",
            target=insert.target,
            payload={},
            decision=meeting.decision,
        )


def _plan_insert(meeting: Meeting, decision) -> None:
    owner = meeting.owner
    connection = CalendarConnection.objects.filter(rep=owner).first()
    calendar_id = (connection.calendar_id if connection else "") or owner.email
    event_id = event_id_for(meeting)
    meeting.calendar_event_ids = {str(owner.id): event_id}
    Meeting.objects.filter(pk=meeting.pk).update(calendar_event_ids=meeting.calendar_event_ids)
    outbox.enqueue(
        meeting.workspace,
        kind=INSERT,
        key=_insert_key(meeting),
        backend="google",
        target={
            "meeting": meeting.pk,
            "rep": owner.id,
            "calendar_id": calendar_id,
            "subject": owner.email or calendar_id,
            "event_id": event_id,
        },
        # A fresh Meet request per event (Google ignores a reused requestId).
        payload={"conference_request_id": uuid.uuid4().hex},
        decision=decision,
        fresh=True,
    )


# -- the body --------------------------------------------------------------------------
def _attendees(meeting: Meeting) -> list[dict]:
    lead = meeting.lead
    people = [{"email": lead.email, "displayName": lead.name or lead.email}]
    reps = sorted(meeting.reps.all(), key=lambda r: (r.id != meeting.owner_id, r.id))
    for rep in reps:
        person = {"email": rep.email, "displayName": rep.name}
        if rep.id == meeting.owner_id:
            person["responseStatus"] = "accepted"  # the organizer booked it
        people.append(person)
    return people


def _times(meeting: Meeting) -> dict:
    return {
        "start": {"dateTime": meeting.start.isoformat(), "timeZone": "UTC"},
        "end": {"dateTime": meeting.end.isoformat(), "timeZone": "UTC"},
    }


def event_body(meeting: Meeting, delivery: Delivery) -> dict:
    lead = meeting.lead
    owner = meeting.owner
    path = reverse(
        "console:decision", kwargs={"ws": meeting.workspace_id, "decision_id": meeting.decision_id}
    )
    return {
        "id": delivery.target["event_id"],
        "summary": f"{lead.name or lead.email} / {owner.name if owner else 'Knock'}",
        "description": (
            f"Booked through Knock Router for {lead.email}.\n"
            f"Routing decision: {settings.PUBLIC_URL}{path}"
        ),
        **_times(meeting),
        "attendees": _attendees(meeting),
        "guestsCanModify": False,
        "reminders": {"useDefault": True},
        "extendedProperties": {
            "private": {
                "knockMeeting": str(meeting.pk),
                "knockWorkspace": str(meeting.workspace_id),
            }
        },
        "conferenceData": {
            "createRequest": {
                "requestId": delivery.payload.get("conference_request_id") or uuid.uuid4().hex,
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
            }
        },
    }


# -- the handlers ----------------------------------------------------------------------
def _meeting(delivery: Delivery) -> Meeting | None:
    return (
        Meeting.objects.filter(pk=delivery.target.get("meeting"), workspace=delivery.workspace_id)
        .select_related("lead", "owner")
        .first()
    )


def _client(delivery: Delivery):
    from . import google_client
    from .backends.google import account_for

    try:
        account = account_for(delivery.workspace_id)
    except CalendarError as exc:
        raise _failed(delivery, google_client.GoogleError(str(exc))) from exc
    timeout = float(getattr(settings, "GOOGLE_EVENTS_TIMEOUT", 15.0))
    subject = delivery.target["subject"]
    return google_client.connect(account.info, subject, google_client.EVENTS_SCOPES, timeout)


def _failed(delivery: Delivery, error) -> DeliveryError:
    """A DeliveryError to raise; a permanent one also shows on the owner's connection."""
    if not error.retryable and delivery.target.get("rep"):
        CalendarConnection.objects.filter(rep_id=delivery.target["rep"]).update(
            last_error=f"{delivery.kind}: {error}"[:500], last_error_at=timezone.now()
        )
    return DeliveryError(str(error), permanent=not error.retryable, retry_after=error.retry_after)


def meet_link(event: dict) -> str:
    if event.get("hangoutLink"):
        return event["hangoutLink"]
    for point in (event.get("conferenceData") or {}).get("entryPoints") or []:
        if point.get("entryPointType") == "video" and point.get("uri"):
            return point["uri"]
    return ""


def _store(meeting: Meeting, event: dict) -> dict:
    link, html = meet_link(event), event.get("htmlLink", "")
    changes = {}
    if link:
        changes["meet_link"] = link[:500]
    if html:
        changes["calendar_link"] = html[:1000]
    if changes:
        Meeting.objects.filter(pk=meeting.pk).update(**changes)
    status = ((event.get("conferenceData") or {}).get("createRequest") or {}).get("status", {})
    return {"meet_link": link, "html_link": html, "conference": status.get("statusCode", "")}


def insert(delivery: Delivery) -> dict:
    from . import google_client

    meeting = _meeting(delivery)
    if meeting is None or meeting.status == "cancelled":
        return {"skipped": "the meeting was cancelled before its event was written"}
    client = _client(delivery)
    calendar_id, event_id = delivery.target["calendar_id"], delivery.target["event_id"]
    try:
        event = google_client.insert_event(client, calendar_id, event_body(meeting, delivery))
        duplicate = False
    except google_client.GoogleError as exc:
        if exc.status != 409:
            raise _failed(delivery, exc) from exc
        # Our id is already taken: an earlier attempt got through. Read it for the link.
        duplicate = True
        try:
            event = google_client.get_event(client, calendar_id, event_id)
        except google_client.GoogleError:
            event = {}
    return {"event_id": event_id, "duplicate": duplicate, **_store(meeting, event)}


def patch(delivery: Delivery) -> dict:
    from . import google_client

    meeting = _meeting(delivery)
    if meeting is None or meeting.status == "cancelled":
        return {"skipped": "the meeting was cancelled"}
    client = _client(delivery)
    calendar_id, event_id = delivery.target["calendar_id"], delivery.target["event_id"]
    body = {**_times(meeting), "attendees": _attendees(meeting)}
    try:
        event = google_client.patch_event(client, calendar_id, event_id, body)
    except google_client.GoogleError as exc:
        insert_done = Delivery.objects.filter(
            workspace_id=delivery.workspace_id, key=_insert_key(meeting), status=Delivery.DONE
        ).exists()
        if exc.status == 404 and not insert_done:
            # The insert has not run yet: it reads the meeting's new time when it does.
            return {"deferred": "the event is not written yet; its insert carries the time"}
        raise _failed(delivery, exc) from exc
    return {"event_id": event_id, **_store(meeting, event)}


def delete(delivery: Delivery) -> dict:
    from . import google_client

    client = _client(delivery)
    calendar_id, event_id = delivery.target["calendar_id"], delivery.target["event_id"]
    try:
        google_client.delete_event(client, calendar_id, event_id)
    except google_client.GoogleError as exc:
        if exc.status in (404, 410):
            return {"event_id": event_id, "already_gone": True}
        raise _failed(delivery, exc) from exc
    return {"event_id": event_id, "deleted": True}
