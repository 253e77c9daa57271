"""``make bench``: run every benchmark once and write docs/benchmarks.md.

    .venv/bin/python bench/run.py [--quick] [--out docs/benchmarks.md] [--only meetings]

Needs PostgreSQL and Redis running (see bench/common.py for the URLs); it
drops and recreates its own database: ``knock_bench``, or the one
``BENCH_DATABASE_URL`` names (``postgres://postgres@127.0.0.1:5432/knock_bench_me``
keeps two people's runs on one machine apart; ``BENCH_REDIS_URL`` likewise). It
starts the servers it needs (uvicorn with 2 workers, as in production) and
stops them. ``--quick`` shortens every run (for trying the machinery, not for
figures). The raw results are also written as JSON
(``bench/last-run.json``). ``--only meetings`` runs item 6 alone (meeting
availability, against the floor on its own server) and merges it into the
last full run's JSON: the other sections keep that run's figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common, conditions_bench, report


def machine(services: dict) -> dict:
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        kib = next(int(line.split()[1]) for line in f if line.startswith("MemTotal:"))
    import django

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(kib / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgres": services["postgres"],
        "redis": services["redis"],
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def step(name: str):
    print(f"[bench] {name} ...", flush=True)
    return time.perf_counter()


def done(started: float) -> None:
    print(f"[bench]   done in {time.perf_counter() - started:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs, to try the machinery")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--json", default=str(ROOT / "bench" / "last-run.json"))
    parser.add_argument(
        "--only",
        choices=["meetings"],
        help="run one item alone and merge it into the last run's JSON and report",
    )
    args = parser.parse_args()
    if args.only == "meetings":
        return only_meetings(args)
    quick = args.quick
    began = time.perf_counter()

    common.apply_env()
    env = {k: os.environ[k] for k in common.bench_env()}
    t = step("checking PostgreSQL and Redis")
    services = common.check_services(env)
    done(t)
    results: dict = {"quick": quick, "machine": machine(services)}

    # 1. Pure Python, before Django is even set up.
    t = step("1. condition engine: Knock vs hand-written vs rule-engine vs JsonLogic")
    results["conditions"] = conditions_bench.run(
        fast_rounds=5 if quick else 15, peer_rounds=1 if quick else 3
    )
    if results["conditions"]["knock_vs_hand_written"] > report.TARGETS["hand_written"]:
        from bench import profiling

        results["conditions"]["profile"] = profiling.profile_conditions()
    done(t)

    from bench import replay_bench  # pure too (issue 17 item 3)

    t = step("7. replay: 10,000 past decisions through the 50-segment rule")
    results["replay"] = replay_bench.run(2_000 if quick else replay_bench.DECISIONS)
    done(t)

    t = step("preparing the benchmark database (drop, create, migrate)")
    common.prepare_database(env, fresh=True)
    common.setup_django()
    done(t)

    from bench import feed_latency, http_bench, pool_bench, query_counts

    t = step("7. replay end to end on PostgreSQL (the window's decisions read from the database)")
    results["replay_db"] = replay_bench.run_db(2_000 if quick else replay_bench.DECISIONS)
    done(t)

    t = step("5. queries per routed chat with 3, 30 and 300 segments")
    results["queries"] = query_counts.run()
    done(t)

    t = step("3. pool rotation over HTTP (uvicorn, 2 workers): 1 client, then 16")
    results["pool"] = pool_bench.run(
        seconds=3 if quick else 8,
        warmup=1 if quick else 2,
        diagnose_below=report.TARGETS["pool_ratio"],
    )
    done(t)

    t = step("2. route a chat over HTTP vs the floor, 2 uvicorn workers vs 1 (8 connections)")
    results["http"] = http_bench.run(
        connections=8,
        seconds=3 if quick else 8,
        rounds=1 if quick else 2,
        warmup=1 if quick else 2,
        profile_seconds=3 if quick else 8,
        profile_below=report.TARGETS["floor_ratio"],
    )
    done(t)

    t = step("2. database connections: per request vs persistent, under uvicorn")
    from bench import connections

    results["connections"] = connections.run(requests=30 if quick else 60)
    done(t)

    t = step("4. live feed: commit-to-client latency, 100 then 500 websocket clients")
    decisions = 30 if quick else 100
    results["feed"] = [feed_latency.run(n, decisions, 10.0) for n in (100, 500)]
    done(t)
    big = results["feed"][-1]
    if (
        big["p50_ms"] > report.TARGETS["feed_p50_ms"]
        or big["p95_ms"] > report.TARGETS["feed_p95_ms"]
        or big["missing"]
    ):
        # Missed: the same measurement with one thing changed at a time, to show
        # what bounds it (bench/feed_asgi.py, bench/pubsub_settings.py).
        t = step("4. missed: 500 clients again, one change at a time (diagnostic)")
        results["feed_diagnostics"] = [
            {"change": change, **feed_latency.run(big["clients"], decisions, 10.0, settings, app)}
            for change, settings, app in report.FEED_DIAGNOSTICS
        ]
        done(t)

    t = step("6. meeting availability: 50 reps x 14 days over HTTP vs the floor")
    results["meetings"] = meetings(quick)
    done(t)

    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["wall_seconds"] = time.perf_counter() - began
    results["written_at"] = now_utc()
    write(results, args)


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def meetings(quick: bool) -> dict:
    from bench import meetings_bench

    return meetings_bench.run(
        seconds=3 if quick else 6,
        rounds=1 if quick else 2,
        warmup=1 if quick else 2,
        profile_seconds=3 if quick else 6,
        profile_above=report.TARGETS["meetings_p50_ms"],
    )


def only_meetings(args) -> None:
    """Item 6 alone, merged into the last full run (its figures and date are kept)."""
    began = time.perf_counter()
    common.apply_env()
    env = {k: os.environ[k] for k in common.bench_env()}
    t = step("checking PostgreSQL and Redis")
    common.check_services(env)
    done(t)
    t = step("preparing the benchmark database (create if missing, migrate)")
    common.prepare_database(env, fresh=False)
    common.setup_django()
    done(t)
    path = Path(args.json)
    if not path.exists():
        raise SystemExit(f"{path} is missing: run the whole `make bench` once first.")
    results = json.loads(path.read_text())
    if "written_at" not in results:  # a run from before the date was kept in the JSON
        found = re.search(r"Written by `make bench` on (.+? UTC)", Path(args.out).read_text())
        results["written_at"] = found.group(1) if found else "an earlier run"
    t = step("6. meeting availability: 50 reps x 14 days over HTTP vs the floor")
    results["meetings"] = meetings(args.quick)
    done(t)
    results["meetings"]["separate_run"] = {
        "at": now_utc(),
        "seconds": round(time.perf_counter() - began),
        "quick": args.quick,
    }
    write(results, args)


def write(results: dict, args) -> None:
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report.render(results))
    Path(args.json).write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(report.summary_table(results))
    print(f"[bench] wrote {out} and {args.json}")


if __name__ == "__main__":
    main()
