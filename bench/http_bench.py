"""Item 2: route a chat over HTTP on PostgreSQL, against the floor.

The production server (uvicorn, 2 worker processes, as README "Running in
production" and ``make smoke`` run it) serves ``bench.floor_settings``:
the product's own URLs plus ``POST /bench/floor/``, a bare DRF endpoint that
inserts one row. The same load generator (``bench/loadgen.py``, keep-alive
connections in a closed loop) drives ``POST /api/v1/chats/`` (token auth,
validation, context, the 50-segment rule of item 1 with pools, reps and AI
agents, lead + chat + decision rows, the live-feed event on Redis, the 201
with context and trace) and the floor, with the same concurrency and request
bodies, in alternating rounds so that machine noise hits both alike. A second
server with one worker process takes the routed chats too, in the same rounds:
the 2-process / 1-process throughput figure.

    .venv/bin/python bench/http_bench.py [--connections 8] [--seconds 8] [--rounds 2]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common, cpu, fixtures, loadgen, rule50

PRODUCT_PATH = "/api/v1/chats/"
FLOOR_PATH = "/bench/floor/"


def summary(results: list[tuple[loadgen.Result, dict]]) -> dict:
    seconds = sum(r.seconds for r, _ in results)
    latencies = [(done - sent) * 1000 for r, _ in results for sent, done, _ in r.samples]
    n = len(latencies)
    skip = ("machine_busy", "workers_cpu_s")
    usage = {k: sum(u[k] for _, u in results) for k in results[0][1] if k not in skip}
    per_worker = [sum(col) for col in zip(*(u["workers_cpu_s"] for _, u in results), strict=False)]
    return {
        "requests": n,
        "seconds": round(seconds, 2),
        "throughput_rps": n / seconds,
        "p50_ms": statistics.median(latencies),
        "p99_ms": common.percentile(latencies, 0.99),
        # CPU per request: the server process, PostgreSQL, the load generator.
        "server_cpu_ms": usage["server_cpu_s"] / n * 1000,
        "postgres_cpu_ms": usage["postgres_cpu_s"] / n * 1000,
        "client_cpu_ms": usage["client_cpu_s"] / n * 1000,
        "server_cpu_utilisation": usage["server_cpu_s"] / usage["wall_s"],
        "postgres_cpu_utilisation": usage["postgres_cpu_s"] / usage["wall_s"],
        "client_cpu_utilisation": usage["client_cpu_s"] / usage["wall_s"],
        # Each worker's share of the server's CPU (uvicorn --workers), most loaded first.
        "workers_cpu_share": [w / (sum(per_worker) or 1) for w in per_worker if w > 0],
        "machine_busy": sum(u["machine_busy"] * u["wall_s"] for _, u in results) / usage["wall_s"],
    }


def round_ratios(results: dict[str, list], top: str, bottom: str) -> list[float]:
    """``top``'s throughput over ``bottom``'s in each round: how far one run's ratio
    moves with the machine's noise (the rounds alternate, so each pair ran side by side)."""
    return [
        (len(a.samples) / a.seconds) / (len(b.samples) / b.seconds)
        for (a, _), (b, _) in zip(results[top], results[bottom], strict=True)
    ]


def statement(sql: str) -> str:
    """'SELECT routing_lead', 'INSERT routing_chat', 'SAVEPOINT', ... for one SQL text."""
    verb = sql.split(None, 1)[0].upper()
    match = re.search(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', sql)
    return (
        f"{verb} {match.group(1)}"
        if match and verb in ("SELECT", "INSERT", "UPDATE", "DELETE")
        else verb
    )


def api_statements(ws: dict, tag: str) -> dict:
    """The SQL of one product request and one floor request, in process (no server)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client()
    contexts = rule50.contexts(3, seed=5)
    out = {}
    for name, path, headers in (
        ("product", PRODUCT_PATH, {"HTTP_AUTHORIZATION": f"Token {ws['key']}"}),
        ("floor", FLOOR_PATH, {}),
    ):
        for n in range(2):  # the first warms the compiled-rule cache
            body = json.dumps(fixtures.payload(contexts[n], ws["slug"], n, tag + name))
            with (
                override_settings(ROOT_URLCONF="bench.floor_urls"),
                CaptureQueriesContext(connection) as captured,
            ):
                response = client.post(path, body, content_type="application/json", **headers)
            assert response.status_code == 201, response.content[:300]
        out[name] = [statement(q["sql"]) for q in captured.captured_queries]
    return out


def make_requests(port: int, key: str, slug: str, tag: str):
    """Two request factories over the same generated bodies: the product's and the floor's."""
    contexts = rule50.contexts(2000, seed=11)
    counter = itertools.count()
    auth = {"Content-Type": "application/json", "Authorization": f"Token {key}"}
    plain = {"Content-Type": "application/json"}

    def body() -> bytes:
        n = next(counter)
        return json.dumps(fixtures.payload(contexts[n % len(contexts)], slug, n, tag)).encode()

    def product() -> bytes:
        return loadgen.request_bytes("POST", PRODUCT_PATH, port, body(), auth)

    def floor() -> bytes:
        return loadgen.request_bytes("POST", FLOOR_PATH, port, body(), plain)

    return product, floor


def run(connections: int = 8, seconds: float = 8.0, rounds: int = 2, warmup: float = 2.0,
        profile_seconds: float = 0.0, profile_below: float | None = None,
        workers: int = 2) -> dict:  # fmt: skip
    """Measure both endpoints on the production server (uvicorn, ``workers`` processes)
    and the product again on one process, in alternating rounds; profile the server
    (py-spy) for ``profile_seconds`` per endpoint when the product/floor throughput
    ratio is below ``profile_below`` (always, when that is None)."""
    common.setup_django()
    from bench.floor import ensure_table

    ensure_table()
    tag = f"http{int(time.time())}"
    ws = fixtures.rule50_workspace(tag)
    statements = api_statements(ws, tag)
    servers = {}
    try:
        for n in (workers, 1):
            servers[n] = common.start_uvicorn("bench.floor_settings", workers=n)
            common.warm(servers[n][1])
        factories = {n: make_requests(port, ws["key"], ws["slug"], f"{tag}w{n}")
                     for n, (_, port) in servers.items()}  # fmt: skip
        plan = [
            ("floor", workers, factories[workers][1]),
            ("product", workers, factories[workers][0]),
            ("product_1", 1, factories[1][0]),
        ]
        for _, n, make in plan:
            loadgen.run(servers[n][1], make, connections=connections, seconds=warmup)
        results: dict[str, list] = {name: [] for name, _, _ in plan}
        for r in range(rounds):
            for name, n, make in plan if r % 2 == 0 else reversed(plan):
                server, port = servers[n]
                meter = cpu.Meter(server.pid)
                result = loadgen.run(port, make, connections=connections, seconds=seconds)
                results[name].append((result, meter.delta()))
        out = {name: summary(rs) for name, rs in results.items()}
        ratio = out["product"]["throughput_rps"] / out["floor"]["throughput_rps"]
        scaling = out["product"]["throughput_rps"] / out["product_1"]["throughput_rps"]
        spreads = {
            "ratio_rounds": round_ratios(results, "product", "floor"),
            "workers_ratio_rounds": round_ratios(results, "product", "product_1"),
        }
        profiles = {}
        if profile_seconds and (profile_below is None or ratio < profile_below):
            from bench import profiling

            server, port = servers[workers]
            for name, make in (("product", factories[workers][0]),
                               ("floor", factories[workers][1])):  # fmt: skip
                profiles[name] = profiling.profile_server(
                    server.pid,
                    lambda make=make, port=port: loadgen.run(
                        port, make, connections=connections, seconds=profile_seconds
                    ),
                )
    finally:
        for server, _ in servers.values():
            common.stop(server)
    out["statements"] = statements
    out["connections"] = connections
    out["seconds_per_round"] = seconds
    out["rounds"] = rounds
    out["workers"] = workers
    out["ratio"] = ratio
    out["workers_ratio"] = scaling
    out.update(spreads)
    if profiles:
        out["profiles"] = profiles
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", type=float, default=0.0, help="py-spy seconds per endpoint")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("PYTHONHASHSEED", "0")
    common.standalone()
    result = run(
        args.connections,
        args.seconds,
        args.rounds,
        profile_seconds=args.profile,
        workers=args.workers,
    )
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
