"""Issue 17 item 3: replay 10,000 past decisions through a 50-segment rule.

The rule is bench/rule50.py's (49 segments and the fallback), its contexts
`rule50.contexts(n)`. Segments assign reps, a round-robin pool and a
load-balanced pool. The "past" decisions are what version A decided (worked
out before the clock starts); the replay runs version B (two segments hand
their leads to other assignees, one moved to the top) over them with
`routing.replay.replay`, pools rotating in memory, and the first 100 changes
traced in full. Pure Python, no database: the figure is the replay core (the
action adds one query for the decisions and a few for the people and pools).

    .venv/bin/python bench/replay_bench.py [--decisions 2000]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=DECISIONS)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(run(args.decisions, args.rounds), indent=2))


if __name__ == "__main__":
    main()


def report_row(r: dict) -> tuple[str, str, str, str, bool]:
    """The summary-table row of bench/report.py: (item, figure, measured, target, met)."""
    return (
        "7",
        f"Replay {r['decisions']:,} past decisions through a {r['segments']}-segment rule "
        f"(issue 17; {r['changed']:,} change, {r['changes_traced']} traced in full)",
        f"{r['seconds']:.2f} s ({r['decisions_per_s']:,} decisions/s)",
        f"< {r['target_s']:.0f} s",
        r["seconds"] < r["target_s"],
    )
