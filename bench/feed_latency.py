"""Live-feed latency: from a decision's commit to a websocket client receiving it.

Starts the real ASGI server (daphne) on the Redis channel layer, connects N
authenticated browser-like websocket clients to one workspace's feed, routes
chats in this process through routing.actions.route_chat (the API's action) at
a steady rate, and records, for every (client, decision) pair, the time from
the commit to the client's receipt. Prints p50/p95/p99 and max, as JSON too.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/knock_bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/feed_latency.py --clients 100

Same machine, same clock (time.perf_counter in one process), so no skew.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "knock.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)

import django  # noqa: E402

django.setup()

import websockets  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

from routing import actions  # noqa: E402
from routing.models import Membership  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def setup_workspace(tag: str):
    workspace, _ = actions.create_workspace(f"Bench feed {tag}")
    actions.create_rep(workspace, name="Bench Rep", email=f"rep-{tag}@bench.test")
    user = get_user_model().objects.create_user(f"bench-{tag}", password="x", is_staff=True)
    Membership.objects.create(workspace=workspace, user=user)
    client = Client()
    client.force_login(user)
    return workspace, client.cookies["sessionid"].value


async def run(args) -> dict:
    if not settings.REDIS_URL:
        sys.exit("Set REDIS_URL: the latency that matters is the Redis channel layer's.")
    tag = str(int(time.time() * 1000))
    workspace, session = await asyncio.to_thread(setup_workspace, tag)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
         "knock.asgi:application"],
        cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                await asyncio.sleep(0.1)
        url = f"ws://127.0.0.1:{port}/ws/workspaces/{workspace.id}/feed/"
        headers = {"Cookie": f"sessionid={session}", "Origin": f"http://127.0.0.1:{port}"}
        received: dict[int, list[float]] = {}
        sockets = []
        for _ in range(args.clients):
            sockets.append(await websockets.connect(url, additional_headers=headers))

        async def listen(ws):
            async for raw in ws:
                now = time.perf_counter()
                event = json.loads(raw)
                if event.get("type") == "decision.created":
                    received.setdefault(event["decision"]["id"], []).append(now)

        listeners = [asyncio.create_task(listen(ws)) for ws in sockets]
        committed: dict[int, float] = {}

        def route(n: int) -> None:
            stamp = {}
            with transaction.atomic():
                # Registered first, so it runs first at commit: the commit instant.
                transaction.on_commit(lambda: stamp.setdefault("t", time.perf_counter()))
                routed = actions.route_chat(
                    workspace, {"lead": {"email": f"lead{n}-{tag}@bench.test"}}
                )
            committed[routed.decision.id] = stamp["t"]

        interval = 1 / args.rate
        for n in range(args.decisions):
            started = time.perf_counter()
            await asyncio.to_thread(route, n)
            await asyncio.sleep(max(0.0, interval - (time.perf_counter() - started)))
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline and (
            sum(len(v) for v in received.values()) < args.clients * args.decisions
        ):
            await asyncio.sleep(0.05)
        for task in listeners:
            task.cancel()
        for ws in sockets:
            await ws.close()
    finally:
        server.terminate()
        server.wait(timeout=10)

    latencies = [
        (t - committed[d]) * 1000 for d, times in received.items() if d in committed for t in times
    ]
    expected = args.clients * args.decisions
    return {
        "clients": args.clients,
        "decisions": args.decisions,
        "rate_per_s": args.rate,
        "samples": len(latencies),
        "missing": expected - len(latencies),
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(percentile(latencies, 0.95), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "max_ms": round(max(latencies), 2),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--decisions", type=int, default=100)
    parser.add_argument("--rate", type=float, default=10.0, help="decisions per second")
    result = asyncio.run(run(parser.parse_args()))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
