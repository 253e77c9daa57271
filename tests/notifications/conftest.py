"""Fixtures for the Slack integration tests: a FakeSlack server, signed requests, tasks.

Everything goes through the real code paths: deliveries are enqueued as
django-tasks-db rows and run by the real `db_worker --batch`, Slack calls go
through the real slack-sdk WebClient to FakeSlack on 127.0.0.1, and Slack's
requests to us are signed exactly like Slack signs them.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client, TestCase
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notifications.planner import plan_decision
from outbox.models import Delivery
from routing import actions
from routing import events as events_module
from routing.actions.rules import compiled, current_version
from routing.events import feed_group
from routing.models import Decision, Membership, RoutingRule
from tests.channel_layers import PROBE, subscribe
from tests.fakes.slack import FakeSlack, make_users
from tests.tasks import run_tasks  # noqa: F401 - re-exported for the test modules

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-test"
CHATS = "/api/v1/chats/"


# -- Slack --------------------------------------------------------------------------
@pytest.fixture
def fake_slack():
    """FakeSlack with six members (U000000001..6) and two channels the bot is in."""
    users = make_users(6, slackbot=True)
    with FakeSlack(users=users, channels={"C0LEADS01": "leads", "C0VIP0001": "vip-leads"}) as fake:
        yield fake


@pytest.fixture
def local(settings, fake_slack):
    """No Slack token anywhere: the local outbox backend. The Web API URL still points at
    FakeSlack so that a test can prove nothing was sent (`fake_slack.calls == []`)."""
    settings.SLACK_BOT_TOKEN = ""
    settings.SLACK_SIGNING_SECRET = SIGNING_SECRET
    settings.SLACK_API_URL = fake_slack.url
    return fake_slack


@pytest.fixture
def slack(settings, fake_slack):
    """SLACK_BOT_TOKEN set and the Web API pointed at FakeSlack."""
    settings.SLACK_BOT_TOKEN = TOKEN
    settings.SLACK_SIGNING_SECRET = SIGNING_SECRET
    settings.SLACK_API_URL = fake_slack.url
    return fake_slack


def user_id(n: int) -> str:
    """The Slack id of make_users' n-th member (1-based)."""
    return f"U{n:09d}"


# -- a workspace that routes to people with Slack accounts ---------------------------
@pytest.fixture
def team(workspace, make_rep):
    """Dana (U1) gets every chat of the default rule, which alerts #leads; Omar (U2)
    and Pia (U3) are other reps; the workspace's AI agent is `agent`."""
    dana = make_rep("Dana", slack_user_id=user_id(1))
    omar = make_rep("Omar", slack_user_id=user_id(2))
    pia = make_rep("Pia", slack_user_id=user_id(3))
    actions.update_workspace(workspace, default_rep=dana.id)
    rule = RoutingRule.objects.get(workspace=workspace, kind="chat", is_default=True)
    actions.update_rule(rule, monitoring_channel="#leads")
    workspace.refresh_from_db()
    return SimpleNamespace(
        workspace=workspace,
        dana=dana,
        omar=omar,
        pia=pia,
        rule=rule,
        agent=workspace.default_ai_agent,
    )


@pytest.fixture
def route(api):
    """POST /api/v1/chats/ and return the routed chat (201)."""

    def post(email="lead@bigco.com", name="Lee Lead", **body):
        payload = {"lead": {"email": email, "name": name}, **body}
        response = api.post(CHATS, payload, format="json")
        assert response.status_code == 201, response.content
        return response.json()

    return post


@pytest.fixture
def ai_first(team):
    """A segment above the fallback sends every chat to the AI agent first."""
    actions.add_segment(
        team.rule,
        name="AI first",
        conditions=None,
        assignee={"type": "ai_agent", "id": team.agent.id},
    )
    return team


def plan_with_crm_owner(chat_id: int, owner_rep) -> Decision:
    """Plan a routed chat's messages again as if the CRM named `owner_rep` (an id, or
    anything else) as the lead's owner: planner.plan_decision with a context dict, as
    route_chat calls it (inside the decision's transaction), so every owner case can be
    set up without a CRM record (`crm_lead` does it end to end with the local CRM)."""
    decision = Decision.objects.select_related("workspace", "chat", "lead", "link").get(
        chat_id=chat_id
    )
    DBTaskResult.objects.filter(status="READY").delete()
    Delivery.objects.filter(decision=decision).delete()
    rule = compiled(current_version(decision.rule_id))
    context = {**decision.context, "crm": {"exists": True, "owner_rep": owner_rep}}
    with transaction.atomic():
        plan_decision(decision, rule, None, context, message=decision.chat.message)
    return decision


@pytest.fixture
def crm_lead(team):
    """The local CRM knows lead@bigco.com and says Omar owns it; the rule notifies the
    CRM owner (CRM owner first stays off, so the chat still goes to Dana)."""
    from crm.backends.base import OWNER_EMAILS
    from crm.models import LocalContact

    OWNER_EMAILS.clear()  # a process-wide cache of CRM owner emails
    LocalContact.objects.create(
        workspace=team.workspace,
        email="lead@bigco.com",
        first_name="Lee",
        owner_email=team.omar.email,
    )
    actions.update_rule(team.rule, notify_crm_owner=True)
    yield team
    OWNER_EMAILS.clear()


# -- tasks ---------------------------------------------------------------------------
def ready_tasks(name: str | None = None):
    qs = DBTaskResult.objects.filter(status="READY")
    if name:
        qs = qs.filter(task_path__endswith=name)
    return qs


def time_passes() -> None:
    """Every scheduled retry is due now: the clock "moves" past next_attempt_at and past
    the run_after of the tasks enqueued for them (no sleeping)."""
    past = timezone.now() - timedelta(seconds=1)
    Delivery.objects.filter(next_attempt_at__isnull=False).update(next_attempt_at=past)
    DBTaskResult.objects.filter(status="READY", run_after__lt=FAR_FUTURE).update(run_after=past)


FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)  # django-tasks-db's "no run_after" is year 9999


# -- the live feed -------------------------------------------------------------------
@contextmanager
def feed_events(workspace):
    """Collect what is sent to the workspace's live-feed group (the real channel layer)
    while the block runs; on-commit callbacks run at the end of the block, as after a
    real commit (the test's own transaction never commits).

    The subscriber lives in one event loop of its own for the whole block: the Redis
    pub/sub layer only delivers to channels created in the loop that receives.
    """
    layer = get_channel_layer()
    group = feed_group(workspace.id)
    events: list[dict] = []
    ready, stop = threading.Event(), threading.Event()

    async def collect():
        name = await subscribe(layer, group)  # ready once a probe has come back
        ready.set()
        quiet = 0
        try:
            while quiet < 3:  # after `stop`, three empty polls in a row end it
                try:
                    event = await asyncio.wait_for(layer.receive(name), timeout=0.1)
                    if event["type"] != PROBE:
                        # What the socket writes: the event's JSON (routing.events.send).
                        events.append(json.loads(event["text"]))
                    quiet = 0
                except TimeoutError:
                    quiet = quiet + 1 if stop.is_set() else 0
        finally:
            await layer.group_discard(group, name)

    thread = threading.Thread(target=lambda: asyncio.run(collect()), daemon=True)
    thread.start()
    assert ready.wait(5), "the feed subscriber did not start"
    try:
        with TestCase.captureOnCommitCallbacks(execute=True):
            yield events
        # Sent from the background sender's thread (Redis): wait until it has handed
        # over everything, so that a slow first connection cannot outlast the quiet polls.
        assert events_module.flush(10), "the feed sender did not hand its events over"
    finally:
        stop.set()
        thread.join(10)


# -- signed requests from Slack ------------------------------------------------------
def slack_headers(body: bytes, *, timestamp: int | None = None, secret=SIGNING_SECRET) -> dict:
    """Sign like Slack: v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    base = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": str(timestamp),
        "HTTP_X_SLACK_SIGNATURE": f"v0={digest}",
    }


def post_event(client: Client, payload: dict, *, signed=True, retry_num=None, **sign_kwargs):
    body = json.dumps(payload).encode()
    headers = slack_headers(body, **sign_kwargs) if signed else {}
    if retry_num is not None:
        headers["HTTP_X_SLACK_RETRY_NUM"] = str(retry_num)
        headers["HTTP_X_SLACK_RETRY_REASON"] = "http_timeout"
    return client.post("/slack/events/", body, content_type="application/json", **headers)


def post_interaction(client: Client, payload: dict, *, signed=True, **sign_kwargs):
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = slack_headers(body, **sign_kwargs) if signed else {}
    return client.post(
        "/slack/interactions/", body, content_type="application/x-www-form-urlencoded", **headers
    )


_event_ids = itertools.count(1)


def ts_after(chat, seconds: float) -> str:
    """A Slack ts `seconds` after the chat started."""
    return f"{chat.created_at.timestamp() + seconds:.6f}"


def message_event(channel, thread_ts, user, ts, event_id=None, **fields):
    """An Events API `message` callback as Slack sends it (a reply when thread_ts is set)."""
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": "On it!",
        "ts": ts,
        "team": "T0KNOCK",
        "channel_type": "channel",
        "event_ts": ts,
        **fields,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
        event["parent_user_id"] = "U0KNOCKBOT"
    return {
        "token": "legacy-verification-token",
        "team_id": "T0KNOCK",
        "api_app_id": "A0KNOCK",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_event_ids):08d}",
        "event_time": int(float(ts)),
        "authorizations": [{"team_id": "T0KNOCK", "user_id": "U0KNOCKBOT", "is_bot": True}],
        "is_ext_shared_channel": False,
        "event_context": "4-eyJldCI6Im1lc3NhZ2UifQ",
    }


@pytest.fixture
def slack_client(db):
    """Slack calling us: no session, no CSRF token."""
    return Client(enforce_csrf_checks=True)


# -- the console ---------------------------------------------------------------------
@pytest.fixture
def console(workspace):
    user = get_user_model().objects.create_user("ops", password="pw-ops-123", is_staff=True)
    Membership.objects.create(workspace=workspace, user=user)
    client = Client()
    client.force_login(user)
    return client
