"""Pools through the API: rotation, weights, availability, load balancing (SPEC 5)."""

import itertools
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from routing.availability import DAYS
from routing.models import Chat

from .helpers import chat, ok

ANY_EMAIL = {"field": "lead.email", "op": "exists"}


@pytest.fixture
def pool_rule(api, make_rule, make_link):
    """Link `in` -> rule "Inbound"; `route(pool)` puts a catch-all segment for the pool on it."""
    rule = make_rule("Inbound")
    make_link("in", chat_rule=rule["id"])
    return rule


@pytest.fixture
def routes_to(add_segment, pool_rule):
    def attach(pool, conditions=ANY_EMAIL, name="Pool"):
        return add_segment(pool_rule["id"], name, conditions, {"type": "pool", "id": pool["id"]})

    return attach


_leads = itertools.count(1)


def next_chat(api, **body):
    """Route one chat from a new lead through link `in`."""
    return chat(api, email=f"lead{next(_leads)}@bigco.com", link="in", **body)


def names(api, count):
    return [next_chat(api)["assignee"]["name"] for _ in range(count)]


def segment_entry(data, segment_id):
    return next(s for s in data["trace"]["segments"] if s["id"] == segment_id)


# -- round robin ------------------------------------------------------------------------
def test_round_robin_over_three_equal_reps(api, make_rep, make_pool, routes_to):
    reps = [make_rep(n) for n in ("A", "B", "C")]
    pool = make_pool("Sales", [{"rep": r.id} for r in reps])
    routes_to(pool)
    assert names(api, 6) == ["A", "B", "C", "A", "B", "C"]
    members = ok(api.get(f"/api/v1/pools/{pool['id']}/"))["members"]
    assert [m["assigned_count"] for m in members] == [2, 2, 2]
    assert all(m["last_assigned_at"] for m in members)


def test_round_robin_answer_names_the_pool(api, make_rep, make_pool, routes_to):
    a = make_rep("A")
    pool = make_pool("Sales", [{"rep": a.id}])
    seg = routes_to(pool)
    data = next_chat(api)
    assert data["assignee"] == {
        "type": "rep",
        "id": a.id,
        "name": "A",
        "pool": {"id": pool["id"], "name": "Sales", "strategy": "round_robin"},
    }
    assert data["segment"]["id"] == seg["id"]
    assert "next in rotation" in segment_entry(data, seg["id"])["reason"]


def test_weights_two_to_one(api, make_rep, make_pool, routes_to):
    a, b = make_rep("A"), make_rep("B")
    pool = make_pool("Sales", [{"rep": a.id, "weight": 2}, {"rep": b.id, "weight": 1}])
    routes_to(pool)
    seq = names(api, 30)
    assert Counter(seq) == {"A": 20, "B": 10}
    # Smooth: every window of three holds exactly two A and one B.
    for i in range(0, 30, 3):
        assert sorted(seq[i : i + 3]) == ["A", "A", "B"], seq


# -- availability ---------------------------------------------------------------------
def _away_day():
    """A working day that is neither today nor yesterday (UTC): never 'now'."""
    return DAYS[(timezone.now().weekday() + 3) % 7]


UNAVAILABLE = {
    "paused": ({}, {"is_paused": True}, "paused in this pool"),
    "inactive": ({"is_active": False}, {}, "inactive"),
    "out of office": (
        {"out_of_office_until": "FUTURE"},
        {},
        "out of office until",
    ),
    "outside working hours": (
        {"working_hours": "AWAY"},
        {},
        "outside working hours",
    ),
}


@pytest.mark.parametrize("why", sorted(UNAVAILABLE))
def test_unavailable_member_is_skipped_and_the_trace_says_why(
    api, make_rep, make_pool, routes_to, why
):
    rep_fields, member_fields, reason = UNAVAILABLE[why]
    rep_fields = dict(rep_fields)
    if rep_fields.get("out_of_office_until") == "FUTURE":
        rep_fields["out_of_office_until"] = timezone.now() + timedelta(days=2)
    if rep_fields.get("working_hours") == "AWAY":
        rep_fields["working_hours"] = {_away_day(): [["09:00", "10:00"]]}
    a = make_rep("A", **rep_fields)
    b, c = make_rep("B"), make_rep("C")
    pool = make_pool("Sales", [{"rep": a.id, **member_fields}, {"rep": b.id}, {"rep": c.id}])
    seg = routes_to(pool)
    data = next_chat(api)
    assert data["assignee"]["name"] == "B"
    entry = segment_entry(data, seg["id"])
    assert f"A: {reason}" in entry["reason"]
    assert "2 of 3 available" in entry["reason"]
    assert names(api, 3) == ["C", "B", "C"]


def test_out_of_office_in_the_past_is_available(api, make_rep, make_pool, routes_to):
    a = make_rep("A", out_of_office_until=timezone.now() - timedelta(hours=1))
    pool = make_pool("Sales", [{"rep": a.id}])
    routes_to(pool)
    assert names(api, 1) == ["A"]


def test_pool_may_ignore_working_hours(api, make_rep, make_pool, routes_to):
    a = make_rep("A", working_hours={_away_day(): [["09:00", "10:00"]]})
    pool = make_pool("Support", [{"rep": a.id}], respect_working_hours=False)
    routes_to(pool)
    assert names(api, 1) == ["A"]


def test_member_at_capacity_is_skipped(api, make_rep, make_pool, routes_to):
    a = make_rep("A", max_open_chats=1)
    b = make_rep("B")
    pool = make_pool("Sales", [{"rep": a.id}, {"rep": b.id}])
    seg = routes_to(pool)
    assert names(api, 1) == ["A"]
    for _ in range(2):  # A now has 1 open chat of 1 allowed
        data = next_chat(api)
        assert data["assignee"]["name"] == "B"
        reason = segment_entry(data, seg["id"])["reason"]
        assert "A: at capacity (1/1 open chats)" in reason
        assert "1 of 2 available" in reason
    # Closing A's chat frees the slot: A is back in the rotation.
    Chat.objects.filter(rep_owner=a).update(status="closed")
    assert "A" in names(api, 2)


def test_all_members_unavailable_skips_to_the_next_segment(
    api, make_rep, make_pool, routes_to, add_segment, pool_rule
):
    a = make_rep("A", is_active=False)
    b = make_rep("B")
    backup = make_rep("Backup")
    pool = make_pool("Sales", [{"rep": a.id}, {"rep": b.id, "is_paused": True}])
    seg = routes_to(pool)
    nxt = add_segment(pool_rule["id"], "Backup", ANY_EMAIL, {"type": "rep", "id": backup.id})
    data = next_chat(api)
    assert data["segment"]["id"] == nxt["id"]
    assert data["assignee"] == {"type": "rep", "id": backup.id, "name": "Backup"}
    entry = segment_entry(data, seg["id"])
    assert entry["matched"] is True
    assert entry["outcome"] == "skipped"
    assert "no available member" in entry["reason"]
    assert "A: inactive" in entry["reason"] and "B: paused in this pool" in entry["reason"]
    assert any("skipped" in line for line in data["trace"]["lines"])
    assert ok(api.get(f"/api/v1/pools/{pool['id']}/"))["members"][0]["assigned_count"] == 0


def test_all_members_unavailable_falls_back(api, make_rep, make_pool, routes_to):
    a = make_rep("A", is_active=False)
    fay = make_rep("Fay")
    ok(api.patch("/api/v1/workspace/", {"default_rep": fay.id}, format="json"))
    pool = make_pool("Sales", [{"rep": a.id}])
    routes_to(pool)
    data = next_chat(api)
    assert data["segment"]["name"] == "Fallback"
    assert data["assignee"] == {"type": "rep", "id": fay.id, "name": "Fay"}


def test_exhausted_pool_on_the_fallback_uses_the_last_resort(api, make_rep, make_pool, pool_rule):
    a = make_rep("A", is_active=False)
    bea = make_rep("Bea")
    pool = make_pool("Sales", [{"rep": a.id}])
    fallback = next(s for s in pool_rule["segments"] if s["is_fallback"])
    ok(
        api.patch(
            f"/api/v1/segments/{fallback['id']}/",
            {"assignee": {"type": "pool", "id": pool["id"]}},
            format="json",
        )
    )
    data = next_chat(api)
    assert data["via"] == "last_resort"
    assert data["segment"] is None
    assert data["assignee"]["id"] == bea.id


def test_empty_pool_is_skipped(api, make_rep, make_pool, routes_to):
    fay = make_rep("Fay")
    pool = make_pool("Empty", [])
    seg = routes_to(pool)
    data = next_chat(api)
    assert data["assignee"]["id"] == fay.id
    assert "no members" in segment_entry(data, seg["id"])["reason"]


# -- load balanced ----------------------------------------------------------------------
def test_load_balanced_picks_the_rep_with_fewest_open_chats(
    api, make_rep, make_pool, routes_to, add_segment, pool_rule
):
    a, b, c = make_rep("A"), make_rep("B"), make_rep("C")
    # Direct segments to give A two open chats and C one, outside the pool.
    for rep in (a, c):
        add_segment(
            pool_rule["id"],
            f"To {rep.name}",
            {"field": "custom.to", "op": "eq", "value": rep.name},
            {"type": "rep", "id": rep.id},
        )
    for to in ("A", "A", "C"):
        assert next_chat(api, custom={"to": to})["assignee"]["name"] == to
    pool = make_pool("LB", [{"rep": r.id} for r in (a, b, c)], strategy="load_balanced")
    seg = routes_to(pool)

    data = next_chat(api)
    assert data["assignee"]["name"] == "B"  # 0 open
    assert "fewest open chats (0)" in segment_entry(data, seg["id"])["reason"]
    # A=2, B=1, C=1: tie B/C goes to the one assigned least recently by the pool (C).
    assert names(api, 1) == ["C"]
    # A=2, B=1, C=2.
    assert names(api, 1) == ["B"]
    # Closing A's chats makes A the least loaded.
    Chat.objects.filter(rep_owner=a).update(status="closed")
    assert names(api, 1) == ["A"]
