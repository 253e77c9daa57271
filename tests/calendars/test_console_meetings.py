"""The Meetings console pages: list and filters, a meeting's page, cancel, reschedule,
no-show. Bad input is a form error and writes nothing; another workspace's is a 404."""

# ruff: noqa: F811 - the fixtures imported from console_support are test arguments

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from calendars import actions as meetings
from calendars.models import Meeting
from outbox.models import Delivery
from routing import actions
from routing.models import Membership

from .conftest import tomorrow
from .console_support import booked, console, globex, w  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def state(meeting) -> tuple:
    meeting.refresh_from_db()
    return meeting.status, meeting.start, meeting.cancel_reason


def test_list_shows_the_meeting_and_filters(workspace, console, booked):
    ann, bob, meeting = booked["ann"], booked["bob"], booked["meeting"]
    page = console.get(w(workspace, "meetings/"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-meeting="{meeting.id}"' in html and "Lee" in html and "Ann" in html
    assert f'href="/w/{workspace.id}/meetings/"' in html  # the sidebar's "Meetings"

    by_owner = console.get(w(workspace, f"meetings/?rep={ann.id}&status=booked"))
    assert f'data-meeting="{meeting.id}"' in by_owner.content.decode()
    by_other = console.get(w(workspace, f"meetings/?rep={bob.id}"))
    assert f'data-meeting="{meeting.id}"' not in by_other.content.decode()
    cancelled = console.get(w(workspace, "meetings/?status=cancelled"))
    assert f'data-meeting="{meeting.id}"' not in cancelled.content.decode()
    day = tomorrow(0).date()
    on_day = console.get(w(workspace, f"meetings/?since={day}&until={day}"))
    assert f'data-meeting="{meeting.id}"' in on_day.content.decode()
    later = console.get(w(workspace, f"meetings/?since={day + timedelta(days=1)}"))
    assert f'data-meeting="{meeting.id}"' not in later.content.decode()
    link = meeting.link
    assert (
        f'data-meeting="{meeting.id}"'
        in console.get(w(workspace, f"meetings/?link={link.id}")).content.decode()
    )


@pytest.mark.parametrize(
    "query",
    [
        "rep=abc",
        "rep=999999",
        "status=lost",
        "since=2030-13-45",
        "link=x",
        "since=2030-02-02&until=2030-02-01",
    ],
)
def test_bad_filters_are_form_errors(workspace, console, booked, query, globex):
    page = console.get(w(workspace, f"meetings/?{query}"))
    assert page.status_code == 400
    html = page.content.decode()
    assert "errorlist" in html
    assert f'data-meeting="{booked["meeting"].id}"' not in html


def test_another_workspaces_rep_is_a_filter_error(workspace, console, booked, globex):
    page = console.get(w(workspace, f"meetings/?rep={globex['rep'].id}"))
    assert page.status_code == 400


def test_detail_shows_decision_trace_and_slots(workspace, console, booked):
    meeting = booked["meeting"]
    page = console.get(w(workspace, f"meetings/{meeting.id}/"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/w/{workspace.id}/decisions/{meeting.decision_id}/" in html
    assert 'data-testid="trace"' in html and 'data-testid="rep-entries"' in html
    assert "Booked" in html and "Asia/Tokyo" in html
    # Reschedule offers Ann's free times as radio buttons (never the meeting's own slot twice).
    assert 'name="start"' in html


def test_cancel_with_reason(workspace, console, booked):
    meeting = booked["meeting"]
    response = console.post(
        w(workspace, f"meetings/{meeting.id}/cancel/"), {"reason": "Lead asked to move it"}
    )
    assert response.status_code == 302
    assert state(meeting)[0] == "cancelled" and state(meeting)[2] == "Lead asked to move it"
    page = console.get(w(workspace, f"meetings/{meeting.id}/")).content.decode()
    assert "Cancelled" in page and "Lead asked to move it" in page


def test_cancel_reason_too_long_writes_nothing(workspace, console, booked):
    meeting = booked["meeting"]
    before = state(meeting)
    response = console.post(w(workspace, f"meetings/{meeting.id}/cancel/"), {"reason": "x" * 501})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    assert state(meeting) == before


def test_reschedule_to_a_free_slot(workspace, console, booked):
    meeting = booked["meeting"]
    new = tomorrow(14)
    response = console.post(
        w(workspace, f"meetings/{meeting.id}/reschedule/"), {"start": new.isoformat()}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert state(meeting)[1] == new


def test_the_booking_time_is_on_the_viewers_clock(workspace, console, booked):
    # The meeting's own times are on the owner's clock; when it was booked, like every
    # other instant of the console, is on the viewer's, with its zone.
    actions.set_viewer_time_zone(get_user_model().objects.get(username="ops"), "Asia/Tokyo")
    meeting = booked["meeting"]
    html = console.get(w(workspace, f"meetings/{meeting.id}/")).content.decode()
    local = meeting.created_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"<dt>Booked</dt><dd>{local:%H:%M:%S} JST</dd>" in html or (
        f"<dt>Booked</dt><dd>{local:%b} {local.day}, {local:%H:%M} JST</dd>" in html
    )


def test_reschedule_to_where_it_is_says_nothing_changed(workspace, console, booked):
    meeting = booked["meeting"]
    page = console.get(w(workspace, f"meetings/{meeting.id}/")).content.decode()
    offered = [datetime.fromisoformat(v) for v in re.findall(r'name="start" value="([^"]+)"', page)]
    assert offered and meeting.start not in offered  # its own time is not offered as a move
    before, deliveries = state(meeting), Delivery.objects.count()
    response = console.post(
        w(workspace, f"meetings/{meeting.id}/reschedule/"),
        {"start": meeting.start.isoformat()},
        follow=True,
    )
    assert response.status_code == 200
    assert "already: nothing changed" in response.content.decode()
    assert "Moved to" not in response.content.decode()
    assert state(meeting) == before and Delivery.objects.count() == deliveries


def test_reschedule_onto_a_busy_owner_is_a_409_with_fresh_slots(workspace, console, booked):
    meeting = booked["meeting"]
    meetings.add_busy(booked["ann"], start=tomorrow(14), end=tomorrow(15))
    before = state(meeting)
    response = console.post(
        w(workspace, f"meetings/{meeting.id}/reschedule/"), {"start": tomorrow(14).isoformat()}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "not free then" in html and 'name="start"' in html
    assert tomorrow(14).isoformat() not in html  # the busy time is not offered again
    assert state(meeting) == before


@pytest.mark.parametrize("start", ["", "tomorrow", "2030-01-07T09:00:00", "1990-01-01T09:00:00Z"])
def test_reschedule_bad_time_is_a_form_error(workspace, console, booked, start):
    meeting = booked["meeting"]
    before = state(meeting)
    response = console.post(w(workspace, f"meetings/{meeting.id}/reschedule/"), {"start": start})
    assert response.status_code == 400
    assert "form-error" in response.content.decode()
    assert state(meeting) == before


def test_reschedule_outside_the_window_is_a_form_error(workspace, console, booked):
    meeting = booked["meeting"]
    before = state(meeting)
    far = (tomorrow(9) + timedelta(days=400)).isoformat()
    response = console.post(w(workspace, f"meetings/{meeting.id}/reschedule/"), {"start": far})
    assert response.status_code == 400 and "Choose a start between" in response.content.decode()
    assert state(meeting) == before


def test_no_show_before_the_start_is_refused(workspace, console, booked):
    meeting = booked["meeting"]
    response = console.post(w(workspace, f"meetings/{meeting.id}/no-show/"))
    assert response.status_code == 400 and "has not started" in response.content.decode()
    assert state(meeting)[0] == "booked"


def test_no_show_once_started(workspace, console, booked):
    meeting = booked["meeting"]
    # Move it into the past directly: the actions (rightly) book only future slots.
    Meeting.objects.filter(pk=meeting.pk).update(
        start=meeting.start - timedelta(days=2), end=meeting.end - timedelta(days=2)
    )
    page = console.get(w(workspace, f"meetings/{meeting.id}/")).content.decode()
    assert "Mark as no-show" in page
    response = console.post(w(workspace, f"meetings/{meeting.id}/no-show/"))
    assert response.status_code == 302 and state(meeting)[0] == "no_show"


def test_other_workspace_meeting_is_a_404(console, booked, globex):
    meeting = booked["meeting"]
    other = globex["workspace"]
    outsider = get_user_model().objects.create_user("globex-ops", password="pw", is_staff=True)
    Membership.objects.create(workspace=other, user=outsider)
    client = Client()
    client.force_login(outsider)
    for path in ("", "cancel/", "reschedule/", "no-show/"):
        url = w(other, f"meetings/{meeting.id}/{path}")
        response = (
            client.post(url, {"start": tomorrow(14).isoformat()}) if path else client.get(url)
        )
        assert response.status_code == 404, path
    assert state(meeting)[0] == "booked"
    # And a workspace the user is no member of is a 404 as a whole.
    assert console.get(w(other, "meetings/")).status_code == 404
