"""The live feed shows bookings, moves, cancels and no-shows: "meeting.updated" after
commit, with the re-rendered decision row and a note; the since endpoint brings the
rows of meetings already on the page up to date."""

from datetime import UTC, datetime, timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from calendars import actions as meetings
from knock.asgi import application
from routing import actions
from routing.models import Membership

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]
HEADERS = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
EVERY_DAY = {d: [["08:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def tomorrow(hour: int) -> datetime:
    day = datetime.now(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@database_sync_to_async
def _setup():
    workspace, _ = actions.create_workspace("Acme Inc")
    dana = actions.create_rep(
        workspace, name="Dana", email="dana@acme.test", working_hours=EVERY_DAY
    )
    rule = actions.create_rule(workspace, kind="meeting", name="Demo requests")
    actions.create_link(workspace, slug="demo", name="Demo", channel="Web", meeting_rule=rule)
    fallback = rule.segments.get(is_fallback=True)
    actions.update_segment(
        fallback, booking={"logic": "single_rep", "reps": [dana.id], "min_notice": 0}
    )
    user = get_user_model().objects.create_user("ops", password="pw", is_staff=True)
    Membership.objects.create(workspace=workspace, user=user)
    client = Client()
    client.force_login(user)
    return workspace, client


@database_sync_to_async
def _book(workspace, email="lee@bigco.com"):
    offer = meetings.offer(
        workspace,
        {"link": "demo", "lead": {"email": email}, "start": tomorrow(9), "end": tomorrow(12)},
    )
    slots = offer.availability.slots
    return meetings.book(
        workspace, offer.availability.id, datetime.fromisoformat(slots[0]["start"])
    ), slots


async def _connected(workspace, client):
    cookie = (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())
    socket = WebsocketCommunicator(
        application, f"/ws/workspaces/{workspace.id}/feed/", [*HEADERS, cookie]
    )
    connected, _ = await socket.connect()
    assert connected
    return socket


async def _next_of(socket, kind):
    while True:
        event = await socket.receive_json_from(timeout=3)
        if event["type"] == kind:
            return event


async def test_booking_and_cancel_arrive_with_the_row_and_a_note():
    workspace, client = await _setup()
    socket = await _connected(workspace, client)
    meeting, _ = await _book(workspace)
    created = await _next_of(socket, "decision.created")
    assert created["decision"]["kind"] == "meeting"
    assert "html" not in created  # the page fetches its rows, rendered for its viewer
    booked = await _next_of(socket, "meeting.updated")
    assert booked["change"] == "booked" and booked["meeting"]["status"] == "booked"
    assert booked["meeting"]["decision"] == meeting.decision_id
    assert booked["meeting"]["owner"]["name"] == "Dana" and booked["meeting"]["duration"] == 30

    await database_sync_to_async(meetings.cancel)(meeting, "Sick")
    cancelled = await _next_of(socket, "meeting.updated")
    assert cancelled["change"] == "cancelled" and cancelled["meeting"]["status"] == "cancelled"
    assert "html" not in cancelled
    assert 'data-change="cancelled"' in cancelled["note"] and "lee@bigco.com" in cancelled["note"]
    await socket.disconnect()


async def test_reschedule_and_no_show_arrive():
    workspace, client = await _setup()
    meeting, slots = await _book(workspace)
    socket = await _connected(workspace, client)
    new_start = datetime.fromisoformat(slots[2]["start"])
    await database_sync_to_async(meetings.reschedule)(meeting, new_start)
    moved = await _next_of(socket, "meeting.updated")
    assert moved["change"] == "rescheduled"
    assert datetime.fromisoformat(moved["meeting"]["start"]) == new_start

    @database_sync_to_async
    def happened_and_missed():
        from calendars.models import Meeting

        Meeting.objects.filter(pk=meeting.pk).update(start=timezone.now() - timedelta(hours=1))
        return meetings.no_show(Meeting.objects.get(pk=meeting.pk))

    await happened_and_missed()
    no_show = await _next_of(socket, "meeting.updated")
    assert no_show["change"] == "no_show" and no_show["meeting"]["status"] == "no_show"
    await socket.disconnect()


async def test_the_since_endpoint_refreshes_meeting_rows_already_on_the_page():
    workspace, client = await _setup()
    meeting, _ = await _book(workspace)
    await database_sync_to_async(meetings.cancel)(meeting)

    @database_sync_to_async
    def since(after):
        return client.get(f"/w/{workspace.id}/feed/since/?after={after}").json()

    caught_up = await since(meeting.decision_id)
    assert caught_up["decisions"] == []
    [row] = caught_up["updated"]  # the rows the page has, as they are now
    assert row["decision"] == meeting.decision_id and 'data-status="cancelled"' in row["html"]
    fresh = await since(0)  # a page that never saw it gets the row itself, cancelled
    assert 'data-status="cancelled"' in fresh["decisions"][0]["html"]
    assert fresh["updated"] == []
