"""Diagnostic: where a routed chat's requests wait, under the benchmark's load.

While the production server (uvicorn, ``--workers`` processes) takes routed chats
on the 50-segment rule from ``--connections`` keep-alive connections (as
``bench/http_bench.py`` does), it samples ``pg_stat_activity`` every 5 ms: how many
of the benchmark database's client backends are, on average, in each (state,
wait event), e.g. waiting on a row lock (``Lock``), on the WAL's fsync
(``WALSync``), or idle in a transaction while the server's Python runs. It also
reads the machine's CPU shares from /proc/stat over the same seconds (user,
system, idle, iowait, softirq). Not part of ``make bench``; the figures behind
its text on the 2-process bound.

    .venv/bin/python bench/pg_activity.py [--workers 2] [--connections 8] [--seconds 8]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common, cpu, fixtures, http_bench, loadgen

STATES_SQL = (
    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
    "AND backend_type = 'client backend'"
)
CPU_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


class Sampler(threading.Thread):
    def __init__(self, period: float = 0.005):
        super().__init__(daemon=True)
        self.period, self.counts, self.samples = period, collections.Counter(), 0
        self.done = threading.Event()

    def run(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            while not self.done.is_set():
                cursor.execute(STATES_SQL)
                for state, kind, event in cursor.fetchall():
                    self.counts[f"{state} / {kind or '-'} / {event or '-'}"] += 1
                self.samples += 1
                time.sleep(self.period)
        connection.close()


def run(workers: int = 2, connections: int = 8, seconds: float = 8.0) -> dict:
    common.setup_django()
    tag = f"act{int(time.time())}"
    ws = fixtures.rule50_workspace(tag)
    server, port = common.start_uvicorn("bench.floor_settings", workers=workers)
    try:
        common.warm(port)
        product, _ = http_bench.make_requests(port, ws["key"], ws["slug"], tag)
        loadgen.run(port, product, connections=connections, seconds=2.0)  # warm-up
        sampler = Sampler()
        before = cpu.cpu_ticks()[: len(CPU_FIELDS)]
        sampler.start()
        result = loadgen.run(port, product, connections=connections, seconds=seconds)
        sampler.done.set()
        sampler.join()
        after = cpu.cpu_ticks()[: len(CPU_FIELDS)]
    finally:
        common.stop(server)
    ticks = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(ticks) or 1
    n = sampler.samples or 1
    return {
        "workers": workers,
        "connections": connections,
        "throughput_rps": round(len(result.samples) / result.seconds, 1),
        "samples": sampler.samples,
        "backends_on_average": {k: round(v / n, 3) for k, v in sampler.counts.most_common()},
        "cpu_shares": {k: round(t / total, 4) for k, t in zip(CPU_FIELDS, ticks, strict=True)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    os.environ.setdefault("PYTHONHASHSEED", "0")
    common.standalone()
    print(json.dumps(run(args.workers, args.connections, args.seconds), indent=2))


if __name__ == "__main__":
    main()
