"""routing.actions.replay: the stored decisions of a window through another version."""

from datetime import timedelta

import pytest
from django.utils import timezone

from outbox.models import Delivery
from routing import actions
from routing.actions import replay as replay_actions
from routing.models import Chat, Decision, Lead, PoolMember, ReplayRun, RuleVersion
from tests.replay_seed import employees, seed
from tests.tasks import run_tasks


def _rows() -> dict:
    """Everything routing writes: a replay must change none of it."""
    return {
        "decisions": list(Decision.objects.order_by("id").values_list("id", "rep_id", "trace")),
        "chats": list(Chat.objects.order_by("id").values_list("id", "rep_owner_id", "status")),
        "leads": list(Lead.objects.order_by("id").values_list("id", "email", "last_seen_at")),
        "rotation": list(
            PoolMember.objects.order_by("id").values_list(
                "id", "current_weight", "assigned_count", "last_assigned_at"
            )
        ),
        "deliveries": list(Delivery.objects.order_by("id").values_list("id", "status")),
        "versions": RuleVersion.objects.count(),
    }


@pytest.fixture
def seeded(workspace):
    return seed(workspace, n=9)


def test_replaying_the_version_that_routed_changes_nothing(seeded):
    result = replay_actions.run(seeded.rule, seeded.old_version)
    assert result["decisions"] == 9
    assert result["changed"] == 0
    assert result["version"] == f"v{seeded.old_version}"
    assert result["moves"] == [] and result["changes"] == []


def test_the_widened_segment_moves_the_mid_sized_leads_to_the_pool(seeded):
    before = _rows()
    result = replay_actions.run(seeded.rule, seeded.new_version)
    assert _rows() == before  # no decision, chat, lead, rotation or delivery written
    assert before["decisions"] and before["deliveries"]  # there was something to keep
    # Leads 1, 4, 7 (mid-sized) move from the fallback to the pool, which then
    # rotates differently: big lead 3 goes to Dana instead of Marcus.
    assert result["decisions"] == 9 and result["changed"] == 4
    assert result["segment_changed"] == 3 and result["assignee_changed"] == 4
    shares = {r["assignee"]["name"]: (r["before"], r["after"]) for r in result["by_assignee"]}
    assert shares == {"Priya": (6, 3), "Dana": (2, 3), "Marcus": (1, 3)}
    moves = {(m["from"]["name"], m["to"]["name"]): m["count"] for m in result["moves"]}
    assert moves == {("Priya", "Marcus"): 3, ("Marcus", "Dana"): 1}
    change = result["changes"][0]
    assert change["before"]["segment"]["name"] == "Fallback"
    assert change["after"]["segment"]["name"] == "Big"
    assert change["lead"]["email"] == "lead1@co1.test"
    assert str(change["decision"]) in {str(k) for k in result["traces"]}


def test_the_pool_continues_from_its_state_at_the_window_start(seeded):
    """Big's leads alternated Dana, Marcus, Dana: the replay goes on from the
    least recently assigned before the window, not from today's stored weights."""
    decisions = list(Decision.objects.filter(rule=seeded.rule).order_by("created_at", "id"))
    since = decisions[3].created_at  # the 4th lead on; leads 0 and 3 went to the pool
    states = replay_actions.pool_states(seeded.rule.workspace, [seeded.pool.id], since)
    members = {m.rep_id: m for m in states[seeded.pool.id].members}
    dana, marcus = seeded.reps["Dana"], seeded.reps["Marcus"]
    assert members[dana.id].last_assigned_at == decisions[0].created_at
    assert members[marcus.id].last_assigned_at is None  # never assigned: next in line
    assert members[marcus.id].current_weight > members[dana.id].current_weight
    result = replay_actions.run(seeded.rule, seeded.old_version, since=since)
    assert result["decisions"] == 6 and result["changed"] == 0  # the same picks again


def test_window_and_limit(seeded):
    now = timezone.now()
    assert (
        replay_actions.run(seeded.rule, seeded.new_version, until=now - timedelta(days=1))[
            "decisions"
        ]
        == 0
    )
    result = replay_actions.run(seeded.rule, seeded.new_version, limit=4)
    assert result["decisions"] == 4 and result["limited"] is True
    with pytest.raises(actions.ActionError) as exc:
        replay_actions.run(seeded.rule, seeded.new_version, since=now, until=now)
    assert exc.value.errors == {"until": ["Must be after since."]}
    with pytest.raises(actions.ActionError) as exc:
        replay_actions.run(seeded.rule, seeded.new_version, limit=50_001)
    assert "limit" in exc.value.errors


def test_draft_without_drafts_is_a_400_on_version(seeded):
    with pytest.raises(actions.ActionError) as exc:
        replay_actions.run(seeded.rule, "draft")
    assert exc.value.errors == {"version": ["This rule has no draft."]}


def test_a_draft_snapshot_is_replayed_when_the_drafts_action_gives_one(seeded, monkeypatch):
    live = RuleVersion.objects.get(rule=seeded.rule, version=seeded.new_version).snapshot
    monkeypatch.setattr(replay_actions, "_draft_snapshot", lambda rule: dict(live))
    result = replay_actions.run(seeded.rule, "draft")
    assert result["version"] == "draft" and result["changed"] == 4


def test_a_long_console_replay_runs_as_a_task_with_progress(seeded, settings):
    settings.KNOCK_REPLAY_INLINE_MAX = 0
    before = _rows()
    run = replay_actions.start(seeded.rule, seeded.new_version, author="console: ops")
    assert run.status == "queued" and run.total == 9 and run.percent == 0
    assert run_tasks() == 1
    run.refresh_from_db()
    assert run.status == "done" and run.percent == 100 and run.processed == 9
    assert run.result["changed"] == 4
    assert _rows() == before
    assert ReplayRun.objects.count() == 1  # the one row a replay writes


def test_a_short_console_replay_runs_at_once(seeded):
    run = replay_actions.start(seeded.rule, seeded.old_version)
    assert run.status == "done" and run.result["changed"] == 0 and run.label.startswith("v")


def test_a_meeting_rule_is_refused(workspace):
    rule = actions.create_rule(workspace, kind="meeting", name="Demos")
    with pytest.raises(actions.ActionError) as exc:
        replay_actions.run(rule, 1)
    assert "version" in exc.value.errors


def test_a_rep_away_then_stays_away_in_the_replay(seeded):
    """Dana was out of office for two big leads (both went to Marcus); she is back
    now, but the stored traces say she was away then, so the replay agrees."""
    dana = seeded.reps["Dana"]
    actions.update_rep(dana, out_of_office_until=timezone.now() + timedelta(days=1))
    since = timezone.now()
    for i in range(2):
        actions.route_chat(
            seeded.rule.workspace,
            {"lead": {"email": f"away{i}@big{i}.test"}, "company": {"employees": 900}},
        )
    actions.update_rep(dana, out_of_office_until=None)
    away = Decision.objects.filter(created_at__gte=since)
    assert {d.assignee_name for d in away} == {"Marcus"}
    assert all("skipped Dana: out of office" in str(d.trace) for d in away)
    result = replay_actions.run(seeded.rule, seeded.new_version, since=since)
    assert result["decisions"] == 2 and result["changed"] == 0


def test_another_rules_lead_in_the_same_pool_rotates_the_replay(workspace):
    seeded = seed(workspace, n=3)  # lead 0 (big) went to Dana
    other = actions.create_rule(workspace, kind="chat", name="Partners")
    fallback = other.segments.get(is_fallback=True)
    actions.update_segment(fallback, assignee={"type": "pool", "id": seeded.pool.id})
    actions.create_link(workspace, slug="partners", name="Partners", channel="", chat_rule=other)
    outside = actions.route_chat(workspace, {"link": "partners", "lead": {"email": "p@x.test"}})
    assert outside.decision.assignee_name == "Marcus"
    for i in range(3, 6):  # the widened version: leads 3 (big) and 4 (mid) to the pool
        body = {"email": f"late{i}@co.test"}
        actions.route_chat(workspace, {"lead": body, "company": {"employees": employees(i)}})
    result = replay_actions.run(seeded.rule, seeded.new_version)
    assert result["decisions"] == 6 and result["outside_picks"] == 1
    # Replayed: lead 1 (mid) now takes Marcus; the partner lead then takes Marcus
    # too (as it did), so leads 3 and 4 go Dana, Dana where they went Dana, Marcus.
    after = {c["lead"]["email"]: c["after"]["assignee"]["name"] for c in result["changes"]}
    assert after == {"lead1@co1.test": "Marcus", "late4@co.test": "Dana"}
