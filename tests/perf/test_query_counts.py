"""Query-count pins, as NetBox's query_counts.json (#16 item 6).

Each case measures one request twice, on a small and a big workspace, and asserts
that (a) the count does not grow with the size and (b) it is exactly the number
pinned in query_counts.json. A new query on one of these paths is then a
conscious decision, and a removed one is recorded: lower the pin when you remove
one; raise it only with a reason in the commit message. A pin that differs by
database is {"postgresql": n, "sqlite": m} (a booking locks its reps on
PostgreSQL only).

The chat cases run with every feature on (tests/perf/scenario.py): local CRM
lookup that finds the lead, local enrichment, the feed event, the Slack alert
and DMs and the CRM write-back enqueued. Each request is counted after one
warm-up request of the same shape (caches and imports are warm, as in a server).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from routing import actions
from routing.models import Membership
from tests.calendars.conftest import AVAILABILITY, EVERY_DAY, MEETINGS, window

from . import scenario

pytestmark = pytest.mark.django_db

PINS: dict[str, int | dict[str, int]] = json.loads(
    (Path(__file__).parent / "query_counts.json").read_text()
)


def pinned(name: str) -> int:
    pin = PINS[name]
    return pin[connection.vendor] if isinstance(pin, dict) else pin


def count(call) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    return len(ctx.captured_queries), result


def check(name: str, small: int, big: int, sizes: str) -> None:
    print(f"\n{name} ({sizes}): {small} / {big} queries")
    assert small == big, (
        f"{name}: {small} queries for {sizes.split(' vs ')[0]}, {big} for the other"
    )
    pin = pinned(name)
    assert big == pin, (
        f"{name}: {big} queries on {connection.vendor}, pinned at {pin} (query_counts.json): "
        + ("lower the pin" if big < pin else "remove the new query, or raise the pin with a reason")
    )


def api_for(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# -- POST /api/v1/chats/ -----------------------------------------------------------
def chat_queries(tag: str, *, returning=False, in_crm=True, past=0, **size) -> int:
    workspace, key = actions.create_workspace(f"Perf {tag}")
    slug = scenario.build(workspace, tag=tag, **size)
    api = api_for(key)
    for n in range(past):  # past decisions of other leads
        actions.route_chat(workspace, scenario.payload(slug, 1000 + n))
    for n in (1, 2):
        scenario.add_contact(workspace, scenario.payload(slug, n)["lead"]["email"])
    assert api.post("/api/v1/chats/", scenario.payload(slug, 1), format="json").status_code == 201
    # A lead the CRM does not know (its company's account it does) is lead 3.
    body = scenario.payload(slug, 1 if returning else 2 if in_crm else 3)
    n, response = count(lambda: api.post("/api/v1/chats/", body, format="json"))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["segment"]["name"] == "winner" and data["assignee"]["pool"]
    return n


def test_chat_does_not_grow_with_segments():
    check(
        "chat_create",
        chat_queries("s3", segments=3),
        chat_queries("s300", segments=300),
        "3 vs 300",
    )


def test_chat_does_not_grow_with_reps():
    check("chat_create", chat_queries("r1", reps=1), chat_queries("r50", reps=50), "1 vs 50")


def test_chat_does_not_grow_with_links():
    check("chat_create", chat_queries("l1", links=1), chat_queries("l20", links=20), "1 vs 20")


def test_chat_does_not_grow_with_past_decisions():
    check("chat_create", chat_queries("d0"), chat_queries("d200", past=200), "0 vs 200")


def test_chat_of_a_returning_lead():
    small = chat_queries("ret3", returning=True, segments=3)
    big = chat_queries("ret300", returning=True, segments=300, past=50)
    check("chat_create_returning_lead", small, big, "3 vs 300")


def test_chat_of_a_lead_the_crm_does_not_know():
    small = chat_queries("new3", in_crm=False, segments=3)
    big = chat_queries("new300", in_crm=False, segments=300, past=50)
    check("chat_create_lead_not_in_crm", small, big, "3 vs 300")


# -- meetings: availability and booking ------------------------------------------------
def meeting_queries(tag: str, reps: int) -> tuple[int, int]:
    workspace, key = actions.create_workspace(f"Perf {tag}")
    people = [
        actions.create_rep(
            workspace, name=f"{tag} {i}", email=f"{tag}{i}@reps.test", working_hours=EVERY_DAY
        )
        for i in range(reps)
    ]
    rule = actions.create_rule(workspace, kind="meeting", name="Demo requests")
    actions.create_link(workspace, slug="demo", name="Demo", channel="Web", meeting_rule=rule)
    fallback = rule.segments.get(is_fallback=True)
    actions.update_segment(
        fallback, booking={"logic": "round_robin", "reps": [r.id for r in people], "min_notice": 0}
    )
    api = api_for(key)

    def ask(email):
        body = {"link": "demo", "lead": {"email": email}, **window()}
        return api.post(AVAILABILITY, body, format="json")

    ask("warm@bigco.com")
    n_ask, offer = count(lambda: ask("lead@bigco.com"))
    assert offer.status_code in (200, 201), offer.content
    offer = offer.json()
    body = {"availability": offer["id"], "start": offer["slots"][0]["start"]}
    n_book, made = count(lambda: api.post(MEETINGS, body, format="json"))
    assert made.status_code == 201, made.content
    return n_ask, n_book


def test_meeting_availability_and_booking_do_not_grow_with_reps():
    (ask5, book5), (ask50, book50) = meeting_queries("m5", 5), meeting_queries("m50", 50)
    check("meeting_availability", ask5, ask50, "5 vs 50")
    check("meeting_booking", book5, book50, "5 vs 50")


# -- the console's pages ----------------------------------------------------------------
def console_for(workspace) -> Client:
    user = get_user_model().objects.create_user(
        f"ops{workspace.id}", password="pw-ops-123", is_staff=True
    )
    Membership.objects.create(workspace=workspace, user=user)
    client = Client()
    client.force_login(user)
    return client


def page_queries(client, url) -> int:
    assert client.get(url).status_code == 200  # warm
    n, response = count(lambda: client.get(url))
    assert response.status_code == 200
    return n


def console_queries(tag: str, *, segments=3, decisions=1) -> dict[str, int]:
    workspace, _ = actions.create_workspace(f"Perf {tag}")
    slug = scenario.build(workspace, tag=tag, segments=segments)
    for n in range(decisions):
        actions.route_chat(workspace, scenario.payload(slug, n))
    rule = workspace.links.get(slug=slug).chat_rule
    client = console_for(workspace)
    ws = workspace.id
    return {
        "console_rule_editor": page_queries(
            client, reverse("console:rule", kwargs={"ws": ws, "rule_id": rule.id})
        ),
        "console_feed": page_queries(client, reverse("console:home", kwargs={"ws": ws})),
        "console_decisions": page_queries(client, reverse("console:decisions", kwargs={"ws": ws})),
    }


def test_console_rule_editor_does_not_grow_with_segments():
    small, big = console_queries("e3", segments=3), console_queries("e50", segments=50)
    check(
        "console_rule_editor", small["console_rule_editor"], big["console_rule_editor"], "3 vs 50"
    )


def test_console_feed_and_decisions_do_not_grow_with_decisions():
    small, big = console_queries("f1", decisions=1), console_queries("f200", decisions=200)
    for name in ("console_feed", "console_decisions"):
        check(name, small[name], big[name], "1 vs 200")
