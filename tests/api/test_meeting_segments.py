"""Meeting segments carry a booking (SPEC 5a / 8b), validated with field errors."""

import pytest

from routing import actions, booking
from routing.models import RoutingRule, RuleVersion, Segment

from .helpers import counts, ok


@pytest.fixture
def meeting_rule(make_rule):
    return make_rule("Demo requests", kind="meeting")


def test_a_new_meeting_rule_falls_back_to_the_default_rep(meeting_rule):
    (fallback,) = meeting_rule["segments"]
    assert fallback["assignee"] == {"type": "booking"}
    assert fallback["booking"] == booking.default_booking(default_rep=True)
    assert meeting_rule["owner_duration"] == 30


def test_segment_with_a_booking_is_snapshotted_with_names(api, meeting_rule, make_rep, make_pool):
    rep = make_rep("Dana")
    body = {
        "name": "Enterprise",
        "conditions": {"field": "company.employees", "op": "gte", "value": 500},
        "booking": {"logic": "single_rep", "reps": [rep.id], "duration": 45},
    }
    seg = ok(api.post(f"/api/v1/rules/{meeting_rule['id']}/segments/", body, format="json"), 201)
    assert seg["booking"]["duration"] == 45 and seg["booking"]["slot_interval"] == 45
    version = RuleVersion.objects.filter(rule_id=meeting_rule["id"]).order_by("-version").first()
    first = version.snapshot["segments"][0]
    assert first["booking"]["reps"] == [{"id": rep.id, "name": "Dana"}]
    assert first["assignee"] == {"type": "booking"}


def test_bad_booking_is_a_400_per_key_and_writes_nothing(api, meeting_rule):
    before = counts()
    url = f"/api/v1/rules/{meeting_rule['id']}/segments/"
    body = {"name": "X", "booking": {"logic": "round_robin", "reps": [1], "duration": 1}}
    response = api.post(url, body, format="json")
    assert response.status_code == 400
    assert "duration" in response.json()["booking"]
    assert counts() == before


def test_meeting_segment_with_an_assignee_or_chat_segment_with_a_booking_is_a_400(
    api, meeting_rule, make_rule, make_rep
):
    rep = make_rep()
    url = f"/api/v1/rules/{meeting_rule['id']}/segments/"
    response = api.post(
        url, {"name": "X", "assignee": {"type": "rep", "id": rep.id}}, format="json"
    )
    assert response.status_code == 400 and "assignee" in response.json()
    response = api.post(url, {"name": "X"}, format="json")
    assert response.status_code == 400 and "booking" in response.json()
    chat = make_rule("Chat")
    body = {"name": "X", "booking": {"logic": "single_rep", "reps": [rep.id]}}
    response = api.post(f"/api/v1/rules/{chat['id']}/segments/", body, format="json")
    assert response.status_code == 400 and "booking" in response.json()


def test_booking_reps_and_pool_must_be_of_this_workspace(api, other_api, meeting_rule, make_rep):
    stranger = actions.create_rep(other_api.workspace, name="Eve", email="eve@globex.test")
    inactive = make_rep(is_active=False)
    url = f"/api/v1/rules/{meeting_rule['id']}/segments/"
    for people in ({"reps": [stranger.id]}, {"reps": [inactive.id]}, {"pool": 999}):
        body = {"name": "X", "booking": {"logic": "round_robin", **people}}
        response = api.post(url, body, format="json")
        assert response.status_code == 400, people
        assert set(response.json()["booking"]) == set(people)


def test_the_fallback_booking_can_be_patched_but_not_its_conditions(api, meeting_rule):
    fallback_id = meeting_rule["segments"][0]["id"]
    body = {"booking": {"logic": "disqualified", "reason": "Not a fit"}}
    seg = ok(api.patch(f"/api/v1/segments/{fallback_id}/", body, format="json"))
    assert seg["booking"]["logic"] == "disqualified"
    response = api.patch(
        f"/api/v1/segments/{fallback_id}/",
        {"assignee": {"type": "workspace_default"}},
        format="json",
    )
    assert response.status_code == 400


def test_owner_duration_is_validated(api, meeting_rule):
    url = f"/api/v1/rules/{meeting_rule['id']}/"
    assert ok(api.patch(url, {"owner_duration": 60}, format="json"))["owner_duration"] == 60
    assert api.patch(url, {"owner_duration": 0}, format="json").status_code == 400


def test_duplicate_keeps_the_booking(workspace, make_rep):
    rep = make_rep()
    rule = actions.create_rule(workspace, kind="meeting", name="M")
    seg = actions.add_segment(
        rule, name="S", booking={"logic": "single_rep", "reps": [rep.id], "duration": 20}
    )
    copy = actions.duplicate_segment(seg)
    assert copy.booking == seg.booking and copy.assignee_type == "booking"


def test_default_meeting_rule_of_a_new_workspace(workspace):
    rule = RoutingRule.objects.get(workspace=workspace, kind="meeting", is_default=True)
    fallback = Segment.objects.get(rule=rule, is_fallback=True)
    assert fallback.booking["default_rep"] is True and fallback.assignee_type == "booking"
