"""The public booking page of a Knock Link: email -> slots in the lead's zone grouped
by day -> book -> confirmation; disqualified, taken meanwhile and bad input."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from calendars import actions as meetings
from calendars.models import Availability, Meeting
from routing import actions
from routing.models import Lead

from .conftest import tomorrow

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def page(workspace, meeting_rule):
    return f"/l/{workspace.slug}/demo/book/"


@pytest.fixture
def ann(rep_factory, with_booking):
    ann = rep_factory("Ann")
    with_booking(logic="single_rep", reps=[ann.id], horizon_days=2)
    return ann


def ask(client, page, **data):
    body = {"email": "lee@bigco.com", "name": "Lee", "timezone": "Asia/Tokyo", **data}
    return client.post(page, body, **HTMX)


def starts(html: str) -> list[str]:
    return re.findall(r'name="start" value="([^"]+)"', html)


def test_link_page_offers_booking_only_with_a_meeting_rule(workspace, meeting_rule, page):
    client = Client()
    link_page = client.get(f"/l/{workspace.slug}/demo/").content.decode()
    assert f'href="{page}"' in link_page and "Book a meeting" in link_page
    actions.create_link(workspace, slug="chat-only", name="Chat", channel="Web")
    assert "Book a meeting" not in client.get(f"/l/{workspace.slug}/chat-only/").content.decode()
    assert client.get(f"/l/{workspace.slug}/chat-only/book/").status_code == 404
    assert client.get(f"/l/{workspace.slug}/nope/book/").status_code == 404


def test_book_end_to_end_in_the_leads_zone(workspace, page, ann):
    client = Client()
    first = client.get(page)
    assert first.status_code == 200 and 'name="timezone"' in first.content.decode()
    offered = ask(client, page, company="BigCo")
    assert offered.status_code == 200
    html = offered.content.decode()
    assert "Asia/Tokyo" in html and "<html" not in html  # an htmx partial
    slots = starts(html)
    assert slots and all(s.endswith("+09:00") for s in slots)
    days = offered.context["days"] + offered.context["later_days"]
    assert [d["date"] for d in days] == sorted({d["date"] for d in days})
    booked = client.post(
        f"/l/{workspace.slug}/demo/book/confirm/",
        {"availability": offered.context["availability"].id, "start": slots[0]},
        **HTMX,
    )
    assert booked.status_code == 200
    text = booked.content.decode()
    assert "You're booked" in text and "Ann" in text and "Asia/Tokyo" in text
    meeting = Meeting.objects.get()
    assert meeting.owner == ann and meeting.start.isoformat() != slots[0]  # stored in UTC
    assert meeting.start == datetime.fromisoformat(slots[0])
    assert meeting.lead.email == "lee@bigco.com" and meeting.lead.name == "Lee"
    local = meeting.start.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"{local:%H:%M}" in text


def test_without_javascript_the_steps_are_whole_pages(workspace, page, ann):
    client = Client()
    response = client.post(page, {"email": "lee@bigco.com", "timezone": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html and "UTC" in html  # default zone
    assert starts(html)[0].endswith("+00:00")


def test_slot_taken_meanwhile_shows_fresh_slots(workspace, page, ann):
    client = Client()
    offered = ask(client, page)
    slots = starts(offered.content.decode())
    availability = offered.context["availability"]
    # Someone else takes the first slot meanwhile.
    other = meetings.offer(
        workspace, {"link": "demo", "lead": {"email": "x@rival.com"}, "timezone": "UTC"}
    )
    meetings.book(workspace, other.availability.id, datetime.fromisoformat(slots[0]))
    response = client.post(
        f"/l/{workspace.slug}/demo/book/confirm/",
        {"availability": availability.id, "start": slots[0]},
        **HTMX,
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "just taken" in html and slots[0] not in starts(html) and starts(html)
    assert Meeting.objects.count() == 1


def test_a_second_submit_of_a_booked_form_shows_the_meeting(workspace, page, ann):
    client = Client()
    offered = ask(client, page)
    slots = starts(offered.content.decode())
    availability = offered.context["availability"]
    confirm = f"/l/{workspace.slug}/demo/book/confirm/"
    assert client.post(confirm, {"availability": availability.id, "start": slots[0]},
                       **HTMX).status_code == 200  # fmt: skip
    # Back, and another time picked on the same form: the meeting it booked, not two.
    again = client.post(confirm, {"availability": availability.id, "start": slots[1]}, **HTMX)
    html = again.content.decode()
    assert again.status_code == 200 and 'data-testid="already-booked"' in html
    meeting = Meeting.objects.get()
    local = meeting.start.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"{local:%H:%M}" in html and "You're booked" in html
    # Once that meeting is cancelled, the form asks for times again.
    meetings.cancel(meeting)
    third = client.post(confirm, {"availability": availability.id, "start": slots[1]}, **HTMX)
    assert third.status_code == 400 and "used already" in third.content.decode()
    assert 'value="lee@bigco.com"' in third.content.decode()
    assert Meeting.objects.count() == 1


def test_disqualified_lead_gets_a_polite_message_and_the_chat(
    workspace, page, meeting_rule, with_booking
):
    with_booking(logic="disqualified", reason="Too small")
    response = ask(Client(), page)
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="disqualified"' in html
    assert f'href="/l/{workspace.slug}/demo/"' in html and "Too small" not in html
    assert not starts(html)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"email": ""}, "This field is required"),
        ({"timezone": "Mars/Olympus"}, "Unknown time zone"),
        ({"name": "x" * 201}, "at most 200 characters"),
    ],
)
def test_bad_lead_input_is_a_form_message(workspace, page, ann, data, message):
    response = ask(Client(), page, **data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Availability.objects.exists() and not Lead.objects.exists()


@pytest.mark.parametrize(
    "start",
    ["", "soon", "2030-01-07T09:00:00", "2030-01-07T09:07:00+00:00"],
)
def test_bad_or_unknown_slot_is_a_form_message(workspace, page, ann, start):
    client = Client()
    offered = ask(client, page)
    response = client.post(
        f"/l/{workspace.slug}/demo/book/confirm/",
        {"availability": offered.context["availability"].id, "start": start},
        **HTMX,
    )
    assert response.status_code == 400
    assert "form-error" in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("availability", ["", "nope", "00000000-0000-0000-0000-000000000000"])
def test_unknown_availability_starts_over(workspace, page, ann, availability):
    response = Client().post(
        f"/l/{workspace.slug}/demo/book/confirm/",
        {"availability": availability, "start": tomorrow(9).isoformat()},
        **HTMX,
    )
    assert response.status_code == 400 and "start again" in response.content.decode()
    assert not Meeting.objects.exists()


def test_stale_availability_asks_again(workspace, page, ann):
    client = Client()
    offered = ask(client, page)
    availability = offered.context["availability"]
    Availability.objects.filter(pk=availability.pk).update(
        created_at=availability.created_at.replace(year=availability.created_at.year - 1)
    )
    response = client.post(
        f"/l/{workspace.slug}/demo/book/confirm/",
        {"availability": availability.id, "start": starts(offered.content.decode())[0]},
        **HTMX,
    )
    assert response.status_code == 400 and "older than an hour" in response.content.decode()
    assert 'value="lee@bigco.com"' in response.content.decode()
    assert not Meeting.objects.exists()


def test_another_links_availability_is_refused(workspace, page, ann, meeting_rule):
    actions.create_link(
        workspace, slug="other", name="Other", channel="Web", meeting_rule=meeting_rule
    )
    client = Client()
    offered = ask(client, f"/l/{workspace.slug}/other/book/")
    response = client.post(
        f"/l/{workspace.slug}/demo/book/confirm/",
        {
            "availability": offered.context["availability"].id,
            "start": starts(offered.content.decode())[0],
        },
        **HTMX,
    )
    assert response.status_code == 400 and not Meeting.objects.exists()


def test_forms_are_csrf_protected(workspace, page, ann):
    client = Client(enforce_csrf_checks=True)
    assert client.post(page, {"email": "lee@bigco.com"}).status_code == 403
    assert not Availability.objects.exists()
    get = client.get(page)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', get.content.decode())[1]
    ok = client.post(page, {"email": "lee@bigco.com", "csrfmiddlewaretoken": token})
    assert ok.status_code == 200 and Availability.objects.count() == 1
