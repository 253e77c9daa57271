"""Item 7 (and 4) without a token: every message a decision would send is kept in the
local outbox (Delivery rows, done at once), nothing leaves the building, and the
console shows where each would have gone and what it says."""

import pytest
from django_tasks_db.models import DBTaskResult

import outbox
from notifications.actions import save_slack_settings
from outbox.models import Delivery
from routing import actions
from routing.models import Rep

from .conftest import plan_with_crm_owner, run_tasks, user_id


def by_kind(chat_id):
    return {d.kind: d for d in Delivery.objects.filter(chat_id=chat_id)}


def test_routing_a_chat_fills_the_outbox_and_sends_nothing(local, team, route):
    data = route(message="Can I get a demo?")
    found = by_kind(data["id"])
    assert set(found) == {"slack.alert", "slack.rep_dm"}
    alert, dm = found["slack.alert"], found["slack.rep_dm"]
    decision_id = data["decision"]
    assert alert.key == f"decision:{decision_id}:alert"
    assert dm.key == f"decision:{decision_id}:rep_dm"
    assert alert.target == {"channel": "#leads"}
    assert dm.target == {"user": user_id(1), "rep": team.dana.id}
    assert alert.payload["text"] == "New lead: Lee Lead → Dana"
    assert dm.payload["text"].startswith("A new lead is yours: Lee Lead.")
    for d in (alert, dm):
        assert (d.backend, d.status, d.result, d.attempts) == ("local", "done", {"local": True}, 0)
        assert d.done_at is not None and d.decision_id == decision_id
    assert DBTaskResult.objects.count() == 0  # nothing to run
    assert run_tasks() == 0
    assert local.calls == [] and local.messages == []


def test_the_rule_without_a_channel_uses_the_workspace_default_else_no_alert(local, team, route):
    actions.update_rule(team.rule, monitoring_channel="")
    assert set(by_kind(route()["id"])) == {"slack.rep_dm"}
    save_slack_settings(team.workspace, default_channel="#general")  # the console's write
    alert = by_kind(route(email="two@bigco.com")["id"])["slack.alert"]
    assert alert.target == {"channel": "#general"}


def test_a_segment_channel_overrides_the_rule(local, team, route):
    actions.add_segment(
        team.rule,
        name="VIP",
        conditions=None,
        assignee={"type": "rep", "id": team.omar.id},
        monitoring_channel="#vip-leads",
    )
    found = by_kind(route()["id"])
    assert found["slack.alert"].target == {"channel": "#vip-leads"}
    assert found["slack.rep_dm"].target == {"user": user_id(2), "rep": team.omar.id}
    assert "VIP" in str(found["slack.alert"].payload)


def test_an_ai_agent_assignee_gets_an_alert_but_no_dm(local, ai_first, route):
    found = by_kind(route()["id"])
    assert set(found) == {"slack.alert"}
    assert found["slack.alert"].payload["text"] == "New lead: Lee Lead → Knock AI"


def fail_after_planning(chat):
    """What route_chat does after the planners (the API's answer), failing."""
    assert Delivery.objects.count() == 2
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # one for the decision
    raise RuntimeError("the routing transaction fails after planning")


def test_a_rolled_back_decision_leaves_no_delivery_and_no_task(slack, team):
    with pytest.raises(RuntimeError):
        actions.route_chat(
            team.workspace, {"lead": {"email": "gone@bigco.com"}}, answer=fail_after_planning
        )
    assert Delivery.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


# -- the CRM owner's Join DM (planner.plan_decision with a context dict) -----------------
@pytest.fixture
def notify_owner(team):
    actions.update_rule(team.rule, notify_crm_owner=True)
    return team


def test_crm_owner_who_is_another_rep_gets_a_join_dm(local, notify_owner, route):
    team = notify_owner
    data = route(message="Hello again")
    plan_with_crm_owner(data["id"], team.omar.id)
    found = by_kind(data["id"])
    assert set(found) == {"slack.alert", "slack.rep_dm", "slack.owner_dm"}
    owner_dm = found["slack.owner_dm"]
    assert owner_dm.target == {"user": user_id(2), "rep": team.omar.id}
    assert owner_dm.key == f"decision:{data['decision']}:owner_dm"
    assert owner_dm.status == "done" and owner_dm.backend == "local"
    assert owner_dm.payload["text"] == (
        "Your CRM contact Lee Lead just started a chat; it went to Dana. Join to take it over."
    )
    [button] = [b for b in owner_dm.payload["blocks"] if b["type"] == "actions"][0]["elements"]
    assert button["value"] == str(data["id"])
    assert local.calls == []


def test_a_routed_lead_owned_in_the_crm_by_another_rep_sends_a_join_dm(local, crm_lead, route):
    """End to end through route_chat, with the local CRM naming the owner."""
    team = crm_lead
    data = route()
    assert data["context"]["crm"]["owner_rep"] == team.omar.id
    assert data["assignee"]["id"] == team.dana.id
    owner_dm = by_kind(data["id"])["slack.owner_dm"]
    assert owner_dm.target == {"user": user_id(2), "rep": team.omar.id}
    assert owner_dm.status == "done" and local.calls == []


@pytest.mark.parametrize(
    "case",
    ["owner is the assignee", "owner inactive", "notify off", "owner in another workspace",
     "owner id is a string", "owner id is a bool", "no owner"],
)  # fmt: skip
def test_no_join_dm_unless_a_different_active_rep_of_the_workspace_owns_the_lead(
    local, notify_owner, route, other_api, case
):
    team = notify_owner
    owner = team.omar.id
    if case == "owner is the assignee":
        owner = team.dana.id
    elif case == "owner inactive":
        Rep.objects.filter(id=team.omar.id).update(is_active=False)
    elif case == "notify off":
        actions.update_rule(team.rule, notify_crm_owner=False)
    elif case == "owner in another workspace":
        owner = actions.create_rep(other_api.workspace, name="Zed", email="zed@globex.test").id
    elif case == "owner id is a string":
        owner = str(team.omar.id)
    elif case == "owner id is a bool":
        owner = True
    elif case == "no owner":
        owner = None
    data = route()
    plan_with_crm_owner(data["id"], owner)
    assert set(by_kind(data["id"])) == {"slack.alert", "slack.rep_dm"}


# -- the console --------------------------------------------------------------------
def test_the_console_lists_the_outbox(console, local, notify_owner, route):
    team = notify_owner
    data = route(message="Can I get a demo?")
    plan_with_crm_owner(data["id"], team.omar.id)
    page = console.get(f"/w/{team.workspace.id}/slack/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Local outbox" in html
    assert html.count("In outbox") == 3
    assert "#leads" in html
    # Each DM names its rep, not the Slack user id.
    assert "DM Dana" in html and "DM Omar" in html
    assert user_id(1) not in html and user_id(2) not in html
    assert "New lead: Lee Lead → Dana" in html
    assert "Your CRM contact Lee Lead just started a chat" in html
    assert "lead@bigco.com" in html  # each row links to its decision
    assert f"/w/{team.workspace.id}/decisions/{data['decision']}/" in html
    assert "3 deliveries" in html
    assert ">Retry<" not in html
    failed = console.get(f"/w/{team.workspace.id}/slack/?status=failed").content.decode()
    assert "Nothing yet" in failed


def test_a_rep_without_a_slack_id_shows_as_such(console, local, team, route, make_rep):
    actions.update_rep(team.dana, slack_user_id="")
    data = route()
    assert by_kind(data["id"])["slack.rep_dm"].target == {"user": "", "rep": team.dana.id}
    html = console.get(f"/w/{team.workspace.id}/slack/").content.decode()
    assert '<span class="ko">DM Dana: no Slack user</span>' in html


def test_the_console_says_where_crm_and_calendar_deliveries_go(console, local, team):
    for kind, backend, target in [
        ("calendar.insert", "google", {"rep": team.dana.id, "subject": team.dana.email}),
        ("crm.write", "crm:local", {"record_type": "lead", "record_id": "42"}),
    ]:
        outbox.enqueue(
            team.workspace, kind=kind, key=kind, backend=backend, target=target, payload={}
        )
    html = console.get(f"/w/{team.workspace.id}/slack/").content.decode()
    assert "Google Calendar of Dana" in html and "CRM lead 42" in html
    assert "Calendar event for a meeting" in html  # Delivery.KINDS names the kind
    assert "no Slack user" not in html


@pytest.mark.parametrize(
    "kind, target, where, missing",
    [
        ("slack.rep_dm", {"user": "U1", "rep": "1"}, "DM U1", False),  # a rep id as text
        ("slack.rep_dm", {"user": "U1", "rep": True}, "DM U1", False),
        ("slack.rep_dm", {"user": "U1", "rep": 99999}, "DM U1", False),  # rep deleted
        ("slack.rep_dm", {"user": ""}, "DM: no Slack user", True),  # a row from before
        ("slack.rep_dm", {}, "DM: no Slack user", True),
        ("crm.write", {}, "CRM record", False),
        ("crm.write", {"record_type": "lead"}, "CRM lead", False),
        ("slack.update", {"channel": "C1", "ts": "1.2"}, "C1 · edit", False),
    ],
)
def test_odd_targets_read_plainly_and_only_a_dm_can_miss_its_address(
    local, team, kind, target, where, missing
):
    from outbox import display

    outbox.enqueue(team.workspace, kind=kind, key="k", backend="local", target=target, payload={})
    [d] = display.describe(Delivery.objects.filter(key="k"))
    assert (d.where, d.where_missing) == (where, missing)


def test_a_crm_write_never_reads_as_a_missing_slack_user(console, local, team, route):
    outbox.enqueue(
        team.workspace, kind="crm.write", key="w", backend="crm:local", target={}, payload={}
    )
    html = console.get(f"/w/{team.workspace.id}/slack/").content.decode()
    assert "CRM record" in html
    assert "no Slack user" not in html and 'class="ko"' not in html
