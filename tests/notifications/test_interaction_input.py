"""Issue 10 item 6: a signed interaction that is not shaped like Slack's is a 400 (never
a 500) and enqueues nothing; a replayed signed interaction enqueues its task once."""

# ruff: noqa: F811 - `invited` is a fixture imported from test_interactions

import copy
import json
import time

import pytest
from django_tasks_db.models import DBTaskResult

from notifications.models import SlackInteraction
from routing.models import Chat

from .conftest import post_event, post_interaction, ready_tasks, run_tasks, slack_headers, user_id
from .test_interactions import invited, join_payload  # noqa: F401 - the fixture is used


def _set(path, value):
    def change(payload):
        *parents, last = path
        target = payload
        for key in parents:
            target = target[key]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value

    return change


MALFORMED = {
    "actions [null]": _set(["actions"], [None]),
    "actions a string": _set(["actions"], "knock_join"),
    "actions empty": _set(["actions"], []),
    "actions missing": _set(["actions"], KeyError),
    "an action a list": _set(["actions", 0], ["knock_join"]),
    "container a string": _set(["container"], "D000000002"),
    "user a string": _set(["user"], user_id(2)),
    "user missing": _set(["user"], KeyError),
    "user without id": _set(["user", "id"], KeyError),
    "user id a number": _set(["user", "id"], 2),
    "channel a list": _set(["channel"], ["D000000002"]),
    "team a string": _set(["team"], "T0KNOCK"),
    "value a number": _set(["actions", 0, "value"], 12),
    "value with NUL": _set(["actions", 0, "value"], "12\x00"),
    "value with a lone surrogate": _set(["actions", 0, "value"], "\udfff"),
    "action_ts an object": _set(["actions", 0, "action_ts"], {"ts": 1}),
    "message_ts a number": _set(["container", "message_ts"], 1.5),
    "type missing": _set(["type"], KeyError),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_signed_interactions_are_400_and_enqueue_nothing(
    case, invited, slack_client, team
):
    chat, dm = invited
    payload = join_payload(user_id(2), dm)
    MALFORMED[case](payload)
    before = DBTaskResult.objects.count()
    response = post_interaction(slack_client, payload)
    assert response.status_code == 400, response.content
    assert "error" in response.json()
    assert DBTaskResult.objects.count() == before
    assert not SlackInteraction.objects.exists()
    run_tasks()
    chat.refresh_from_db()
    assert chat.rep_owner_id == team.dana.id


BODIES = {
    "no payload field": b"other=1",
    "payload empty": b"payload=",
    "payload not JSON": b"payload=%7Bnot-json",
    "payload a list": b"payload=%5B1%2C2%5D",
    "payload a string": b"payload=%22block_actions%22",
    "payload nested too deep": b"payload=" + b"%5B" * 100_000,
    "payload with a 5000-digit number": b"payload=" + b"9" * 5000,
}


@pytest.mark.parametrize("case", list(BODIES))
def test_signed_bodies_that_are_not_a_payload_object_are_400(case, slack, slack_client):
    body = BODIES[case]
    response = slack_client.post(
        "/slack/interactions/", body, content_type="application/x-www-form-urlencoded",
        **slack_headers(body),
    )  # fmt: skip
    assert response.status_code == 400
    assert not ready_tasks().exists()


@pytest.mark.parametrize(
    "body", [b"[" * 100_000, b"9" * 5000, b'{"type": "event_callback", "x": ' + b"1" * 5000 + b"}"]
)
def test_signed_events_that_json_cannot_read_are_400(body, slack, slack_client):
    response = slack_client.post(
        "/slack/events/", body, content_type="application/json", **slack_headers(body)
    )
    assert response.status_code == 400
    assert not ready_tasks().exists()


def test_a_replayed_interaction_enqueues_its_task_once(invited, slack_client, team):
    chat, dm = invited
    click = join_payload(user_id(2), dm)
    for _ in range(3):  # the same signed request, replayed within the 5 minutes
        assert post_interaction(slack_client, click).status_code == 200
    assert ready_tasks("handle_join").count() == 1
    assert SlackInteraction.objects.count() == 1

    again = copy.deepcopy(click)  # a real second click: Slack sends a new action_ts
    again["actions"][0]["action_ts"] = f"{time.time() + 1:.6f}"
    again["trigger_id"] = "1337.43.fedcba"
    assert post_interaction(slack_client, again).status_code == 200
    assert ready_tasks("handle_join").count() == 2
    run_tasks()
    assert Chat.objects.get(id=chat.id).rep_owner_id == team.omar.id


def test_other_block_actions_are_recorded_for_nothing(invited, slack_client):
    _, dm = invited
    payload = join_payload(user_id(2), dm, action_id="something_else")
    assert post_interaction(slack_client, payload).status_code == 200
    assert not SlackInteraction.objects.exists()
    assert not ready_tasks("handle_join").exists()


def test_an_event_payload_still_works(slack, slack_client):
    body = {"type": "url_verification", "challenge": "abc"}
    assert json.loads(post_event(slack_client, body).content) == {"challenge": "abc"}


@pytest.mark.parametrize("signed", [True, False])
@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/slack/events/", "application/json", b'{"type": "x", "pad": "' + b"a" * 300_000 + b'"}'),
        ("/slack/interactions/", "application/x-www-form-urlencoded", b"payload=" + b"a" * 300_000),
        ("/slack/interactions/", "application/x-www-form-urlencoded", b"&".join([b"a=1"] * 1500)),
    ],
)
def test_an_oversize_body_is_a_clean_json_400(
    slack, slack_client, settings, path, content_type, body, signed
):
    settings.DEBUG = True  # Django's own answer would be its HTML debug page
    headers = slack_headers(body) if signed else {}
    response = slack_client.post(path, body, content_type=content_type, **headers)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] in ("request body too large", "too many form fields")
    assert not ready_tasks().exists() and not SlackInteraction.objects.exists()
