"""A reply's `at` must fall between its chat and now; choices ignore case and spaces."""

from datetime import timedelta

import pytest
from django.utils import timezone

from routing.models import Chat

from .helpers import CHATS, chat, counts, ok


@pytest.fixture
def routed(api, make_rep):
    dana = make_rep("Dana")
    data = chat(api)
    return Chat.objects.get(id=data["id"]), dana


def reply(api, chat_id, **body):
    return api.post(f"/api/v1/chats/{chat_id}/replies/", body, format="json")


@pytest.mark.parametrize(
    "at",
    [
        "0001-01-01T00:00:00Z",
        "before the chat",
        "an hour ahead",
        "9999-12-31T23:59:59Z",
    ],
)
def test_a_reply_before_its_chat_or_in_the_future_is_a_400(api, routed, at):
    chat_row, dana = routed
    if at == "before the chat":
        at = (chat_row.created_at - timedelta(seconds=1)).isoformat()
    elif at == "an hour ahead":
        at = (timezone.now() + timedelta(hours=1)).isoformat()
    response = reply(api, chat_row.id, rep=dana.id, at=at)
    assert response.status_code == 400
    assert list(response.json()) == ["at"]
    chat_row.refresh_from_db()
    assert chat_row.responding_rep_id is None
    assert chat_row.first_response_at is None
    assert chat_row.response_time_minutes is None


def test_a_reply_a_little_ahead_of_our_clock_is_accepted(api, routed):
    chat_row, dana = routed
    at = timezone.now() + timedelta(minutes=2)
    data = ok(reply(api, chat_row.id, rep=dana.id, at=at.isoformat()))
    assert data["responding_rep"]["id"] == dana.id
    assert data["response_time_minutes"] >= 1.9


def test_a_reply_without_at_is_now(api, routed):
    chat_row, dana = routed
    data = ok(reply(api, chat_row.id, rep=dana.id))
    assert 0 <= data["response_time_minutes"] < 1


@pytest.mark.parametrize(
    ("section", "field", "sent", "stored"),
    [
        ("intent", "type", "SUPPORT", "support"),
        ("intent", "type", " Buying ", "buying"),
        ("intent", "type", "Job_Seeker", "job_seeker"),
        ("intent", "score", "HIGH", "high"),
        ("intent", "score", "\tlow\n", "low"),
        ("session", "device", " Mobile ", "mobile"),
        ("session", "device", "DESKTOP", "desktop"),
    ],
)
def test_choices_are_trimmed_and_case_folded(api, make_rep, section, field, sent, stored):
    make_rep("Dana")
    data = chat(api, **{section: {field: sent}})
    assert data["context"][section][field] == stored


@pytest.mark.parametrize(
    ("section", "field", "sent"),
    [
        ("intent", "type", "curious"),
        ("intent", "type", "SUPPORTS"),
        ("intent", "type", ""),
        ("intent", "score", "very high"),
        ("session", "device", "fridge"),
        ("session", "device", "  "),
    ],
)
def test_unknown_choices_are_still_a_400(api, make_rep, section, field, sent):
    make_rep("Dana")
    before = counts()
    response = api.post(
        CHATS, {"lead": {"email": "a@b.com"}, section: {field: sent}}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()[section]
    assert counts() == before
