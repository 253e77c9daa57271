"""Item 5: database queries per routed chat with 3, 30 and 300 segments.

For each size, a rule whose segments alternate between a pool and a rep and
all fail (``company.employees`` above 10,000 + i), then a last segment that
matches and sends the lead to a five-rep pool: every segment is evaluated and
explained in the trace, the heaviest case for the engine. One chat is routed
to warm the compiled-rule cache, then the queries of the next one are counted
(``CaptureQueriesContext``, the approach of tests/routing/test_query_counts.py).

    .venv/bin/python bench/query_counts.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common

SIZES = (3, 30, 300)


def setup(workspace, segments: int, tag: str) -> str:
    from routing import actions

    reps = [
        actions.create_rep(workspace, name=f"{tag} rep {i}", email=f"{tag}{i}@q.bench.test")
        for i in range(5)
    ]
    pool = actions.create_pool(workspace, name=f"{tag} pool", members=[{"rep": r.id} for r in reps])
    rule = actions.create_rule(workspace, kind="chat", name=f"{tag} rule")
    for i in range(segments - 2):  # ... plus the winner and the fallback
        assignee = (
            {"type": "rep", "id": reps[i % 5].id} if i % 2 else {"type": "pool", "id": pool.id}
        )
        actions.add_segment(
            rule,
            name=f"no match {i}",
            conditions={"field": "company.employees", "op": "gt", "value": 10_000 + i},
            assignee=assignee,
        )
    actions.add_segment(
        rule,
        name="winner",
        conditions={"field": "lead.email", "op": "ends_with", "value": "@example.com"},
        assignee={"type": "pool", "id": pool.id},
    )
    actions.create_link(workspace, slug=tag, name=tag, channel=tag, chat_rule=rule)
    return tag


def count(workspace, slug: str, size: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from routing import actions

    payload = {
        "link": slug,
        "lead": {"email": f"warm-{slug}@example.com"},
        "company": {"employees": 5},
    }
    actions.route_chat(workspace, payload)  # warm the compiled-rule cache
    payload["lead"] = {"email": f"counted-{slug}@example.com"}
    with CaptureQueriesContext(connection) as ctx:
        routed = actions.route_chat(workspace, payload)
    assert routed.decision.segment_name == "winner", routed.decision.segment_name
    statements = [q["sql"].split(None, 1)[0].upper() for q in ctx.captured_queries]
    return {
        "segments": size,
        "segments_in_trace": len(routed.outcome.trace["segments"]),
        "queries": len(statements),
        "by_statement": {s: statements.count(s) for s in sorted(set(statements))},
    }


def run() -> dict:
    from routing import actions

    tag = f"q{int(time.time())}"
    workspace, _ = actions.create_workspace(f"Bench queries {tag}")
    out = {}
    for size in SIZES:
        slug = setup(workspace, size, f"{tag}-{size}")
        out[size] = count(workspace, slug, size)
    counts = [out[s]["queries"] for s in SIZES]
    return {
        "sizes": out,
        "constant": len(set(counts)) == 1,
        "ratio_largest_to_smallest": counts[-1] / counts[0],
    }


def main() -> None:
    common.standalone()
    common.setup_django()
    print(json.dumps(run(), indent=2))


if __name__ == "__main__":
    main()
