"""Item 7: POST /api/v1/chats/{id}/replies/ {"rep": id}: what a Slack thread reply does,
for other chat surfaces. Same semantics: the first human reply only."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from routing import actions
from routing.models import Chat

from .conftest import feed_events, message_event, post_event, run_tasks, ts_after


def reply(api, chat_id, **body):
    return api.post(f"/api/v1/chats/{chat_id}/replies/", body, format="json")


def test_the_first_reply_sets_responding_rep(local, team, route, api):
    data = route()
    chat = Chat.objects.get(id=data["id"])
    at = chat.created_at + timedelta(minutes=4, seconds=30)
    with feed_events(team.workspace) as events:
        response = reply(api, chat.id, rep=team.omar.id, at=at.isoformat())
    assert response.status_code == 200
    got = response.json()
    assert got["id"] == chat.id
    assert got["responding_rep"] == {"id": team.omar.id, "name": "Omar"}
    assert got["rep_owner"] == {"id": team.dana.id, "name": "Dana"}  # a human owned it
    assert got["ai_owner"] is None
    assert got["response_time_minutes"] == 4.5
    assert parse_datetime(got["first_response_at"]) == at
    assert api.get(f"/api/v1/chats/{chat.id}/").json() == got
    [event] = [e for e in events if e["type"] == "chat.updated"]
    assert event["change"] == "responding_rep"
    assert event["chat"]["responding_rep"] == {"id": team.omar.id, "name": "Omar"}


def test_after_an_ai_agent_the_replying_rep_becomes_rep_owner(local, ai_first, route, api):
    team = ai_first
    data = route()
    got = reply(api, data["id"], rep=team.pia.id).json()
    assert got["rep_owner"] == {"id": team.pia.id, "name": "Pia"}
    assert got["ai_owner"] == {"id": team.agent.id, "name": "Knock AI"}
    assert got["responding_rep"] == {"id": team.pia.id, "name": "Pia"}
    assert 0 <= got["response_time_minutes"] < 1  # `at` defaults to now


def but_activity(chat: dict) -> dict:
    """A later reply is activity (it delays the auto-close) and changes nothing else."""
    return {k: v for k, v in chat.items() if k != "last_activity_at"}


def test_a_second_reply_changes_nothing(local, ai_first, route, api):
    team = ai_first
    data = route()
    first = reply(api, data["id"], rep=team.omar.id).json()
    with feed_events(team.workspace) as events:
        second = reply(api, data["id"], rep=team.pia.id, at=timezone.now().isoformat())
    assert second.status_code == 200 and but_activity(second.json()) == but_activity(first)
    assert not [e for e in events if e["type"] == "chat.updated"]


def test_a_reply_dated_before_the_chat_started_is_refused(local, team, route, api):
    # Issue 10 item 7: it used to be accepted and counted as a 0-minute response.
    data = route()
    at = timezone.now() - timedelta(hours=1)
    response = reply(api, data["id"], rep=team.omar.id, at=at.isoformat())
    assert response.status_code == 400
    assert "at" in response.json()
    chat = Chat.objects.get(id=data["id"])
    assert chat.first_response_at is None and chat.responding_rep_id is None


def test_a_rep_of_another_workspace_is_400(local, team, route, api, other_api):
    data = route()
    stranger = actions.create_rep(other_api.workspace, name="Gus", email="gus@globex.test")
    response = reply(api, data["id"], rep=stranger.id)
    assert response.status_code == 400
    assert "rep" in response.json()
    assert Chat.objects.get(id=data["id"]).responding_rep_id is None


def test_a_chat_of_another_workspace_is_404(local, team, route, other_api):
    data = route()
    response = reply(other_api, data["id"], rep=team.omar.id)
    assert response.status_code == 404
    assert Chat.objects.get(id=data["id"]).responding_rep_id is None


@pytest.mark.parametrize(
    "body", [{}, {"rep": "omar"}, {"rep": 0}, {"rep": 10**12}, {"rep": 1, "at": "yesterday"}]
)
def test_bad_bodies_are_400(local, team, route, api, body):
    data = route()
    assert reply(api, data["id"], **body).status_code == 400
    assert Chat.objects.get(id=data["id"]).responding_rep_id is None


def test_unauthenticated_is_refused(local, team, route):
    data = route()
    assert reply(APIClient(), data["id"], rep=team.omar.id).status_code in (401, 403)


def test_a_slack_thread_reply_after_an_api_reply_changes_nothing(
    slack, team, route, api, slack_client
):
    data = route()
    run_tasks()
    first = reply(api, data["id"], rep=team.pia.id).json()
    chat = Chat.objects.get(id=data["id"])
    alert = chat.deliveries.get(kind="slack.alert").result
    post_event(
        slack_client, message_event(alert["channel"], alert["ts"], "U000000002", ts_after(chat, 9))
    )
    run_tasks()
    assert but_activity(api.get(f"/api/v1/chats/{chat.id}/").json()) == but_activity(first)


def test_a_deactivated_rep_cannot_reply(local, team, route, api):
    data = route()
    actions.update_rep(team.omar, is_active=False)
    assert reply(api, data["id"], rep=team.omar.id).status_code == 400
    assert Chat.objects.get(id=data["id"]).responding_rep_id is None
