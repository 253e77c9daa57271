"""Item 5: /slack/events/ verifies Slack's signature, answers at once, drops Slack's
retries, and a task turns the first human reply in a lead's thread into Responding
Rep, first_response_at and response_time_minutes (and Rep Owner after an AI agent)."""

import json
import time
from datetime import UTC, datetime

import pytest
from django_tasks_db.models import DBTaskResult

from notifications.models import SlackEvent
from notifications.slack import tasks
from outbox import runner
from outbox.models import Delivery
from routing import actions
from routing.models import Chat

from .conftest import (
    feed_events,
    message_event,
    post_event,
    ready_tasks,
    run_tasks,
    slack_headers,
    ts_after,
    user_id,
)


@pytest.fixture
def thread(slack, team, route):
    """A routed chat whose alert is in #leads: the lead's thread."""
    data = route(message="Do you integrate with Salesforce?")
    run_tasks()
    alert = Delivery.objects.get(kind="slack.alert", chat_id=data["id"])
    chat = Chat.objects.get(id=data["id"])
    return chat, alert.result["channel"], alert.result["ts"]


def ownership(chat_id):
    chat = Chat.objects.get(id=chat_id)
    return (chat.rep_owner_id, chat.ai_owner_id, chat.responding_rep_id,
            chat.first_response_at, chat.response_time_minutes)  # fmt: skip


def get_chat(api, chat_id):
    response = api.get(f"/api/v1/chats/{chat_id}/")
    assert response.status_code == 200
    return response.json()


# -- URL verification and signatures ----------------------------------------------------
def test_url_verification_answers_the_challenge(slack, slack_client):
    body = {"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification"}  # fmt: skip
    response = post_event(slack_client, body)
    assert response.status_code == 200
    assert response.json() == {"challenge": body["challenge"]}
    assert post_event(slack_client, body, signed=False).status_code == 401


REFUSALS = {
    "bad signature": (401, {"secret": "not-the-signing-secret"}),
    "missing headers": (401, {"signed": False}),
    "missing timestamp": (401, {"drop": "HTTP_X_SLACK_REQUEST_TIMESTAMP"}),
    "missing signature": (401, {"drop": "HTTP_X_SLACK_SIGNATURE"}),
    # A minute past Slack's 5-minute bound either way: "now + 301" was accepted when more
    # than a second passed between signing (int(time.time()) truncates) and checking.
    "older than 5 minutes": (401, {"timestamp": -360}),
    "more than 5 minutes ahead": (401, {"timestamp": +360}),
    "timestamp not a number": (401, {"raw_timestamp": "yesterday"}),
    "body changed after signing": (401, {"tamper": True}),
    "no SLACK_SIGNING_SECRET configured": (403, {"no_secret": True}),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_unverified_requests_are_refused_and_change_nothing(
    case, thread, slack_client, settings, team
):
    chat, channel, alert_ts = thread
    status, how = REFUSALS[case]
    payload = message_event(channel, alert_ts, user_id(2), ts_after(chat, 60))
    body = json.dumps(payload).encode()
    if how.get("no_secret"):
        settings.SLACK_SIGNING_SECRET = ""
    headers = {}
    if how.get("signed", True):
        kwargs = {"secret": how["secret"]} if "secret" in how else {}
        if "timestamp" in how:
            kwargs["timestamp"] = int(time.time()) + how["timestamp"]
        headers = slack_headers(body, **kwargs)
    if "raw_timestamp" in how:
        headers["HTTP_X_SLACK_REQUEST_TIMESTAMP"] = how["raw_timestamp"]
    headers.pop(how.get("drop", ""), None)
    if how.get("tamper"):
        body = body.replace(user_id(2).encode(), user_id(3).encode())
    before = ownership(chat.id), DBTaskResult.objects.count()

    response = slack_client.post("/slack/events/", body, content_type="application/json", **headers)

    assert response.status_code == status
    assert "error" in response.json()
    assert SlackEvent.objects.count() == 0
    assert not ready_tasks().exists()
    run_tasks()
    assert (ownership(chat.id), DBTaskResult.objects.count()) == before


def test_only_post_and_only_json(slack, slack_client):
    assert slack_client.get("/slack/events/").status_code == 405
    body = b"not json"
    response = slack_client.post(
        "/slack/events/", body, content_type="application/json", **slack_headers(body)
    )
    assert response.status_code == 400
    assert SlackEvent.objects.count() == 0


# -- thread replies -------------------------------------------------------------------------
def test_the_first_human_reply_sets_responding_rep(thread, slack_client, team, api):
    chat, channel, alert_ts = thread
    ts = ts_after(chat, 150)
    payload = message_event(channel, alert_ts, user_id(2), ts)
    before = ownership(chat.id)

    started = time.monotonic()
    response = post_event(slack_client, payload)
    assert response.status_code == 200 and time.monotonic() - started < 1
    # answered at once: recorded and enqueued, nothing decided yet
    assert ownership(chat.id) == before
    record = SlackEvent.objects.get()
    assert (record.event_id, record.team_id, record.processed_at) == (
        payload["event_id"],
        "T0KNOCK",
        None,
    )
    [task] = ready_tasks("handle_event")
    assert task.args_kwargs["args"] == [payload["event_id"]]

    with feed_events(team.workspace) as events:
        run_tasks()
    chat.refresh_from_db()
    assert chat.responding_rep_id == team.omar.id
    assert chat.first_response_at == datetime.fromtimestamp(float(ts), tz=UTC)
    assert chat.response_time_minutes == 2.5
    assert chat.rep_owner_id == team.dana.id  # a human already owned it
    assert chat.ai_owner_id is None
    record.refresh_from_db()
    assert record.processed_at is not None

    [event] = [e for e in events if e["type"] == "chat.updated"]
    assert event["change"] == "responding_rep"
    assert event["chat"] == {
        "id": chat.id,
        "status": "open",
        "closed_by": "",
        "lead": {"id": chat.lead_id, "email": chat.lead.email},
        "decision": chat.decision.id,
        "rep_owner": {"id": team.dana.id, "name": "Dana"},
        "ai_owner": None,
        "responding_rep": {"id": team.omar.id, "name": "Omar"},
        "response_time_minutes": 2.5,
    }
    data = get_chat(api, chat.id)
    assert data["responding_rep"] == {"id": team.omar.id, "name": "Omar"}
    assert data["rep_owner"] == {"id": team.dana.id, "name": "Dana"}
    assert data["ai_owner"] is None
    assert data["response_time_minutes"] == 2.5


def test_after_an_ai_agent_the_first_human_becomes_rep_owner(
    slack, ai_first, route, slack_client, api
):
    team = ai_first
    data = route()
    run_tasks()
    assert get_chat(api, data["id"])["rep_owner"] is None
    alert = Delivery.objects.get(kind="slack.alert").result
    chat = Chat.objects.get(id=data["id"])
    post_event(
        slack_client, message_event(alert["channel"], alert["ts"], user_id(3), ts_after(chat, 30))
    )
    with feed_events(team.workspace) as events:
        run_tasks()
    got = get_chat(api, chat.id)
    assert got["rep_owner"] == {"id": team.pia.id, "name": "Pia"}
    assert got["ai_owner"] == {"id": team.agent.id, "name": "Knock AI"}
    assert got["responding_rep"] == {"id": team.pia.id, "name": "Pia"}
    assert got["response_time_minutes"] == 0.5
    [event] = [e for e in events if e["type"] == "chat.updated"]
    assert event["chat"]["rep_owner"] == {"id": team.pia.id, "name": "Pia"}


def test_a_second_human_reply_changes_nothing(thread, slack_client, team):
    chat, channel, alert_ts = thread
    post_event(slack_client, message_event(channel, alert_ts, user_id(2), ts_after(chat, 60)))
    run_tasks()
    first = ownership(chat.id)
    post_event(slack_client, message_event(channel, alert_ts, user_id(3), ts_after(chat, 120)))
    with feed_events(team.workspace) as events:
        run_tasks()
    assert ownership(chat.id) == first
    assert [e for e in events if e["type"] == "chat.updated"] == []
    assert SlackEvent.objects.filter(processed_at__isnull=False).count() == 2


def test_a_thread_broadcast_reply_counts(thread, slack_client, team):
    chat, channel, alert_ts = thread
    payload = message_event(
        channel, alert_ts, user_id(2), ts_after(chat, 60), subtype="thread_broadcast"
    )
    post_event(slack_client, payload)
    run_tasks()
    assert Chat.objects.get(id=chat.id).responding_rep_id == team.omar.id


NOT_A_HUMAN_REPLY = [
    "bot message",
    "our own bot",
    "edited message",
    "top-level message",
    "the thread's root",
    "unknown thread",
    "same ts in another channel",
    "not a rep",
    "inactive rep",
    "rep of another workspace",
]


@pytest.mark.parametrize("case", NOT_A_HUMAN_REPLY)
def test_other_messages_change_nothing(case, thread, slack_client, team, other_api):
    chat, channel, alert_ts = thread
    ts = ts_after(chat, 60)
    args = {"channel": channel, "thread_ts": alert_ts, "user": user_id(2), "ts": ts}
    extra = {}
    if case == "bot message":
        extra = {"subtype": "bot_message", "bot_id": "B0OTHER", "username": "CRM bot"}
        args["user"] = None
    elif case == "our own bot":
        args["user"] = "U0KNOCKBOT"
        extra = {"bot_id": "B0KNOCKBOT", "app_id": "A0KNOCK"}
    elif case == "edited message":
        extra = {"subtype": "message_changed", "hidden": True}
    elif case == "top-level message":
        args["thread_ts"] = None
    elif case == "the thread's root":
        args["ts"] = alert_ts
    elif case == "unknown thread":
        args["thread_ts"] = "1500000000.000100"
    elif case == "same ts in another channel":
        args["channel"] = "C0VIP0001"
    elif case == "not a rep":
        args["user"] = user_id(5)
    elif case == "inactive rep":
        actions.update_rep(team.omar, is_active=False)
    elif case == "rep of another workspace":
        args["user"] = "U0GLOBEX"
        actions.create_rep(
            other_api.workspace, name="Gus", email="gus@globex.test", slack_user_id="U0GLOBEX"
        )
    before = ownership(chat.id)
    post_event(slack_client, message_event(**args, **extra))
    with feed_events(team.workspace) as events:
        run_tasks()
    assert ownership(chat.id) == before
    assert not [e for e in events if e["type"] == "chat.updated"]
    assert SlackEvent.objects.get().processed_at is not None


def test_slack_retries_of_an_event_are_processed_once(thread, slack_client, team):
    chat, channel, alert_ts = thread
    payload = message_event(channel, alert_ts, user_id(2), ts_after(chat, 60))
    assert post_event(slack_client, payload).status_code == 200
    assert post_event(slack_client, payload, retry_num=1).status_code == 200
    assert SlackEvent.objects.count() == 1
    assert ready_tasks("handle_event").count() == 1
    with feed_events(team.workspace) as events:
        run_tasks()
        assert post_event(slack_client, payload, retry_num=2).status_code == 200  # late retry
        run_tasks()
    assert len([e for e in events if e["type"] == "chat.updated"]) == 1
    assert DBTaskResult.objects.filter(task_path__endswith="handle_event").count() == 1
    # the task itself is idempotent too (a duplicate task row would be harmless)
    tasks.handle_event.call(payload["event_id"])
    assert Chat.objects.get(id=chat.id).responding_rep_id == team.omar.id


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "app_rate_limited", "team_id": "T0KNOCK", "minute_rate_limited": 1518467820},
        {"type": "event_callback", "event": {"type": "message"}},  # no event_id
        ["not", "an", "object"],
    ],
    ids=["not an event callback", "no event id", "not an object"],
)
def test_what_we_do_not_act_on_is_acknowledged_and_not_stored(payload, slack, slack_client):
    response = post_event(slack_client, payload)
    assert response.status_code in (200, 400)
    assert SlackEvent.objects.count() == 0 and not ready_tasks().exists()


def test_other_event_types_are_recorded_and_ignored(thread, slack_client):
    chat, channel, _ = thread
    before = ownership(chat.id)
    payload = message_event(channel, None, user_id(2), ts_after(chat, 5))
    payload["event"] = {"type": "app_mention", "user": user_id(2), "text": "<@U0KNOCKBOT> hi",
                        "ts": ts_after(chat, 5), "channel": channel}  # fmt: skip
    assert post_event(slack_client, payload).status_code == 200
    run_tasks()
    assert SlackEvent.objects.get().processed_at is not None
    assert ownership(chat.id) == before


def test_a_reply_to_an_alert_not_yet_recorded_still_counts(
    slack, team, route, slack_client, monkeypatch
):
    data = route()
    alert = Delivery.objects.get(kind="slack.alert")
    real_done = runner._done

    def dies(delivery, result):
        if delivery.kind == "slack.alert":
            raise SystemExit(1)  # the worker dies after posting
        return real_done(delivery, result)

    monkeypatch.setattr(runner, "_done", dies)
    with pytest.raises(SystemExit):
        runner.run(alert.id)
    monkeypatch.setattr(runner, "_done", real_done)
    [posted] = slack.messages_in("C0LEADS01")
    chat = Chat.objects.get(id=data["id"])
    post_event(
        slack_client, message_event("C0LEADS01", posted["ts"], user_id(2), ts_after(chat, 30))
    )
    run_tasks()
    Delivery.objects.filter(id=alert.id).update(
        updated_at=alert.updated_at.replace(year=alert.updated_at.year - 1)
    )
    runner.requeue_stuck()
    run_tasks()
    assert Delivery.objects.get(id=alert.id).result["ts"] == posted["ts"]
    assert Chat.objects.get(id=chat.id).responding_rep_id == team.omar.id


def test_the_replay_asked_by_the_alert_handler_waits_until_the_alert_is_recorded(
    slack, team, route
):
    """post_alert asks for the replay right after posting, before the runner records the
    delivery as done: a replay that runs that early puts itself back a little later."""
    route()
    alert = Delivery.objects.get(kind="slack.alert")
    Delivery.objects.filter(id=alert.id).update(status=Delivery.RUNNING)
    DBTaskResult.objects.filter(status="READY").delete()
    tasks.replay_threads.call(alert.id)
    [later] = ready_tasks("replay_threads")
    assert later.args_kwargs["args"] == [alert.id, 1]
    Delivery.objects.filter(id=alert.id).update(status=Delivery.FAILED)
    later.delete()
    tasks.replay_threads.call(alert.id)  # failed for good: nothing to wait for
    assert not ready_tasks("replay_threads").exists()
