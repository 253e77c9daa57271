"""Issue 17 item 3: replay 10,000 past decisions through a 50-segment rule.

The rule is bench/rule50.py's (49 segments and the fallback), its contexts
`rule50.contexts(n)`. Segments assign reps, a round-robin pool and a
load-balanced pool. The "past" decisions are what version A decided (worked
out before the clock starts); the replay runs version B (two segments hand
their leads to other assignees, one moved to the top) over them with
`routing.replay.replay`, pools rotating in memory, and the first 100 changes
traced in full. Pure Python, no database: the figure is the replay core (the
action adds one query for the decisions and a few for the people and pools).

    .venv/bin/python bench/replay_bench.py [--decisions 2000] [--db]

`--db` (and `make bench`) also measure it end to end on PostgreSQL (`run_db`):
`routing.actions.replay.run` with the window's decisions read from the
database, each stored with its full trace.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import rule50
from routing import engine, replay

DECISIONS = 10_000
TARGET_S = 5.0
REPS = 12


def _people() -> replay.People:
    reps = {
        i: replay.RepInfo(i, f"Rep {i:02d}", working_hours={}, timezone="UTC")
        for i in range(1, REPS + 1)
    }
    return replay.People(reps=reps, default_rep_id=1)


def _pools() -> dict[int, replay.PoolState]:
    rr = replay.PoolState(
        101,
        "Round robin",
        "round_robin",
        False,
        [replay.MemberState(1000 + r, r, weight=1 + r % 2) for r in range(1, 7)],
    )
    lb = replay.PoolState(
        102,
        "Load balanced",
        "load_balanced",
        False,
        [replay.MemberState(2000 + r, r, open_chats=r % 3) for r in range(7, REPS + 1)],
    )
    return {101: rr, 102: lb}


def _assignee(i: int) -> dict:
    if i % 5 == 0:
        return {"type": "pool", "id": 101, "name": "Round robin"}
    if i % 7 == 0:
        return {"type": "pool", "id": 102, "name": "Load balanced"}
    rep = 1 + i % REPS
    return {"type": "rep", "id": rep, "name": f"Rep {rep:02d}"}


def snapshots() -> tuple[dict, dict]:
    """Version A (the past) and version B (replayed)."""
    segments = []
    for i, (name, tree) in enumerate(rule50.SEGMENTS):
        fallback = i == len(rule50.SEGMENTS) - 1
        segments.append(
            {
                "id": i + 1,
                "name": name,
                "conditions": tree,
                "assignee": _assignee(i),
                "is_fallback": fallback,
            }
        )
    rule = {
        "id": 1,
        "name": "Bench rule",
        "kind": "chat",
        "crm_owner_first": False,
        "notify_crm_owner": False,
        "monitoring_channel": "",
    }
    a = {"version": 1, "rule": rule, "segments": segments}
    changed = [dict(s) for s in segments]
    changed[3]["assignee"] = {"type": "pool", "id": 101, "name": "Round robin"}
    changed[10]["assignee"] = {"type": "rep", "id": 2, "name": "Rep 02"}
    changed.insert(0, changed.pop(20))
    return a, {"version": 2, "rule": rule, "segments": changed}


def past_decisions(n: int, version_a: engine.CompiledRule) -> list[replay.StoredDecision]:
    """What version A decided for n contexts over 7 days (its own pools rotating)."""
    start = datetime(2026, 11, 23, tzinfo=UTC)
    directory = replay.ReplayDirectory(_people(), _pools())
    out = []
    step = timedelta(days=7) / n
    for i, context in enumerate(rule50.contexts(n)):
        stored = replay.StoredDecision(
            i + 1, start + i * step, context, {}, None, {}, {"id": i + 1, "email": f"l{i}@x.io"}
        )
        directory.at(stored)
        outcome = replay.choose(version_a, context, directory)
        directory.apply(outcome.rotations)
        who = outcome.assignee.as_dict()
        who.pop("pool", None)
        segment = {"id": outcome.segment.id, "name": outcome.segment.name}
        trace = {"segments": [], "result": {"segment": segment["id"], "assignee": who}}
        out.append(
            replay.StoredDecision(stored.id, stored.at, context, trace, segment, who, stored.lead)
        )
    return out


def run(decisions: int = DECISIONS, rounds: int = 3) -> dict:
    a, b = snapshots()
    version_a, version_b = engine.compile_rule(a), engine.compile_rule(b)
    stored = past_decisions(decisions, version_a)
    best, result = float("inf"), None
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        result = replay.replay(version_b, _people(), _pools(), stored)
        best = min(best, time.perf_counter() - started)
    return {
        "decisions": decisions,
        "segments": len(b["segments"]),
        "changed": result["changed"],
        "changes_traced": len(result["traces"]),
        "rounds": rounds,
        "seconds": round(best, 3),
        "decisions_per_s": round(decisions / best),
        "target_s": TARGET_S,
    }


def run_db(decisions: int = DECISIONS, rounds: int = 2) -> dict:
    """End to end on PostgreSQL: `routing.actions.replay.run`, the query of the
    window's decisions (each with its full ~25 KB trace stored) included.

    The decisions are made by the workspace's own rule (bench/fixtures.py) with
    `engine.decide` and written with bulk_create, to spare routing 10,000 chats;
    then one segment's assignee changes (a new version) and that is replayed.
    """
    from bench import fixtures
    from routing import actions
    from routing.actions import replay as replay_actions
    from routing.models import Decision, Lead, RuleVersion, Segment

    made = fixtures.rule50_workspace(f"replay-{datetime.now(UTC):%H%M%S}")
    workspace, rule = made["workspace"], made["rule"]
    rule.refresh_from_db()
    live = RuleVersion.objects.get(rule=rule, version=rule.version)
    compiled = engine.compile_rule(live.snapshot)
    pools = [s.assignee["id"] for s in compiled.segments if s.assignee["type"] == "pool"]
    directory = replay.ReplayDirectory(
        replay_actions.people(workspace),
        replay_actions.pool_states(workspace, pools, datetime.now(UTC)),
    )
    contexts = rule50.contexts(decisions)
    leads = Lead.objects.bulk_create(
        Lead(workspace=workspace, email=f"lead{i}@{c['lead'].get('domain', 'x.io')}")
        for i, c in enumerate(contexts)
    )
    rows = []
    for lead, context in zip(leads, contexts, strict=True):
        outcome = engine.decide(compiled, context, directory)
        directory.apply(outcome.rotations)
        who = outcome.assignee
        rows.append(
            Decision(
                workspace=workspace,
                lead=lead,
                rule=rule,
                rule_name=rule.name,
                rule_version=rule.version,
                segment_id=outcome.segment.id if outcome.segment else None,
                segment_name=outcome.segment.name if outcome.segment else "",
                via=outcome.via,
                assignee_type=who.type,
                rep_id=who.id if who.type == "rep" else None,
                ai_agent_id=who.id if who.type == "ai_agent" else None,
                pool_id=who.pool["id"] if who.pool else None,
                assignee_name=who.name,
                context=context,
                trace=outcome.trace,
                duration_ms=1.0,
            )
        )
    Decision.objects.bulk_create(rows, batch_size=1000)
    segments = list(Segment.objects.filter(rule=rule, is_fallback=False).order_by("order"))
    rep = next(s for s in segments if s.assignee_type == "rep")
    actions.update_segment(segments[0], assignee={"type": "rep", "id": rep.assignee_rep_id})
    rule.refresh_from_db()
    best, result = float("inf"), None
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        result = replay_actions.run(rule, rule.version)
        best = min(best, time.perf_counter() - started)
    return {
        "decisions": result["decisions"],
        "segments": len(compiled.segments),
        "changed": result["changed"],
        "rounds": rounds,
        "seconds": round(best, 3),
        "decisions_per_s": round(result["decisions"] / best),
        "target_s": TARGET_S,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=DECISIONS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--db", action="store_true", help="also end to end on PostgreSQL (bench/common.py)"
    )
    args = parser.parse_args()
    out = {"core": run(args.decisions, args.rounds)}
    if args.db:
        from bench import common

        common.standalone()
        common.setup_django()
        out["end_to_end"] = run_db(args.decisions)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()


def report_row(r: dict, key: str = "replay") -> tuple[str, str, str, str, bool]:
    """A summary-table row of bench/report.py: (item, figure, measured, target, met)."""
    how = (
        "the core, in memory"
        if key == "replay"
        else "end to end: the action, decisions read from PostgreSQL"
    )
    return (
        "7",
        f"Replay {r['decisions']:,} past decisions through a {r['segments']}-segment rule "
        f"({how}; {r['changed']:,} change)",
        f"{r['seconds']:.2f} s ({r['decisions_per_s']:,} decisions/s)",
        f"< {r['target_s']:.0f} s",
        r["seconds"] < r["target_s"],
    )
