"""Where a missed target's time goes: sample a running server with py-spy.

``profile_server(pid, drive)`` records the server process with
``py-spy record --gil --subprocesses --format raw`` while ``drive()`` loads
it: only samples of the thread holding the GIL in each server process (uvicorn
workers included), i.e. where the server spends the one resource each
process's requests share. It then summarises the samples: the
share under each of a few named frames (inclusive), and the functions that
were on top of the stack most often (self time).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

# (key, label, substring of a frame "function (file:line)") - inclusive shares.
SECTIONS = [
    ("view", "POST /api/v1/chats/ view (all of it)", "create (routing/api/views/chats.py"),
    ("route_chat", "route_chat: the routing transaction", "route_chat (routing/actions/routing.py"),
    ("decide", "engine.decide (conditions, pool, trace)", "decide (routing/engine.py"),
    ("explain", "conditions.explain: the per-segment trace", "(routing/conditions/explanation.py"),
    ("predicates", "compiled condition predicates", "predicate (<routing.conditions>"),
    ("context", "build_chat_context", "build_chat_context (routing/context.py"),
    ("pool", "pool pick (lock, members, updates)", "pick (routing/pools.py"),
    ("feed", "feed event on commit (template + Redis)", "_send (routing/events.py"),
    ("serialise", "response serialisation", "to_representation (rest_framework/serializers.py"),
    ("validate", "request validation (ChatCreateSerializer)", "is_valid (rest_framework/"),
    ("auth", "token authentication", "authenticate (routing/api/auth.py"),
    ("floor", "floor view (insert one row)", "post (bench/floor.py"),
    ("orm", "Django ORM: building SQL, model instances", "django/db/models/"),
    ("driver", "database driver (psycopg: send, wait, parse)", "psycopg/"),
    ("connect", "new database connection per request", "get_new_connection (django/db/"),
    ("json", "json encode/decode", "json/"),
]


# The same, for POST /api/v1/meetings/availability/ (bench/meetings_bench.py).
MEETING_SECTIONS = [
    ("view", "availability view (all of it)", "availability (calendars/api/views.py"),
    ("prepare", "link, CRM and enrichment facts", "prepare (calendars/actions/availability.py"),
    ("people", "the booking's reps (one query)", "_people (calendars/actions/planning.py"),
    ("calendars", "reading busy blocks and meetings", "calendars_for (calendars/lookup.py"),
    ("maths", "slot maths: rep_slots", "rep_slots (calendars/availability.py"),
    ("union", "slot maths: union", "union (calendars/availability.py"),
    ("utc_slots", "the slots as JSON for the Availability row", "utc_slots (calendars/actions/"),
    ("record", "the Availability row (insert)", "create (django/db/models/query.py"),
    ("render", "the answer (localize + JSON)", "offer_data (calendars/api/views.py"),
    ("auth", "token authentication", "authenticate (routing/api/auth.py"),
    ("orm", "Django ORM: building SQL, model instances", "django/db/models/"),
    ("driver", "database driver (psycopg: send, wait, parse)", "psycopg/"),
    ("json", "json encode/decode", "json/"),
]  # fmt: skip


def py_spy() -> str:
    exe = Path(sys.executable).with_name("py-spy")
    found = str(exe) if exe.exists() else shutil.which("py-spy")
    if not found:
        raise RuntimeError("py-spy is not installed (make bench installs bench/requirements.txt)")
    return found


def profile_server(pid: int, drive: Callable[[], object], rate: int = 250, sections=None) -> dict:
    """Sample process ``pid`` while ``drive()`` runs; return the summary (shares under
    ``sections``, by default the routed chat's)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "profile.txt"
        recorder = subprocess.Popen(
            [py_spy(), "record", "--pid", str(pid), "--format", "raw", "--rate", str(rate),
             "--output", str(out), "--gil", "--subprocesses"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        time.sleep(1.0)  # let py-spy attach before the load starts
        error: list[BaseException] = []

        def run() -> None:
            try:
                drive()
            except BaseException as exc:  # noqa: BLE001 - re-raised below
                error.append(exc)

        worker = threading.Thread(target=run)
        worker.start()
        worker.join()
        recorder.send_signal(2)  # SIGINT: py-spy writes what it has and exits
        try:
            _, err = recorder.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            recorder.kill()
            _, err = recorder.communicate()
        if error:
            raise error[0]
        if not out.exists():
            raise RuntimeError(f"py-spy wrote no profile: {err.decode(errors='replace')[-500:]}")
        return summarise(out.read_text(), sections=sections)


def summarise(collapsed: str, top: int = 12, sections=None) -> dict:
    stacks: list[tuple[list[str], int]] = []
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    total = sum(n for _, n in stacks) or 1
    needles, sections = sections or SECTIONS, []
    for key, label, needle in needles:
        n = sum(count for frames, count in stacks if any(needle in f for f in frames))
        if n:
            sections.append({"key": key, "section": label, "share": n / total})
    own = Counter()
    for frames, count in stacks:
        own[_short(frames[-1])] += count
    return {
        "samples": total,
        "sections": sections,
        "self_time": [{"function": f, "share": n / total} for f, n in own.most_common(top)],
    }


def _short(frame: str) -> str:
    """'execute (psycopg/cursor.py:97)' with the site-packages prefix dropped."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    for marker in ("site-packages/", "lib/python3"):
        if marker in where:
            where = where.split(marker, 1)[1]
    return f"{name} ({where})" if where else name


def profile_conditions(seconds: float = 3.0) -> dict:
    """Where Knock's compiled predicates spend their time on the benchmark rule
    (pyinstrument, run in this process for about ``seconds``)."""
    from pyinstrument import Profiler

    from bench import conditions_bench, rule50
    from routing import conditions

    contexts = rule50.contexts(conditions_bench.CONTEXTS)
    predicates = [conditions.compile(t) for _, t in rule50.SEGMENTS]
    profiler = Profiler(interval=0.0002)
    profiler.start()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        conditions_bench.run_all(predicates, contexts)
    profiler.stop()
    session = profiler.last_session
    own: Counter = Counter()
    total = 0.0

    def walk(frame) -> None:
        nonlocal total
        real = [c for c in frame.children if not c.function.startswith("[")]
        self_time = frame.time - sum(c.time for c in real)  # pyinstrument's "[self]" too
        own[f"{frame.function} ({Path(frame.file_path or '?').name}:{frame.line_no})"] += self_time
        total += self_time
        for child in real:
            walk(child)

    walk(session.root_frame())
    total = total or 1.0
    return {
        "self_time": [{"function": f, "share": t / total} for f, t in own.most_common(12)],
    }
