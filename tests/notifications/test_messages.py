"""Slack message bodies: pure Block Kit builders, pinned by snapshots.

Snapshots live in tests/notifications/snapshots/*.json. A missing or changed
body fails the test; run with UPDATE_SNAPSHOTS=1 to (re)write them after
reviewing the change.
"""

import copy
import json
import os
from pathlib import Path

import pytest

from notifications import planner
from notifications.slack import messages
from outbox.models import Delivery

SNAPSHOTS = Path(__file__).parent / "snapshots"
URL = "https://knock.example.com/w/7/decisions/812/"

LEAD = {
    "id": 812,
    "kind": "chat",
    "created_at": "2026-03-02T14:05:09+00:00",
    "lead": {"id": 55, "email": "lee@bigco.com", "name": "Lee Lead"},
    "company": "BigCo",
    "link": {"slug": "pricing", "name": "Pricing page"},
    "rule": {"id": 3, "name": "Inbound", "version": 4},
    "segment": {"id": 9, "name": "Enterprise"},
    "via": "segment",
    "assignee": {"type": "rep", "id": 21, "name": "Dana Diaz", "pool": {"id": 2, "name": "AEs"}},
    "intent": {"type": "buying", "score": "high"},
    "message": "Hi! We have 400 seats.\nCan we get a demo on Friday?",
}

BARE = {  # no name, company, link, segment, pool, intent or message
    "id": 813,
    "kind": "chat",
    "created_at": "2026-03-02T14:06:00+00:00",
    "lead": {"id": 56, "email": "anon@example.org", "name": ""},
    "company": None,
    "link": None,
    "rule": {"id": 1, "name": "Default chat rule", "version": 1},
    "segment": None,
    "via": "last_resort",
    "assignee": {"type": "ai_agent", "id": 1, "name": "Knock AI", "pool": None},
    "intent": {"type": None, "score": None},
    "message": "",
}


def assert_snapshot(name: str, body: dict) -> None:
    path = SNAPSHOTS / f"{name}.json"
    text = json.dumps(body, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {path.name}: run with UPDATE_SNAPSHOTS=1 to write it"
    assert json.loads(path.read_text(encoding="utf-8")) == body, (
        f"{name} changed; review it and run with UPDATE_SNAPSHOTS=1 to accept"
    )


BODIES = {
    "lead_alert": lambda: messages.lead_alert(LEAD, URL),
    "lead_alert_bare": lambda: messages.lead_alert(BARE, URL),
    "rep_dm": lambda: messages.rep_dm(LEAD, URL, "#leads"),
    "rep_dm_no_channel": lambda: messages.rep_dm(LEAD, URL, None),
    "owner_dm": lambda: messages.owner_dm(LEAD, URL, 4711),
    "joined": lambda: messages.joined(LEAD, "Omar Okafor"),
}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_body_matches_its_snapshot(name):
    assert_snapshot(name, BODIES[name]())


@pytest.mark.parametrize("name", sorted(BODIES))
def test_builders_are_pure(name):
    before = copy.deepcopy((LEAD, BARE))
    first, second = BODIES[name](), BODIES[name]()
    assert first == second
    assert before == (LEAD, BARE)  # the input is not modified
    json.dumps(first)  # plain JSON, ready for the wire


def _texts(body: dict) -> list[str]:
    """Every mrkdwn/plain text of a message, the fallback `text` included."""
    found = [body["text"]]

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and "text" in node:
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body["blocks"])
    return found


@pytest.mark.parametrize("name", sorted(BODIES))
def test_bodies_respect_block_kit_limits(name):
    body = BODIES[name]()
    assert body["text"] and len(body["text"]) <= 4000
    assert 0 < len(body["blocks"]) <= 50
    for block in body["blocks"]:
        assert block["type"] in ("section", "context", "actions")
        if block["type"] == "section":
            assert len(block.get("fields", [])) <= 10
            for field in block.get("fields", []):
                assert len(field["text"]) <= 2000
            if "text" in block:
                assert len(block["text"]["text"]) <= 3000


def test_alert_carries_everything_a_rep_needs_at_a_glance():
    body = messages.lead_alert(LEAD, URL)
    text = "\n".join(_texts(body))
    bits = ["Lee Lead", "BigCo", "lee@bigco.com", "buying (high)", "Pricing page", "Enterprise",
            "Inbound v4", "Dana Diaz via pool AEs", "> Can we get a demo"]  # fmt: skip
    for bit in bits:
        assert bit in text, bit
    assert f"<{URL}|Why this assignee?>" in text


def test_owner_dm_has_a_join_button_carrying_the_chat_id():
    body = messages.owner_dm(LEAD, URL, 4711)
    [actions] = [b for b in body["blocks"] if b["type"] == "actions"]
    [button] = actions["elements"]
    assert button["action_id"] == messages.JOIN_ACTION == "knock_join"
    assert button["value"] == "4711"
    assert not [b for b in messages.joined(LEAD, "Omar")["blocks"] if b["type"] == "actions"]


def test_a_long_message_is_quoted_in_part():
    body = messages.lead_alert({**LEAD, "message": "word " * 1000}, URL)
    quoted = body["blocks"][2]["text"]["text"]
    assert quoted.startswith("> word") and len(quoted) <= 502


@pytest.mark.parametrize(
    "via,label", [("crm_owner_first", "CRM owner first"), ("last_resort", "workspace default")]
)
def test_segment_label_when_no_segment_matched(via, label):
    body = messages.rep_dm({**LEAD, "segment": None, "via": via}, URL, None)
    assert f"*Segment*\n{label} · Inbound v4" in _texts(body)


def test_lead_supplied_text_cannot_ping_or_link_in_slack():
    """The lead writes the message, name and company: Slack control sequences
    (<!channel>, <@U…>, <url|label>) must arrive escaped, not as pings or links."""
    evil = {
        **LEAD,
        "lead": {"id": 1, "email": "x@evil.test", "name": "<!channel> Mallory"},
        "company": "<https://phish.example|BigCo login>",
        "message": "<!here> urgent <@U000000001> & <!subteam^S1>",
    }
    for body in (
        messages.lead_alert(evil, URL),
        messages.rep_dm(evil, URL, "#leads"),
        messages.owner_dm(evil, URL, 1),
        messages.joined(evil, "Omar"),
    ):
        for text in _texts(body):
            assert "<!" not in text and "<@" not in text and "<https://phish" not in text, text
        alert_text = "\n".join(_texts(body))
        assert "&lt;!channel&gt; Mallory" in alert_text
    assert "&amp;" in "\n".join(_texts(messages.lead_alert(evil, URL)))
    # our own link stays a link
    assert f"<{URL}|Why this assignee?>" in "\n".join(_texts(messages.lead_alert(evil, URL)))


def test_planner_payloads_are_the_builders_output(local, team, route):
    """What a decision stores is exactly what the builders make of lead_info()."""
    data = route(message="Pricing for 40 seats?", company={"name": "BigCo"})
    alert = Delivery.objects.get(kind="slack.alert", chat_id=data["id"])
    decision = alert.decision
    info = planner.lead_info(decision, decision.context, "Pricing for 40 seats?")
    url = planner.decision_url(decision)
    assert url == f"http://127.0.0.1:8000/w/{decision.workspace_id}/decisions/{decision.id}/"
    assert alert.payload == messages.lead_alert(info, url, decision.chat_id)
    rep_dm = Delivery.objects.get(kind="slack.rep_dm", chat_id=data["id"])
    assert rep_dm.payload == messages.rep_dm(info, url, "#leads")


@pytest.mark.parametrize("intent", [{"type": None, "score": None}, {}, None])
def test_a_missing_intent_reads_unknown(intent):
    body = messages.lead_alert({**LEAD, "intent": intent}, URL)
    assert "*Intent*\nunknown (-)" in _texts(body)
