"""Meeting rules in the rule editor: the segment form edits a booking, the fallback
switches between qualified and disqualified, the action's errors are form errors,
the cards show the booking, and "Test a lead" shows slots by day and the trace."""

# ruff: noqa: F811 - the fixtures imported from console_support are test arguments

import json

import pytest

from routing.models import RoutingRule, Segment

from .conftest import window
from .console_support import console, globex, w  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def form(name="Companies of 50+", **booking):
    data = {
        "name": name,
        "conditions": json.dumps({"field": "company.employees", "op": "gte", "value": 50}),
        "outcome": "qualified",
        "logic": "round_robin",
        "duration": "30",
        "min_notice": "0",
        "buffer_before": "0",
        "buffer_after": "10",
        "horizon_days": "14",
    }
    data.update(booking)
    return data


def versions(rule) -> int:
    return RoutingRule.objects.get(pk=rule.pk).version


def test_add_a_round_robin_segment(workspace, console, meeting_rule, rep_factory):
    ann, bob = rep_factory("Ann"), rep_factory("Bob")
    page = console.get(w(workspace, f"rules/{meeting_rule.id}/segments/new/"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="logic"' in html and 'name="assignee_type"' not in html
    response = console.post(
        w(workspace, f"rules/{meeting_rule.id}/segments/new/"),
        form(reps=[str(ann.id), str(bob.id)], max_per_day="6"),
    )
    assert response.status_code == 302, response.content.decode()[:800]
    seg = Segment.objects.get(rule=meeting_rule, name="Companies of 50+")
    assert seg.booking["logic"] == "round_robin" and seg.booking["reps"] == [ann.id, bob.id]
    assert seg.booking["buffer_after"] == 10 and seg.booking["max_per_day"] == 6
    assert seg.booking["slot_interval"] == 30  # empty interval: the duration

    editor = console.get(w(workspace, f"rules/{meeting_rule.id}/")).content.decode()
    assert "Round robin · Ann, Bob · 30 min, 0 min notice, 10 min after" in editor
    assert "at most 6 a day" in editor
    assert "/meeting-test/" in editor  # "Test a lead" goes to the calendars view


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"duration": "2"}, "duration", "Must be between 5 and 480"),
        ({"horizon_days": "400"}, "horizon_days", "Must be between 1 and 365"),
        ({"logic": "single_rep"}, "reps", "exactly one rep"),
        ({"duration": "half an hour"}, "duration", "Enter a whole number"),
        ({"logic": "teleport"}, "logic", "Select a valid choice"),
        ({"reps": ["999999"]}, "reps", "Select a valid choice"),
    ],
)
def test_bad_booking_is_a_form_error_and_writes_nothing(
    workspace, console, meeting_rule, rep_factory, changes, field, message
):
    ann, bob = rep_factory("Ann"), rep_factory("Bob")
    before = (Segment.objects.count(), versions(meeting_rule))
    data = form(reps=[str(ann.id), str(bob.id)])
    data.update(changes)
    response = console.post(w(workspace, f"rules/{meeting_rule.id}/segments/new/"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert (Segment.objects.count(), versions(meeting_rule)) == before


def test_reps_and_a_pool_together_is_refused(workspace, console, meeting_rule, rep_factory):
    from routing import actions

    ann = rep_factory("Ann")
    pool = actions.create_pool(workspace, name="AEs", strategy="round_robin")
    response = console.post(
        w(workspace, f"rules/{meeting_rule.id}/segments/new/"),
        form(reps=[str(ann.id)], pool=str(pool.id)),
    )
    assert response.status_code == 400
    assert "either reps or a pool" in " ".join(response.context["form"].errors["pool"])


def test_another_workspaces_rep_is_not_a_choice(workspace, console, meeting_rule, globex):
    response = console.post(
        w(workspace, f"rules/{meeting_rule.id}/segments/new/"),
        form(reps=[str(globex["rep"].id)]),
    )
    assert response.status_code == 400 and "reps" in response.context["form"].errors


def test_fallback_switches_to_disqualified_and_back(workspace, console, meeting_rule, rep_factory):
    ann = rep_factory("Ann")
    fallback = meeting_rule.segments.get(is_fallback=True)
    page = console.get(w(workspace, f"segments/{fallback.id}/edit/")).content.decode()
    assert 'name="outcome"' in page and 'name="conditions"' not in page
    response = console.post(
        w(workspace, f"segments/{fallback.id}/edit/"),
        {"name": "Fallback", "outcome": "disqualified", "reason": "Under 50 employees"},
    )
    assert response.status_code == 302, response.content.decode()[:800]
    fallback.refresh_from_db()
    assert fallback.booking["logic"] == "disqualified"
    assert fallback.booking["reason"] == "Under 50 employees"
    editor = console.get(w(workspace, f"rules/{meeting_rule.id}/")).content.decode()
    assert "Disqualified: Under 50 employees" in editor

    data = form(name="Fallback", logic="single_rep", reps=[str(ann.id)])
    del data["conditions"]
    response = console.post(w(workspace, f"segments/{fallback.id}/edit/"), data)
    assert response.status_code == 302
    fallback.refresh_from_db()
    assert fallback.booking["logic"] == "single_rep" and fallback.booking["reps"] == [ann.id]


def test_edit_shows_the_stored_booking(workspace, console, meeting_rule, rep_factory):
    ann = rep_factory("Ann")
    console.post(w(workspace, f"rules/{meeting_rule.id}/segments/new/"), form(reps=[str(ann.id)]))
    seg = Segment.objects.get(rule=meeting_rule, is_fallback=False)
    page = console.get(w(workspace, f"segments/{seg.id}/edit/"))
    initial = page.context["form"].initial
    assert initial["logic"] == "round_robin" and initial["reps"] == [ann.id]
    assert initial["buffer_after"] == 10


def test_chat_rule_segment_form_is_unchanged(workspace, console):
    from routing import actions

    rule = actions.create_rule(workspace, kind="chat", name="Inbound")
    html = console.get(w(workspace, f"rules/{rule.id}/segments/new/")).content.decode()
    assert 'name="assignee_type"' in html and 'name="logic"' not in html


# --------------------------------------------------------------------------- test a lead


def test_test_a_lead_shows_slots_by_day_and_the_trace(
    workspace, console, meeting_rule, rep_factory, with_booking
):
    ann, bob = rep_factory("Ann"), rep_factory("Bob")
    with_booking(logic="any_calendar", reps=[ann.id, bob.id])
    response = console.post(
        w(workspace, f"rules/{meeting_rule.id}/meeting-test/"),
        {"email": "lead@bigco.com", "employees": "800", "timezone": "Asia/Tokyo"},
    )
    assert response.status_code == 200, response.content.decode()[:800]
    html = response.content.decode()
    assert 'data-testid="test-slots"' in html and "Ann, Bob" in html
    assert 'data-testid="trace"' in html and 'data-testid="rep-entries"' in html
    assert "Asia/Tokyo" in html and "Fallback" in html
    days = response.context["days"]
    assert days and all(s["start"].endswith("+09:00") for d in days for s in d["slots"])
    assert not workspace.leads.exists()  # a simulation writes nothing


def test_test_a_lead_disqualified(workspace, console, meeting_rule, with_booking):
    with_booking(logic="disqualified", reason="Too small")
    html = console.post(
        w(workspace, f"rules/{meeting_rule.id}/meeting-test/"), {"email": "a@b.co"}
    ).content.decode()
    assert "Disqualified" in html and "Too small" in html


@pytest.mark.parametrize(
    "data, field",
    [
        ({"email": "a@b.co", "timezone": "Mars/Olympus"}, "timezone"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "", "context_json": "{}"}, "context_json"),
        ({"email": "a@b.co", "link": "nope"}, "link"),
    ],
)
def test_test_a_lead_bad_input(workspace, console, meeting_rule, data, field):
    response = console.post(w(workspace, f"rules/{meeting_rule.id}/meeting-test/"), data)
    assert response.status_code == 400
    assert field in response.context["test_form"].errors


def test_test_a_lead_other_workspace_or_chat_rule_is_a_404(workspace, console, globex):
    from routing import actions

    chat = actions.create_rule(workspace, kind="chat", name="Inbound")
    for rule in (globex["rule"], chat):
        response = console.post(
            w(workspace, f"rules/{rule.id}/meeting-test/"), {"email": "a@b.co", **window()}
        )
        assert response.status_code == 404


def test_test_a_lead_on_a_meeting_rules_draft(workspace, console, meeting_rule, rep_factory):
    """The draft's page runs the draft (hidden `version`): its fallback books Ann."""
    from routing.actions import drafts

    ann = rep_factory("Ann")
    fallback = Segment.objects.get(rule=meeting_rule, is_fallback=True)
    drafts.start_draft(meeting_rule)
    drafts.update_draft_segment(
        meeting_rule,
        fallback.id,
        booking={"logic": "round_robin", "reps": [ann.id], "duration": 45, "min_notice": 0},
    )
    response = console.post(
        w(workspace, f"rules/{meeting_rule.id}/meeting-test/"),
        {"email": "ana@bigco.com", "timezone": "UTC", "version": "draft"},
    )
    assert response.status_code == 200, response.content.decode()[:800]
    page = response.content.decode()
    assert "· the draft ·" in page and "Ann" in page
