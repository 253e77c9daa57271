"""Pool rotation as a delta (issue 11 item 5): the picker reads, route_chat writes.

`PoolPicker.pick` returns who gets the lead and a `Rotation`; nothing is written
until its `rotation_statements` run, which `route_chat` does under the pool lock, and
`simulate` never does.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from routing import actions
from routing.engine import Rotation
from routing.models import PoolMember
from routing.pools import PoolPicker, rotation_statements

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)
WRITES = ("INSERT", "UPDATE", "DELETE")


def apply_rotations(rotations) -> None:
    """Run the deltas' UPDATEs, as route_chat does inside its insert chain."""
    with connection.cursor() as cursor:
        for sql, params in rotation_statements(rotations):
            cursor.execute(sql, params)


def _state(pool) -> list[tuple]:
    return list(
        PoolMember.objects.filter(pool=pool)
        .order_by("id")
        .values_list("rep__name", "current_weight", "assigned_count", "last_assigned_at")
    )


def _writes(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]


@pytest.fixture
def weighted(workspace):
    """A round-robin pool of A (weight 3), B (1) and a paused C (1)."""
    reps = [actions.create_rep(workspace, name=n, email=f"{n.lower()}@rot.test") for n in "ABC"]
    return actions.create_pool(
        workspace,
        name="Weighted",
        members=[
            {"rep": reps[0].id, "weight": 3},
            {"rep": reps[1].id, "weight": 1},
            {"rep": reps[2].id, "weight": 1, "is_paused": True},
        ],
    )


def test_pick_writes_nothing_and_returns_the_new_weights(workspace, weighted):
    before = _state(weighted)
    picker = PoolPicker(workspace.id, NOW)
    with CaptureQueriesContext(connection) as ctx:
        first = picker.pick(weighted.id)
    assert _writes(ctx) == []
    assert _state(weighted) == before
    a, b, c = PoolMember.objects.filter(pool=weighted).order_by("id")
    assert first.assignee.name == "A"
    # SWRR: A 0+3-4 = -1, B 0+1 = 1; the paused C took no part in the pick.
    assert first.rotation == Rotation(weighted.id, a.id, NOW, {a.id: -1, b.id: 1})


def test_apply_rotations_writes_the_delta_of_a_pick(workspace, weighted):
    a, b, c = PoolMember.objects.filter(pool=weighted).order_by("id")
    picked = PoolPicker(workspace.id, NOW).pick(weighted.id)
    with CaptureQueriesContext(connection) as ctx:
        apply_rotations([picked.rotation])
    assert len(_writes(ctx)) == 1  # one UPDATE per pick, whatever the pool's size
    assert _state(weighted) == [("A", -1, 1, NOW), ("B", 1, 0, None), ("C", 0, 0, None)]


def test_picks_applied_one_after_another_follow_the_smooth_weighted_sequence(workspace, weighted):
    seen = []
    for _ in range(8):
        picked = PoolPicker(workspace.id, NOW).pick(weighted.id)
        apply_rotations([picked.rotation])
        seen.append(picked.assignee.name)
    assert "".join(seen) == "AABAAABA"
    assert _state(weighted) == [("A", 0, 6, NOW), ("B", 0, 2, NOW), ("C", 0, 0, None)]


def test_a_pick_not_applied_does_not_move_the_rotation(workspace, weighted):
    picker = PoolPicker(workspace.id, NOW)
    assert [picker.pick(weighted.id).assignee.name for _ in range(3)] == ["A", "A", "A"]


def test_least_loaded_delta_is_who_and_when_only(workspace):
    reps = [actions.create_rep(workspace, name=n, email=f"{n.lower()}@ll.test") for n in "XY"]
    pool = actions.create_pool(
        workspace, name="Least", strategy="load_balanced", members=[{"rep": r.id} for r in reps]
    )
    x, _ = PoolMember.objects.filter(pool=pool).order_by("id")
    picked = PoolPicker(workspace.id, NOW).pick(pool.id)
    assert picked.rotation == Rotation(pool.id, x.id, NOW, {})
    apply_rotations([picked.rotation])
    assert _state(pool) == [("X", 0, 1, NOW), ("Y", 0, 0, None)]


def test_route_chat_applies_the_rotation_of_its_decision(workspace, weighted):
    rule = actions.create_rule(workspace, kind="chat", name="To the pool")
    actions.add_segment(
        rule, name="All", conditions={"all": []}, assignee={"type": "pool", "id": weighted.id}
    )
    actions.create_link(workspace, slug="rot", name="Rot", channel="Rot", chat_rule=rule)
    names = [
        actions.route_chat(
            workspace, {"link": "rot", "lead": {"email": f"l{n}@x.test"}}
        ).decision.assignee_name
        for n in range(4)
    ]
    assert names == ["A", "A", "B", "A"]
    counts = [(name, weight, count) for name, weight, count, _ in _state(weighted)]
    assert counts == [("A", 0, 3), ("B", 0, 1), ("C", 0, 0)]


def _sql(ctx) -> str:
    return "\n".join(q["sql"] for q in ctx.captured_queries)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_only_route_chat_locks_the_pool_simulate_reads_it_unlocked(workspace, weighted):
    rule = actions.create_rule(workspace, kind="chat", name="To the pool")
    actions.add_segment(
        rule, name="All", conditions={"all": []}, assignee={"type": "pool", "id": weighted.id}
    )
    actions.create_link(workspace, slug="lock", name="Lock", channel="Lock", chat_rule=rule)
    payload = {"link": "lock", "lead": {"email": "lock@x.test"}}
    with CaptureQueriesContext(connection) as routed:
        actions.route_chat(workspace, payload)
    # The pool's members are read and locked in one query (routing.pools.PoolPicker.lock):
    # the member rows (alias m), not the pool's or the rep's.
    assert "FROM routing_poolmember m JOIN" in _sql(routed)
    assert "FOR UPDATE OF m" in _sql(routed)
    with CaptureQueriesContext(connection) as simulated:
        actions.simulate(workspace, rule, payload=payload)
    assert "FOR UPDATE" not in _sql(simulated)
    assert _writes(simulated) == []


def test_with_the_callers_reps_and_pools_the_lock_reads_the_members_alone(workspace, weighted):
    """route_chat hands the picker its cached reps and pools (routing.directory): the
    statement that locks the members returns their own columns only, and the pick
    uses the instances in hand."""
    from routing.models import Pool, Rep

    reps = {r.id: r for r in Rep.objects.filter(workspace=workspace)}
    pools = {p.id: p for p in Pool.objects.filter(workspace=workspace)}
    picker = PoolPicker(workspace.id, NOW, known=lambda: (reps, pools))
    with CaptureQueriesContext(connection) as ctx:
        first = picker.pick(weighted.id)
    [select] = [q["sql"] for q in ctx.captured_queries]
    assert "routing_rep" not in select and 'p."name"' not in select
    assert first.assignee.name == "A"
    assert all(rep is reps[rep.id] for rep in picker.loaded_reps().values())
    assert picker.loaded_pool(weighted.id) is pools[weighted.id]
    # The same pick as a picker that reads the pool and reps with the members.
    plain = PoolPicker(workspace.id, NOW).pick(weighted.id)
    assert (plain.assignee, plain.reason, plain.rotation) == (
        first.assignee,
        first.reason,
        first.rotation,
    )


def test_a_member_the_caller_does_not_know_has_its_rep_read_with_it(workspace, weighted):
    """A rep (or pool) written after the caller's caches were filled: read again with
    the members, in a second statement, and picked as usual."""
    from routing.models import Pool

    pools = {p.id: p for p in Pool.objects.filter(workspace=workspace)}
    picker = PoolPicker(workspace.id, NOW, known=lambda: ({}, pools))
    with CaptureQueriesContext(connection) as ctx:
        first = picker.pick(weighted.id)
    assert len(ctx.captured_queries) == 2
    assert "routing_rep" in ctx.captured_queries[1]["sql"]
    assert first.assignee.name == "A"
    assert {r.name for r in picker.loaded_reps().values()} == {"A", "B", "C"}
