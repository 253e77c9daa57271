"""An object deleted meanwhile (another tab, another user, the API) is never a 500.

Each race is made deterministic: the action the view calls is wrapped so that the
other request's delete lands just before it runs, after the view's own lookup (the
real action then runs on the real database). A POST then goes back to the nearest
page still there with "deleted meanwhile; nothing was changed.", a page is a 404,
and the action writes nothing (routing/console/vanished.py).
"""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps

import calendars.actions
import crm.actions
from calendars.models import BusyBlock
from crm.models import CrmUserMapping
from outbox.models import Delivery
from routing import actions
from routing.actions import drafts
from routing.actions import replay as replay_actions
from routing.console.views import chats as chat_views
from routing.models import (
    AIAgent,
    Chat,
    ConsoleProfile,
    KnockLink,
    Pool,
    PoolMember,
    Rep,
    RoutingRule,
    RuleDraft,
    RuleVersion,
    Segment,
)

from .conftest import url

GONE = "was deleted meanwhile; nothing was changed."


def rows() -> dict:
    """The row count of every model of the product's apps: what a write would change."""
    labels = ("routing", "calendars", "crm", "notifications", "outbox", "enrichment")
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        # A console profile remembers the viewer's last workspace on any page.
        if m._meta.app_label in labels and m is not ConsoleProfile
    }


@pytest.fixture
def race(monkeypatch):
    """`race(module, name, delete)`: `module.name` runs `delete()` first (the other
    request's delete, between the view's read and the action's lock), then the real
    action. Returns the row counts as they were just before the real action ran."""
    before = {}

    def arm(module, name, delete):
        real = getattr(module, name)

        def raced(*args, **kwargs):
            delete()
            before.update(rows())
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, raced)
        return before

    return arm


def gone(console, response, to, text=GONE):
    """The redirect to `to`, whose page shows the flash; nothing else is asserted here."""
    assert response.status_code == 302, response.content[:500]
    assert response.url == to
    page = console.get(to)
    assert page.status_code == 200
    assert text in page.content.decode()


def delete(model, pk):
    return lambda: model.objects.filter(pk=pk).delete()


# -- segments and rules -----------------------------------------------------------------
def _segment(rule):
    return rule.segments.get(name="Big")


def _form(rule, seg):
    rep = seg.assignee_rep_id
    return {"name": "Bigger", "assignee_type": "rep", "assignee_rep": rep, "conditions": ""}


@pytest.mark.parametrize(
    ("action", "path", "data"),
    [
        ("update_segment", "edit/", _form),
        ("duplicate_segment", "duplicate/", None),
        ("delete_segment", "delete/", None),
    ],
)
def test_a_segment_deleted_meanwhile(console, workspace, rule, race, action, path, data):
    seg = _segment(rule)
    before = race(actions, action, delete(Segment, seg.pk))
    body = data(rule, seg) if data else {}
    response = console.post(url(workspace, f"segments/{seg.id}/{path}"), body)
    gone(console, response, url(workspace, f"rules/{rule.id}/"), f"That segment {GONE}")
    assert rows() == before
    rule.refresh_from_db()
    assert rule.version == RuleVersion.objects.filter(rule=rule).count()


@pytest.mark.parametrize(
    ("action", "path"),
    [("update_segment", "edit/"), ("duplicate_segment", "duplicate/")],
)
def test_a_segments_rule_deleted_meanwhile(console, workspace, rule, race, action, path):
    seg = _segment(rule)
    before = race(actions, action, delete(RoutingRule, rule.pk))
    body = _form(rule, seg) if path == "edit/" else {}
    response = console.post(url(workspace, f"segments/{seg.id}/{path}"), body)
    text = f"Rule {rule.id} no longer exists. Nothing was changed."
    gone(console, response, url(workspace, "rules/"), text)
    assert rows() == before


@pytest.mark.parametrize(
    ("action", "path", "data"),
    [
        ("add_segment", "segments/new/", {"name": "New", "assignee_type": "workspace_default"}),
        ("update_rule", "settings/", {"name": "Renamed"}),
        ("delete_rule", "delete/", {}),
        ("rollback", "rollback/", {"version": "1"}),
    ],
)
def test_a_rule_deleted_meanwhile(console, workspace, rule, race, action, path, data):
    before = race(actions, action, delete(RoutingRule, rule.pk))
    response = console.post(url(workspace, f"rules/{rule.id}/{path}"), data)
    gone(console, response, url(workspace, "rules/"), "no longer exists. Nothing was changed.")
    assert rows() == before


def test_a_replay_of_a_rule_deleted_meanwhile(console, workspace, rule, race):
    """The run's row would name a deleted rule: an IntegrityError at commit without
    the rule's lock; with it, the rule is gone and nothing is recorded."""
    before = race(replay_actions, "window", delete(RoutingRule, rule.pk))
    response = console.post(url(workspace, f"rules/{rule.id}/replay/"), {"version": "1"})
    gone(console, response, url(workspace, "rules/"), "no longer exists. Nothing was changed.")
    assert rows() == before


def test_reorder_of_a_rule_deleted_meanwhile_is_a_json_404(console, workspace, rule, race):
    segs = list(rule.segments.filter(is_fallback=False).values_list("id", flat=True))
    before = race(actions, "reorder_segments", delete(RoutingRule, rule.pk))
    response = console.post(
        url(workspace, f"rules/{rule.id}/reorder/"),
        {"order": segs[::-1]},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert "no longer exists" in response.json()["errors"]["detail"]
    assert rows() == before


# -- drafts -------------------------------------------------------------------------------
@pytest.fixture
def draft(rule):
    return drafts.start_draft(rule)


@pytest.mark.parametrize(
    ("action", "path"), [("publish_draft", "publish/"), ("discard_draft", "discard/")]
)
def test_a_drafts_rule_deleted_meanwhile(console, workspace, rule, draft, race, action, path):
    before = race(drafts, action, delete(RoutingRule, rule.pk))
    response = console.post(url(workspace, f"rules/{rule.id}/draft/{path}"))
    gone(console, response, url(workspace, "rules/"), "no longer exists. Nothing was changed.")
    assert rows() == before


def test_a_draft_discarded_meanwhile(console, workspace, rule, draft, race):
    seg = next(i for i in draft.segments if not i["is_fallback"])
    before = race(drafts, "update_draft_segment", delete(RuleDraft, draft.pk))
    data = {"name": "Renamed", "assignee_type": "workspace_default", "conditions": ""}
    response = console.post(
        url(workspace, f"rules/{rule.id}/draft/segments/{seg['id']}/edit/"), data
    )
    text = "This rule has no draft. Nothing was changed."
    gone(console, response, url(workspace, f"rules/{rule.id}/"), text)
    assert rows() == before


def test_a_draft_segment_removed_meanwhile(console, workspace, rule, draft, race):
    seg = next(i for i in draft.segments if not i["is_fallback"])

    def remove():
        drafts.delete_draft_segment(rule, seg["id"])

    before = race(drafts, "duplicate_draft_segment", remove)
    response = console.post(
        url(workspace, f"rules/{rule.id}/draft/segments/{seg['id']}/duplicate/")
    )
    text = f"The draft has no segment {seg['id']}. Nothing was changed."
    gone(console, response, url(workspace, f"rules/{rule.id}/draft/"), text)
    assert rows() == before
    assert RuleDraft.objects.get(pk=draft.pk).segments == before_segments(draft, seg)


def before_segments(draft, seg):
    return [i for i in draft.segments if i["id"] != seg["id"]]


# -- pools, reps, AI agents, links ------------------------------------------------------------
@pytest.fixture
def pool(workspace, make_rep):
    dana = make_rep("Dana")
    return actions.create_pool(
        workspace, name="EMEA", strategy="round_robin", members=[{"rep": dana.id, "weight": 1}]
    )


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("", {"name": "EMEA 2", "strategy": "round_robin"}),
        ("members/", "add"),
        ("members/{rep}/", {"weight": "3"}),
    ],
)
def test_a_pool_deleted_meanwhile(console, workspace, pool, make_rep, race, path, data):
    member = pool.members.get()
    if data == "add":
        data = {"rep": make_rep("Eve").id, "weight": "1"}
    before = race(actions, "update_pool", delete(Pool, pool.pk))
    response = console.post(
        url(workspace, f"pools/{pool.id}/" + path.format(rep=member.rep_id)), data
    )
    gone(console, response, url(workspace, "pools/"), f"That pool {GONE}")
    assert rows() == before
    assert not PoolMember.objects.filter(pool_id=pool.pk).exists()


def test_a_pool_deleted_meanwhile_by_another_tab(console, workspace, pool, race):
    before = race(actions, "delete_pool", delete(Pool, pool.pk))
    response = console.post(url(workspace, f"pools/{pool.id}/delete/"))
    gone(console, response, url(workspace, "pools/"), f"That pool {GONE}")
    assert rows() == before


def test_a_rep_deleted_meanwhile_is_not_saved_back_to_life(console, workspace, make_rep, race):
    rep = make_rep("Dana")
    before = race(actions, "update_rep", delete(Rep, rep.pk))
    response = console.post(url(workspace, f"reps/{rep.id}/toggle/"))
    gone(console, response, url(workspace, "reps/"), f"That rep {GONE}")
    assert rows() == before
    assert not Rep.objects.filter(pk=rep.pk).exists()


def test_a_rep_edited_after_its_delete(console, workspace, make_rep, race):
    rep = make_rep("Dana")
    page = console.get(url(workspace, f"reps/{rep.id}/")).content.decode()
    assert "Dana" in page
    before = race(actions, "update_rep", delete(Rep, rep.pk))
    data = {"name": "Dana W", "email": "dana@acme.test", "timezone": "UTC", "is_active": "on"}
    data["always_available"] = "on"
    response = console.post(url(workspace, f"reps/{rep.id}/"), data)
    gone(console, response, url(workspace, "reps/"), f"That rep {GONE}")
    assert rows() == before


def test_an_ai_agent_deleted_meanwhile(console, workspace, race):
    agent = actions.create_ai_agent(workspace, name="Helper", specialty="support")
    before = race(actions, "update_ai_agent", delete(AIAgent, agent.pk))
    response = console.post(
        url(workspace, f"ai-agents/{agent.id}/"), {"name": "Helper 2", "specialty": "support"}
    )
    gone(console, response, url(workspace, "ai-agents/"), f"That AI agent {GONE}")
    assert rows() == before


def test_a_link_deleted_meanwhile(console, workspace, race):
    link = actions.create_link(workspace, slug="pricing", name="Pricing", channel="Web")
    before = race(actions, "update_link", delete(KnockLink, link.pk))
    response = console.post(url(workspace, f"links/{link.id}/toggle/"))
    gone(console, response, url(workspace, "links/"), f"That link {GONE}")
    assert rows() == before
    assert not KnockLink.objects.filter(pk=link.pk).exists()


# -- chats --------------------------------------------------------------------------------
@pytest.fixture
def routed(workspace, make_rep):
    amy, ben = make_rep("Amy"), make_rep("Ben")
    chat = actions.route_chat(workspace, {"lead": {"email": "lead@bigco.com"}}).chat
    return chat, amy, ben


@pytest.mark.parametrize(("action", "path"), [("close_chat", "close/"), ("reopen_chat", "reopen/")])
def test_a_chat_deleted_meanwhile(console, workspace, routed, race, action, path):
    chat, _, _ = routed
    before = race(actions, action, delete(Chat, chat.pk))
    response = console.post(url(workspace, f"chats/{chat.id}/{path}"))
    gone(console, response, url(workspace, "chats/"), f"That chat {GONE}")
    assert rows() == before


def test_a_reassignment_to_a_rep_deleted_meanwhile(console, workspace, routed, race):
    """Without the rep's lock, the new decision's foreign key fails at commit."""
    chat, amy, ben = routed
    other = ben if chat.rep_owner_id == amy.id else amy
    before = race(actions, "reassign_chat", delete(Rep, other.pk))
    response = console.post(url(workspace, f"chats/{chat.id}/reassign/"), {"rep": other.id})
    gone(console, response, url(workspace, f"chats/{chat.id}/"), f"That rep {GONE}")
    assert rows() == before


def test_a_chat_page_whose_chat_is_deleted_while_it_renders_is_a_404(
    console, workspace, routed, race, caplog
):
    chat, _, _ = routed
    race(chat_views, "_render_detail", delete(Chat, chat.pk))
    with caplog.at_level(logging.INFO, logger="routing.console.vanished"):
        response = console.get(url(workspace, f"chats/{chat.id}/"))
    assert response.status_code == 404
    record = next(r for r in caplog.records if r.name == "routing.console.vanished")
    assert record.levelno == logging.INFO and "DoesNotExist" in record.getMessage()
    assert record.exc_info is not None  # the traceback, so a real bug is not silent


# -- calendars, CRM, Slack ------------------------------------------------------------------
def _tomorrow(hour):
    day = datetime.now(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_a_busy_block_for_a_rep_deleted_meanwhile(console, workspace, make_rep, race):
    rep = make_rep("Dana")
    before = race(calendars.actions, "add_busy", delete(Rep, rep.pk))
    start = _tomorrow(9).strftime("%Y-%m-%dT%H:%M")
    end = _tomorrow(10).strftime("%Y-%m-%dT%H:%M")
    response = console.post(
        url(workspace, f"reps/{rep.id}/calendar/busy/"), {"start": start, "end": end}
    )
    gone(console, response, url(workspace, "reps/"), f"That rep {GONE}")
    assert rows() == before
    assert not BusyBlock.objects.exists()


def test_a_calendar_for_a_rep_deleted_meanwhile(console, workspace, make_rep, race):
    rep = make_rep("Dana")
    before = race(calendars.actions, "set_calendar", delete(Rep, rep.pk))
    response = console.post(url(workspace, f"reps/{rep.id}/calendar/"), {"backend": "local"})
    gone(console, response, url(workspace, "reps/"), f"That rep {GONE}")
    assert rows() == before


def test_a_crm_mapping_to_a_rep_deleted_meanwhile(console, workspace, make_rep, race):
    rep = make_rep("Dana")
    before = race(crm.actions, "map_owner", delete(Rep, rep.pk))
    response = console.post(
        url(workspace, "crm/mappings/"), {"email": "boss@acme.test", "rep": rep.id}
    )
    gone(console, response, url(workspace, "crm/"), f"That rep {GONE}")
    assert rows() == before
    assert not CrmUserMapping.objects.exists()


def test_a_delivery_deleted_meanwhile(console, workspace, race):
    import outbox.runner

    delivery = Delivery.objects.create(
        workspace=workspace, kind="slack.alert", key="k1", backend="slack",
        target={"channel": "#x"}, payload={"text": "hi"}, status=Delivery.FAILED,
    )  # fmt: skip
    before = race(outbox.runner, "retry", delete(Delivery, delivery.pk))
    response = console.post(url(workspace, f"deliveries/{delivery.id}/retry/"))
    gone(console, response, url(workspace, "slack/"), f"That delivery {GONE}")
    assert rows() == before


# -- a stale form: the object was gone before the POST was sent -----------------------------
def test_a_stale_post_is_a_404_and_writes_nothing(console, workspace, rule):
    seg = _segment(rule)
    Segment.objects.filter(pk=seg.pk).delete()
    before = rows()
    for path, data in (("edit/", _form(rule, seg)), ("duplicate/", {}), ("delete/", {})):
        response = console.post(url(workspace, f"segments/{seg.id}/{path}"), data)
        assert response.status_code == 404  # as for another workspace's id: leak nothing
    assert rows() == before


def test_a_stale_draft_segment_post_goes_back_to_the_draft(console, workspace, rule, draft):
    seg = next(i for i in draft.segments if not i["is_fallback"])
    drafts.delete_draft_segment(rule, seg["id"])
    before = rows()
    data = {"name": "Renamed", "assignee_type": "workspace_default", "conditions": ""}
    response = console.post(
        url(workspace, f"rules/{rule.id}/draft/segments/{seg['id']}/edit/"), data
    )
    text = f"The draft has no segment {seg['id']}. Nothing was changed."
    gone(console, response, url(workspace, f"rules/{rule.id}/draft/"), text)
    assert rows() == before
    page = console.get(url(workspace, f"rules/{rule.id}/draft/segments/{seg['id']}/edit/"))
    assert page.status_code == 404


# -- what the net does not catch --------------------------------------------------------------
def test_other_errors_are_not_caught(console, workspace, rule, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a real bug")

    monkeypatch.setattr(actions, "update_rule", broken)
    with pytest.raises(RuntimeError):
        console.post(url(workspace, f"rules/{rule.id}/settings/"), {"name": "Renamed"})


def test_a_not_found_naming_a_form_field_stays_a_form_error(console, workspace, rule):
    """The Test-a-lead form's link deactivated meanwhile: the link field says so."""
    link = actions.create_link(workspace, slug="pricing", name="Pricing", channel="Web")
    KnockLink.objects.filter(pk=link.pk).update(is_active=False)
    response = console.post(
        url(workspace, f"rules/{rule.id}/test/"), {"email": "a@b.com", "link": link.slug}
    )
    assert response.status_code == 400
    assert "No active Knock Link" in response.content.decode()


# -- the real race on PostgreSQL: two connections, the reassignment holding its locks ----------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_rep_deleted_during_a_reassignment_to_them(monkeypatch):
    """The console reassigns a chat to Ben while the API deletes Ben. The reassignment
    locks Ben (FOR NO KEY UPDATE) before its decision points at him, and the delete
    locks him before reading what points at him: the delete waits, then clears the new
    decision's and the chat's rep (SET_NULL). Without either lock one side's foreign
    key fails at commit (an IntegrityError: a 500)."""
    import threading

    from django.db import connection

    from routing import events

    workspace, _ = actions.create_workspace("Race Co")
    amy = actions.create_rep(workspace, name="Amy", email="amy@race.test")
    chat = actions.route_chat(workspace, {"lead": {"email": "lead@bigco.com"}}).chat
    ben = actions.create_rep(workspace, name="Ben", email="ben@race.test")
    assert chat.rep_owner_id in (amy.id, None)

    inside, release = threading.Event(), threading.Event()
    real = events.decision_created_on_commit

    def paused(decision):  # inside reassign_chat's transaction, its rows written
        real(decision)
        inside.set()
        assert release.wait(10)

    monkeypatch.setattr(events, "decision_created_on_commit", paused)
    errors, order = [], []

    def run(name, work):
        try:
            work()
            order.append(name)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append((name, exc))
        finally:
            inside.set()
            connection.close()

    reassign = threading.Thread(
        target=run, args=("reassigned", lambda: actions.reassign_chat(chat, ben, by="console"))
    )
    reassign.start()
    assert inside.wait(10)
    deleter = threading.Thread(target=run, args=("deleted", lambda: actions.delete_rep(ben)))
    deleter.start()
    deleter.join(0.5)
    assert deleter.is_alive()  # waiting for the reassignment's lock on Ben
    release.set()
    reassign.join(10)
    deleter.join(10)

    assert not errors, errors
    assert order == ["reassigned", "deleted"]
    assert not Rep.objects.filter(pk=ben.pk).exists()
    chat.refresh_from_db()
    assert chat.rep_owner_id is None
    assert chat.reassignments.get().rep_id is None
