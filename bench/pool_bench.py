"""Item 3: pool rotation under 16 concurrent clients on PostgreSQL.

One workspace, one round-robin pool of five reps with equal weights, a rule
whose only segment sends every lead to that pool, on a link. The production
server (uvicorn, 2 worker processes, ``common.start_uvicorn``) takes
``POST /api/v1/chats/`` on that link from 1 keep-alive connection, then from
16 at once (``bench/loadgen.py``, closed loop), for the same time. The figures:
chats per second with 16 clients against 1, and the fairness of the 16-client
phase: the spread (max - min) of assignments per rep, and whether the
assignment order, read back by the decisions' `created_at` (stamped after the
pick, while the pool's rows are locked), is a strict rotation.

When the throughput target is missed, ``diagnose()`` explains it: the same
routing in process (``route_chat`` from 1 thread, then 16 threads released
together by a barrier), timing the pool lock (waiting for it, holding it).

    .venv/bin/python bench/pool_bench.py [--seconds 6] [--clients 16]
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

    workspace, key = actions.create_workspace(f"Bench pool {tag}")
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
    return {"workspace": workspace, "key": key, "pool": pool, "reps": reps, "slug": tag}


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


def fairness(ws: dict, after_id: int) -> dict:
    """Assignments per rep and out-of-turn windows of the decisions after ``after_id``."""
    from routing.models import Decision

    order = list(
        Decision.objects.filter(workspace=ws["workspace"], id__gt=after_id)
        .order_by("created_at", "id")
        .values_list("rep_id", flat=True)
    )
    counts = Counter(order)
    per_rep = [counts.get(r.id, 0) for r in ws["reps"]]
    # A strict rotation: every window of REPS consecutive assignments names every rep once.
    out_of_turn = sum(
        1 for i in range(len(order) - REPS + 1) if len(set(order[i : i + REPS])) != REPS
    )
    return {
        "assignments_per_rep": per_rep,
        "spread": max(per_rep) - min(per_rep),
        "routed": len(order),
        "out_of_turn_windows": out_of_turn,
    }


def _last_decision(ws: dict) -> int:
    from routing.models import Decision

    last = Decision.objects.filter(workspace=ws["workspace"]).order_by("-id").first()
    return last.id if last else 0


def run(seconds: float = 6.0, clients: int = 16, warmup: float = 2.0, workers: int = 2,
        diagnose_below: float | None = None) -> dict:  # fmt: skip
    """1 client, then ``clients``, over HTTP on the production server; when the
    throughput ratio is below ``diagnose_below``, the in-process lock timings too."""
    import itertools

    from bench import cpu, loadgen

    tag = f"pool{int(time.time())}"
    ws = setup(tag)
    counter = itertools.count()
    server, port = common.start_uvicorn("bench.floor_settings", workers=workers)
    headers = {"Content-Type": "application/json", "Authorization": f"Token {ws['key']}"}

    def chat() -> bytes:
        body = {"link": ws["slug"], "lead": {"email": f"c{next(counter)}-{tag}@bench.test"}}
        return loadgen.request_bytes("POST", "/api/v1/chats/", port, json.dumps(body).encode(),
                                     headers)  # fmt: skip

    phases = {}
    try:
        common.warm(port)
        loadgen.run(port, chat, connections=clients, seconds=warmup)
        for name, n in (("single_client", 1), ("concurrent", clients)):
            first_id = _last_decision(ws)
            meter = cpu.Meter(server.pid)
            result = loadgen.run(port, chat, connections=n, seconds=seconds)
            usage = meter.delta()
            latencies = sorted((done - sent) * 1000 for sent, done, _ in result.samples)
            phases[name] = {
                "clients": n,
                "chats": len(result.samples),
                "seconds": result.seconds,
                "chats_per_s": len(result.samples) / result.seconds,
                "p50_ms": common.percentile(latencies, 0.5),
                "server_cpu_utilisation": usage["server_cpu_s"] / usage["wall_s"],
                "machine_busy": usage["machine_busy"],
                **(fairness(ws, first_id) if name == "concurrent" else {}),
            }
    finally:
        common.stop(server)
    one, many = phases["single_client"], phases["concurrent"]
    out = {
        "reps": REPS,
        "workers": workers,
        "single_client": one,
        "concurrent": many,
        "throughput_ratio": many["chats_per_s"] / one["chats_per_s"],
        **{k: many[k] for k in ("assignments_per_rep", "spread", "routed", "out_of_turn_windows")},
    }
    if diagnose_below is not None and out["throughput_ratio"] < diagnose_below:
        out["diagnosis"] = diagnose(ws, tag, clients=clients)
    return out


def diagnose(ws: dict, tag: str, *, single: int = 60, per_client: int = 8, clients: int = 16):
    """The lock timings in process: 1 thread, then ``clients`` threads."""
    route_many(ws, tag + "w", 1, 5)  # warm up: compiled rule, connections, caches
    one, one_timing = route_many(ws, tag + "a", 1, single)
    many, many_timing = route_many(ws, tag + "b", clients, per_client)
    return {
        "single_client": {"chats": single, "chats_per_s": single / one, **one_timing},
        "concurrent": {
            "clients": clients,
            "chats": clients * per_client,
            "chats_per_s": clients * per_client / many,
            **many_timing,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="per phase")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--diagnose", action="store_true", help="the in-process lock timings")
    args = parser.parse_args()
    common.standalone()
    common.setup_django()
    below = float("inf") if args.diagnose else None
    print(json.dumps(run(args.seconds, args.clients, diagnose_below=below), indent=2))


if __name__ == "__main__":
    main()
