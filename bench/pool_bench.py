"""Item 3: pool rotation under 16 concurrent clients on PostgreSQL.

One workspace, one round-robin pool of five reps with equal weights, a rule
whose only segment sends every lead to that pool. ``routing.actions.route_chat``
(the path the API takes) is called from 1 thread, then from 16 threads at once
(each with its own database connection, released together by a barrier), each
routing its share of the chats. The figures: chats per second with 16 clients
against 1, and the fairness of the 16-client phase: the spread (max - min) of
assignments per rep, and whether the assignment order, read back by decision
id (decisions are written while the pool row is locked), is a strict rotation.

    .venv/bin/python bench/pool_bench.py [--single 150] [--per-client 25]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common

REPS = 5


def setup(tag: str) -> dict:
    from routing import actions

    workspace, _ = actions.create_workspace(f"Bench pool {tag}")
    reps = [
        actions.create_rep(workspace, name=f"Rep {i}", email=f"rep{i}-{tag}@bench.test")
        for i in range(REPS)
    ]
    pool = actions.create_pool(
        workspace, name="Round robin", strategy="round_robin", members=[{"rep": r.id} for r in reps]
    )
    rule = actions.create_rule(workspace, kind="chat", name="Everyone to the pool")
    actions.add_segment(
        rule,
        name="Everyone",
        conditions={"field": "lead.email", "op": "exists"},
        assignee={"type": "pool", "id": pool.id},
    )
    actions.create_link(workspace, slug=tag, name=tag, channel="bench", chat_rule=rule)
    return {"workspace": workspace, "pool": pool, "reps": reps, "slug": tag}


def route_many(ws: dict, tag: str, clients: int, per_client: int) -> tuple[float, dict]:
    """Route ``clients * per_client`` chats from ``clients`` threads.

    Returns the wall seconds and, averaged per routing: its duration, the time
    its ``SELECT ... FOR UPDATE`` on the pool took (waiting for the lock), and
    how long it then held the lock (from that statement to the end of the
    commit, read by wrapping this thread's ``connection.commit``).
    """
    from django.db import connection

    from routing import actions

    barrier = threading.Barrier(clients + 1)
    errors: list[BaseException] = []
    timings: list[tuple[float, float, float]] = []  # (routing, lock wait, lock held)

    def client(c: int) -> None:
        locked: dict[str, float] = {}

        def timer(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                if "FOR UPDATE" in sql and "routing_pool" in sql:
                    locked["wait"] = time.perf_counter() - started
                    locked["at"] = time.perf_counter()

        commit = connection.commit

        def timed_commit():
            commit()
            locked["committed"] = time.perf_counter()

        try:
            connection.ensure_connection()  # connect before the clock starts
            connection.commit = timed_commit  # this thread's connection only
            barrier.wait()
            with connection.execute_wrapper(timer):
                for n in range(per_client):
                    email = f"c{c}-{n}-{tag}@bench.test"
                    locked.clear()
                    started = time.perf_counter()
                    actions.route_chat(
                        ws["workspace"], {"link": ws["slug"], "lead": {"email": email}}
                    )
                    done = time.perf_counter()
                    held = locked["committed"] - locked["at"] if "at" in locked else 0.0
                    timings.append((done - started, locked.get("wait", 0.0), held))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            del connection.commit
            connection.close()

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    n = len(timings) or 1
    averages = {
        "routing_ms": sum(t[0] for t in timings) / n * 1000,
        "lock_wait_ms": sum(t[1] for t in timings) / n * 1000,
        "lock_held_ms": sum(t[2] for t in timings) / n * 1000,
    }
    return elapsed, averages


def run(single: int = 150, per_client: int = 25, clients: int = 16) -> dict:
    from routing.models import Decision

    tag = f"pool{int(time.time())}"
    ws = setup(tag)
    route_many(ws, tag + "w", 1, 10)  # warm up: compiled rule, connections, caches
    one, one_timing = route_many(ws, tag + "a", 1, single)
    first_id = Decision.objects.filter(workspace=ws["workspace"]).order_by("-id").first().id
    many, many_timing = route_many(ws, tag + "b", clients, per_client)
    order = list(
        Decision.objects.filter(workspace=ws["workspace"], id__gt=first_id)
        .order_by("id")
        .values_list("rep_id", flat=True)
    )
    total = clients * per_client
    counts = Counter(order)
    per_rep = [counts.get(r.id, 0) for r in ws["reps"]]
    # A strict rotation: every window of REPS consecutive assignments names every rep once.
    out_of_turn = sum(
        1 for i in range(len(order) - REPS + 1) if len(set(order[i : i + REPS])) != REPS
    )
    return {
        "reps": REPS,
        "single_client": {
            "chats": single,
            "seconds": one,
            "chats_per_s": single / one,
            **one_timing,
        },
        "concurrent": {
            "clients": clients,
            "chats": total,
            "seconds": many,
            "chats_per_s": total / many,
            **many_timing,
        },
        "throughput_ratio": (total / many) / (single / one),
        "assignments_per_rep": per_rep,
        "spread": max(per_rep) - min(per_rep),
        "routed": len(order),
        "out_of_turn_windows": out_of_turn,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--single", type=int, default=150, help="chats routed by 1 client")
    parser.add_argument("--per-client", type=int, default=25, help="chats per concurrent client")
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    common.standalone()
    common.setup_django()
    print(json.dumps(run(args.single, args.per_client, args.clients), indent=2))


if __name__ == "__main__":
    main()
