"""The lead alert's Close button at /slack/interactions/ (issue 14 item 1): signed,
deduplicated like Join; a rep of the workspace closes the chat, the alert shows who."""

import copy
import time

import pytest

from notifications.models import SlackInteraction
from notifications.slack import messages
from routing.models import Chat

from .conftest import feed_events, post_interaction, ready_tasks, run_tasks, user_id


@pytest.fixture
def alerted(slack, team, route):
    """A routed chat whose alert was posted to #leads (with a Close button)."""
    data = route()
    run_tasks()
    [alert] = slack.messages_in("C0LEADS01")
    return Chat.objects.get(id=data["id"]), alert


def close_payload(user, alert, *, value=None, action_ts=None):
    [block] = [b for b in alert["blocks"] if b["type"] == "actions"]
    button = block["elements"][0]
    assert button["action_id"] == messages.CLOSE_ACTION
    return {
        "type": "block_actions",
        "user": {"id": user, "username": "someone", "team_id": "T0KNOCK"},
        "container": {"type": "message", "message_ts": alert["ts"], "channel_id": "C0LEADS01"},
        "trigger_id": "1337.42.close",
        "team": {"id": "T0KNOCK", "domain": "knock-test"},
        "channel": {"id": "C0LEADS01", "name": "leads"},
        "actions": [{"action_id": messages.CLOSE_ACTION, "block_id": block["block_id"],
                     "value": button["value"] if value is None else value, "type": "button",
                     "action_ts": action_ts or f"{time.time():.6f}"}],
    }  # fmt: skip


def test_the_alert_carries_a_close_button(alerted):
    chat, alert = alerted
    [block] = [b for b in alert["blocks"] if b["type"] == "actions"]
    assert block["elements"][0]["value"] == str(chat.id)


def test_close_from_slack_closes_the_chat_and_updates_the_alert(alerted, slack, slack_client, team):
    chat, alert = alerted
    response = post_interaction(slack_client, close_payload(user_id(2), alert))
    assert response.status_code == 200
    assert Chat.objects.get(id=chat.id).status == "open"  # the work happens in the task
    [task] = ready_tasks("handle_close")
    assert task.args_kwargs["args"] == [str(chat.id), user_id(2), "C0LEADS01", alert["ts"]]
    with feed_events(team.workspace) as events:
        run_tasks()
    chat.refresh_from_db()
    assert (chat.status, chat.closed_by) == ("closed", "Omar (Slack)")
    assert [e["change"] for e in events if e["type"] == "chat.updated"] == ["closed"]
    [updated] = slack.messages_in("C0LEADS01")
    texts = str(updated["blocks"])
    assert "Closed by Omar (Slack)" in texts and messages.CLOSE_ACTION not in texts


def test_a_replayed_click_is_handled_once(alerted, slack_client):
    chat, alert = alerted
    payload = close_payload(user_id(2), alert, action_ts="1700000000.000001")
    for _ in range(3):
        assert post_interaction(slack_client, payload).status_code == 200
    assert len(ready_tasks("handle_close")) == 1
    assert SlackInteraction.objects.filter(action_id=messages.CLOSE_ACTION).count() == 1


def test_unsigned_or_badly_signed_is_refused(alerted, slack_client):
    chat, alert = alerted
    unsigned = post_interaction(slack_client, close_payload(user_id(2), alert), signed=False)
    assert unsigned.status_code == 401
    bad = post_interaction(slack_client, close_payload(user_id(2), alert), secret="wrong")
    assert bad.status_code == 401
    assert not ready_tasks("handle_close")


def test_someone_who_is_not_a_rep_cannot_close(alerted, slack_client):
    chat, alert = alerted
    post_interaction(slack_client, close_payload("U999999999", alert))
    run_tasks()
    assert Chat.objects.get(id=chat.id).status == "open"


def test_a_forged_chat_id_does_not_close_another_chat(alerted, route, slack_client):
    chat, alert = alerted
    other = route("other@bigco.com")
    post_interaction(slack_client, close_payload(user_id(2), alert, value=str(other["id"])))
    run_tasks()
    assert Chat.objects.get(id=other["id"]).status == "open"  # that alert is not this message


def test_closing_a_closed_chat_changes_nothing(alerted, slack, slack_client):
    chat, alert = alerted
    stale = copy.deepcopy(alert)  # a second click from a client that still shows the button
    post_interaction(slack_client, close_payload(user_id(2), alert))
    run_tasks()
    first = Chat.objects.get(id=chat.id).closed_at
    post_interaction(slack_client, close_payload(user_id(3), stale))
    run_tasks()
    chat.refresh_from_db()
    assert chat.closed_at == first and chat.closed_by == "Omar (Slack)"
