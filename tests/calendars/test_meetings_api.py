"""The meeting API (SPEC 8b) end to end over HTTP: happy paths and every bad input."""

from datetime import timedelta

import pytest

from calendars.models import Availability, BusyBlock, CalendarConnection, Meeting
from routing import actions
from routing.models import Decision, IdempotencyRecord, Lead

from .conftest import AVAILABILITY, MEETINGS, ask, book, tomorrow, window

pytestmark = pytest.mark.django_db


def written() -> dict:
    return {
        "availabilities": Availability.objects.count(),
        "meetings": Meeting.objects.count(),
        "decisions": Decision.objects.count(),
        "leads": Lead.objects.count(),
        "busy": BusyBlock.objects.count(),
        "idempotency": IdempotencyRecord.objects.count(),
        "calendars": CalendarConnection.objects.count(),
    }


@pytest.fixture
def two_reps(rep_factory, with_booking):
    ann, bob = rep_factory("Ann"), rep_factory("Bob")
    with_booking(logic="round_robin", reps=[ann.id, bob.id])
    return ann, bob


def test_availability_book_cancel(api, two_reps):
    ann, _ = two_reps
    response = ask(api, timezone="Europe/Berlin")
    assert response.status_code == 200, response.json()
    offer = response.json()
    assert offer["qualified"] is True and offer["logic"] == "round_robin"
    assert offer["via"] == "segment" and offer["segment"]["name"] == "Fallback"
    assert offer["duration"] == 30 and offer["timezone"] == "Europe/Berlin"
    # 09:00-12:00 UTC is 10:00-13:00 in Berlin (UTC+1 in winter, +2 in summer).
    assert len(offer["slots"]) == 6
    assert offer["slots"][0]["start"].endswith(("+01:00", "+02:00"))
    assert offer["slots"][0]["reps"] == [ann.id]
    assert [e["offered"] for e in offer["trace"]["booking"]["reps"]] == [True, False]

    made = book(api, offer["id"], offer["slots"][0]["start"])
    assert made.status_code == 201, made.json()
    meeting = made.json()
    assert meeting["status"] == "booked" and meeting["owner"] == {"id": ann.id, "name": "Ann"}
    assert meeting["reps"] == [{"id": ann.id, "name": "Ann"}]
    assert meeting["calendar"] == {
        "backend": "local",
        "event_id": f"knock-meeting-{meeting['id']}",
        "meet_link": "",
        "link": "",
    }
    assert meeting["start"] == offer["slots"][0]["start"]
    decision = Decision.objects.get(pk=meeting["decision"])
    assert decision.kind == "meeting" and decision.rep_id == ann.id
    assert decision.trace["booking_outcome"]["owner"]["id"] == ann.id

    listed = api.get(f"{MEETINGS}?status=booked&rep={ann.id}").json()
    assert [m["id"] for m in listed["results"]] == [meeting["id"]]
    assert api.get("/api/v1/decisions/?kind=meeting").json()["results"][0]["id"] == decision.id

    cancelled = api.post(f"{MEETINGS}{meeting['id']}/cancel/", {"reason": "Busy"}, format="json")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["cancel_reason"] == "Busy"
    # Idempotent, and the slot is free again for the next lead.
    assert api.post(f"{MEETINGS}{meeting['id']}/cancel/").json()["status"] == "cancelled"
    again = ask(api, email="other@bigco.com").json()
    assert again["slots"][0]["start"].startswith(tomorrow(9).strftime("%Y-%m-%dT09:00"))


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"start": tomorrow(12).isoformat(), "end": tomorrow(9).isoformat()}, "end"),
        ({"start": "tomorrow at nine", "end": tomorrow(12).isoformat()}, "start"),
        ({"start": "2030-01-01T09:00:00", "end": tomorrow(12).isoformat()}, "start"),
        ({"start": (tomorrow(9) + timedelta(days=30)).isoformat(), "end": None}, "start"),
        ({"lead": {"email": "not-an-email"}}, "lead"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_availability_requests_are_400_and_write_nothing(api, two_reps, extra, field):
    before = written()
    body = {"link": "demo", "lead": {"email": "lead@bigco.com"}, **window(), **extra}
    body = {k: v for k, v in body.items() if v is not None}
    response = api.post(AVAILABILITY, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert written() == before


def test_unknown_link_is_a_404(api, two_reps):
    response = api.post(AVAILABILITY, {"link": "nope", "lead": {"email": "a@b.co"}}, format="json")
    assert response.status_code == 404 and "link" in response.json()


def test_booking_bad_inputs(api, other_api, two_reps):
    offer = ask(api).json()
    before = written()
    not_offered = tomorrow(9, 10).isoformat()
    assert book(api, offer["id"], not_offered).status_code == 400
    assert book(api, offer["id"], "2030-01-01T09:00:00").status_code == 400  # naive
    assert book(api, offer["id"], "soon").status_code == 400
    assert (
        book(api, "3b0f3b5e-7d1c-4c55-9a55-3d9b7c8b1a11", offer["slots"][0]["start"]).status_code
        == 404
    )
    assert book(api, "not-a-uuid", offer["slots"][0]["start"]).status_code == 400
    # Another workspace's availability is a 404, never a booking.
    assert book(other_api, offer["id"], offer["slots"][0]["start"]).status_code == 404
    # Older than an hour: 400.
    Availability.objects.filter(pk=offer["id"]).update(created_at=tomorrow(0) - timedelta(days=2))
    response = book(api, offer["id"], offer["slots"][0]["start"])
    assert response.status_code == 400 and "availability" in response.json()
    assert written() == before


def test_disqualified_lead(api, with_booking):
    with_booking(logic="disqualified", reason="Not a fit")
    offer = ask(api).json()
    assert offer["qualified"] is False and offer["slots"] == []
    assert "Not a fit" in offer["reason"]
    before = written()
    response = book(api, offer["id"], tomorrow(9).isoformat())
    assert response.status_code == 400 and "availability" in response.json()
    assert written() == before


def test_a_taken_slot_is_a_409_with_fresh_slots(api, rep_factory, with_booking):
    dana = rep_factory("Dana")
    with_booking(logic="single_rep", reps=[dana.id])
    first, second = ask(api, email="a@bigco.com").json(), ask(api, email="b@bigco.com").json()
    slot = first["slots"][0]["start"]
    assert book(api, first["id"], slot).status_code == 201
    before = written()
    response = book(api, second["id"], slot)
    assert response.status_code == 409
    fresh = response.json()["slots"]
    assert slot not in [s["start"] for s in fresh] and len(fresh) == 5
    assert written() == before
    assert book(api, second["id"], fresh[0]["start"]).status_code == 201


def test_an_availability_books_one_meeting(api, two_reps):
    offer = ask(api).json()
    first = book(api, offer["id"], offer["slots"][0]["start"])
    assert first.status_code == 201
    meeting = first.json()["id"]
    before = written()
    again = book(api, offer["id"], offer["slots"][1]["start"])
    assert again.status_code == 400
    assert again.json() == {"availability": [
        f"This availability has booked a meeting already (meeting {meeting}); "
        "ask for availability again."
    ]}  # fmt: skip
    assert written() == before
    # Cancelled, the meeting still used the offer up: the lead asks again.
    assert api.post(f"{MEETINGS}{meeting}/cancel/", {}, format="json").status_code == 200
    assert book(api, offer["id"], offer["slots"][1]["start"]).status_code == 400
    fresh = ask(api).json()
    assert book(api, fresh["id"], fresh["slots"][1]["start"]).status_code == 201


def test_idempotency_key_replays_the_first_booking(api, two_reps):
    offer = ask(api).json()
    slot = offer["slots"][0]["start"]
    first = book(api, offer["id"], slot, HTTP_IDEMPOTENCY_KEY="k-1")
    again = book(api, offer["id"], slot, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Meeting.objects.count() == 1
    other = book(api, offer["id"], offer["slots"][1]["start"], HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422


def test_meetings_of_another_workspace_are_404(api, other_api, two_reps):
    offer = ask(api).json()
    meeting = book(api, offer["id"], offer["slots"][0]["start"]).json()
    for url in (f"{MEETINGS}{meeting['id']}/", f"{MEETINGS}{meeting['id']}/cancel/"):
        method = other_api.get if url.endswith(f"{meeting['id']}/") else other_api.post
        assert method(url).status_code == 404
    assert other_api.get(MEETINGS).json()["results"] == []


@pytest.mark.parametrize(
    "query", ["status=maybe", "rep=abc", "start_after=yesterday", "start_before=2030-01-01T00:00"]
)
def test_bad_meeting_filters_are_400(api, query):
    assert api.get(f"{MEETINGS}?{query}").status_code == 400


def test_an_unknown_meeting_filter_is_400_naming_it(api, two_reps):
    response = api.get(MEETINGS, {"owner": "3", "status": "booked"})
    assert response.status_code == 400
    assert response.json() == {"owner": ["Unknown query parameter."]}
    assert api.get(MEETINGS, {"status": "booked", "limit": "5"}).status_code == 200


def test_reschedule_and_no_show(api, rep_factory, with_booking):
    dana = rep_factory("Dana")
    with_booking(logic="single_rep", reps=[dana.id])
    offer = ask(api).json()
    meeting = book(api, offer["id"], offer["slots"][0]["start"]).json()
    url = f"{MEETINGS}{meeting['id']}"
    moved = api.post(f"{url}/reschedule/", {"start": tomorrow(14).isoformat()}, format="json")
    assert moved.status_code == 200, moved.json()
    assert (
        moved.json()["start"] == tomorrow(14).isoformat() and moved.json()["owner"]["id"] == dana.id
    )
    # The owner is busy at 16:00: a 409 with the owner's free slots.
    actions_block = {"start": tomorrow(16).isoformat(), "end": tomorrow(17).isoformat()}
    assert (
        api.post(f"/api/v1/reps/{dana.id}/busy/", actions_block, format="json").status_code == 201
    )
    busy = api.post(f"{url}/reschedule/", {"start": tomorrow(16).isoformat()}, format="json")
    assert busy.status_code == 409 and busy.json()["slots"]
    assert Meeting.objects.get(pk=meeting["id"]).start == tomorrow(14)
    far = api.post(f"{url}/reschedule/", {"start": tomorrow(9).replace(year=2099).isoformat()},
                   format="json")  # fmt: skip
    assert far.status_code == 400 and "start" in far.json()
    # Not started yet: no no-show.
    assert api.post(f"{url}/no-show/").status_code == 400
    Meeting.objects.filter(pk=meeting["id"]).update(start=tomorrow(0) - timedelta(days=2))
    assert api.post(f"{url}/no-show/").json()["status"] == "no_show"


def test_rep_calendar_and_busy_blocks(api, other_api, rep_factory):
    dana = rep_factory("Dana")
    url = f"/api/v1/reps/{dana.id}/"
    assert api.get(url).json()["calendar"] == {"backend": "local", "calendar_id": ""}
    body = {"calendar": {"backend": "google", "calendar_id": "dana@acme.com"}}
    assert api.patch(url, body, format="json").json()["calendar"] == body["calendar"]
    before = written()
    for bad in ({"backend": "outlook"}, {"backend": "local", "colour": 1}, "local",
                {"backend": {"a": 1}}, {"backend": ["local"]}):  # fmt: skip
        response = api.patch(url, {"calendar": bad, "name": "Renamed"}, format="json")
        assert response.status_code == 400 and "calendar" in response.json()
    assert api.get(url).json()["name"] == "Dana" and written() == before

    busy_url = f"/api/v1/reps/{dana.id}/busy/"
    block = {"start": tomorrow(9).isoformat(), "end": tomorrow(10).isoformat(), "title": "Dentist"}
    made = api.post(busy_url, block, format="json")
    assert made.status_code == 201 and made.json()["title"] == "Dentist"
    assert [b["id"] for b in api.get(busy_url).json()["results"]] == [made.json()["id"]]
    for bad in (
        {"start": tomorrow(10).isoformat(), "end": tomorrow(9).isoformat()},
        {"start": "2030-01-01T09:00:00", "end": tomorrow(9).isoformat()},
    ):
        assert api.post(busy_url, bad, format="json").status_code == 400
    # An offset PostgreSQL could not store (beyond +-15:59) is read as its instant.
    far = {"start": "2030-01-01T09:00:00-19:30", "end": "2030-01-01T10:00:00-19:30"}
    kept = api.post(busy_url, far, format="json")
    assert kept.status_code == 201, kept.json()
    assert BusyBlock.objects.get(pk=kept.json()["id"]).start.isoformat() == (
        "2030-01-02T04:30:00+00:00"
    )
    assert api.delete(f"/api/v1/busy/{kept.json()['id']}/").status_code == 204
    assert other_api.get(busy_url).status_code == 404
    assert other_api.delete(f"/api/v1/busy/{made.json()['id']}/").status_code == 404
    assert api.delete(f"/api/v1/busy/{made.json()['id']}/").status_code == 204
    assert BusyBlock.objects.count() == 0


def test_simulate_a_meeting_rule_writes_nothing(api, two_reps, meeting_rule):
    before = written()
    body = {"lead": {"email": "sim@bigco.com"}, **window()}
    response = api.post(f"/api/v1/rules/{meeting_rule.id}/simulate/", body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["simulated"] is True and data["id"] is None and len(data["slots"]) == 6
    assert written() == before
    bad = api.post(f"/api/v1/rules/{meeting_rule.id}/simulate/", {"lead": {"email": "x@y.co"},
                   "timezone": "Nowhere/Land"}, format="json")  # fmt: skip
    assert bad.status_code == 400


def test_simulate_a_chat_rule_keeps_routing_behaviour(api, workspace, rep_factory):
    rep_factory("Dana")
    rule = actions.create_rule(workspace, kind="chat", name="Chat")
    response = api.post(f"/api/v1/rules/{rule.id}/simulate/", {"lead": {"email": "a@b.co"}},
                        format="json")  # fmt: skip
    assert response.status_code == 200 and response.json()["assignee"]["type"] == "rep"


def test_the_default_meeting_rule_books_the_default_rep(api, workspace, rep_factory):
    body = {"lead": {"email": "lead@bigco.com"}, **window()}
    empty = api.post(AVAILABILITY, body, format="json").json()
    assert empty["qualified"] is False and "no active rep" in empty["reason"]
    first, dana = rep_factory("Adam"), rep_factory("Dana")
    offer = api.post(AVAILABILITY, body, format="json").json()
    # min notice 120 minutes still applies; tomorrow 09:00-12:00 is always later.
    assert offer["qualified"] is True and offer["slots"][0]["reps"] == [first.id]
    actions.update_workspace(workspace, default_rep=dana.id)
    offer = api.post(AVAILABILITY, body, format="json").json()
    assert offer["slots"][0]["reps"] == [dana.id]


def test_simulate_a_meeting_rules_draft(api, two_reps, meeting_rule):
    """The draft books hour-long meetings with Ann alone; the live rule half hours
    with both. Simulating the draft offers its slots and writes nothing."""
    from routing.actions import drafts

    ann, _ = two_reps
    fallback = meeting_rule.segments.get(is_fallback=True)
    drafts.start_draft(meeting_rule)
    drafts.update_draft_segment(
        meeting_rule,
        fallback.id,
        booking={"logic": "round_robin", "reps": [ann.id], "duration": 60, "min_notice": 0},
    )
    before = written()
    body = {"lead": {"email": "sim@bigco.com"}, **window(), "version": "draft"}
    response = api.post(f"/api/v1/rules/{meeting_rule.id}/simulate/", body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["rule"]["draft"] is True and data["rule"]["version"] is None
    assert data["duration"] == 60 and len(data["slots"]) == 3
    assert {rep for slot in data["slots"] for rep in slot["reps"]} == {ann.id}
    assert data["trace"]["rule"]["selected_because"] == "simulation of this rule's draft"
    live = api.post(f"/api/v1/rules/{meeting_rule.id}/simulate/", {**body, "version": None},
                    format="json")  # fmt: skip
    assert live.status_code == 400 and "version" in live.json()
    body.pop("version")
    live = api.post(f"/api/v1/rules/{meeting_rule.id}/simulate/", body, format="json").json()
    assert live["duration"] == 30 and len(live["slots"]) == 6 and live["rule"]["draft"] is False
    assert written() == before


def test_a_meetings_segment_keeps_its_name_with_a_null_id_once_deleted(
    api, rep_factory, meeting_rule
):
    """As a decision's recorded references (found by `make fuzz` on a meeting whose
    rule had been deleted: the schema said the segment's id was never null)."""
    ann = rep_factory("Ann")
    segment = actions.add_segment(
        meeting_rule,
        name="Everyone",
        conditions={"field": "lead.email", "op": "exists"},
        booking={"logic": "single_rep", "reps": [ann.id], "min_notice": 0},
    )
    offer = ask(api).json()
    meeting = book(api, offer["id"], offer["slots"][0]["start"]).json()
    assert meeting["segment"] == {"id": segment.id, "name": "Everyone"}
    actions.delete_segment(segment)
    again = api.get(f"{MEETINGS}{meeting['id']}/").json()
    assert again["segment"] == {"id": None, "name": "Everyone"}
    schema = api.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    segment_schema = schema["Meeting"]["properties"]["segment"]
    ref = next(s for s in segment_schema["allOf"] if "$ref" in s)["$ref"].rsplit("/", 1)[1]
    assert schema[ref]["properties"]["id"]["nullable"] is True
