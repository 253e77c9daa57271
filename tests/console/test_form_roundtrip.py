"""No console form drops what it cannot show (issue 14 item 2).

Each test: make an object with everything the API can set, load its console
form, submit it unchanged exactly as a browser would, and check the object
(and its rule version) did not change.
"""

from datetime import UTC, datetime

import pytest
from django.forms.models import model_to_dict

from crm.models import CrmSettings
from notifications.models import SlackSettings
from routing import actions
from routing.models import KnockLink, Pool, Rep, RoutingRule, Segment, Workspace

from .conftest import url
from .formtools import form_data

pytestmark = pytest.mark.django_db


def snapshot(obj, exclude=("updated_at",)):
    obj.refresh_from_db()
    return {k: v for k, v in model_to_dict(obj).items() if k not in exclude}


def round_trip(console, page_url, action, post_url=None):
    page = console.get(page_url)
    assert page.status_code == 200
    data = form_data(page.content.decode(), action)
    response = console.post(post_url or page_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return data


def test_rep_with_several_intervals_per_day(console, workspace):
    rep = actions.create_rep(
        workspace,
        name="Dana",
        email="dana@acme.test",
        slack_user_id="U042",
        crm_user_ids=["005A", "005B"],
        timezone="Europe/Paris",
        working_hours={
            "mon": [["09:00", "12:00"], ["13:00", "17:00"]],
            "sat": [],
            "fri": [["22:00", "02:00"]],
        },  # fmt: skip
        out_of_office_until=datetime(2099, 1, 1, 9, 30, 45, tzinfo=UTC),
        max_open_chats=0,
    )
    before = snapshot(rep)
    data = round_trip(console, url(workspace, f"reps/{rep.id}/"), "")
    assert data["mon_start"] == ["09:00", "13:00"]
    assert snapshot(rep) == before


def test_rep_always_available_and_never(console, workspace):
    always = actions.create_rep(workspace, name="Al", email="al@acme.test")
    never = actions.create_rep(
        workspace, name="Ne", email="ne@acme.test", working_hours={"sun": []}
    )
    for rep in (always, never):
        before = snapshot(rep)
        round_trip(console, url(workspace, f"reps/{rep.id}/"), "")
        assert snapshot(rep) == before


def test_rep_form_adds_and_removes_intervals(console, workspace):
    rep = actions.create_rep(workspace, name="Dana", email="dana@acme.test")
    data = form_data(console.get(url(workspace, f"reps/{rep.id}/")).content.decode(), "")
    data.pop("always_available", None)
    data |= {"tue_start": ["08:00", "", "14:00"], "tue_end": ["11:00", "", "18:30"]}
    assert console.post(url(workspace, f"reps/{rep.id}/"), data).status_code == 302
    rep.refresh_from_db()
    assert rep.working_hours == {"tue": [["08:00", "11:00"], ["14:00", "18:30"]]}
    data["tue_start"], data["tue_end"] = ["14:00"], ["18:30"]  # "Remove" the first one
    assert console.post(url(workspace, f"reps/{rep.id}/"), data).status_code == 302
    rep.refresh_from_db()
    assert rep.working_hours == {"tue": [["14:00", "18:30"]]}


def test_rep_form_bad_interval_is_an_error_nothing_written(console, workspace):
    rep = actions.create_rep(workspace, name="Dana", email="dana@acme.test")
    before = snapshot(rep)
    data = form_data(console.get(url(workspace, f"reps/{rep.id}/")).content.decode(), "")
    data.pop("always_available", None)
    data |= {"wed_start": ["09:00", "10:00"], "wed_end": ["09:00", ""]}
    response = console.post(url(workspace, f"reps/{rep.id}/"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Wednesday" in page and "cannot start and end at once" in page
    assert "Give both a start and an end" in page
    assert snapshot(rep) == before


def test_pool(console, workspace, make_rep):
    a, b = make_rep("A"), make_rep("B")
    pool = actions.create_pool(
        workspace, name="Team", strategy="load_balanced", respect_working_hours=False,
        members=[{"rep": a.id, "weight": 3}, {"rep": b.id, "weight": 1, "is_paused": True}],
    )  # fmt: skip
    before = (snapshot(pool), list(pool.members.values("rep", "weight", "is_paused")))
    round_trip(console, url(workspace, f"pools/{pool.id}/"), "")
    after = (
        snapshot(Pool.objects.get(id=pool.id)),
        list(pool.members.values("rep", "weight", "is_paused")),
    )  # noqa: E501
    assert after == before


def test_link(console, workspace):
    rule = actions.create_rule(workspace, kind="chat", name="G2 rule")
    link = actions.create_link(
        workspace, slug="g2", name="G2 listing", channel="G2", chat_rule=rule.id,
        utm_defaults={"source": "g2", "medium": "listing", "campaign": "q3", "term": "crm",
                      "content": "badge"},
    )  # fmt: skip
    before = snapshot(link)
    round_trip(console, url(workspace, f"links/{link.id}/"), "")
    assert snapshot(KnockLink.objects.get(id=link.id)) == before


def test_rule_settings(console, workspace):
    rule = actions.create_rule(
        workspace, kind="chat", name="Inbound", monitoring_channel="#leads",
        crm_owner_first=True, notify_crm_owner=True,
    )  # fmt: skip
    before = snapshot(rule)
    round_trip(
        console,
        url(workspace, f"rules/{rule.id}/"),
        f"/rules/{rule.id}/settings/",
        url(workspace, f"rules/{rule.id}/settings/"),
    )
    assert snapshot(RoutingRule.objects.get(id=rule.id)) == before


def test_segment(console, workspace, make_rep):
    rep = make_rep("Dana")
    rule = actions.create_rule(workspace, kind="chat", name="Inbound")
    segment = actions.add_segment(
        rule, name="Big EU",
        conditions={"all": [{"field": "company.employees", "op": "gte", "value": 500},
                            {"not": {"field": "company.country", "op": "in", "value": ["US"]}}]},
        assignee={"type": "rep", "id": rep.id}, monitoring_channel="#eu",
    )  # fmt: skip
    rule.refresh_from_db()
    before = (snapshot(segment), rule.version)
    round_trip(console, url(workspace, f"segments/{segment.id}/edit/"), "")
    rule.refresh_from_db()
    assert (snapshot(Segment.objects.get(id=segment.id)), rule.version) == before


def test_crm_settings(console, workspace):
    settings = CrmSettings.for_workspace(workspace)
    settings.lookup_timeout_seconds = 2.5 if hasattr(settings, "lookup_timeout_seconds") else None
    settings.save()
    before = snapshot(settings)
    round_trip(console, url(workspace, "crm/"), "/crm/settings/", url(workspace, "crm/settings/"))
    assert snapshot(CrmSettings.objects.get(id=settings.id)) == before


def test_slack_settings(console, workspace):
    own = SlackSettings.objects.create(workspace=workspace, default_channel="#leads")
    own.bot_token = "xoxb-secret"
    own.save()
    round_trip(
        console, url(workspace, "slack/"), "/slack/settings/", url(workspace, "slack/settings/")
    )
    own.refresh_from_db()
    assert (own.bot_token, own.default_channel) == ("xoxb-secret", "#leads")


def test_workspace_settings(console, workspace, make_rep):
    rep = make_rep("Dana")
    support = actions.create_rule(workspace, kind="chat", name="Support")
    actions.update_workspace(
        workspace, default_rep=rep.id, intent_rules={"support": support.id}, auto_close_hours=6
    )
    before = snapshot(workspace)
    round_trip(console, url(workspace, "settings/"), "/settings/")
    assert snapshot(Workspace.objects.get(id=workspace.id)) == before


def test_ai_agent(console, workspace):
    agent = actions.create_ai_agent(workspace, name="Helper", specialty="support", is_active=False)
    before = snapshot(agent)
    round_trip(console, url(workspace, f"ai-agents/{agent.id}/"), "")
    agent.refresh_from_db()
    assert snapshot(agent) == before


def test_rep_unknown_to_the_form_is_untouched(console, workspace):
    rep = Rep.objects.create(workspace=workspace, name="X", email="x@acme.test", timezone="UTC")
    before = snapshot(rep)
    round_trip(console, url(workspace, f"reps/{rep.id}/"), "")
    assert snapshot(rep) == before
