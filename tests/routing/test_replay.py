"""The pure replay core (routing/replay.py): no database, plain data in and out."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from bench import replay_bench, rule50
from routing import directory, engine, replay

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
REPS = {
    1: replay.RepInfo(1, "Dana"),
    2: replay.RepInfo(2, "Marcus"),
    3: replay.RepInfo(3, "Priya", working_hours={"mon": [["09:00", "17:00"]]}),
}
PEOPLE = replay.People(reps=REPS, default_rep_id=1)


def _snapshot(segments, version=2):
    rule = {
        "id": 1,
        "name": "Inbound",
        "kind": "chat",
        "crm_owner_first": False,
        "notify_crm_owner": False,
        "monitoring_channel": "",
    }
    out = []
    for i, (name, tree, assignee) in enumerate(segments):
        out.append(
            {
                "id": i + 1,
                "name": name,
                "conditions": tree,
                "assignee": assignee,
                "is_fallback": i == len(segments) - 1,
            }
        )
    return {"version": version, "rule": rule, "segments": out}


FALL = {"all": []}
BIG = {"field": "company.employees", "op": "gt", "value": 200}
POOL = {"type": "pool", "id": 9, "name": "Enterprise"}
DANA = {"type": "rep", "id": 1, "name": "Dana"}
MARCUS = {"type": "rep", "id": 2, "name": "Marcus"}


def _pool(respect_hours=False, strategy="round_robin"):
    members = [replay.MemberState(91, 1), replay.MemberState(92, 2), replay.MemberState(93, 3)]
    return {9: replay.PoolState(9, "Enterprise", strategy, respect_hours, members)}


def _stored(i, employees, assignee, segment=(2, "Fallback"), trace=None, at=None):
    return replay.StoredDecision(
        id=i,
        at=at or T0 + timedelta(minutes=i),
        context={"company": {"employees": employees}},
        trace=trace or {},
        segment={"id": segment[0], "name": segment[1]},
        assignee=assignee,
        lead={"id": 100 + i, "email": f"lead{i}@x.io"},
    )


def test_a_pool_rotates_in_memory_and_the_given_state_is_not_moved():
    rule = engine.compile_rule(_snapshot([("Big", BIG, POOL), ("Fallback", FALL, DANA)]))
    pools = _pool()
    before = copy.deepcopy(pools)
    stored = [_stored(i, 500, DANA) for i in range(6)]
    result = replay.replay(rule, PEOPLE, pools, stored)
    assert pools == before  # the caller's (the database's) state is untouched
    assert result["decisions"] == 6
    after = {row["assignee"]["name"]: row["after"] for row in result["by_assignee"]}
    assert after == {"Dana": 2, "Marcus": 2, "Priya": 2}  # strict rotation over three
    assert result["changed"] == 6  # every lead moved to segment "Big"
    assert result["segment_changed"] == 6 and result["assignee_changed"] == 4
    moves = {(m["from"]["name"], m["to"]["name"]): m["count"] for m in result["moves"]}
    assert moves == {("Dana", "Marcus"): 2, ("Dana", "Priya"): 2}


def test_changes_name_both_sides_and_carry_the_replay_trace():
    rule = engine.compile_rule(_snapshot([("Big", BIG, MARCUS), ("Fallback", FALL, DANA)]))
    stored = [_stored(1, 500, DANA), _stored(2, 10, DANA)]
    result = replay.replay(rule, PEOPLE, {}, stored)
    assert result["changed"] == 1
    (change,) = result["changes"]
    assert change["decision"] == 1
    assert change["lead"] == {"id": 101, "email": "lead1@x.io"}
    assert change["before"] == {"segment": {"id": 2, "name": "Fallback"}, "assignee": DANA}
    assert change["after"] == {"segment": {"id": 1, "name": "Big"}, "assignee": MARCUS}
    trace = result["traces"][1]
    assert trace["result"]["assignee"]["name"] == "Marcus"
    assert trace["segments"][0]["outcome"] == "assigned"
    assert f"Selected because: {replay.REPLAYED}." in trace["lines"]


def test_at_most_100_changes_are_listed_but_all_are_counted():
    rule = engine.compile_rule(_snapshot([("Big", BIG, MARCUS), ("Fallback", FALL, DANA)]))
    stored = [_stored(i, 500, DANA) for i in range(150)]
    result = replay.replay(rule, PEOPLE, {}, stored)
    assert result["changed"] == 150
    assert len(result["changes"]) == replay.MAX_CHANGES == len(result["traces"])


def test_a_rep_the_stored_trace_names_as_unavailable_is_skipped_then():
    trace = {
        "segments": [
            {
                "reason": "pool Enterprise (round robin) chose Priya, next in rotation, "
                "1 of 3 available; skipped Dana: out of office until 2026-11-30 00:00 UTC; "
                "Marcus: at capacity (3/3 open chats)"
            }
        ]
    }
    assert replay.unavailable_names(trace) == {"Dana", "Marcus"}
    rule = engine.compile_rule(_snapshot([("Big", BIG, POOL), ("Fallback", FALL, DANA)]))
    stored = [_stored(1, 500, {"type": "rep", "id": 3, "name": "Priya"}, (1, "Big"), trace)]
    result = replay.replay(rule, PEOPLE, _pool(), stored)
    assert result["changed"] == 0  # Priya again: the two others were away then


def test_other_unavailable_wordings_are_read():
    trace = {
        "segments": [
            {"reason": "rep Dana is inactive"},
            {"reason": "pool P has no available member (Marcus: paused in this pool)"},
        ],
        "crm_owner_first": {"reason": "CRM owner Priya is outside working hours (UTC)"},
    }
    assert replay.unavailable_names(trace) == {"Dana", "Marcus", "Priya"}
    assert replay.unavailable_names({}) == frozenset()


def test_the_digest_keeps_what_names_the_unavailable_and_drops_the_rest():
    trace = {
        "rule": {"id": 1, "name": "Inbound", "version": 3},
        "gaps": {"crm": "timed out"},
        "crm_owner_first": {"assigned": False, "reason": "CRM owner Priya is paused"},
        "segments": [
            {"id": 1, "outcome": "no_match", "reason": "conditions not met: rep Dana is x"},
            {"id": 2, "outcome": "skipped", "reason": "rep Marcus is out of office"},
            {"id": 3, "outcome": "assigned", "reason": "pool P chose Ana; skipped Bo: paused"},
        ],
        "not_reached": 4,
        "result": {"assignee": {"type": "rep", "id": 7, "name": "Ana"}, "segment": 3},
        "lines": ["Segment 1: no match.", "last resort: (default rep Cy is paused)"],
    }
    digest = replay.digest(trace)
    assert digest == {
        "rule": trace["rule"],
        "gaps": trace["gaps"],
        "crm_owner_first": trace["crm_owner_first"],
        "not_reached": 4,
        "result": trace["result"],
        "reasons": ["rep Marcus is out of office", "pool P chose Ana; skipped Bo: paused"],
        "lines": ["last resort: (default rep Cy is paused)"],
    }
    # The no-match segment's wording would have named Dana: only real skips count.
    assert replay.unavailable_names(replay.from_digest(digest)) == {"Priya", "Marcus", "Bo", "Cy"}
    assert replay.from_digest(digest)["result"] == trace["result"]
    assert replay.digest({}) == {"reasons": [], "lines": []}


def test_the_digest_of_the_50_segment_rules_traces_is_small_and_reads_the_same():
    _, snap = replay_bench.snapshots()
    rule = engine.compile_rule(snap)
    people = replay.ReplayDirectory(replay_bench._people(), replay_bench._pools())
    sizes = [0, 0]
    for i, context in enumerate(rule50.contexts(40, seed=3)):
        people.at(replay.StoredDecision(i, T0 + timedelta(minutes=i), context, {}, None, {}))
        trace = engine.decide(rule, context, people).trace
        digest = replay.digest(trace)
        sizes[0] += len(repr(digest))
        sizes[1] += len(repr(trace))
        assert replay.unavailable_names(replay.from_digest(digest)) == replay.unavailable_names(
            {**trace, "segments": [s for s in trace["segments"] if s.get("outcome") != "no_match"]}
        )
    assert sizes[0] * 5 < sizes[1]  # in all: most leads match after many segments


def test_working_hours_apply_at_the_time_of_the_lead():
    rule = engine.compile_rule(_snapshot([("Big", BIG, POOL), ("Fallback", FALL, DANA)]))
    pools = _pool(respect_hours=True)
    sunday = T0 - timedelta(days=1)  # Priya works Mondays only
    stored = [_stored(i, 500, DANA, at=sunday + timedelta(minutes=i)) for i in range(4)]
    result = replay.replay(rule, PEOPLE, pools, stored)
    after = {row["assignee"]["name"]: row["after"] for row in result["by_assignee"]}
    assert after == {"Dana": 2, "Marcus": 2}  # Priya: none


def test_load_balanced_starts_from_open_chats_and_counts_the_replayed_leads():
    rule = engine.compile_rule(_snapshot([("Big", BIG, POOL), ("Fallback", FALL, DANA)]))
    pools = _pool(strategy="load_balanced")
    pools[9].members[0].open_chats = 2  # Dana had two open chats at the window's start
    stored = [_stored(i, 500, DANA) for i in range(4)]
    result = replay.replay(rule, PEOPLE, pools, stored)
    after = {row["assignee"]["name"]: row["after"] for row in result["by_assignee"]}
    assert after == {"Dana": 0, "Marcus": 2, "Priya": 2}


def test_decisions_are_replayed_in_time_order_and_progress_is_reported():
    rule = engine.compile_rule(_snapshot([("Big", BIG, POOL), ("Fallback", FALL, DANA)]))
    stored = [_stored(i, 500, DANA) for i in range(5)]
    calls = []
    shuffled = [stored[3], stored[0], stored[4], stored[1], stored[2]]
    a = replay.replay(
        rule, PEOPLE, _pool(), shuffled, progress=lambda d, t: calls.append(d), every=2
    )
    b = replay.replay(rule, PEOPLE, _pool(), stored)
    assert a["changes"] == b["changes"]
    assert calls == [2, 4, 5]


def test_the_fast_walk_agrees_with_the_engine_on_the_50_segment_rule():
    """`choose` (no trace) and `engine.decide` pick the same segment and assignee."""
    _, snap = replay_bench.snapshots()
    rule = engine.compile_rule(snap)
    fast = replay.ReplayDirectory(replay_bench._people(), replay_bench._pools())
    full = replay.ReplayDirectory(replay_bench._people(), replay_bench._pools())
    for i, context in enumerate(rule50.contexts(400)):
        at = replay.StoredDecision(i, T0 + timedelta(minutes=i), context, {}, None, {})
        fast.at(at)
        full.at(at)
        a = replay.choose(rule, context, fast)
        b = engine.decide(rule, context, full)
        assert (a.segment.id, a.assignee, a.via) == (b.segment.id, b.assignee, b.via)
        assert a.rotations == b.rotations
        fast.apply(a.rotations)
        full.apply(b.rotations)


def test_crm_owner_first_and_last_resort_follow_the_engine():
    snap = _snapshot([("Big", BIG, MARCUS), ("Fallback", FALL, {"type": "rep", "id": 77})])
    snap["rule"]["crm_owner_first"] = True
    rule = engine.compile_rule(snap)
    d = replay.ReplayDirectory(PEOPLE, {})
    owner = {"crm": {"exists": True, "owner_rep": 3}, "company": {"employees": 500}}
    assert replay.choose(rule, owner, d).assignee.name == "Priya"
    assert replay.choose(rule, {"company": {"employees": 5}}, d).via == "last_resort"
    assert replay.choose(rule, {"company": {"employees": 5}}, d).assignee.name == "Dana"


def test_auto_agent_specialties_match_the_live_directory():
    assert replay.SPECIALTY_FOR_INTENT == directory.SPECIALTY_FOR_INTENT
    people = replay.People(
        reps={},
        agents=(replay.AgentInfo(5, "Auto", "auto"), replay.AgentInfo(6, "Helper", "support")),
    )
    snap = _snapshot([("Fallback", FALL, {"type": "ai_agent", "id": 5, "name": "Auto"})])
    outcome = replay.choose(
        engine.compile_rule(snap),
        {"intent": {"type": "support"}},
        replay.ReplayDirectory(people, {}),
    )
    assert outcome.assignee.name == "Helper"


def test_other_rules_picks_of_the_pool_rotate_it_at_their_time():
    rule = engine.compile_rule(_snapshot([("Big", BIG, POOL), ("Fallback", FALL, DANA)]))
    big = (1, "Big")
    stored = [_stored(1, 500, DANA, big), _stored(3, 500, MARCUS, big)]
    alone = replay.replay(rule, PEOPLE, _pool(), stored)
    assert [c["after"]["assignee"]["name"] for c in alone["changes"]] == []  # Dana, Marcus
    marcus_elsewhere = replay.OutsidePick(T0 + timedelta(minutes=2), 9, 2)
    shared = replay.replay(rule, PEOPLE, _pool(), stored, outside=[marcus_elsewhere])
    # Marcus got a lead from another rule in between: the next in line is Priya.
    assert [c["after"]["assignee"]["name"] for c in shared["changes"]] == ["Priya"]
