"""Item 6: meeting availability, an any-calendar segment of 50 reps over 14 days.

Each rep has a local calendar with 4 busy blocks per day inside their working
hours, in one of five time zones (the shape of ``calendars.availability.
bench_case``). Three figures:

- the **pure maths**: ``rep_slots`` for every rep, then ``union``, on the
  calendars of the 50 reps as the request reads them (wall and CPU time), and
  ``calendars.availability.bench_case`` (generated calendars of the same shape);
- the **queries** of one availability request (``POST
  /api/v1/meetings/availability/``, in process) for 5 and for 50 reps: they
  must be the same (one query for every rep's busy blocks, one for their
  meetings);
- the **request over HTTP**: the production server of item 2 (uvicorn, 2
  workers, ``bench.floor_settings``), one keep-alive connection at a time so the
  latency is the request's own (no queueing behind other requests), in rounds
  alternating with the floor (``POST /bench/floor/``) so noise hits both.

    .venv/bin/python bench/meetings_bench.py [--seconds 6] [--rounds 2]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common, cpu, loadgen

PATH = "/api/v1/meetings/availability/"
FLOOR_PATH = "/bench/floor/"
REPS, DAYS, BLOCKS_PER_DAY = 50, 14, 4
ZONES = ("America/New_York", "Europe/Berlin", "Asia/Kolkata", "America/Los_Angeles", "UTC")
EVERY_WEEKDAY = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def workspace(tag: str) -> dict:
    """One workspace, two meeting rules whose only segment is any_calendar: one over
    50 reps (link ``<tag>-50``), one over the first 5 (link ``<tag>-5``)."""
    from calendars.models import BusyBlock
    from routing import actions

    ws, key = actions.create_workspace(f"Bench meetings {tag}")
    reps = [
        actions.create_rep(
            ws,
            name=f"Rep {i:02d}",
            email=f"rep{i}-{tag}@bench.test",
            timezone=ZONES[i % len(ZONES)],
            working_hours=EVERY_WEEKDAY,
        )
        for i in range(REPS)
    ]
    rng = random.Random(12)  # noqa: S311 - benchmark data
    now = datetime.now(UTC)
    blocks = []
    for rep in reps:
        tz = ZoneInfo(rep.timezone)
        today = now.astimezone(tz).date()
        for day in range(DAYS + 1):
            date = today + timedelta(days=day)
            # 4 blocks a day inside 09:00-17:00 on the rep's clock, on 16 half hours.
            for half_hour in rng.sample(range(16), BLOCKS_PER_DAY):
                begin = datetime(date.year, date.month, date.day, 9, tzinfo=tz) + timedelta(
                    minutes=30 * half_hour
                )
                minutes = rng.choice((30, 45, 60))
                blocks.append(
                    BusyBlock(rep=rep, start=begin, end=begin + timedelta(minutes=minutes))
                )
    # Bulk-inserted: the rows calendars.actions.add_busy would write, 50x faster to set up.
    BusyBlock.objects.bulk_create(blocks, batch_size=2000)
    links = {}
    for size in (REPS, 5):
        rule = actions.create_rule(ws, kind="meeting", name=f"Any calendar of {size}")
        fallback = rule.segments.get(is_fallback=True)
        actions.update_segment(
            fallback,
            booking={
                "logic": "any_calendar",
                "reps": [r.id for r in reps[:size]],
                "buffer_after": 10,
                "max_per_day": 6,
            },
        )
        slug = f"{tag}-{size}"
        actions.create_link(ws, slug=slug, name=slug, channel="Website", meeting_rule=rule)
        links[size] = slug
    return {
        "key": key,
        "links": links,
        "busy_blocks": len(blocks),
        "rep_ids": [r.id for r in reps],
    }


def body(slug: str, n: int, tag: str) -> dict:
    return {
        "link": slug,
        "lead": {"email": f"lead{n}-{tag}@bigco.com", "name": "Ana"},
        "company": {"name": "Bigco", "employees": 800},
        "timezone": "Europe/Paris",
    }


def queries(ws: dict, tag: str) -> dict:
    """SQL statements of one availability request for 5 and for 50 reps (in process)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.http_bench import statement

    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Token {ws['key']}"}
    out = {}
    for size, slug in sorted(ws["links"].items()):
        for n in range(2):  # the first warms the compiled-rule cache
            data = json.dumps(body(slug, n, f"{tag}q{size}"))
            with CaptureQueriesContext(connection) as captured:
                response = client.post(PATH, data, content_type="application/json", **headers)
            assert response.status_code == 200, response.content[:300]
        found = response.json()
        kinds = [statement(q["sql"]) for q in captured.captured_queries]
        out[size] = {
            "queries": len(kinds),
            "by_statement": dict(Counter(kinds)),
            "slots": len(found["slots"]),
            "reps_offered": sum(e["offered"] for e in found["trace"]["booking"]["reps"]),
        }
    return out


def _latency(results: list[tuple[loadgen.Result, dict]]) -> dict:
    latencies = [(done - sent) * 1000 for r, _ in results for sent, done, _ in r.samples]
    seconds = sum(r.seconds for r, _ in results)
    skip = ("machine_busy", "workers_cpu_s")
    usage = {k: sum(u[k] for _, u in results) for k in results[0][1] if k not in skip}
    return {
        "requests": len(latencies),
        "throughput_rps": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies),
        "p95_ms": common.percentile(latencies, 0.95),
        "p99_ms": common.percentile(latencies, 0.99),
        "server_cpu_ms": usage["server_cpu_s"] / len(latencies) * 1000,
        "postgres_cpu_ms": usage["postgres_cpu_s"] / len(latencies) * 1000,
        "machine_busy": sum(u["machine_busy"] * u["wall_s"] for _, u in results) / usage["wall_s"],
    }


def http(ws: dict, tag: str, *, seconds: float, rounds: int, warmup: float,
         profile_seconds: float = 0.0, profile_above: float | None = None) -> dict:  # fmt: skip
    """Latency of the availability request and of the floor; a py-spy profile of the
    server under the availability requests when its p50 is ``profile_above`` or more."""
    from bench.floor import ensure_table

    ensure_table()
    server, port = common.start_uvicorn("bench.floor_settings", workers=2)
    common.warm(port)
    counter = itertools.count()
    auth = {"Content-Type": "application/json", "Authorization": f"Token {ws['key']}"}
    plain = {"Content-Type": "application/json"}

    def product() -> bytes:
        data = json.dumps(body(ws["links"][REPS], next(counter), tag)).encode()
        return loadgen.request_bytes("POST", PATH, port, data, auth)

    def floor() -> bytes:
        data = json.dumps(body(ws["links"][REPS], next(counter), tag)).encode()
        return loadgen.request_bytes("POST", FLOOR_PATH, port, data, plain)

    try:
        for make in (floor, product):
            loadgen.run(port, make, connections=1, seconds=warmup)
        results: dict[str, list] = {"product": [], "floor": []}
        for r in range(rounds):
            order = [("floor", floor), ("product", product)]
            for name, make in order if r % 2 == 0 else reversed(order):
                meter = cpu.Meter(server.pid)
                result = loadgen.run(port, make, connections=1, seconds=seconds)
                results[name].append((result, meter.delta()))
        out = {name: _latency(rs) for name, rs in results.items()}
        if profile_seconds and (profile_above is None or out["product"]["p50_ms"] >= profile_above):
            from bench import profiling

            out["profile"] = profiling.profile_server(
                server.pid,
                lambda: loadgen.run(port, product, connections=1, seconds=profile_seconds),
                sections=profiling.MEETING_SECTIONS,
            )
    finally:
        common.stop(server)
    out["p50_ratio"] = out["product"]["p50_ms"] / out["floor"]["p50_ms"]
    out["p95_ratio"] = out["product"]["p95_ms"] / out["floor"]["p95_ms"]
    out["seconds_per_round"], out["rounds"], out["connections"] = seconds, rounds, 1
    return out


def maths(ws: dict, runs: int = 9) -> dict:
    """rep_slots + union for the 50 reps, on their calendars read as the request reads
    them (lookup.calendars_for), timed alone: wall (perf_counter) and CPU (process_time)."""
    from django.utils import timezone

    from calendars import availability, lookup
    from calendars.actions.planning import slot_rules
    from calendars.availability import bench_case
    from routing.booking import default_booking
    from routing.models import Rep

    booking = default_booking(logic="any_calendar", buffer_after=10, max_per_day=6)
    rules = slot_rules(booking)
    now = timezone.now()
    lo, hi = availability.window(now, rules)
    reps = list(Rep.objects.filter(id__in=ws["rep_ids"]).select_related("calendar_connection"))
    cals = lookup.calendars_for(reps, lookup.Span.around(lo, hi, booking))
    wall, cpu_ms, slots = [], [], 0
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        found = availability.union(
            availability.rep_slots(c, rules, now=now, start=lo, end=hi) for c in cals.values()
        )
        wall.append((time.perf_counter() - began) * 1000)
        cpu_ms.append((time.process_time() - began_cpu) * 1000)
        slots = len(found)
    return {
        "reps": len(cals),
        "busy_blocks": sum(len(c.busy) for c in cals.values()),
        "slots": slots,
        "runs": runs,
        "median_ms": statistics.median(wall),
        "min_ms": min(wall),
        "cpu_median_ms": statistics.median(cpu_ms),
        "bench_case": bench_case(reps=REPS, days=DAYS, blocks_per_day=BLOCKS_PER_DAY),
    }


def run(seconds: float = 6.0, rounds: int = 2, warmup: float = 2.0,
        profile_seconds: float = 0.0, profile_above: float | None = None) -> dict:  # fmt: skip
    """Every figure of item 6; Django must be set up on the benchmark database."""
    import os

    common.setup_django()
    load_start = [round(x, 2) for x in os.getloadavg()]
    tag = f"mtg{int(time.time())}"
    ws = workspace(tag)
    timed = maths(ws)
    counted = queries(ws, tag)
    measured = http(ws, tag, seconds=seconds, rounds=rounds, warmup=warmup,
                    profile_seconds=profile_seconds, profile_above=profile_above)  # fmt: skip
    return {
        "reps": REPS,
        "days": DAYS,
        "blocks_per_rep_per_day": BLOCKS_PER_DAY,
        "busy_blocks": ws["busy_blocks"],
        "maths": timed,
        "queries": counted,
        "http": measured,
        "load_average_at_start": load_start,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    common.standalone()
    print(json.dumps(run(args.seconds, args.rounds), indent=2, default=str))


if __name__ == "__main__":
    main()
