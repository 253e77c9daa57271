"""Fixtures for the Google Calendar tests: the loopback fake, a key file for it, and
meetings on Google reps. Imported by the test_google_* modules."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from calendars import google_client
from calendars.actions import set_calendar
from calendars.backends import google as google_backend
from calendars.models import Meeting
from tests.fakes.google_calendar import FakeGoogleCalendar

from .conftest import ask, book


@pytest.fixture(autouse=True)
def fresh_google_state():
    """Tokens and free/busy answers are kept per process: every test starts clean."""
    google_client.forget_credentials()
    google_backend.clear_cache()
    yield
    google_client.forget_credentials()
    google_backend.clear_cache()


@pytest.fixture
def key_file(tmp_path):
    def write(info: dict) -> str:
        path = tmp_path / "service-account.json"
        path.write_text(json.dumps(info))
        return str(path)

    return write


@pytest.fixture(name="google")
def fake_google(settings, key_file):
    """The fake Google on 127.0.0.1, configured by env (GOOGLE_SERVICE_ACCOUNT_FILE and
    GOOGLE_CALENDAR_API_ENDPOINT, both as a deployment sets them)."""
    with FakeGoogleCalendar() as fake:
        settings.GOOGLE_SERVICE_ACCOUNT_FILE = key_file(fake.service_account())
        settings.GOOGLE_CALENDAR_API_ENDPOINT = fake.url
        yield fake


def on_google(*reps):
    for rep in reps:
        set_calendar(rep, {"backend": "google"})  # the calendar id is the rep's email
    return reps


def local_meeting_moved_to_google(api, owner) -> Meeting:
    """A meeting booked on a local calendar, then planned as if its owner's calendar
    were Google (for the HttpMockSequence tests, which script every HTTP answer)."""
    from calendars import google_events

    offer = ask(api).json()
    made = book(api, offer["id"], offer["slots"][0]["start"])
    assert made.status_code == 201, made.json()
    set_calendar(owner, {"backend": "google"})
    meeting = Meeting.objects.get(pk=made.json()["id"])
    meeting.calendar_backend = "google"
    meeting.save(update_fields=["calendar_backend"])
    with transaction.atomic():
        google_events.plan("meeting.booked", meeting=meeting, decision=meeting.decision)
    return meeting
