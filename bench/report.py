"""Render one ``make bench`` run as docs/benchmarks.md."""

from __future__ import annotations

import datetime as dt

# The targets (issue 7, raised by issue 16). The feed has none in the issue: ours are the
# classic response-time limits (0.1 s feels instant, 1 s keeps the flow).
TARGETS = {
    "fastest_peer": 5.0,  # Knock at least 5x faster than the fastest peer
    "hand_written": 1.5,  # Knock within 1.5x the hand-written time
    "floor_ratio": 0.5,  # product throughput at least half the floor's
    "pool_ratio": 1.5,  # 16 clients / 1 (issue 16; rotation must not collapse)
    "workers_ratio": 1.6,  # routed chats, 2 server processes / 1 (issue 16 item 5)
    "pool_spread": 1,  # max - min assignments per rep
    "feed_p50_ms": 100.0,
    "feed_p95_ms": 1000.0,
    "queries_ratio": 1.0,  # queries with 300 segments / with 3
    # Meeting availability (issue 12 item 10): 50 reps x 14 days, any calendar.
    "meetings_maths_ms": 40.0,
    "meetings_p50_ms": 150.0,
}


# Re-runs of the largest feed measurement when it misses: (change, settings, ASGI app).
FEED_DIAGNOSTICS = [
    ("feed consumer without the per-event database-thread hop",
     "knock.settings", "bench.feed_asgi:application"),
    ("pub/sub channel layer", "bench.pubsub_settings", "knock.asgi:application"),
    ("both", "bench.pubsub_settings", "bench.feed_asgi:application"),
]  # fmt: skip


def _yes(ok: bool) -> str:
    return "**yes**" if ok else "**no**"


def _x(v: float, digits: int = 2) -> str:
    return f"{v:.{digits}f}×"


def _near(v: float, target: float) -> str:
    """A ratio next to its target, with a third decimal when two would hide the verdict."""
    return _x(v, 3 if round(v, 2) == round(target, 2) and v != target else 2)


def _rounds(h: dict, key: str) -> str:
    """'; per round 1.38-1.47×' when the run kept each round's ratio (``http_bench``)."""
    values = h.get(key) or []
    if len(values) < 2:
        return ""
    return f"; per round {min(values):.2f}–{max(values):.2f}×"


def rows(r: dict) -> list[tuple[str, str, str, str, bool]]:
    """(item, figure, measured, target, met) for the summary table."""
    T = TARGETS
    c, h, p, q = r["conditions"], r["http"], r["pool"], r["queries"]
    peer = {"json_logic": "JsonLogic", "rule_engine": "rule-engine"}[c["fastest_peer"]]
    out = [
        (
            "1",
            f"Condition engine: speed-up over the fastest peer ({peer})",
            _x(c["speedup_vs_fastest_peer"], 1),
            f"≥ {T['fastest_peer']:.0f}×",
            c["speedup_vs_fastest_peer"] >= T["fastest_peer"],
        ),
        (
            "1",
            "Condition engine: Knock's time ÷ hand-written Python's",
            _near(c["knock_vs_hand_written"], T["hand_written"]),
            f"≤ {T['hand_written']}×",
            c["knock_vs_hand_written"] <= T["hand_written"],
        ),
        (
            "2",
            "Route a chat over HTTP: throughput ÷ the floor's (bare DRF insert)",
            f"{_near(h['ratio'], T['floor_ratio'])} ({h['product']['throughput_rps']:.0f} vs "
            f"{h['floor']['throughput_rps']:.0f} req/s{_rounds(h, 'ratio_rounds')})",
            f"≥ {T['floor_ratio']}×",
            h["ratio"] >= T["floor_ratio"],
        ),
    ]
    if "workers_ratio" in h:
        out.append((
            "2", f"Routed chats: {h['workers']} server processes ÷ 1 (uvicorn `--workers`)",
            f"{_near(h['workers_ratio'], T['workers_ratio'])} "
            f"({h['product']['throughput_rps']:.0f} vs {h['product_1']['throughput_rps']:.0f} "
            f"req/s{_rounds(h, 'workers_ratio_rounds')})",
            f"≥ {T['workers_ratio']}×", h["workers_ratio"] >= T["workers_ratio"],
        ))  # fmt: skip
    out += [
        (
            "3",
            "Pool rotation: throughput with 16 clients ÷ with 1",
            f"{_near(p['throughput_ratio'], T['pool_ratio'])} "
            f"({p['concurrent']['chats_per_s']:.0f} vs "
            f"{p['single_client']['chats_per_s']:.0f} chats/s)",
            f"≥ {T['pool_ratio']}×",
            p["throughput_ratio"] >= T["pool_ratio"],
        ),
        (
            "3",
            "Pool rotation: fairness spread (max − min assignments per rep)",
            f"{p['spread']} ({'/'.join(map(str, p['assignments_per_rep']))})",
            f"≤ {T['pool_spread']}",
            p["spread"] <= T["pool_spread"],
        ),
    ]
    for f in r["feed"]:
        out.append((
            "4", f"Live feed, {f['clients']} clients: commit-to-client p50 / p95",
            f"{f['p50_ms']:.0f} / {f['p95_ms']:.0f} ms "
            f"({_x(f['p50_ms'] / T['feed_p50_ms'])} / {_x(f['p95_ms'] / T['feed_p95_ms'])} "
            "of target)" + (f", {f['missing']} not delivered" if f["missing"] else ""),
            f"≤ {T['feed_p50_ms']:.0f} / {T['feed_p95_ms']:.0f} ms",
            f["p50_ms"] <= T["feed_p50_ms"] and f["p95_ms"] <= T["feed_p95_ms"]
            and not f["missing"],
        ))  # fmt: skip
    sizes = q["sizes"]
    counts = " / ".join(str(sizes[s]["queries"]) for s in sizes)
    out.append((
        "5", f"Queries per routed chat with {' / '.join(map(str, sizes))} segments",
        f"{counts} ({_x(q['ratio_largest_to_smallest'])} from {min(sizes)} to {max(sizes)})",
        "the same for every size (1.00×)", q["ratio_largest_to_smallest"] <= T["queries_ratio"],
    ))  # fmt: skip
    if "meetings" in r:
        out += _meeting_rows(r["meetings"])
    if "replay" in r:
        from bench.replay_bench import report_row

        out += [report_row(r[k], k) for k in ("replay", "replay_db") if k in r]
    return out


def _meeting_rows(m: dict) -> list[tuple[str, str, str, str, bool]]:
    T, x, h = TARGETS, m["maths"], m["http"]
    p, f = h["product"], h["floor"]
    small, big = (m["queries"][k]["queries"] for k in sorted(m["queries"], key=int))
    n = m["reps"]
    return [
        (
            "6", f"Meeting availability maths ({n} reps × {m['days']} days): rep slots + union",
            f"{x['median_ms']:.1f} ms (CPU {x['cpu_median_ms']:.1f} ms; `bench_case` "
            f"{x['bench_case']['median_ms']:.0f} ms)",
            f"< {T['meetings_maths_ms']:.0f} ms", x["median_ms"] < T["meetings_maths_ms"],
        ),
        (
            "6", f"Meeting availability over HTTP ({n} reps): p50 / p95, and ÷ the floor's",
            f"{p['p50_ms']:.0f} / {p['p95_ms']:.0f} ms ({_x(h['p50_ratio'], 1)} / "
            f"{_x(h['p95_ratio'], 1)} the floor's {f['p50_ms']:.0f} / {f['p95_ms']:.0f} ms)",
            f"p50 < {T['meetings_p50_ms']:.0f} ms", p["p50_ms"] < T["meetings_p50_ms"],
        ),
        (
            "6", "Queries per availability request with 5 / 50 reps",
            f"{small} / {big}", "the same", small == big,
        ),
    ]  # fmt: skip


def summary_table(r: dict) -> str:
    lines = ["| # | figure | measured | target | met? |", "| --- | --- | --- | --- | --- |"]
    for item, figure, measured, target, ok in rows(r):
        lines.append(f"| {item} | {figure} | {measured} | {target} | {_yes(ok)} |")
    return "\n".join(lines)


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def render(r: dict) -> str:
    m, c, h, p, q = r["machine"], r["conditions"], r["http"], r["pool"], r["queries"]
    today = r.get("written_at") or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    missed = [row for row in rows(r) if not row[4]]
    parts = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {today} in {r['wall_seconds']:.0f} s; do not edit by hand "
        "(the raw figures are in `bench/last-run.json`). Every figure is a ratio measured "
        "within this one run, next to its target: the machines these run on are shared and "
        "noisy, so absolute times alone mean little (the load average below says how busy "
        "this one was). Re-run with `make bench` (needs PostgreSQL on 127.0.0.1:5432 and "
        "Redis on 127.0.0.1:6379; see `bench/common.py`).",
        "" if not r.get("quick") else "\n**`--quick` run: shortened, not for figures.**\n",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        f"| CPU | {m['cpu']} |",
        f"| cores | {m['cores']} |",
        f"| memory | {m['memory_gib']} GiB |",
        f"| OS | {m['os']} |",
        f"| Python | {m['python']} (Django {m['django']}) |",
        f"| PostgreSQL | {m['postgres']} |",
        f"| Redis | {m['redis']} |",
        f"| load average (1, 5, 15 min) at start / end | "
        f"{', '.join(map(str, m['load_average_at_start']))} / "
        f"{', '.join(map(str, m['load_average_at_end']))} |",
        "",
        "## Figures",
        "",
        summary_table(r),
        "",
    ]
    parts += _conditions(c)
    parts += _http(h, q)
    if "connections" in r:
        parts += _connections(r["connections"])
    parts += _pool(p)
    parts += _feed(r["feed"])
    parts += _queries(q)
    if "meetings" in r:
        parts += _meetings(r["meetings"])
    parts += _bounds(r, missed)
    return "\n".join(parts) + "\n"


def _conditions(c: dict) -> list[str]:
    us = c["us_per_context"]
    lines = [
        "## 1. Condition engine",
        "",
        f"**Method.** A rule of {c['segments']} segments ({c['leaves']} leaf conditions; "
        "`bench/rule50_twins.py`: the segments of the 50-segment rule in `bench/rule50.json` "
        "that have a hand-written twin, the fallback last): every operator of the language, "
        "nested `all`/`any`/`not` groups, segments of one to five conditions, shaped like a "
        "real chat rule (enterprise by region, job seekers, partners, CRM stages, tech "
        "stack, campaigns...). "
        f"{c['contexts']:,} contexts are generated with a fixed seed, with fields missing as in "
        f"real traffic; {_pct(c['fallback_share'])} of them match no segment and fall to the "
        f"fallback, and on average {c['segments_evaluated_per_context']} segments are tried per "
        "context. First match wins, and the same loop drives four evaluators, one predicate per "
        "segment each:",
        "",
        "- **Knock**: `routing.conditions.compile(tree)` (what the engine runs for each segment);",
        "- **hand-written** Python for the same rule, one function per segment, written for "
        "speed with the language's semantics (trimmed, case-insensitive strings; a missing field "
        "makes a positive test false): the limit;",
        "- **rule-engine** 5 (`rule_engine.Rule(...).matches`), the same rule in its language;",
        "- **JsonLogic** (`panzi-json-logic`), the same rule as JsonLogic; `python-jsonlogic` "
        "was not used: it has no `and`/`or`/`in`/`!` operators.",
        "",
        "The translations (`bench/peers.py`) are made once, outside the timing. Before timing, "
        "all four must pick the same winning segment for every context, and they did. The "
        "contexts' strings are canonical (lower case, trimmed) so that "
        "the peers, which cannot compare case-insensitively, give the same answers with plain "
        "`==`/`in`; Knock and the hand-written code still pay for trimming and casefolding. "
        "Then each evaluator runs all contexts in rounds, interleaved so machine noise hits all "
        "alike, with the garbage collector off during a round; each figure is that evaluator's "
        f"fastest round ({c['rounds']['knock_and_hand_written']} rounds for Knock and the "
        f"hand-written code, {c['rounds']['peers']} for the peers).",
        "",
        "| evaluator | µs per context (best round) | relative to Knock |",
        "| --- | --- | --- |",
    ]
    for name, label in (("knock", "Knock `compile`"), ("hand_written", "hand-written Python"),
                        ("json_logic", "JsonLogic"), ("rule_engine", "rule-engine")):  # fmt: skip
        lines.append(f"| {label} | {us[name]:.2f} | {us[name] / us['knock']:.2f}× |")
    full = c.get("full_rule")
    if full:
        fu = full["us_per_context"]
        lines += [
            "",
            f"On the whole {full['segments']}-segment rule (no hand-written twin for all of "
            f"it): Knock {fu['knock']:.2f} µs per context, JsonLogic {fu['json_logic']:.2f} "
            f"({fu['json_logic'] / fu['knock']:.1f}×), rule-engine {fu['rule_engine']:.2f} "
            f"({fu['rule_engine'] / fu['knock']:.1f}×); the same winners for every context.",
        ]
    lines += [
        "",
        f"Compiling the 50 segments takes {c['compile_ms']:.0f} ms, once per rule version "
        "(the engine caches compiled versions).",
        "",
        "`compile` turns a tree into the source of one Python function (strings and numbers "
        "from the tree appear only as literals, everything else as named constants) and "
        "compiles it, so a predicate runs as straight-line bytecode with no call per node. "
        "What remains between it and the hand-written code is the language's robustness: "
        "`isinstance(ctx, dict)` and `isinstance(namespace, dict)` checks (a context may hold "
        "anything and the predicate never raises), and a `type(v) is ...` check before each "
        "fast path (a numeric string or a boolean must not be taken for a number). `matches` "
        "uses RE2 (linear time, by the spec) where the hand-written code uses `re`.",
        "",
    ]
    if "profile" in c:
        lines += ["Profile (pyinstrument, self time):", ""]
        lines += [f"- {_pct(x['share'])} `{x['function']}`" for x in c["profile"]["self_time"]]
        lines.append("")
    return lines


def _http(h: dict, q: dict) -> list[str]:
    P, F = h["product"], h["floor"]
    lines = [
        "## 2. Route a chat over HTTP, against the floor",
        "",
        "**Method.** The production server: uvicorn with "
        f'{h.get("workers", 1)} worker processes (`--workers`, as README "Running in '
        'production" and `make smoke` run it; no access log), settings '
        "`bench.floor_settings` = the product's settings in production mode (`DEBUG=0`) plus "
        "one bench-only route, `POST /bench/floor/`: a bare DRF view (no authentication) that "
        "inserts the request body as one row and answers 201 with its id. The product is "
        "`POST /api/v1/chats/` with a workspace token, routed by the 50-segment rule of item 1 "
        "(segments pointing at round-robin pools, reps and AI agents), on PostgreSQL, with the "
        "live-feed event sent to Redis. Both get the same request bodies (generated chats; "
        "every product request is a new lead), from the same load generator "
        f"(`bench/loadgen.py`: {h['connections']} keep-alive connections in a closed loop), "
        f"in {h['rounds']} alternating rounds of {h['seconds_per_round']:.0f} s each after a "
        "warm-up; a second server with one worker process takes the routed chats in the same "
        "rounds (the processes figure). Database settings are the product's defaults, the "
        "same for both: each process's psycopg pool, server-side parameters and prepared "
        'statements (README "Running in production").',
        "",
        "| endpoint | requests | req/s | p50 | p99 | server CPU / req | PostgreSQL CPU / req |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    rows_ = [("`POST /api/v1/chats/`", P), ("floor `POST /bench/floor/`", F)]
    if "product_1" in h:
        rows_.append(("`POST /api/v1/chats/`, 1 process", h["product_1"]))
    for label, e in rows_:
        lines.append(
            f"| {label} | {e['requests']} | {e['throughput_rps']:.1f} | {e['p50_ms']:.1f} ms | "
            f"{e['p99_ms']:.1f} ms | {e['server_cpu_ms']:.1f} ms | {e['postgres_cpu_ms']:.1f} ms |"
        )
    cpu_p = P["server_cpu_ms"] + P["postgres_cpu_ms"]
    cpu_f = F["server_cpu_ms"] + F["postgres_cpu_ms"]
    lines += [
        "",
        f"Ratios: throughput {_x(h['ratio'])}; p50 latency {_x(P['p50_ms'] / F['p50_ms'])}, "
        f"p99 {_x(P['p99_ms'] / F['p99_ms'])} the floor's; server CPU per request "
        f"{_x(P['server_cpu_ms'] / F['server_cpu_ms'])}. CPU is read from `/proc`: the server's "
        "processes, and PostgreSQL (every backend, including those of other databases on the "
        f"machine). The whole machine was {_pct(P['machine_busy'])} busy during the product's "
        f"rounds and {_pct(F['machine_busy'])} during the floor's. Server plus PostgreSQL "
        f"CPU per request: {cpu_p:.1f} ms for a routed chat, {cpu_f:.1f} ms for the floor; "
        f"their inverse ratio, {_x(cpu_f / cpu_p)}, is what a CPU-bound machine predicts for "
        "the throughput ratio.",
        "",
    ]
    if "statements" in h:
        product, floor = h["statements"]["product"], h["statements"]["floor"]
        lines += [
            f"SQL per request (one request each, captured in process): the floor "
            f"{len(floor)} ({', '.join(f'`{x}`' for x in floor)}); a routed chat "
            f"{len(product)}: " + ", ".join(f"`{x}`" for x in product) + ".",
            "",
        ]
    for name, prof in h.get("profiles", {}).items():
        label = "the product" if name == "product" else "the floor"
        lines += [
            f"Profile of the server under {label}'s load (py-spy `--gil --subprocesses`: "
            "samples of the thread holding the GIL in each worker, "
            f"{prof['samples']} samples); share of samples under each frame:",
            "",
            "| under | share |",
            "| --- | --- |",
        ]
        lines += [f"| {s['section']} | {_pct(s['share'])} |" for s in prof["sections"]]
        top = "; ".join(f"`{s['function']}` {_pct(s['share'])}" for s in prof["self_time"][:8])
        lines += ["", f"Most frequent top-of-stack functions (self time): {top}.", ""]
    return lines


def _backends(setting: dict) -> str:
    found = setting.get("backends")
    return ", ".join(map(str, found)) if found else "n/a"


def _connections(c: dict) -> list[str]:
    per, kept = c["per_request"], c["persistent"]
    pooled = c.get("pool")
    rows = [
        ("`DATABASE_CONN_MAX_AGE=0`, no pool (a connection per request)", per),
        (f"`DATABASE_CONN_MAX_AGE={kept['conn_max_age']}` + health checks, no pool", kept),
    ]
    if pooled:
        rows.append(
            (
                f"psycopg's pool, `DATABASE_POOL_MAX_SIZE={pooled['pool_max_size']}` (the default)",
                pooled,
            )
        )
    verdict = (
        f"Kept: the pool, {pooled['throughput_rps'] / per['throughput_rps']:.2f}x the "
        "throughput of a connection per request here, with no connection left behind "
        "beyond the pool's own."
        if pooled
        else "psycopg's pool was not measured (a run from before it was installed)."
    )
    return [
        "## 2b. Database connections under the ASGI server",
        "",
        "**Method.** `bench/connections.py`: uvicorn (one worker) on the floor's settings, "
        f"{per['requests'] // c['rounds']} sequential floor requests over one keep-alive "
        f"connection, in {c['rounds']} alternating rounds per setting; then, after a "
        "second, the connections the server still holds to the benchmark database "
        "(`pg_stat_activity`).",
        "",
        "| setting | req/s (sequential) | mean | PostgreSQL backends per round "
        "(distinct) | connections left open after each round |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| {label} | {m['throughput_rps']:.1f} | {m['mean_ms']:.1f} ms | {_backends(m)} | "
            f"{', '.join(map(str, m['connections_left_open']))} |"
            for label, m in rows
        ),
        "",
        "Under ASGI Django runs each request's sync code in a new thread (its ASGIHandler "
        "opens an asgiref `ThreadSensitiveContext` per request) and keeps connections per "
        "thread, so a persistent connection (`CONN_MAX_AGE`) is never reused: every request "
        "still connects (as many PostgreSQL backends as requests) and leaves its connection "
        "open in a finished thread until garbage collection closes it; under concurrent "
        "load those pile up to PostgreSQL's `max_connections`. psycopg's pool is per "
        "process: a request borrows one of a few open connections and gives it back. " + verdict,
        "",
    ]


def _pool(p: dict) -> list[str]:
    s, c = p["single_client"], p["concurrent"]
    if "p50_ms" not in s:  # a run from before the pool was measured over HTTP (issue 16)
        return [
            "## 3. Pool rotation under concurrency",
            "",
            "**Method** (the run this report re-renders is older than issue 16): "
            "`route_chat` in process from 1 thread, then from "
            f"{c['clients']} threads. Result: {s['chats_per_s']:.1f} chats/s with one client, "
            f"{c['chats_per_s']:.1f} with {c['clients']}; assignments per rep "
            f"{p['assignments_per_rep']} (spread {p['spread']}).",
            "",
        ]
    lines = [
        "## 3. Pool rotation under concurrency",
        "",
        f"**Method.** One round-robin pool of {p['reps']} reps with equal weights, one rule "
        "whose only segment sends every lead to it, on a link, on PostgreSQL. The production "
        f"server (uvicorn, {p.get('workers', 1)} worker processes) takes "
        "`POST /api/v1/chats/` on that link (a new lead each time) from 1 keep-alive "
        f"connection, then from {c['clients']} at once, for {s['seconds']:.0f} s each, after "
        "a warm-up. Throughput is chats per second of wall time. Fairness is read from the "
        "decisions of the concurrent phase: assignments per rep, and the assignment order by "
        "decisions' `created_at` (stamped after the pick, while the pool's rows are locked; "
        "their ids are taken before the lock, with the lead), checked window by "
        "window for a strict rotation.",
        "",
        f"Result: {s['chats_per_s']:.1f} chats/s with one client (p50 {s['p50_ms']:.0f} ms), "
        f"{c['chats_per_s']:.1f} with {c['clients']} (p50 {c['p50_ms']:.0f} ms; "
        f"{_near(p['throughput_ratio'], TARGETS['pool_ratio'])}); assignments per rep "
        f"{p['assignments_per_rep']} (spread {p['spread']}); {p['out_of_turn_windows']} of "
        f"{max(p['routed'] - p['reps'] + 1, 0)} windows of {p['reps']} consecutive assignments "
        f"out of turn. The server used {s['server_cpu_utilisation']:.2f} cores with one client "
        f"and {c['server_cpu_utilisation']:.2f} with {c['clients']}; the machine was "
        f"{_pct(s['machine_busy'])} and {_pct(c['machine_busy'])} busy.",
        "",
    ]
    d = p.get("diagnosis")
    if d:
        ds, dc = d["single_client"], d["concurrent"]
        lines += [
            "Diagnosis (the target was missed): the same routing in process, "
            "`routing.actions.route_chat` from 1 thread then from "
            f"{dc['clients']} threads released together (the pool's `SELECT ... FOR UPDATE` "
            "timed by an execute wrapper, the commit by wrapping each thread's "
            "`connection.commit`), per routing on average:",
            "",
            "| clients | chats/s | routing | waiting for the pool lock | holding it |",
            "| --- | --- | --- | --- | --- |",
            f"| 1 | {ds['chats_per_s']:.1f} | {ds['routing_ms']:.1f} ms | "
            f"{ds['lock_wait_ms']:.1f} ms | {ds['lock_held_ms']:.1f} ms |",
            f"| {dc['clients']} | {dc['chats_per_s']:.1f} | {dc['routing_ms']:.1f} ms | "
            f"{dc['lock_wait_ms']:.1f} ms | {dc['lock_held_ms']:.1f} ms |",
            "",
            "The lock is held from the pick to the commit, so routings into one pool pass "
            f"through it one at a time: at best 1 / (time held) = "
            f"{1000 / max(dc['lock_held_ms'], 0.001):.0f} chats/s.",
            "",
        ]
    return lines


def _server(f: dict) -> str:
    """What served the feed: older runs had daphne, one process."""
    return {"uvicorn": "uvicorn with 2 worker processes (the production server)"}.get(
        f.get("server", "daphne"), "daphne, one process"
    )


def _feed(feeds: list[dict]) -> list[str]:
    lines = [
        "## 4. Live feed latency",
        "",
        f"**Method.** `bench/feed_latency.py`: {_server(feeds[0])}, on the Redis channel "
        "layer, N "
        "authenticated websocket clients (session cookie, allowed origin) on one workspace's "
        f"feed, and {feeds[0]['decisions']} chats routed through `route_chat` at "
        f"{feeds[0]['rate_per_s']:.0f} per second by a second process. For every (client, "
        "decision) pair: the time from the commit (an `on_commit` hook registered first) to "
        "the client reading the `decision.created` frame, both stamped with the machine's "
        "monotonic clock. The clients share one event loop, so their own queueing counts, as a "
        "browser's would. Frames still missing 10 s after the last commit count as not "
        "delivered. The issue sets no target; ours: p50 within 100 ms (feels instant), p95 "
        "within 1 s (keeps the flow), and every frame delivered.",
        "",
        "| clients | frames | p50 | p95 | p99 | max | not delivered | sockets that got none "
        "| server CPU | clients' CPU | machine busy |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for f in feeds:
        lines.append(
            f"| {f['clients']} | {f['samples']} | {f['p50_ms']:.0f} ms | {f['p95_ms']:.0f} ms | "
            f"{f['p99_ms']:.0f} ms | {f['max_ms']:.0f} ms | {f['missing']} | "
            f"{f.get('silent_sockets', '?')} | "
            f"{_pct(f['server_cpu_utilisation'])} | {_pct(f['client_cpu_utilisation'])} | "
            f"{_pct(f['machine_busy'])} |"
        )
    if len(feeds) == 2:
        a, b = feeds
        lines += [
            "",
            f"From {a['clients']} to {b['clients']} clients: p50 {_x(b['p50_ms'] / a['p50_ms'])},"
            f" p95 {_x(b['p95_ms'] / a['p95_ms'])}. Each decision is one Redis `group_send` "
            "that the server fans out to every socket of the group (each worker process to its "
            "own sockets), so the frames per second grow with the clients: "
            f"{a['clients'] * a['rate_per_s']:.0f}/s and "
            f"{b['clients'] * b['rate_per_s']:.0f}/s here. The event is JSON-encoded once "
            "(`routing.events.send`) and carries no row HTML: the page fetches its rows.",
        ]
    lines.append("")
    return lines


def _queries(q: dict) -> list[str]:
    lines = [
        "## 5. Queries per routed chat",
        "",
        "**Method.** `bench/query_counts.py`, the approach of "
        "`tests/routing/test_query_counts.py`: for each size, a rule whose segments alternate "
        "between a pool and a rep and all fail, then a segment that matches and sends the lead "
        "to a five-rep pool (every segment is evaluated and explained in the trace, the "
        "heaviest case), then the fallback. One chat warms the compiled-rule cache; the "
        "queries of the next one are counted with `CaptureQueriesContext`.",
        "",
        "| segments | queries | by statement |",
        "| --- | --- | --- |",
    ]
    for size, s in q["sizes"].items():
        kinds = ", ".join(f"{k} {n}" for k, n in s["by_statement"].items())
        lines.append(f"| {size} | {s['queries']} | {kinds} |")
    lines.append("")
    return lines


def _bounds(r: dict, missed: list) -> list[str]:
    lines = ["## Missed targets: what bounds them", ""]
    if not missed:
        return [*lines, "Every target was met in this run.", ""]
    for _item, figure, measured, target, _ in missed:
        lines.append(f"- **{figure}**: {measured}, target {target}.")
    lines.append("")
    if any(m[0] == "1" for m in missed):
        lines += [
            "**Condition engine.** See the profile in section 1: what is left is the checks "
            "that keep the language total (any context, never raising) and RE2's per-call "
            "cost for `matches`.",
            "",
        ]
    if any(m[0] == "2" and "floor" in m[1] for m in missed):
        lines += _bounds_http(r)
    if any(m[0] == "2" and "server processes" in m[1] for m in missed):
        lines += _bounds_workers(r["http"], r["machine"]["cores"])
    if any(m[0] == "3" for m in missed):
        lines += _bounds_pool(r["pool"])
    if any(m[0] == "4" for m in missed):
        lines += _bounds_feed(r)
    if any(m[0] == "6" for m in missed):
        lines += _bounds_meetings(r["meetings"])
    if any(m[0] == "5" for m in missed):
        lines += [
            "**Queries.** A query count that grows with the segments means a query per "
            "segment crept into routing; `tests/routing/test_query_counts.py` should catch it.",
            "",
        ]
    return lines


def _bounds_http(r: dict) -> list[str]:
    h, q = r["http"], r["queries"]
    P, F = h["product"], h["floor"]
    statements = h.get("statements", {}).get("product")
    queries = len(statements) if statements else q["sizes"][min(q["sizes"])]["queries"]
    sections = h.get("profiles", {}).get("product", {}).get("sections", [])
    prof = {s["key"]: s["share"] for s in sections}

    def share(key: str) -> str:
        return _pct(prof[key]) if key in prof else "n/a"

    cpu_p = P["server_cpu_ms"] + P["postgres_cpu_ms"]
    cpu_f = F["server_cpu_ms"] + F["postgres_cpu_ms"]
    return [
        "**Route a chat over HTTP.** The floor is one INSERT behind DRF; a routed chat is "
        f"{queries} SQL statements (listed in section 2) plus the work on the "
        "Python side, and each uvicorn worker runs its requests under one GIL. Per request the "
        "server spent "
        f"{P['server_cpu_ms']:.1f} ms of CPU against the floor's {F['server_cpu_ms']:.1f} ms "
        f"({_x(P['server_cpu_ms'] / F['server_cpu_ms'])}), and PostgreSQL "
        f"{P['postgres_cpu_ms']:.1f} ms against {F['postgres_cpu_ms']:.1f} ms: the product does "
        f"several times the floor's work on both sides ({cpu_p:.1f} against {cpu_f:.1f} ms of "
        f"CPU in all, {_x(cpu_p / cpu_f, 1)}), and with the machine's cores busy, throughput "
        "follows CPU per request: it cannot reach half the floor's without removing work, "
        "whatever the concurrency. From the server "
        f"profile (share of GIL time under each frame): the view {share('view')}, of which "
        f"the routing transaction {share('route_chat')}, `engine.decide` {share('decide')} "
        f"(its per-segment trace, `conditions.explain`, {share('explain')}; the compiled "
        f"predicates themselves {share('predicates')}), the feed event {share('feed')}, "
        f"request validation {share('validate')}, token authentication {share('auth')}; "
        f"Django's ORM (building SQL and model instances) is under {share('orm')} of all "
        f"samples and the database driver {share('driver')}. "
        "The condition engine is not what bounds it. Done already (issue 16): the token, "
        "link, rule, compiled version, reps, AI agents and settings come from per-process "
        "caches under the workspace's routing stamp (`routing/cache.py`), the 201 is built "
        "from the objects just written (after the commit when there is no Idempotency-Key), "
        "the feed event is sent to Redis by a background thread, PostgreSQL connections "
        "come from psycopg's pool (section 2b), the hot statements (token, lead upsert, CRM "
        "lookup, pool lock, and the one write of rotation, chat, decision and deliveries) are "
        "written out once per process from the models' `_meta` (`knock/rawsql.py`) instead "
        "of being compiled by the ORM on every chat, the chat path's serializers copy a "
        "per-class template of their fields, the per-segment trace is built as dicts "
        "straight away, the decision's JSON is TOASTed with lz4, statements go with "
        "server-side parameters and are prepared once per pooled connection (no quoting of "
        "the trace into the SQL, no planning per chat), the trace and the 201 are encoded "
        "by orjson, and the server processes run the cyclic collector at (50000, 20, 100) "
        "with DRF's serializer and view cycles undone once an answer is sent, so a chat's "
        "trace is freed by reference counting (`knock/gc_tuning.py`, "
        "`routing/api/release.py`), and the HTTP handler runs the middleware chain and the "
        "view in the request's thread with one hand-over from the event loop instead of "
        "about sixteen, in a thread of a persistent pool per process with the request "
        "signals sent in that thread (`knock/asgi_http.py`; Django's handler started a "
        "thread per request and sent each signal through a hand-over), at most three of "
        "them running at once per process (`knock/request_gate.py`, "
        "`KNOCK_REQUEST_CONCURRENCY`); the decision's "
        "trace and context are stored "
        "as PostgreSQL `json`, not `jsonb`, with the parts the replay reads written beside "
        "them (`Decision.trace_digest`), and uvicorn runs on uvloop and httptools, the feed's "
        "Redis replies parsed by hiredis. The thread pool and the event loop made every "
        "request cheaper, the floor's most of all (its cost is mostly that machinery), so "
        "they raised both throughputs and lowered their ratio (issue 16's notes, "
        "`bench/http_bench.py`, 2 workers: routed chats 208-223 -> 239-241 -> 259-266 req/s, "
        "the floor 554-631 -> 653-694 -> 967-972, the ratio 0.35-0.39 -> 0.35-0.37 -> "
        "0.27). What would still move the figure, none of it in the compiled predicates:",
        "",
        f"1. **The remaining statements** ({queries}; listed in section 2): the token, the "
        "CRM and company facts, BEGIN with the lead upsert, the pool members under lock, "
        "one statement that writes the rotation update, the chat, the decision and the "
        "deliveries (data-modifying CTEs, `knock.rawsql.insert_rows`, with the keys the lead "
        "upsert took from the sequences) with the COMMIT (BEGIN and COMMIT go in their "
        "neighbour's round trip, psycopg's pipeline mode): six round trips, each with its "
        "own driver and database work. The three reads before the transaction (token, CRM, "
        "company) are separate lookups behind the slices' seams.",
        "2. **The trace's size**: about 26 KB of JSON per decision on the 50-segment rule "
        "(every segment tried, with each leaf's field, operator, value and the value seen, "
        "and its reason worded), built, encoded twice (the decision row and the 201) and "
        "stored on every chat. Stored as `json` (no longer parsed into jsonb) PostgreSQL's "
        "INSERT of one takes about 0.21 ms of CPU against 0.39 as jsonb, measured alone. A "
        "leaner stored shape (the rule's side of each leaf is in the version's snapshot "
        "already) or an explanation built on read would take more of it off the request, at "
        "the price of changing the trace's contract (SPEC section 5: every decision stores "
        "and returns it). It would not reach the target either: `bench/trace_cost.py` (a "
        "diagnostic, not part of this run) routes the same chats in process with every "
        "segment's explanation replaced by one constant leaf, which halves the trace (34 to "
        "17 KB) and saved 9% of the chat's CPU (median of three alternating runs on the AMD "
        "machine: 10.2 against 9.3 ms per chat).",
        "3. **Django and DRF per request**: request parsing, validation of the nested body "
        "and the response's serializer run in Python for every chat; the floor has none of "
        "it. With the machine's two cores busy, that CPU is what the ratio measures.",
        "4. **More server processes** scale both figures, not their ratio (both run on "
        "the same 2-worker server here).",
        "",
    ]


def _silent_note(worst: dict, diagnostics: list[dict]) -> list[str]:
    """When the frames not delivered are whole silent sockets, say so."""
    silent = worst.get("silent_sockets") or 0
    if not (worst["missing"] and silent and worst["missing"] == silent * worst["decisions"]):
        return []
    pubsub = [d for d in diagnostics if "pub/sub" in d["change"]]
    tail = ""
    if pubsub and not pubsub[0]["missing"]:
        tail = " With the pub/sub layer every socket got every frame."
    return [
        f"The {worst['missing']} frames not delivered are {silent} whole socket(s) that never "
        f"received an event while the other {worst['clients'] - silent} got every one." + tail,
        "",
    ]


def _bounds_pool(p: dict) -> list[str]:
    s, c = p["single_client"], p["concurrent"]
    if "server_cpu_utilisation" not in s:  # an older, in-process run
        return [
            "**Pool rotation.** One pool's routings pass through its row lock one at a time: "
            f"held {c['lock_held_ms']:.1f} ms per routing with {c['clients']} clients.",
            "",
        ]
    lines = [
        "**Pool rotation.** Rotation is serialised by the pool's row lock by design (SPEC 5: "
        "no rep skipped or doubled under any concurrency), so one pool's throughput is at "
        "most 1 / (time the lock is held), whatever the clients. Over HTTP, one client "
        f"leaves the server idle between its requests ({s['server_cpu_utilisation']:.2f} "
        f"cores used); {c['clients']} keep it busy ({c['server_cpu_utilisation']:.2f} cores, "
        f"the machine {_pct(c['machine_busy'])} busy): when the machine has no core to "
        "spare, the extra clients only queue.",
    ]
    d = p.get("diagnosis")
    if d:
        ds, dc = d["single_client"], d["concurrent"]
        lines[-1] += (
            f" In process the lock was held {ds['lock_held_ms']:.1f} ms per routing with one "
            f"client and {dc['lock_held_ms']:.1f} ms with {dc['clients']} (each waiting "
            f"{dc['lock_wait_ms']:.0f} ms for it): what runs under the lock (the pick, the "
            "trace's end, the rows and deliveries built, then the one write with its commit) "
            "and, with threads of one process, the GIL the holder shares with the others' "
            "pre-lock work. Under 16 clients over HTTP, sampling `pg_stat_activity` every "
            "3 ms showed the holder mostly idle in its transaction after the lock was granted, "
            "waiting for its thread to run the Python between the lock and the write "
            "(single-threaded about 0.7 ms, several times that under load)."
        )
    lines[-1] += (
        " Work taken off every request raises the one-client figure more than the "
        "sixteen-client one, which the lock bounds: when the HTTP handler moved to a "
        "persistent thread pool (issue 16's notes, `bench/pool_bench.py`), one client went "
        "152 -> 172-187 chats/s and sixteen 214 -> 236-256, their ratio 1.40 -> 1.28-1.42. "
        "Fewer requests running at once per process leave the lock's holder less GIL "
        "contention: the gate of `knock/request_gate.py` (`KNOCK_REQUEST_CONCURRENCY`, "
        "default 3; a request waiting on a CRM or a calendar gives its place up) took "
        "sixteen clients from 214-225 to 241-253 chats/s in three runs each, and one client "
        "from 155-169 to 172-176 (their ratio 1.32-1.38 -> 1.40-1.44); with 1 place, one "
        "run reached 303 chats/s with sixteen clients (1.60x), at the price of a process "
        "idle whenever its one request waits on PostgreSQL (routed chats 232 req/s against "
        "259-267 with 3)."
    )
    return [*lines, ""]


def _bounds_workers(h: dict, cores: int) -> list[str]:
    two, one, n = h["product"], h["product_1"], h["workers"]
    shares = two.get("workers_cpu_share") or []
    spread = " / ".join(_pct(x) for x in shares) if shares else "n/a"

    def used(e: dict) -> float:  # cores this benchmark kept busy: server, PostgreSQL, client
        return (
            e["server_cpu_utilisation"]
            + e["postgres_cpu_utilisation"]
            + e["client_cpu_utilisation"]
        )

    ceiling = cores / used(one) if used(one) else float("inf")
    return [
        f"**{n} server processes.** A routed chat is CPU work in the server and in "
        f"PostgreSQL: per request {one['server_cpu_ms']:.1f} ms of server CPU and "
        f"{one['postgres_cpu_ms']:.1f} ms of PostgreSQL CPU with one process (the floor: "
        f"{h['floor']['server_cpu_ms']:.1f} and {h['floor']['postgres_cpu_ms']:.1f} ms). One "
        f"process already kept {used(one):.2f} of the machine's {cores} cores busy (server "
        f"{one['server_cpu_utilisation']:.2f}, PostgreSQL {one['postgres_cpu_utilisation']:.2f},"
        f" load generator {one['client_cpu_utilisation']:.2f}), so on this machine {n} "
        f"processes can at best reach {cores} / {used(one):.2f} = {_x(ceiling)} its throughput, "
        "even with nothing else running ("
        + (
            "below the target, whatever the server does"
            if ceiling < TARGETS["workers_ratio"]
            else "above the target: the shortfall is CPU the rest of the machine took"
        )
        + "; PostgreSQL's CPU counts every database on the machine, so other work inflates "
        "it). With "
        f"{n} processes the server used {two['server_cpu_utilisation']:.2f} cores (split "
        f"between the workers {spread}: the load reached both), {used(two):.2f} in all, and "
        f"the machine was {_pct(two['machine_busy'])} busy (against "
        f"{_pct(one['machine_busy'])} with one; the load average is in the Machine table)"
        + (
            ": the second process found no spare core. "
            if two["machine_busy"] >= 0.95
            else f": {_pct(1 - two['machine_busy'])} of the machine stayed idle. Not the pool "
            "locks, nor the disk: `bench/pg_activity.py` (a diagnostic, not part of this run) "
            "samples `pg_stat_activity` every 5 ms under this load (2 processes, 8 "
            "connections) and found on average 0.08 of the 8 requests waiting on a lock, 0.16 "
            "on the WAL's fsync and 1.5 idle in a transaction (their thread's Python running "
            "or waiting for its GIL), with 0.1% of the machine in iowait; the "
            "rest of each request is in the server processes, under their GILs, and in hand-"
            "overs between threads (each database round trip, the loop and the request's "
            "thread, the feed's sender), each a wake-up of a sleeping thread. "
        )
        + "What would move it: less CPU per chat, "
        "above all in PostgreSQL (its share of a chat is what one process leaves to the "
        "other core), or more cores.",
        "",
    ]


def _bounds_feed(r: dict) -> list[str]:
    worst = max(r["feed"], key=lambda f: f["p95_ms"])
    lines = [
        f"**Live feed.** With {worst['clients']} clients a decision is "
        f"{worst['clients']} frames, {worst['clients'] * worst['rate_per_s']:.0f} per second "
        "here, all written by the server, and neither side was out of CPU (the server "
        f"{_pct(worst['server_cpu_utilisation'])} of a core, the clients "
        f"{_pct(worst['client_cpu_utilisation'])}). Two things serialise the fan-out:",
        "",
        "1. channels' `AsyncConsumer.dispatch` awaits `aclose_old_connections()` before every "
        "handler: `sync_to_async(close_old_connections)`, a trip to the one shared sync thread "
        "and back (`sync_to_async` is thread-sensitive: one thread for the whole process), for "
        "every event to every socket, one after another. The feed's handlers only forward the "
        "event and never touch the database.",
        "2. the default channels_redis layer hands the group message to every consumer through "
        "one receive lock that all the sockets' receive loops contend for, re-arming a "
        "lock-acquire and a buffer-get task per socket per message; the pub/sub layer "
        "(`RedisPubSubChannelLayer`) reads the group message once from a subscription.",
        "",
    ]
    diagnostics = r.get("feed_diagnostics")
    if diagnostics:
        lines += [
            f"Evidence from this run: the {worst['clients']}-client measurement again, with one "
            "change at a time (bench-only: `bench/feed_asgi.py` serves a `FeedConsumer` "
            "subclass whose `dispatch` skips the hop for the forwarded events; "
            "`bench/pubsub_settings.py` is the product's settings with the pub/sub layer):",
            "",
            "| change | p50 | p95 | p99 | not delivered | sockets that got none | server CPU |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for label, d in (
            ("none (the figure above)", worst),
            *((d["change"], d) for d in diagnostics),
        ):
            lines.append(
                f"| {label} | {d['p50_ms']:.0f} ms | {d['p95_ms']:.0f} ms | {d['p99_ms']:.0f} ms "
                f"| {d['missing']} | {d.get('silent_sockets', '?')} | "
                f"{_pct(d['server_cpu_utilisation'])} |"
            )
        lines += [
            "",
            *_silent_note(worst, diagnostics),
            "What should change (product files, not in `bench/`): `routing/consumers.py`: "
            "`FeedConsumer.dispatch` should skip `aclose_old_connections()` for the "
            "forwarding handlers (`decision.created`, `chat.updated`, `delivery.updated`), "
            "exactly as `bench/feed_asgi.py` does; `knock/settings.py`: the "
            "`CHANNEL_LAYERS` backend `channels_redis.pubsub.RedisPubSubChannelLayer`, whose "
            "trade-off (no queue for a consumer that is briefly away) the feed tolerates: its "
            "events are hints and a page reloads its state on reconnect.",
            "",
        ]
    return lines


def _meetings(m: dict) -> list[str]:
    x, h, q = m["maths"], m["http"], m["queries"]
    p, f = h["product"], h["floor"]
    bc = x["bench_case"]
    sizes = sorted(q, key=int)
    separate = m.get("separate_run")
    when = (
        f"Measured by `bench/run.py --only meetings` on {separate['at']} "
        f"({separate['seconds']} s), merged into the run above; "
        if separate
        else "Measured in the run above; "
    )
    load = m["load_average_at_start"], m["load_average_at_end"]
    lines = [
        "## 6. Meeting availability, 50 reps over 14 days",
        "",
        f"{when}load average (1, 5, 15 min) during this item: "
        f"{', '.join(map(str, load[0]))} at its start, {', '.join(map(str, load[1]))} at its "
        "end (the machine has 2 cores, shared with other work).",
        "",
        f"**Method.** `bench/meetings_bench.py`: a workspace of {m['reps']} reps in five time "
        "zones (New York, Berlin, Kolkata, Los Angeles, UTC), each working 09:00-17:00 Monday "
        f"to Friday on their own clock with a local calendar of {m['blocks_per_rep_per_day']} "
        f"busy blocks (30-60 min) per day for {m['days'] + 1} days ({m['busy_blocks']:,} "
        "blocks), and a meeting rule whose segment books `any_calendar` over all of them "
        "(30 min, buffer after 10, at most 6 a day), on a link; a second rule over the first "
        "5 reps for the query count.",
        "",
        f"- **Maths**: `rep_slots` for each rep then `union`, on the {x['reps']} calendars as "
        f"the request reads them ({x['busy_blocks']:,} busy blocks in the window), timed alone "
        f"{x['runs']} times: median {x['median_ms']:.1f} ms wall (best {x['min_ms']:.1f} ms), "
        f"{x['cpu_median_ms']:.1f} ms of CPU; {x['slots']} slots. "
        f"`calendars.availability.bench_case()` (generated calendars of the same shape): "
        f"median {bc['median_ms']:.1f} ms, first run {bc['first_ms']:.1f} ms.",
        "- **Queries** of one `POST /api/v1/meetings/availability/` (in process, after a "
        "warm-up request): " + "; ".join(
            f"{s} reps: {q[s]['queries']} ({q[s]['slots']} slots, {q[s]['reps_offered']} reps "
            "offered)" for s in sizes
        ) + ". By statement ("
        f"{sizes[-1]} reps): "
        + ", ".join(f"{k} {n}" for k, n in q[sizes[-1]]["by_statement"].items()) + ".",
        f"- **HTTP**: the production server of item 2 (uvicorn, 2 workers, "
        "`bench.floor_settings`, "
        f"production mode), `POST /api/v1/meetings/availability/` for the {m['reps']}-rep "
        "link (a new lead each time, the answer in Europe/Paris) against the floor "
        f"(`POST /bench/floor/`), one keep-alive connection (the request's own latency, no "
        f"queueing), {h['rounds']} alternating rounds of {h['seconds_per_round']:.0f} s each "
        "after a warm-up.",
        "",
        "| endpoint | requests | p50 | p95 | p99 | server CPU / req | machine busy |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]  # fmt: skip
    for label, e in (("`POST /meetings/availability/` (50 reps)", p), ("floor", f)):
        lines.append(
            f"| {label} | {e['requests']} | {e['p50_ms']:.1f} ms | {e['p95_ms']:.1f} ms | "
            f"{e['p99_ms']:.1f} ms | {e['server_cpu_ms']:.1f} ms | {_pct(e['machine_busy'])} |"
        )
    lines += [
        "",
        f"Ratios to the floor: p50 {_x(h['p50_ratio'], 1)}, p95 {_x(h['p95_ratio'], 1)}. "
        f"An answer offers {q[sizes[-1]]['slots']} slots, each listing the reps free then.",
        "",
    ]
    return lines


def _bounds_meetings(m: dict) -> list[str]:
    x, p, f = m["maths"], m["http"]["product"], m["http"]["floor"]
    return [
        "**Meeting availability.** The time is CPU in one Python process: "
        f"{p['server_cpu_ms']:.0f} ms of server CPU per request, of which the maths is "
        f"{x['cpu_median_ms']:.0f} ms; the rest reads {x['busy_blocks']:,} busy blocks, "
        "builds the trace (every rep with their count of slots) and writes the Availability "
        "row and the answer with every slot and its reps. The queries do not grow with the "
        "reps. On a machine whose load average is above its cores, wall times stretch "
        f"beyond CPU times: here the request's p50 was {_x(p['p50_ms'] / p['server_cpu_ms'], 1)} "
        f"its server CPU time, the floor's {_x(f['p50_ms'] / f['server_cpu_ms'], 1)}, and "
        f"the maths' wall time {_x(x['median_ms'] / x['cpu_median_ms'], 1)} its CPU time "
        "(the load average is given in section 6).",
        "",
        *_meeting_profile(m["http"].get("profile")),
    ]


def _meeting_profile(prof: dict | None) -> list[str]:
    if not prof:
        return []
    shares = "; ".join(f"{s['section']} {_pct(s['share'])}" for s in prof["sections"])
    top = "; ".join(f"`{s['function']}` {_pct(s['share'])}" for s in prof["self_time"][:8])
    return [
        "Profile of the server under the availability requests (py-spy `--gil "
        f"--subprocesses`, {prof['samples']} samples), share of samples under each frame: "
        f"{shares}. Most frequent top-of-stack functions: {top}.",
        "",
    ]


if __name__ == "__main__":  # re-render a run: python bench/report.py bench/last-run.json
    import json
    import sys

    with open(sys.argv[1]) as f:
        sys.stdout.write(render(json.load(f)))
