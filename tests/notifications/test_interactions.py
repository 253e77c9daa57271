"""Item 6: the CRM owner's Join button at /slack/interactions/ (signed, form-encoded
`payload=`): the invited owner becomes Rep Owner, the DM loses its button, the feed
hears of it; nobody else can join."""

import time

import pytest
from django_tasks_db.models import DBTaskResult

from notifications.slack import messages
from outbox.models import Delivery
from routing import actions
from routing.models import Chat

from .conftest import (
    feed_events,
    plan_with_crm_owner,
    post_interaction,
    ready_tasks,
    run_tasks,
    slack_headers,
    user_id,
)  # fmt: skip


@pytest.fixture
def invited(slack, team, route):
    """Dana got the chat; the CRM says Omar owns the lead, so Omar has a Join DM."""
    actions.update_rule(team.rule, notify_crm_owner=True)
    data = route()
    plan_with_crm_owner(data["id"], team.omar.id)
    run_tasks()
    [dm] = slack.messages_in("D000000002")
    return Chat.objects.get(id=data["id"]), dm


def join_payload(user, dm, *, value=None, action_id=messages.JOIN_ACTION):
    """A block_actions payload as Slack sends it when `user` clicks the DM's button."""
    [block] = [b for b in dm["blocks"] if b["type"] == "actions"]
    button = block["elements"][0]
    return {
        "type": "block_actions",
        "user": {"id": user, "username": "someone", "name": "someone", "team_id": "T0KNOCK"},
        "api_app_id": "A0KNOCK",
        "token": "legacy-verification-token",
        "container": {"type": "message", "message_ts": dm["ts"], "channel_id": dm["channel"],
                      "is_ephemeral": False},
        "trigger_id": "1337.42.abcdef",
        "team": {"id": "T0KNOCK", "domain": "knock-test"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": dm["channel"], "name": "directmessage"},
        "message": {k: v for k, v in dm.items() if k != "channel"},
        "state": {"values": {}},
        "response_url": "https://hooks.slack.com/actions/T0KNOCK/1/abc",
        "actions": [{"action_id": action_id, "block_id": block["block_id"], "text": button["text"],
                     "value": button["value"] if value is None else value, "style": "primary",
                     "type": "button", "action_ts": f"{time.time():.6f}"}],
    }  # fmt: skip


def owners(chat):
    chat.refresh_from_db()
    return chat.rep_owner_id, chat.responding_rep_id


def test_join_by_the_invited_owner_makes_them_rep_owner(invited, slack, slack_client, team, api):
    chat, dm = invited
    assert chat.rep_owner_id == team.dana.id

    started = time.monotonic()
    response = post_interaction(slack_client, join_payload(user_id(2), dm))
    assert response.status_code == 200 and time.monotonic() - started < 1
    assert owners(chat) == (team.dana.id, None)  # the work happens in the task
    [task] = ready_tasks("handle_join")
    assert task.args_kwargs["args"] == [str(chat.id), user_id(2), "D000000002", dm["ts"]]

    with feed_events(team.workspace) as events:
        run_tasks()
    assert owners(chat) == (team.omar.id, None)
    got = api.get(f"/api/v1/chats/{chat.id}/").json()
    assert got["rep_owner"] == {"id": team.omar.id, "name": "Omar"}

    [change] = [e for e in events if e["type"] == "chat.updated"]
    assert change["change"] == "rep_owner"
    assert change["chat"]["rep_owner"] == {"id": team.omar.id, "name": "Omar"}

    update = Delivery.objects.get(kind="slack.update")
    assert update.key == f"chat:{chat.id}:joined:{team.omar.id}"
    assert update.target == {"channel": "D000000002", "ts": dm["ts"]}
    assert update.status == "done"
    [call] = slack.calls_to("chat.update")
    assert (call.params["channel"], call.params["ts"]) == ("D000000002", dm["ts"])
    [message] = slack.messages_in("D000000002")  # updated in place, not a new message
    assert message["text"] == "You joined the chat with Lee Lead: you are now the Rep Owner."
    assert not [b for b in message["blocks"] if b["type"] == "actions"]  # no button any more
    assert "edited" in message


def test_a_second_click_changes_nothing(invited, slack, slack_client, team):
    chat, dm = invited
    click = join_payload(user_id(2), dm)  # e.g. a double click before the DM was updated
    post_interaction(slack_client, click)
    run_tasks()
    post_interaction(slack_client, click)
    with feed_events(team.workspace) as events:
        run_tasks()
    assert owners(chat) == (team.omar.id, None)
    assert Delivery.objects.filter(kind="slack.update").count() == 1
    assert len(slack.calls_to("chat.update")) == 1
    assert not [e for e in events if e["type"] == "chat.updated"]


@pytest.mark.parametrize(
    "case",
    ["another rep", "not a rep", "owner deactivated", "chat id not a number",
     "a chat the owner was not invited to", "another action"],
)  # fmt: skip
def test_only_the_invited_owner_can_join(case, invited, slack, slack_client, team, route):
    chat, dm = invited
    user, value, action_id = user_id(2), None, messages.JOIN_ACTION
    if case == "another rep":
        user = user_id(3)  # Pia: a rep, but the CRM did not name her
    elif case == "not a rep":
        user = user_id(6)
    elif case == "owner deactivated":
        actions.update_rep(team.omar, is_active=False)
    elif case == "chat id not a number":
        value = "12; DROP TABLE"
    elif case == "a chat the owner was not invited to":
        value = str(route(email="other@lead.com")["id"])
        run_tasks()
    elif case == "another action":
        action_id = "something_else"
    other_chats = {c.id: c.rep_owner_id for c in Chat.objects.exclude(id=chat.id)}
    response = post_interaction(
        slack_client, join_payload(user, dm, value=value, action_id=action_id)
    )
    assert response.status_code == 200
    with feed_events(team.workspace) as events:
        run_tasks()
    assert owners(chat) == (team.dana.id, None)
    assert {c.id: c.rep_owner_id for c in Chat.objects.exclude(id=chat.id)} == other_chats
    assert not Delivery.objects.filter(kind="slack.update").exists()
    assert slack.calls_to("chat.update") == []
    assert not [e for e in events if e["type"] == "chat.updated"]


@pytest.mark.parametrize("how", [{"signed": False}, {"secret": "wrong"}, {"timestamp": 1}])
def test_unsigned_clicks_are_refused(how, invited, slack_client, team):
    chat, dm = invited
    before = DBTaskResult.objects.count()
    response = post_interaction(slack_client, join_payload(user_id(2), dm), **how)
    assert response.status_code == 401
    assert DBTaskResult.objects.count() == before
    run_tasks()
    assert owners(chat) == (team.dana.id, None)


def test_no_signing_secret_is_403(invited, slack_client, settings):
    _, dm = invited
    settings.SLACK_SIGNING_SECRET = ""
    assert post_interaction(slack_client, join_payload(user_id(2), dm)).status_code == 403


def test_other_interactions_are_acknowledged(slack, slack_client):
    view = {"type": "view_submission", "user": {"id": user_id(2)}, "view": {"id": "V1"}}
    assert post_interaction(slack_client, view).status_code == 200
    assert not ready_tasks().exists()
    body = b"payload=%7Bnot-json"
    response = slack_client.post(
        "/slack/interactions/", body, content_type="application/x-www-form-urlencoded",
        **slack_headers(body),
    )  # fmt: skip
    assert response.status_code == 400


def test_join_end_to_end_for_a_lead_the_crm_gives_to_another_rep(
    slack, crm_lead, route, slack_client
):
    """route_chat with the local CRM -> Omar's Join DM -> Join -> Rep Owner, written back."""
    team = crm_lead
    data = route()
    run_tasks()
    [dm] = slack.messages_in("D000000002")
    post_interaction(slack_client, join_payload(user_id(2), dm))
    run_tasks()
    chat = Chat.objects.get(id=data["id"])
    assert chat.rep_owner_id == team.omar.id
    assert not [b for b in slack.messages_in("D000000002")[0]["blocks"] if b["type"] == "actions"]
    writes = Delivery.objects.filter(kind="crm.write", chat=chat).order_by("id")
    assert "Omar" in writes.last().payload["text"] and writes.last().status == "done"
