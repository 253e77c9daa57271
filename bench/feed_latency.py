"""Live-feed latency: from a decision's commit to a websocket client receiving it.

Starts the production ASGI server (uvicorn, 2 workers; FEED_SERVER=daphne for daphne)
on the Redis channel layer, connects N
authenticated browser-like websocket clients to one workspace's feed, routes
chats in a second process through routing.actions.route_chat (the API's
action) at a steady rate, and records, for every (client, decision) pair, the
time from the commit to the client's receipt. Prints p50/p95/p99 and max, as
JSON.

    .venv/bin/python bench/feed_latency.py --clients 100

It uses the benchmark database and Redis (bench/common.py: ``knock_bench`` and
``redis://127.0.0.1:6379/0`` unless BENCH_DATABASE_URL / BENCH_REDIS_URL say
otherwise). Same machine, same clock (time.perf_counter is CLOCK_MONOTONIC on
Linux, shared by all processes), so no skew. The clients run in this process's
event loop: a receipt is stamped when the loop reads the frame, so the figure
includes the clients' own queueing, as a browser's would.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common, cpu

DECISION_PREFIX = '"decision": {"id": '


def setup_workspace(tag: str):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from routing import actions
    from routing.models import Membership

    workspace, _ = actions.create_workspace(f"Bench feed {tag}")
    actions.create_rep(workspace, name="Bench Rep", email=f"rep-{tag}@bench.test")
    user = get_user_model().objects.create_user(f"bench-{tag}", password="x", is_staff=True)
    Membership.objects.create(workspace=workspace, user=user)
    client = Client()
    client.force_login(user)
    return workspace, client.cookies["sessionid"].value


def _router(workspace_id, tag, decisions, rate, results, settings_module) -> None:
    """Route ``decisions`` chats at ``rate`` per second; put {decision id: commit time}."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    common.setup_django()
    from django.db import connection

    from routing import actions
    from routing.models import Workspace

    workspace = Workspace.objects.get(pk=workspace_id)
    committed: dict[int, float] = {}
    interval = 1 / rate
    stamp: dict = {}
    commit = connection.commit

    def timed_commit():
        # route_chat's transaction is durable (its own): the commit instant is read
        # here, before Django runs the on_commit hooks that broadcast the decision.
        commit()
        stamp["t"] = time.perf_counter()

    connection.ensure_connection()
    connection.commit = timed_commit  # this process's connection only
    for n in range(decisions):
        started = time.perf_counter()
        routed = actions.route_chat(workspace, {"lead": {"email": f"lead{n}-{tag}@bench.test"}})
        committed[routed.decision.id] = stamp["t"]
        time.sleep(max(0.0, interval - (time.perf_counter() - started)))
    results.put(committed)


def decision_id(raw: str) -> int | None:
    """The decision id of a ``decision.created`` frame, without parsing all of it."""
    i = raw.find(DECISION_PREFIX)
    if i != -1 and raw.find('"type": "decision.created"') != -1:
        j = i + len(DECISION_PREFIX)
        k = j
        while k < len(raw) and raw[k].isdigit():
            k += 1
        if k > j:
            return int(raw[j:k])
    event = json.loads(raw)  # another shape: read it properly
    if event.get("type") == "decision.created":
        return event["decision"]["id"]
    return None


# The server the feed runs on: "uvicorn" (README "Running in production", 2 workers; the
# default) or "daphne" (one process, what `make run` and make fuzz use): FEED_SERVER.
FEED_SERVER = os.environ.get("FEED_SERVER", "uvicorn")


async def _run(clients: int, decisions: int, rate: float, settings_module: str, app: str) -> dict:
    import websockets
    from django.conf import settings

    if not settings.REDIS_URL:
        sys.exit("Set REDIS_URL: the latency that matters is the Redis channel layer's.")
    tag = f"{int(time.time() * 1000)}c{clients}"
    workspace, session = await asyncio.to_thread(setup_workspace, tag)
    if FEED_SERVER == "daphne":
        server, port = await asyncio.to_thread(common.start_daphne, settings_module, app)
    else:  # the production server: uvicorn, 2 worker processes; sockets spread over both
        server, port = await asyncio.to_thread(
            lambda: common.start_uvicorn(settings_module, app, workers=2)
        )
    try:
        url = f"ws://127.0.0.1:{port}/ws/workspaces/{workspace.id}/feed/"
        headers = {"Cookie": f"sessionid={session}", "Origin": f"http://127.0.0.1:{port}"}
        received: dict[int, list[float]] = {}
        sockets = []
        for _ in range(clients):
            sockets.append(
                await websockets.connect(url, additional_headers=headers, max_queue=None)
            )

        per_socket = [0] * len(sockets)

        async def listen(i, ws):
            async for raw in ws:
                now = time.perf_counter()
                d = decision_id(raw)
                if d is not None:
                    received.setdefault(d, []).append(now)
                    per_socket[i] += 1

        listeners = [asyncio.create_task(listen(i, ws)) for i, ws in enumerate(sockets)]
        # Routing runs in its own process, so that it never holds this process's
        # GIL while a frame waits to be read; both stamp with CLOCK_MONOTONIC
        # (time.perf_counter on Linux), one clock for the whole machine.
        meter = cpu.Meter(server.pid)
        ctx = multiprocessing.get_context("spawn")
        results = ctx.Queue()
        args = (workspace.id, tag, decisions, rate, results, settings_module)
        router = ctx.Process(target=_router, args=args)
        router.start()
        committed = await asyncio.to_thread(results.get)
        await asyncio.to_thread(router.join)
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline and (
            sum(len(v) for v in received.values()) < clients * decisions
        ):
            await asyncio.sleep(0.05)
        usage = meter.delta()
        for task in listeners:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    finally:
        await asyncio.to_thread(common.stop, server)

    latencies = [
        (t - committed[d]) * 1000 for d, times in received.items() if d in committed for t in times
    ]
    expected = clients * decisions
    return {
        "clients": clients,
        "decisions": decisions,
        "rate_per_s": rate,
        "server": FEED_SERVER,
        "samples": len(latencies),
        "missing": expected - len(latencies),
        # sockets that received no decision at all / every decision
        "silent_sockets": sum(1 for n in per_socket if n == 0),
        "complete_sockets": sum(1 for n in per_socket if n >= decisions),
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(common.percentile(latencies, 0.95), 2),
        "p99_ms": round(common.percentile(latencies, 0.99), 2),
        "max_ms": round(max(latencies), 2),
        # While routing and delivering: CPU of the server, of this process (the
        # clients), and how busy the whole machine was (1.0 = every core).
        "server_cpu_utilisation": round(usage["server_cpu_s"] / usage["wall_s"], 2),
        "client_cpu_utilisation": round(usage["client_cpu_s"] / usage["wall_s"], 2),
        "machine_busy": round(usage["machine_busy"], 2),
    }


def run(
    clients: int = 100,
    decisions: int = 100,
    rate: float = 10.0,
    settings_module: str = "knock.settings",
    app: str = "knock.asgi:application",
) -> dict:
    """Measure with ``clients`` sockets; Django must be set up (common.setup_django).
    ``settings_module`` is what the server and the routing process run with, ``app``
    the server's ASGI application."""
    return asyncio.run(_run(clients, decisions, rate, settings_module, app))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--decisions", type=int, default=100)
    parser.add_argument("--rate", type=float, default=10.0, help="decisions per second")
    parser.add_argument("--settings", default="knock.settings", help="for server and router")
    parser.add_argument("--app", default="knock.asgi:application", help="the server's ASGI app")
    args = parser.parse_args()
    common.standalone()
    common.setup_django()
    print(json.dumps(run(args.clients, args.decisions, args.rate, args.settings, args.app)))


if __name__ == "__main__":
    main()
