"""NUL and lone UTF-16 surrogates in any JSON string or key: a 400 naming it, no write.

Before the parser refused them, a "\\udfff" in e.g. custom.x was stored, the
answer was a 500, and every later list showing the row answered 500 too; NUL
was a 500 on PostgreSQL. Each case below puts the bad text into one string (or
key) of an otherwise valid body, for every JSON field of every writing endpoint.
"""

import json

import pytest

from routing.models import Pool, Rep, Workspace

from .helpers import CHATS, ok
from .helpers import counts as row_counts


def counts():
    return {
        **row_counts(),
        "reps": Rep.objects.count(),
        "pools": Pool.objects.count(),
        "workspaces": list(Workspace.objects.values_list("name", flat=True)),
    }


BAD = {"surrogate": "\udfff", "NUL": "\x00", "lead surrogate": "\ud83d"}

CHAT_BODY = {
    "link": "inbound",
    "lead": {"email": "jo@bigco.com", "name": "Jo", "country": "FR", "title": "CTO"},
    "message": "Hello",
    "session": {
        "device": "mobile",
        "country": "FR",
        "city": "Lyon",
        "page_url": "https://acme.test/pricing",
        "referrer": "https://google.com/",
    },
    "utm": {"source": "g2", "medium": "cpc", "campaign": "q4", "term": "t", "content": "c"},
    "referrer": "https://google.com/",
    "company": {
        "name": "BigCo",
        "domain": "bigco.com",
        "industry": "Software",
        "country": "FR",
        "hq_city": "Lyon",
        "tech": ["python", "django"],
    },
    "intent": {"type": "buying", "score": "high"},
    "custom": {"plan": "gold", "seats": ["a", "b"]},
}


def variants(body, path=()):
    """(path, body) for every string value and every key of `body`, made bad."""
    if isinstance(body, dict):
        for key, value in body.items():
            for kind, char in BAD.items():
                renamed = {(k + char if k == key else k): v for k, v in body.items()}
                escaped = key + json.dumps(char)[1:-1]
                yield (*path, escaped), f"key {kind}", renamed
            for sub_path, kind, sub in variants(value, (*path, key)):
                yield sub_path, kind, {**body, key: sub}
    elif isinstance(body, list):
        for i, value in enumerate(body):
            for sub_path, kind, sub in variants(value, (*path, i)):
                yield sub_path, kind, [*body[:i], sub, *body[i + 1 :]]
    elif isinstance(body, str):
        for kind, char in BAD.items():
            yield path, kind, body[:1] + char + body[1:]


def post_raw(api, method, url, body):
    # json.dumps escapes the lone surrogate ("\\udfff"), as a real client's body would.
    return getattr(api, method)(url, json.dumps(body), content_type="application/json")


def error_at(data, path):
    node = data
    for key in path:
        key = str(key)
        node = {str(k): v for k, v in node.items()} if isinstance(node, dict) else node
        assert key in node, (path, data)
        node = node[key]
    assert isinstance(node, list) and node, (path, data)
    assert "NUL" in node[0] or "surrogate" in node[0], node
    return node


@pytest.fixture
def world(api, make_rep, make_rule, make_link, add_segment):
    rep = make_rep("Dana")
    rule = make_rule("Inbound")
    make_link("inbound", chat_rule=rule["id"])
    segment = add_segment(
        rule["id"], "Gold", {"field": "custom.plan", "op": "eq", "value": "gold"},
        {"type": "rep", "id": rep.id},
    )  # fmt: skip
    ok(
        api.post(CHATS, {"lead": {"email": "first@bigco.com"}, "link": "inbound"}, format="json"),
        201,
    )
    return {"rep": rep, "rule": rule, "segment": segment}


def assert_refused_and_lists_still_work(api, method, url, good_body):
    """Every bad variant of `good_body` is a 400 at its path; nothing is written."""
    before = counts()
    tried = 0
    for path, kind, body in variants(good_body):
        response = post_raw(api, method, url, body)
        assert response.status_code == 400, (path, kind, response.status_code)
        error_at(response.json(), path)
        assert counts() == before, (path, kind)
        tried += 1
    assert tried >= 3 * len(good_body)
    for listing in ("chats", "decisions", "links", "rules", "segments", "reps", "pools"):
        assert api.get(f"/api/v1/{listing}/").status_code == 200, listing
    assert api.get("/api/v1/workspace/").status_code == 200


def test_chat_body(api, world):
    assert_refused_and_lists_still_work(api, "post", CHATS, CHAT_BODY)


def test_chat_body_with_an_idempotency_key(api, world):
    before = counts()
    for path, kind, body in variants(CHAT_BODY):
        response = api.post(
            CHATS, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1"
        )
        assert response.status_code == 400, (path, kind)
    assert counts() == before


SEGMENT_BODY = {
    "name": "Enterprise",
    "conditions": {
        "all": [
            {"field": "custom.plan", "op": "in", "value": ["gold", "platinum"]},
            {"any": [{"field": "company.country", "op": "eq", "value": "FR"}]},
        ]
    },
    "assignee": {"type": "workspace_default"},
    "monitoring_channel": "#sales",
}


def test_new_segment(api, world):
    url = f"/api/v1/rules/{world['rule']['id']}/segments/"
    assert_refused_and_lists_still_work(api, "post", url, SEGMENT_BODY)


def test_segment_update(api, world):
    url = f"/api/v1/segments/{world['segment']['id']}/"
    assert_refused_and_lists_still_work(api, "patch", url, SEGMENT_BODY)


RULE_BODY = {"name": "Partners", "kind": "chat", "monitoring_channel": "#partners"}


def test_new_rule(api, world):
    assert_refused_and_lists_still_work(api, "post", "/api/v1/rules/", RULE_BODY)


LINK_BODY = {
    "slug": "webinar",
    "name": "Webinar",
    "channel": "Events",
    "utm_defaults": {"source": "webinar", "medium": "event"},
}


def test_new_link(api, world):
    assert_refused_and_lists_still_work(api, "post", "/api/v1/links/", LINK_BODY)


REP_BODY = {
    "name": "Priya",
    "email": "priya@acme.test",
    "slack_user_id": "U123",
    "crm_user_ids": ["005abc"],
    "timezone": "Europe/Paris",
    "working_hours": {"mon": [["09:00", "17:00"]]},
}


def test_new_rep(api, world):
    assert_refused_and_lists_still_work(api, "post", "/api/v1/reps/", REP_BODY)


def test_simulate_context(api, world):
    url = f"/api/v1/rules/{world['rule']['id']}/simulate/"
    body = {"context": {"lead": {"email": "a@b.com"}, "custom": {"x": "y", "n": ["1"]}}}
    assert_refused_and_lists_still_work(api, "post", url, body)


def test_simulate_chat_body(api, world):
    url = f"/api/v1/rules/{world['rule']['id']}/simulate/"
    assert_refused_and_lists_still_work(api, "post", url, CHAT_BODY)


def test_workspace_update(api, world):
    assert_refused_and_lists_still_work(api, "patch", "/api/v1/workspace/", {"name": "Acme Inc"})


def test_a_key_is_named_by_its_escaped_text(api, world):
    body = json.dumps({"lead": {"email": "a@b.com"}, "custom": {"x\udfff": "1"}})
    data = api.post(CHATS, body, content_type="application/json").json()
    assert data == {
        "custom": {
            "x\\udfff": [
                "This key contains a lone UTF-16 surrogate (\\udfff), which is not valid Unicode."
            ]
        }
    }


def test_the_error_names_the_custom_value(api, world):
    body = json.dumps({"lead": {"email": "a@b.com"}, "custom": {"x": ["ok", "b\x00d"]}})
    data = api.post(CHATS, body, content_type="application/json").json()
    assert data == {
        "custom": {
            "x": {"1": ["This value contains a NUL character (\\u0000), which is not allowed."]}
        }
    }


def test_a_valid_surrogate_pair_is_fine(api, world):
    body = json.dumps({"lead": {"email": "a@b.com"}, "custom": {"mood": "\U0001f600"}})
    response = api.post(CHATS, body, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["context"]["custom"]["mood"] == "\U0001f600"


def test_form_encoded_nul_is_refused(api, world):
    before = counts()
    response = api.post("/api/v1/reps/", {"name": "Jo\x00", "email": "jo@acme.test"})
    assert response.status_code == 400
    assert "name" in response.json()
    assert counts() == before


@pytest.mark.parametrize("char", ["\udfff", "\x00"])
@pytest.mark.parametrize("where", ["event_id", "event.text", "key"])
def test_slack_event_with_a_bad_string_is_400_and_not_recorded(db, settings, client, char, where):
    from notifications.models import SlackEvent
    from tests.notifications.conftest import SIGNING_SECRET, slack_headers

    settings.SLACK_SIGNING_SECRET = SIGNING_SECRET
    payload = {"type": "event_callback", "event_id": "Ev1", "event": {"type": "message"}}
    if where == "event_id":
        payload["event_id"] = "Ev" + char
    elif where == "event.text":
        payload["event"]["text"] = "hi" + char
    else:
        payload["event"]["x" + char] = 1
    body = json.dumps(payload).encode()
    response = client.post(
        "/slack/events/", body, content_type="application/json", **slack_headers(body)
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("event.x" if where == "key" else where)
    assert not SlackEvent.objects.exists()
