"""The live feed's page and its refresh endpoint: server-rendered counters, chart numbers
and chat activity, catch-up of closes and first replies, no trace loaded, times in the
viewer's zone (issue 11 item 8, issue 14 items 1 and 9, issue 16 item 7)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from routing import actions
from routing.models import ConsoleProfile, Decision

from .conftest import url


@pytest.fixture
def routed(workspace, make_rep):
    amy = make_rep("Amy")
    routed = actions.route_chat(workspace, {"lead": {"email": "lead@bigco.com"}})
    return routed.chat, amy


def since(console, workspace, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = console.get(url(workspace, f"feed/since/?{query}"))
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("path", ["", "feed/since/?after=0", "decisions/"])
def test_feed_and_decision_pages_do_not_select_the_trace(console, workspace, routed, path):
    with CaptureQueriesContext(connection) as queries:
        assert console.get(url(workspace, path)).status_code == 200
    decision_reads = [q["sql"] for q in queries if 'FROM "routing_decision"' in q["sql"]]
    assert decision_reads, "the page reads decisions"
    for sql in decision_reads:
        assert '"routing_decision"."trace"' not in sql, sql


def test_counters_and_chart_numbers_come_rendered_from_the_server(console, workspace, routed):
    chat, amy = routed
    page = console.get(url(workspace, "")).content.decode()
    assert '<div class="value" data-stat="chats">1</div>' in page
    assert f'<tr data-assignee="{amy.name}"><th scope="row">{amy.name}</th><td>1</td></tr>' in page
    actions.route_chat(workspace, {"lead": {"email": "second@bigco.com"}})
    data = since(console, workspace, after=chat.decision.id)
    assert [d["decision"]["id"] for d in data["decisions"]] == [Decision.objects.latest("id").id]
    assert 'data-stat="chats">2<' in data["stats_html"]
    assert 'data-stat="window">2<' in data["stats_html"]
    assert f'<th scope="row">{amy.name}</th><td>2</td>' in data["chart_html"]
    assert data["stats"]["chats"] == 2 and data["stats"]["ai_share"] == 0
    # A first reply moves the median: only the server can say it.
    actions.record_reply(chat, amy, at=chat.created_at + timedelta(minutes=3))
    data = since(console, workspace, after=Decision.objects.latest("id").id)
    assert 'data-stat="median_response">3.0 min<' in data["stats_html"]


def test_catch_up_replays_closes_and_first_replies(console, workspace, routed):
    chat, amy = routed
    as_of = since(console, workspace, after=0)["as_of"]
    decision_id = chat.decision.id
    actions.record_reply(chat, amy)
    actions.close_chat(chat, by="ops (console)")
    data = since(console, workspace, after=decision_id, since=as_of.replace("+", "%2B"))
    assert data["decisions"] == []
    changes = [c["key"].split("-")[0] for c in data["chat_changes"]]
    assert changes == ["replied", "closed"]  # oldest first: the page prepends
    closed = data["chat_changes"][1]["html"]
    assert "lead@bigco.com" in closed and "by ops (console)" in closed
    assert f"first reply by {amy.name}, replied in " in data["chat_changes"][0]["html"]
    [row] = data["updated"]  # the row on the page, as it is now
    assert row["decision"] == decision_id and '<span class="badge">Closed</span>' in row["html"]


def test_the_page_shows_recent_chat_activity_on_first_load(console, workspace, routed):
    chat, _ = routed
    actions.close_chat(chat, by="ops (console)")
    page = console.get(url(workspace, "")).content.decode()
    assert f'data-chat="{chat.id}" data-change="closed"' in page


@pytest.mark.parametrize(
    "query, field",
    [("after=x", "after"), ("since=yesterday", "since"), ("since=2026-12-01T10:00:00", "since")],
)
def test_bad_cursors_are_a_400_naming_the_field(console, workspace, query, field):
    response = console.get(url(workspace, f"feed/since/?{query}"))
    assert response.status_code == 400 and field in response.json()


# --------------------------------------------------------------------------- time zones


def test_rows_show_the_zone_and_the_date_when_not_today(console, workspace, routed):
    chat, _ = routed
    old = datetime(2025, 3, 4, 15, 30, tzinfo=UTC)
    Decision.objects.filter(id=chat.decision.id).update(created_at=old)
    actions.update_workspace(workspace, time_zone="America/New_York")
    page = console.get(url(workspace, "decisions/")).content.decode()
    assert ">Mar 4, 2025, 10:30 EST</time>" in page
    assert 'title="2025-03-04 10:30:00 America/New_York (UTC-05:00)"' in page


def test_when_shows_the_time_today_and_the_date_otherwise():
    from routing.templatetags.console import when

    with timezone.override("Europe/Berlin"):
        now = timezone.now()
        assert when(now) == timezone.localtime(now).strftime("%H:%M:%S %Z")
        earlier = now - timedelta(days=40)
        local = timezone.localtime(earlier)
        expected_date = f"{local:%b} {local.day}"
        if local.year != timezone.localdate().year:
            expected_date += f", {local.year}"
        assert when(earlier) == f"{expected_date}, {local:%H:%M} {local:%Z}"


def test_the_viewer_zone_wins_over_the_workspace_zone(console, staff, workspace, routed):
    actions.update_workspace(workspace, time_zone="America/New_York")
    actions.set_viewer_time_zone(staff, "Asia/Tokyo")
    page = console.get(url(workspace, "")).content.decode()
    assert " JST</time>" in page and "times in Asia/Tokyo" in page
    assert "Times in Asia/Tokyo" in page  # the sidebar's link to the choice
    data = since(console, workspace, after=0)
    assert " JST</time>" in data["decisions"][0]["html"]  # rows sent after a live event too


def test_the_time_zone_form_saves_a_zone_and_refuses_a_bad_one(console, staff, workspace):
    page = console.get(url(workspace, "me/")).content.decode()
    assert "The workspace&#x27;s zone (UTC)" in page and '<option value="Europe/Berlin">' in page
    response = console.post(url(workspace, "me/"), {"time_zone": "Mars/Olympus"})
    assert response.status_code == 400 and "Mars/Olympus" in response.content.decode()
    assert not ConsoleProfile.objects.filter(user=staff, time_zone="Mars/Olympus").exists()
    assert console.post(url(workspace, "me/"), {"time_zone": "Europe/Berlin"}).status_code == 302
    assert ConsoleProfile.objects.get(user=staff).time_zone == "Europe/Berlin"
    assert "Times in Europe/Berlin" in console.get(url(workspace, "chats/")).content.decode()
    assert console.post(url(workspace, "me/"), {"time_zone": ""}).status_code == 302
    assert ConsoleProfile.objects.get(user=staff).time_zone == ""


def test_workspace_zone_is_checked(console, workspace):
    body = {"name": workspace.name, "default_ai_agent": workspace.default_ai_agent_id}
    body |= {"auto_close_hours": 24, "time_zone": "Nowhere/Land"}
    response = console.post(url(workspace, "settings/"), body)
    assert response.status_code == 400
    workspace.refresh_from_db()
    assert workspace.time_zone == "UTC"
    with pytest.raises(actions.ActionError) as exc:
        actions.update_workspace(workspace, time_zone="Nowhere/Land")
    assert "time_zone" in exc.value.errors


def test_catch_up_replays_reopens_and_reassignments(console, workspace, routed, make_rep):
    chat, _ = routed
    ben = make_rep("Ben")
    actions.close_chat(chat, by="ops (console)")
    as_of = since(console, workspace, after=0)["as_of"]
    actions.reopen_chat(chat, by="ops (console)")
    actions.reassign_chat(chat, ben, by="ops (console)", reason="Speaks German")
    data = since(console, workspace, after=chat.decision.id, since=as_of.replace("+", "%2B"))
    notes = [c["html"] for c in data["chat_changes"]]
    assert any("lead@bigco.com</a>: reopened" in n for n in notes)
    assert any(f"lead@bigco.com</a>: now owned by {ben.name}" in n for n in notes)
    [moved] = data["decisions"]  # the reassignment is a row of its own
    assert "Reassigned" in moved["html"]
    assert '<span class="badge">Closed</span>' not in data["updated"][0]["html"]


def test_feed_queries_do_not_grow_with_decisions_and_chat_changes(console, workspace, make_rep):
    amy = make_rep("Amy")
    paths = ["", "feed/since/?after=0&since=2020-01-01T00:00:00%2B00:00", "decisions/"]
    console.get(url(workspace, ""))  # the first visit remembers the workspace

    def counts():
        result = []
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                assert console.get(url(workspace, path)).status_code == 200
            result.append(len(queries))
        return result

    def chats(n):
        for i in range(n):
            routed = actions.route_chat(workspace, {"lead": {"email": f"l{i}-{n}@bigco.com"}})
            actions.record_reply(routed.chat, amy)
            actions.close_chat(routed.chat, by="ops (console)")

    chats(1)
    few = counts()
    chats(12)
    assert counts() == few
