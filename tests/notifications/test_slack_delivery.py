"""Item 4 with a token: after the worker runs, the alert is in the monitoring channel
and the rep's DM went through conversations.open, both through the real slack-sdk
WebClient against FakeSlack."""

import pytest
from django_tasks_db.models import DBTaskResult

from notifications.models import SlackSettings
from notifications.slack.client import token_for
from outbox.models import Delivery
from routing import actions

from .conftest import TOKEN, feed_events, plan_with_crm_owner, run_tasks, user_id


def without_block_ids(blocks):
    return [{k: v for k, v in block.items() if k != "block_id"} for block in blocks]


def test_alert_and_rep_dm_are_posted_by_the_worker(slack, team, route):
    data = route(message="Need 40 seats", company={"name": "BigCo"})
    alert = Delivery.objects.get(kind="slack.alert", chat_id=data["id"])
    dm = Delivery.objects.get(kind="slack.rep_dm", chat_id=data["id"])
    assert (alert.status, dm.status) == ("pending", "pending")
    # One task for the decision's deliveries, inserted with them (outbox.runner.batch).
    [task] = DBTaskResult.objects.filter(status="READY")
    assert task.task_path == "outbox.runner.deliver_all"
    assert sorted(task.args_kwargs["args"][0]) == sorted([alert.id, dm.id])
    assert slack.calls == []  # nothing happens in the request

    assert run_tasks() == 1
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1
    alert.refresh_from_db()
    dm.refresh_from_db()

    [posted] = slack.messages_in("C0LEADS01")
    assert posted["text"] == "New lead: Lee Lead (BigCo) → Dana"
    assert without_block_ids(posted["blocks"]) == without_block_ids(alert.payload["blocks"])
    assert posted["metadata"] == {
        "event_type": "knock_delivery",
        "event_payload": {"knock_key": alert.key},
    }
    assert posted["unfurl_links"] is False and posted["unfurl_media"] is False
    assert (alert.status, alert.attempts, alert.last_error) == ("done", 1, "")
    assert alert.result == {"channel": "C0LEADS01", "ts": posted["ts"]}
    assert alert.done_at is not None and alert.next_attempt_at is None

    [opened] = slack.calls_to("conversations.open")
    assert opened.params["users"] == user_id(1)
    assert slack.dms == {user_id(1): "D000000001"}
    [direct] = slack.messages_in("D000000001")
    assert (
        direct["text"]
        == "A new lead is yours: Lee Lead (BigCo). Reply in the lead's thread in #leads."
    )
    assert direct["metadata"]["event_payload"] == {"knock_key": dm.key}
    assert without_block_ids(direct["blocks"]) == dm.payload["blocks"]
    assert (dm.status, dm.result) == ("done", {"channel": "D000000001", "ts": direct["ts"]})

    assert {c.token for c in slack.calls} == {TOKEN}
    assert [c.method for c in slack.calls].count("chat.postMessage") == 2
    assert "conversations.history" not in [c.method for c in slack.calls]  # first attempts


def test_a_segment_channel_given_by_id_gets_the_alert(slack, team, route):
    actions.add_segment(
        team.rule, name="VIP", conditions=None,
        assignee={"type": "rep", "id": team.omar.id}, monitoring_channel="C0VIP0001",
    )  # fmt: skip
    route()
    run_tasks()
    assert [m["text"] for m in slack.messages_in("C0VIP0001")] == ["New lead: Lee Lead → Omar"]
    assert slack.messages_in("C0LEADS01") == []
    assert len(slack.messages_in("D000000002")) == 1


def test_the_crm_owner_gets_a_join_button(slack, team, route):
    actions.update_rule(team.rule, notify_crm_owner=True)
    data = route()
    plan_with_crm_owner(data["id"], team.omar.id)
    run_tasks()
    [owner_dm] = slack.messages_in("D000000002")
    [actions_block] = [b for b in owner_dm["blocks"] if b["type"] == "actions"]
    assert actions_block["block_id"] == f"knock_chat_{data['id']}"
    assert actions_block["elements"][0]["action_id"] == "knock_join"
    delivery = Delivery.objects.get(kind="slack.owner_dm")
    assert delivery.result == {"channel": "D000000002", "ts": owner_dm["ts"]}


def test_a_workspace_token_overrides_the_environment(slack, settings, team, route):
    settings.SLACK_BOT_TOKEN = ""
    assert token_for(team.workspace) == ""
    own = SlackSettings(workspace=team.workspace)
    own.bot_token = "xoxb-acme-own"
    own.save()
    assert "xoxb-acme-own" not in own.bot_token_encrypted  # stored encrypted
    slack.tokens.add("xoxb-acme-own")
    team.workspace.refresh_from_db()
    route()
    assert set(Delivery.objects.values_list("backend", flat=True)) == {"slack"}
    run_tasks()
    assert {c.token for c in slack.calls} == {"xoxb-acme-own"}
    assert len(slack.messages) == 2


def test_a_rep_without_slack_id_fails_at_once_without_calling_slack(slack, team, route):
    actions.update_rep(team.dana, slack_user_id="")
    route()
    run_tasks()
    dm = Delivery.objects.get(kind="slack.rep_dm")
    assert (dm.status, dm.attempts) == ("failed", 1)
    assert dm.last_error == "the rep has no Slack user id (sync reps from Slack)"
    assert slack.calls_to("conversations.open") == []
    assert Delivery.objects.get(kind="slack.alert").status == "done"


@pytest.mark.parametrize("status", ["pending", "failed"])
def test_the_console_shows_sent_messages(console, slack, team, route, status):
    route()
    run_tasks()
    html = console.get(f"/w/{team.workspace.id}/slack/").content.decode()
    assert "Connected (SLACK_BOT_TOKEN)" in html
    assert html.count(">Sent<") == 2
    filtered = console.get(f"/w/{team.workspace.id}/slack/?status={status}").content.decode()
    assert "Nothing yet" in filtered


def test_each_finished_delivery_is_a_feed_event(slack, team, route):
    route()
    with feed_events(team.workspace) as events:
        run_tasks()
    updates = [e["delivery"] for e in events if e["type"] == "delivery.updated"]
    assert sorted((u["kind"], u["status"], u["last_error"]) for u in updates) == [
        ("slack.alert", "done", ""),
        ("slack.rep_dm", "done", ""),
    ]


def test_the_console_connects_and_disconnects_a_workspace_token(local, team, route, console):
    page = f"/w/{team.workspace.id}/slack/"
    bad = console.post(f"{page}settings/", {"bot_token": "hunter2"}, follow=True)
    assert "A Slack bot token starts with xoxb-." in bad.content.decode()
    assert not SlackSettings.objects.exists()

    local.tokens.add("xoxb-from-console")
    saved = console.post(
        f"{page}settings/", {"bot_token": "xoxb-from-console", "default_channel": " #alerts "}
    )
    assert saved.status_code == 302
    own = SlackSettings.objects.get(workspace=team.workspace)
    assert own.bot_token == "xoxb-from-console" and own.default_channel == "#alerts"
    html = console.get(page).content.decode()
    assert "Connected (workspace token)" in html and "xoxb-from-console" not in html

    team.workspace.refresh_from_db()
    route()
    run_tasks()
    assert {c.token for c in local.calls} == {"xoxb-from-console"}
    assert len(local.messages) == 2

    console.post(f"{page}settings/", {"disconnect": "on", "default_channel": ""})
    own.refresh_from_db()
    assert own.bot_token == ""
    assert "Local outbox" in console.get(page).content.decode()
