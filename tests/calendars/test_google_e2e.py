"""Google Calendar end to end: the meeting API, the real google-api-python-client and
google-auth, and a fake Google on 127.0.0.1 (tests/fakes/google_calendar.py) whose
captured requests prove what reached Google. Deliveries run as the worker runs them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from calendars.models import CalendarConnection, GoogleSettings, Meeting
from outbox.models import Delivery
from tests.notifications.conftest import time_passes
from tests.tasks import run_tasks

from .conftest import MEETINGS, ask, book, tomorrow
from .google_support import fake_google, fresh_google_state, key_file, on_google  # noqa: F401

pytestmark = pytest.mark.django_db


def reasons(offer) -> dict:
    return {e["name"]: e["reason"] for e in offer["trace"]["booking"]["reps"]}


def calendar_deliveries(meeting_id) -> list[Delivery]:
    return list(Delivery.objects.filter(key__startswith=f"meeting:{meeting_id}:calendar."))


@pytest.fixture
def team(rep_factory, with_booking):
    ann, bob, gone = on_google(rep_factory("Ann"), rep_factory("Bob"), rep_factory("Gone"))
    with_booking(logic="any_calendar", reps=[ann.id, bob.id, gone.id])
    return ann, bob, gone


def test_a_booking_reaches_google(api, google, team):
    ann, bob, gone = team
    google.busy[ann.email] = [(tomorrow(9), tomorrow(10))]
    google.calendar_errors[gone.email] = "notFound"

    offer = ask(api, timezone="Europe/Paris").json()
    asked = google.calls_to("freeBusy")
    assert len(asked) == 1
    assert {i["id"] for i in asked[0].body["items"]} == {ann.email, bob.email, gone.email}
    why = reasons(offer)
    assert why["Gone"] == f"calendar unreadable: Google Calendar {gone.email}: notFound"
    assert why["Ann"] == why["Bob"] == "free"
    by_start = {s["start"]: s["reps"] for s in offer["slots"]}
    nine = tomorrow(9).astimezone(offer_tz(offer)).isoformat()
    ten = tomorrow(10).astimezone(offer_tz(offer)).isoformat()
    assert by_start[nine] == [bob.id] and sorted(by_start[ten]) == sorted([ann.id, bob.id])
    assert all(gone.id not in reps for reps in by_start.values())
    broken = CalendarConnection.objects.get(rep=gone)
    assert "notFound" in broken.last_error and broken.last_error_at is not None

    made = book(api, offer["id"], nine)
    assert made.status_code == 201, made.json()
    meeting = made.json()
    assert len(google.calls_to("freeBusy")) == 2  # the booking re-checked live
    assert google.calls_to("freeBusy")[1].body["items"] == [{"id": bob.email}]
    assert meeting["owner"]["id"] == bob.id and meeting["calendar"]["backend"] == "google"
    event_id = meeting["calendar"]["event_id"]
    assert event_id.startswith(f"knock{meeting['id']}")
    assert google.events == {}  # nothing is sent inside the booking's transaction

    run_tasks()
    [insert] = google.calls_to("events.insert")
    assert insert.path == f"/calendar/v3/calendars/{bob.email}/events"
    assert insert.subject == bob.email  # written as the owner (domain-wide delegation)
    assert insert.query["conferenceDataVersion"] == "1" and insert.query["sendUpdates"] == "all"
    assert insert.body["id"] == event_id
    assert [a["email"] for a in insert.body["attendees"]] == ["lead@bigco.com", bob.email]
    request = insert.body["conferenceData"]["createRequest"]
    assert request["conferenceSolutionKey"]["type"] == "hangoutsMeet" and request["requestId"]
    assert insert.body["start"]["dateTime"] == tomorrow(9).isoformat()
    shown = api.get(f"{MEETINGS}{meeting['id']}/").json()["calendar"]
    assert shown["event_id"] == event_id
    assert shown["meet_link"] == google.events[(bob.email, event_id)]["hangoutLink"]
    assert shown["link"].endswith(event_id)

    moved = api.post(
        f"{MEETINGS}{meeting['id']}/reschedule/", {"start": tomorrow(11).isoformat()}, format="json"
    )
    assert moved.status_code == 200, moved.json()
    run_tasks()
    [patch] = google.calls_to("events.patch")
    assert patch.path == f"/calendar/v3/calendars/{bob.email}/events/{event_id}"
    assert patch.body["start"]["dateTime"] == tomorrow(11).isoformat()
    assert patch.query["sendUpdates"] == "all"
    assert google.events[(bob.email, event_id)]["end"]["dateTime"] == tomorrow(11, 30).isoformat()

    cancelled = api.post(f"{MEETINGS}{meeting['id']}/cancel/", {"reason": "x"}, format="json")
    assert cancelled.status_code == 200, cancelled.json()
    run_tasks()
    [delete] = google.calls_to("events.delete")
    assert delete.path == f"/calendar/v3/calendars/{bob.email}/events/{event_id}"
    assert google.events == {} and (bob.email, event_id) in google.deleted
    done = {d.kind: d.status for d in calendar_deliveries(meeting["id"])}
    assert done == {"calendar.insert": "done", "calendar.patch": "done", "calendar.delete": "done"}


def offer_tz(offer):
    from zoneinfo import ZoneInfo

    return ZoneInfo(offer["timezone"])


def test_slots_may_come_from_the_cache_but_a_booking_asks_live(api, google, team):
    first = ask(api).json()
    ask(api, email="second@bigco.com")
    assert len(google.calls_to("freeBusy")) == 1  # the second offer was served from the cache
    for rep in team:  # meanwhile, everyone's day filled up in Google
        google.busy[rep.email] = [(tomorrow(9), tomorrow(12))]
    taken = book(api, first["id"], first["slots"][0]["start"])
    assert taken.status_code == 409, taken.json()
    assert taken.json()["slots"] == []
    live = google.calls_to("freeBusy")[1]
    assert {i["id"] for i in live.body["items"]} == {r.email for r in team}
    assert not Meeting.objects.exists()


def test_a_slow_google_is_time_boxed_per_workspace(
    api, google, workspace, rep_factory, with_booking
):
    (slow,) = on_google(rep_factory("Slow"))
    with_booking(logic="single_rep", reps=[slow.id])
    GoogleSettings.objects.create(workspace=workspace, lookup_timeout=0.3)
    google.delay_next("freeBusy", 2.0)
    offer = ask(api).json()
    assert offer["slots"] == []
    assert reasons(offer)["Slow"] == "calendar unreadable: timeout after 0.3 s"
    assert CalendarConnection.objects.get(rep=slow).last_error == "timeout after 0.3 s"


def test_a_pool_of_more_than_fifty_takes_several_requests(api, google, rep_factory, with_booking):
    reps = on_google(*[rep_factory() for _ in range(55)])
    with_booking(logic="any_calendar", reps=[r.id for r in reps])
    offer = ask(api).json()
    sizes = sorted(len(c.body["items"]) for c in google.calls_to("freeBusy"))
    assert sizes == [5, 50]
    assert all(reason == "free" for reason in reasons(offer).values())
    assert len(google.calls_to("token")) == 1


@pytest.fixture
def booked(api, google, team):
    """A meeting with Bob (Ann is busy at 09:00), its insert not run yet."""
    ann, bob, _ = team
    google.busy[ann.email] = [(tomorrow(9), tomorrow(10))]
    offer = ask(api).json()
    meeting = book(api, offer["id"], offer["slots"][0]["start"]).json()
    assert meeting["owner"]["id"] == bob.id
    return Meeting.objects.get(pk=meeting["id"])


@pytest.mark.parametrize(("status", "reason"), [(403, "rateLimitExceeded"), (500, "backendError")])
def test_a_failed_insert_is_retried_and_makes_one_event(google, booked, status, reason):
    google.fail_next("events.insert", status=status, reason=reason)
    run_tasks()
    [delivery] = [d for d in calendar_deliveries(booked.pk) if d.kind == "calendar.insert"]
    assert delivery.status == Delivery.PENDING and delivery.attempts == 1
    assert f"{status} {reason}" in delivery.last_error
    time_passes()
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.DONE and delivery.attempts == 2
    assert len(google.calls_to("events.insert")) == 2 and len(google.events) == 1


def test_an_insert_whose_answer_was_lost_is_not_made_twice(google, booked):
    event_id = booked.calendar_event_ids[str(booked.owner_id)]
    calendar_id = booked.owner.email
    google.events[(calendar_id, event_id)] = {"id": event_id, "hangoutLink": "https://meet/x"}
    run_tasks()
    [delivery] = [d for d in calendar_deliveries(booked.pk) if d.kind == "calendar.insert"]
    assert delivery.status == Delivery.DONE and delivery.result["duplicate"] is True
    assert len(google.events) == 1
    booked.refresh_from_db()
    assert booked.meet_link == "https://meet/x"


def test_no_delegation_is_permanent_and_shown_on_the_owner(google, booked):
    google.refused_subjects.add(booked.owner.email)
    run_tasks()
    [delivery] = [d for d in calendar_deliveries(booked.pk) if d.kind == "calendar.insert"]
    assert delivery.status == Delivery.FAILED and delivery.attempts == 1
    assert "unauthorized_client" in delivery.last_error
    connection = CalendarConnection.objects.get(rep=booked.owner)
    assert "unauthorized_client" in connection.last_error
    assert google.events == {}


def test_a_cancel_before_the_insert_ran_leaves_no_event(api, google, booked):
    cancelled = api.post(f"{MEETINGS}{booked.pk}/cancel/", {}, format="json")
    assert cancelled.status_code == 200
    run_tasks()
    kinds = {d.kind: (d.status, d.result) for d in calendar_deliveries(booked.pk)}
    assert kinds["calendar.delete"][0] == "done" and kinds["calendar.insert"][0] == "done"
    assert "skipped" in kinds["calendar.insert"][1]
    assert google.events == {} and google.calls_to("events.insert") == []


def test_without_a_service_account_google_reps_are_unavailable(api, settings, team):
    settings.GOOGLE_SERVICE_ACCOUNT_FILE = ""
    offer = ask(api).json()
    assert offer["slots"] == []
    assert all("not configured" in reason for reason in reasons(offer).values())


def test_meetings_of_a_day_keep_their_times_in_utc_for_google(api, google, team):
    """The event's times are UTC instants whatever the lead's time zone."""
    offer = ask(api, timezone="America/Los_Angeles").json()
    meeting = book(api, offer["id"], offer["slots"][-1]["start"]).json()
    run_tasks()
    [insert] = google.calls_to("events.insert")
    start = Meeting.objects.get(pk=meeting["id"]).start
    assert insert.body["start"] == {"dateTime": start.isoformat(), "timeZone": "UTC"}
    assert insert.body["end"]["dateTime"] == (start + timedelta(minutes=30)).isoformat()


def test_a_booking_on_the_public_page_reaches_google(workspace, google, team):
    """Issue 13's "done when": the public page's booking, proven by what Google got."""
    from django.test import Client

    ann, bob, gone = team
    google.calendar_errors[gone.email] = "notFound"
    google.busy[bob.email] = [(tomorrow(0), tomorrow(23, 59))]  # only Ann is free tomorrow
    client, page = Client(), f"/l/{workspace.slug}/demo/book/"
    offered = client.post(page, {"email": "lee@bigco.com", "name": "Lee", "timezone": "Asia/Tokyo"})
    assert offered.status_code == 200
    [asked] = google.calls_to("freeBusy")
    assert {i["id"] for i in asked.body["items"]} == {ann.email, bob.email, gone.email}
    availability = offered.context["availability"]
    assert reasons({"trace": availability.trace})["Gone"].endswith(f"{gone.email}: notFound")
    start = tomorrow(10).astimezone(offer_tz({"timezone": "Asia/Tokyo"})).isoformat()
    assert f'name="start" value="{start}"' in offered.content.decode()
    booked = client.post(page + "confirm/", {"availability": availability.id, "start": start})
    assert booked.status_code == 200 and "Ann" in booked.content.decode()
    meeting = Meeting.objects.get()
    run_tasks()
    [insert] = google.calls_to("events.insert")
    assert insert.path == f"/calendar/v3/calendars/{ann.email}/events"
    assert insert.body["id"] == meeting.calendar_event_ids[str(ann.id)]
    assert [a["email"] for a in insert.body["attendees"]] == ["lee@bigco.com", ann.email]
    assert insert.body["conferenceData"]["createRequest"]["conferenceSolutionKey"] == {
        "type": "hangoutsMeet"
    }
