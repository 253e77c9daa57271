"""A diagnostic for issue 16's routed/floor figure: what the per-segment trace costs.

Routes chats in process (Django's test client, ``POST /api/v1/chats/`` on the
50-segment rule of ``bench/rule50.py``, PostgreSQL, production settings) and
measures this process's CPU per chat, the same requests once with the trace as
the product builds it and once with every segment's explanation replaced by one
constant leaf (``--lean``: no per-leaf dicts, no values seen, no worded
reasons; the rest of the trace and of the chat unchanged). Each mode runs in its
own process (the compiled rules are cached per process), in alternating rounds
so that machine noise hits both alike. The lean mode is a measurement only: the
product never runs it (SPEC 5: every decision stores and returns its trace).

    .venv/bin/python -m bench.trace_cost [--chats 1500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common

WARMUP = 200
_LEAF = {"field": "x", "op": "exists", "value": None, "actual": None, "missing": True,
         "result": False}  # fmt: skip


def _make_lean() -> None:
    from routing import conditions, engine

    conditions.dict_explainer = lambda tree: lambda ctx: _LEAF
    engine.failed_leaves = lambda explanation, negated=False: ["x"]
    engine.all_leaves = lambda explanation: ["x"]


def measure(chats: int, lean: bool) -> dict:
    """CPU and wall time per routed chat in this process (after a warm-up)."""
    common.setup_django()
    if lean:
        _make_lean()
    from django.test import Client
    from django.test.utils import override_settings

    from bench import fixtures, rule50

    tag = f"trace{int(time.time() * 1000)}{'lean' if lean else 'full'}"
    ws = fixtures.rule50_workspace(tag)
    contexts = rule50.contexts(2000, seed=11)
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Token {ws['key']}"}
    sizes = []
    with override_settings(ROOT_URLCONF="bench.floor_urls"):
        for n in range(WARMUP + chats):
            if n == WARMUP:
                cpu, wall = time.process_time(), time.perf_counter()
            body = json.dumps(fixtures.payload(contexts[n % len(contexts)], ws["slug"], n, tag))
            response = client.post("/api/v1/chats/", body, content_type="application/json",
                                   **auth)  # fmt: skip
            if response.status_code != 201:
                raise RuntimeError(response.content[:300])
            if n < 50:
                sizes.append(len(json.dumps(response.json()["trace"])))
    return {
        "cpu_ms": (time.process_time() - cpu) / chats * 1000,
        "wall_ms": (time.perf_counter() - wall) / chats * 1000,
        "trace_bytes": statistics.median(sizes),
    }


def run(chats: int = 1500, rounds: int = 3) -> dict:
    common.standalone()
    runs: dict[str, list[dict]] = {"full": [], "lean": []}
    for r in range(rounds):
        for mode in ("full", "lean") if r % 2 == 0 else ("lean", "full"):
            command = [sys.executable, "-m", "bench.trace_cost", "--one", mode,
                       "--chats", str(chats)]  # fmt: skip
            done = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
            runs[mode].append(json.loads(done.stdout.strip().splitlines()[-1]))
    full = statistics.median(x["cpu_ms"] for x in runs["full"])
    lean = statistics.median(x["cpu_ms"] for x in runs["lean"])
    return {
        "runs": runs,
        "full_cpu_ms": full,
        "lean_cpu_ms": lean,
        "saved_share": (full - lean) / full,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one", choices=("full", "lean"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.chats, args.one == "lean")))
        return
    print(json.dumps(run(args.chats, args.rounds), indent=2))


if __name__ == "__main__":
    main()
