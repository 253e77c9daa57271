"""Reps by hand, AI agents, workspace settings and members (issue 14 items 3-5)."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from routing import actions
from routing.models import AIAgent, Membership, Rep, Workspace

from .conftest import url
from .formtools import form_data

pytestmark = pytest.mark.django_db

REP = {
    "name": "Ana Ops",
    "email": "Ana@Acme.test",
    "timezone": "Europe/Paris",
    "is_active": "on",
    "mon_start": ["09:00", "14:00"],
    "mon_end": ["12:00", "18:00"],
}


def test_add_a_rep_by_hand(console, workspace):
    assert console.get(url(workspace, "reps/new/")).status_code == 200
    assert console.post(url(workspace, "reps/new/"), REP).status_code == 302
    rep = Rep.objects.get(workspace=workspace)
    assert (rep.email, rep.timezone) == ("ana@acme.test", "Europe/Paris")
    assert rep.working_hours == {"mon": [["09:00", "12:00"], ["14:00", "18:00"]]}
    assert "Ana Ops" in console.get(url(workspace, "reps/")).content.decode()


def test_add_a_rep_twice_is_a_form_error(console, workspace):
    console.post(url(workspace, "reps/new/"), REP)
    response = console.post(url(workspace, "reps/new/"), REP)
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert Rep.objects.count() == 1


@pytest.mark.parametrize(
    "change", [{"email": "nope"}, {"timezone": "Mars/Base"}, {"name": ""}, {"max_open_chats": "-1"}]
)
def test_bad_rep_input_writes_nothing(console, workspace, change):
    response = console.post(url(workspace, "reps/new/"), {**REP, **change})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not Rep.objects.exists()


FAR_OUT_OF_OFFICE = (
    "Give a year from 2 to 9998: a time nearer year 1 or 9999 cannot be shown in every time zone."
)


def rep_rows():
    return list(Rep.objects.order_by("id").values())


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Asia/Tokyo"])
@pytest.mark.parametrize("when", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_an_out_of_office_time_no_zone_can_show_is_a_form_error(
    console, staff, workspace, make_rep, zone, when
):
    """New rep and Edit rep: 9999-12-31 23:59 from the date picker was saved, then every
    page showing it in Berlin or Tokyo failed; 0001-01-01 00:00 in Tokyo failed the save."""
    actions.set_viewer_time_zone(staff, zone)
    dana = make_rep("Dana")
    before = rep_rows()
    for page, body in [
        ("reps/new/", REP),
        (f"reps/{dana.id}/", {**REP, "name": "Dana", "email": dana.email}),
    ]:
        response = console.post(url(workspace, page), {**body, "out_of_office_until": when})
        assert response.status_code == 400
        assert response.context["form"].errors["out_of_office_until"] == [FAR_OUT_OF_OFFICE]
        assert FAR_OUT_OF_OFFICE in response.content.decode()
    assert rep_rows() == before


@pytest.mark.parametrize(
    ("zone", "stored", "badge", "shown"),
    [
        ("Europe/Berlin", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
         "Out of office until Dec 31, 23:59 UTC", "9999-12-31T23:59"),
        ("Asia/Tokyo", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
         "Out of office until Dec 31, 23:59 UTC", "9999-12-31T23:59"),
        ("America/New_York", datetime(1, 1, 1, tzinfo=UTC), None, "0001-01-01T00:00"),
    ],
)  # fmt: skip
def test_a_stored_out_of_office_time_the_viewers_zone_cannot_show(
    console, staff, workspace, make_rep, zone, stored, badge, shown
):
    """A row written before such times were refused: the Reps list and the rep's page show
    it in UTC instead of failing, and saving the form unchanged is refused beside the field."""
    dana = make_rep("Dana")
    Rep.objects.filter(id=dana.id).update(out_of_office_until=stored)
    actions.set_viewer_time_zone(staff, zone)
    listing = console.get(url(workspace, "reps/"))
    assert listing.status_code == 200
    if badge:
        assert badge in listing.content.decode()
    page = console.get(url(workspace, f"reps/{dana.id}/"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="{shown}"' in html
    before = rep_rows()
    response = console.post(url(workspace, f"reps/{dana.id}/"), form_data(html, ""))
    assert response.status_code == 400
    assert response.context["form"].errors["out_of_office_until"] == [FAR_OUT_OF_OFFICE]
    assert rep_rows() == before


@pytest.mark.parametrize("capacity", ["99999999999999999999", str(2**63)])
def test_a_capacity_the_database_cannot_hold_is_a_form_error(
    console, api, workspace, make_rep, capacity
):
    """The console refuses what the API does (the column's bound: 2**63 - 1 on SQLite,
    2**31 - 1 on PostgreSQL), beside the field, on New rep and Edit rep alike."""
    refused = api.post(
        "/api/v1/reps/",
        {"name": "Ana", "email": "ana@acme.test", "max_open_chats": int(capacity)},
        format="json",
    )
    assert refused.status_code == 400
    message = str(refused.data["max_open_chats"][0])
    assert message.startswith("Ensure this value is less than or equal to ")
    dana = make_rep("Dana", max_open_chats=3)
    before = rep_rows()
    for page, body in [
        ("reps/new/", REP),
        (f"reps/{dana.id}/", {**REP, "name": "Dana", "email": dana.email}),
    ]:
        response = console.post(url(workspace, page), {**body, "max_open_chats": capacity})
        assert response.status_code == 400
        assert response.context["form"].errors["max_open_chats"] == [message]
        assert message in response.content.decode()
    assert rep_rows() == before


def test_the_largest_capacity_the_api_takes_the_console_takes(console, api, workspace, make_rep):
    largest = connection.ops.integer_field_range("PositiveIntegerField")[1]
    body = {"name": "Ana", "email": "ana@acme.test", "max_open_chats": largest}
    assert api.post("/api/v1/reps/", body, format="json").status_code == 201
    dana = make_rep("Dana")
    body = {**REP, "name": "Dana", "email": dana.email, "max_open_chats": str(largest)}
    assert console.post(url(workspace, f"reps/{dana.id}/"), body).status_code == 302
    dana.refresh_from_db()
    assert dana.max_open_chats == largest


def test_deactivate_and_reactivate_a_rep(console, workspace, make_rep):
    rep = make_rep("Dana")
    assert console.post(url(workspace, f"reps/{rep.id}/toggle/")).status_code == 302
    rep.refresh_from_db()
    assert not rep.is_active
    assert "Reactivate" in console.get(url(workspace, "reps/")).content.decode()
    console.post(url(workspace, f"reps/{rep.id}/toggle/"))
    rep.refresh_from_db()
    assert rep.is_active
    assert console.get(url(workspace, f"reps/{rep.id}/toggle/")).status_code == 405


def test_ai_agents_list_create_edit_default(console, workspace):
    page = console.get(url(workspace, "ai-agents/")).content.decode()
    assert "Knock AI" in page and "Default" in page
    body = {"name": "Support Bot", "specialty": "support", "is_active": "on"}
    assert console.post(url(workspace, "ai-agents/new/"), body).status_code == 302
    agent = AIAgent.objects.get(name="Support Bot")
    body["specialty"] = "buying"
    assert console.post(url(workspace, f"ai-agents/{agent.id}/"), body).status_code == 302
    agent.refresh_from_db()
    assert agent.specialty == "buying"
    assert console.post(url(workspace, f"ai-agents/{agent.id}/default/")).status_code == 302
    workspace.refresh_from_db()
    assert workspace.default_ai_agent_id == agent.id


@pytest.mark.parametrize("body", [{"name": "knock ai", "specialty": "auto"},
                                  {"name": "X", "specialty": "cooking"}, {"name": ""}])  # fmt: skip
def test_bad_ai_agent_is_a_form_error(console, workspace, body):
    response = console.post(url(workspace, "ai-agents/new/"), body)
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert AIAgent.objects.count() == 1


def settings_body(workspace, **change):
    body = {"name": workspace.name, "default_rep": "",
            "default_ai_agent": workspace.default_ai_agent_id, "auto_close_hours": 24}  # fmt: skip
    return {**body, **change}


def test_workspace_settings_defaults_override_and_auto_close(console, workspace, make_rep):
    rep = make_rep("Dana")
    support = actions.create_rule(workspace, kind="chat", name="Support desk")
    page = console.get(url(workspace, "settings/")).content.decode()
    assert "Intent overrides" in page and "Members" in page
    body = settings_body(
        workspace, default_rep=rep.id, auto_close_hours=6, intent_support=support.id
    )
    assert console.post(url(workspace, "settings/"), body).status_code == 302
    workspace.refresh_from_db()
    assert workspace.default_rep_id == rep.id and workspace.auto_close_hours == 6
    assert workspace.intent_rules == {"support": support.id}
    routed = actions.route_chat(
        workspace, {"lead": {"email": "a@b.com"}, "intent": {"type": "support"}}
    )
    assert routed.rule.id == support.id


@pytest.mark.parametrize(
    "change",
    [{"auto_close_hours": "-1"}, {"auto_close_hours": "99999"}, {"default_ai_agent": ""},
     {"default_rep": "999999"}, {"intent_support": "999999"}, {"name": ""}],
)  # fmt: skip
def test_bad_workspace_settings_write_nothing(console, workspace, change):
    before = Workspace.objects.values().get(id=workspace.id)
    response = console.post(url(workspace, "settings/"), settings_body(workspace, **change))
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert Workspace.objects.values().get(id=workspace.id) == before


def test_another_workspaces_rule_cannot_be_an_override(console, workspace):
    other, _ = actions.create_workspace("Globex")
    foreign = actions.create_rule(other, kind="chat", name="Theirs")
    body = settings_body(workspace, intent_support=foreign.id)
    assert console.post(url(workspace, "settings/"), body).status_code == 400
    workspace.refresh_from_db()
    assert workspace.intent_rules == {}


def test_members_invite_and_remove(console, workspace, staff):
    users = get_user_model().objects
    kim = users.create_user("kim", email="kim@acme.test", password="x", is_staff=True)
    users.create_user("guest", email="guest@acme.test", password="x", is_staff=False)
    add = url(workspace, "settings/members/")
    assert console.post(add, {"user": "KIM@acme.test"}).status_code == 302
    assert Membership.objects.filter(workspace=workspace, user=kim).exists()
    again = console.post(add, {"user": "kim"})
    assert again.status_code == 400 and "already a member" in again.content.decode()
    refused = console.post(add, {"user": "guest"})
    assert refused.status_code == 400 and "not a staff user" in refused.content.decode()
    assert console.post(add, {"user": "nobody"}).status_code == 400
    assert Membership.objects.filter(workspace=workspace).count() == 2

    mine = Membership.objects.get(workspace=workspace, user=staff)
    console.post(url(workspace, f"settings/members/{mine.id}/remove/"))
    assert Membership.objects.filter(id=mine.id).exists()  # not yourself
    theirs = Membership.objects.get(workspace=workspace, user=kim)
    assert console.post(url(workspace, f"settings/members/{theirs.id}/remove/")).status_code == 302
    assert not Membership.objects.filter(id=theirs.id).exists()
