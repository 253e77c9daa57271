"""Issue 16 item 2: a persistent database connection under the ASGI server, measured.

The production server (uvicorn, one worker here so every request meets the same
process) serves ``bench.floor_settings`` twice: with ``DATABASE_CONN_MAX_AGE=0``
(a connection per request, the default) and with ``DATABASE_CONN_MAX_AGE=60``
(``CONN_HEALTH_CHECKS`` on). One keep-alive connection sends ``requests`` floor
requests (``POST /bench/floor/``, one INSERT) and then, after a second's pause,
the connections the server still holds open to the benchmark database are
counted in ``pg_stat_activity``; the two settings alternate over ``rounds``.
Each answer names the PostgreSQL backend (process id) that served it: as many
backends as requests means no connection was reused.
Throughput is requests per second of that sequential run (no queueing: each
request's own cost, connect included).

Django's ASGIHandler runs each request's sync code in a new thread (asgiref's
per-request ``ThreadSensitiveContext``) and keeps connections per thread, so a
"persistent" connection is never seen again by a later request: it stays open
until garbage collection reclaims the finished thread's connection. The run is
sequential and short on purpose: under concurrent load those connections pile
up to PostgreSQL's ``max_connections`` (100 here), starving every other client
of the server. psycopg's pool (``OPTIONS={"pool": ...}``) would be the third
candidate; it needs ``psycopg[pool]`` (``psycopg_pool``), which is not installed,
and is reported as such.

    .venv/bin/python bench/connections.py [--requests 60]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common, loadgen

SETTINGS = {"per_request": "0", "persistent": "60"}


def open_connections(database: str) -> int:
    import psycopg

    params = common._pg_params(os.environ["DATABASE_URL"])
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        ).fetchone()
    return row[0]


def measure(max_age: str, requests: int) -> dict:
    database = urlsplit(os.environ["DATABASE_URL"]).path.strip("/")
    before = open_connections(database)
    saved = os.environ.get("DATABASE_CONN_MAX_AGE")
    os.environ["DATABASE_CONN_MAX_AGE"] = max_age
    try:
        server, port = common.start_uvicorn("bench.floor_settings", workers=1)
    finally:
        if saved is None:
            del os.environ["DATABASE_CONN_MAX_AGE"]
        else:
            os.environ["DATABASE_CONN_MAX_AGE"] = saved
    body = b'{"lead": {"email": "a@b.test"}}'
    request = loadgen.request_bytes(
        "POST", "/bench/floor/", port, body, {"Content-Type": "application/json"}
    )
    done = 0
    backends = set()

    async def sequential() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for _ in range(requests):
                writer.write(request)
                status, answer = await loadgen._read_response(reader)
                if status != 201:
                    raise RuntimeError(f"the floor answered {status}")
                backends.add(json.loads(answer)["backend"])
                done += 1
        finally:
            writer.close()

    try:
        common.warm(port, requests=3)
        began = time.perf_counter()
        asyncio.run(sequential())
        seconds = time.perf_counter() - began
        time.sleep(1.0)
        left_open = open_connections(database) - before
    finally:
        common.stop(server)
    return {
        "conn_max_age": int(max_age),
        "requests": done,
        "throughput_rps": done / seconds,
        "mean_ms": seconds / done * 1000,
        "connections_left_open": max(left_open, 0),
        "backends": len(backends),  # distinct PostgreSQL backends: 1 would be full reuse
    }


def run(requests: int = 60, rounds: int = 2) -> dict:
    common.setup_django()
    from bench.floor import ensure_table

    ensure_table()
    runs: dict[str, list[dict]] = {name: [] for name in SETTINGS}
    for r in range(rounds):  # alternating, so machine noise hits both alike
        for name, age in SETTINGS.items() if r % 2 == 0 else reversed(SETTINGS.items()):
            runs[name].append(measure(age, requests))
    out = {}
    for name, measured in runs.items():
        seconds = sum(m["requests"] / m["throughput_rps"] for m in measured)
        done = sum(m["requests"] for m in measured)
        out[name] = {
            "conn_max_age": measured[0]["conn_max_age"],
            "requests": done,
            "throughput_rps": done / seconds,
            "mean_ms": seconds / done * 1000,
            "connections_left_open": [m["connections_left_open"] for m in measured],
            "backends": [m["backends"] for m in measured],
        }
    out["rounds"] = rounds
    out["pool_available"] = importlib.util.find_spec("psycopg_pool") is not None
    out["requests"] = requests
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    common.standalone()
    print(json.dumps(run(args.requests), indent=2))


if __name__ == "__main__":
    main()
