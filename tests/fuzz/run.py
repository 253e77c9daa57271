"""`make fuzz`: schemathesis (`--checks all`) against a running Knock Router.

What it does, from a clean slate each time:

1. a fresh database: SQLite in a temporary directory, or the PostgreSQL
   database named by ``$DATABASE_URL`` (dropped and created again, so give it
   a database of its own, e.g. ``postgres://postgres@127.0.0.1:5432/knock_fuzz``);
2. ``migrate``, ``create_workspace`` (its last line is the API token), and a
   few reps, pools, rules, segments, links and chats created over the API, so
   the fuzzer meets real rows as well as unknown ids;
3. the ASGI server on a free port of 127.0.0.1: daphne (``make run``'s), or with
   ``FUZZ_SERVER=uvicorn`` the production server (uvicorn, 2 worker processes, on
   uvloop and httptools as README "Running in production" runs it);
4. ``schemathesis run`` on ``/api/schema/`` with every check, a fixed seed and
   a bounded number of examples per operation (``FUZZ_EXAMPLES``, default 10;
   ``FUZZ_SEED``, default 20261);
5. the server is stopped, and the exit status is schemathesis's: non-zero on
   any server error, undocumented status code or response-schema mismatch.

The report (JUnit XML and the run's standard output) is written to
``$FUZZ_REPORT_DIR`` (default: the temporary directory, removed at the end
unless ``FUZZ_KEEP=1``).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BIN = Path(sys.executable).parent
SEED = os.environ.get("FUZZ_SEED", "20261")
EXAMPLES = os.environ.get("FUZZ_EXAMPLES", "10")
MAX_FAILURES = os.environ.get("FUZZ_MAX_FAILURES", "")
SERVER = os.environ.get("FUZZ_SERVER", "daphne")  # or "uvicorn", the production server


def log(message: str) -> None:
    print(f"[fuzz] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(port: int) -> list[str]:
    """The ASGI server FUZZ_SERVER names: daphne (the default) or uvicorn."""
    if SERVER == "daphne":
        return [str(BIN / "daphne"), "-v", "0", "-b", "127.0.0.1", "-p", str(port),
                "knock.asgi:application"]  # fmt: skip
    if SERVER == "uvicorn":
        return [str(BIN / "uvicorn"), "knock.asgi:application", "--host", "127.0.0.1",
                "--port", str(port), "--workers", "2", "--log-level", "warning"]  # fmt: skip
    raise SystemExit(f"[fuzz] FUZZ_SERVER={SERVER!r}: daphne or uvicorn")


def wait_for_port(port: int, server: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"[fuzz] the server exited with status {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"[fuzz] nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def fresh_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.strip("/")
    if not name or name in ("postgres", "template0", "template1", "test"):  # "test": CI's suite
        raise SystemExit(f"[fuzz] refusing to recreate the database {name!r}")
    params = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "password": parts.password,
        "dbname": "postgres",
    }
    with psycopg.connect(**params, autocommit=True) as conn:
        ident = sql.Identifier(name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


class Api:
    def __init__(self, port: int, token: str):
        self.base = f"http://127.0.0.1:{port}/api/v1/"
        self.token = token

    def post(self, path: str, body: dict) -> dict:
        return self.send("POST", path, body)

    def put(self, path: str, body: dict) -> dict:
        return self.send("PUT", path, body)

    def send(self, method: str, path: str, body: dict) -> dict:
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(body).encode(),
            method=method,
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:500]
            raise SystemExit(
                f"[fuzz] seeding {method} {path} answered {exc.code}: {detail}"
            ) from None


def seed(api: Api) -> None:
    """Enough real rows that detail, move, reorder and simulate meet existing ids."""
    reps = [
        api.post("reps/", {"name": f"Rep {n}", "email": f"rep{n}@fuzz.test"})["id"]
        for n in range(1, 5)
    ]
    agent = api.post("ai-agents/", {"name": "Support bot", "specialty": "support"})["id"]
    pool = api.post(
        "pools/",
        {"name": "Inbound pool", "strategy": "round_robin",
         "members": [{"rep": r, "weight": 1} for r in reps[:3]]},
    )["id"]  # fmt: skip
    rule = api.post("rules/", {"name": "Inbound", "kind": "chat"})["id"]
    demos = api.post("rules/", {"name": "Demos", "kind": "meeting"})["id"]
    segments = [
        ({"field": "company.employees", "op": "gt", "value": 200},
         {"type": "pool", "id": pool}),
        ({"field": "intent.type", "op": "eq", "value": "support"},
         {"type": "ai_agent", "id": agent}),
        ({"field": "lead.domain", "op": "domain_in", "value": ["acme.com"]},
         {"type": "rep", "id": reps[3]}),
    ]  # fmt: skip
    for n, (conditions, assignee) in enumerate(segments):
        api.post(
            f"rules/{rule}/segments/",
            {"name": f"Segment {n}", "conditions": conditions, "assignee": assignee},
        )
    api.post("links/", {"slug": "inbound", "name": "Inbound", "channel": "Web", "chat_rule": rule})
    api.post("links/", {"slug": "g2", "name": "G2 listing", "channel": "G2"})
    for n, email in enumerate(["ana@bigco.com", "bo@acme.com", "cy@gmail.com"]):
        api.post("chats/", {"link": "inbound", "lead": {"email": email}, "message": f"hi {n}"})
    seed_meetings(api, demos)


ALWAYS = {d: [["00:00", "23:59"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def seed_meetings(api: Api, rule: int) -> None:
    """Booked meetings, a busy block and a draft, so that a meeting's detail, cancel,
    no-show and reschedule, a busy block's delete and a draft's publish meet real
    rows (schemathesis reported them as reached only with unknown ids)."""
    mia = api.post("reps/", {"name": "Mia", "email": "mia@fuzz.test", "working_hours": ALWAYS})[
        "id"
    ]
    api.post(
        f"rules/{rule}/segments/",
        {"name": "Everyone", "conditions": {"field": "lead.email", "op": "exists"},
         "booking": {"logic": "single_rep", "reps": [mia], "duration": 30, "min_notice": 0}},
    )  # fmt: skip
    api.post("links/", {"slug": "demo", "name": "Demo", "channel": "Web", "meeting_rule": rule})
    for n in range(3):
        offer = api.post(
            "meetings/availability/", {"link": "demo", "lead": {"email": f"m{n}@bigco.com"}}
        )
        api.post("meetings/", {"availability": offer["id"], "start": offer["slots"][n]["start"]})
    busy = api.post(
        f"reps/{mia}/busy/",
        {"start": "2030-01-07T09:00:00Z", "end": "2030-01-07T10:00:00Z", "title": "Offsite"},
    )
    assert busy["id"], busy
    # A draft of the meeting rule: a longer meeting, the fallback as it is.
    everyone = {"name": "Everyone", "conditions": {"field": "lead.email", "op": "exists"},
                "booking": {"logic": "single_rep", "reps": [mia], "duration": 45}}  # fmt: skip
    fallback = {"name": "Fallback", "booking": {"logic": "single_rep", "default_rep": True}}
    api.put(f"rules/{rule}/draft/", {"segments": [everyone, fallback]})


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="knock-fuzz-"))
    report_dir = Path(os.environ.get("FUZZ_REPORT_DIR") or tmp / "report")
    report_dir.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'fuzz.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "1",
        "SECRET_KEY": "fuzz-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "knock.settings",
    }
    server = None
    try:
        if database_url.startswith(("postgres://", "postgresql://")):
            log(f"recreating the PostgreSQL database {urlsplit(database_url).path.strip('/')}")
            fresh_postgres(database_url)
        else:
            log(f"SQLite database in {tmp}")
        manage(env, "migrate", "--noinput", "-v", "0")
        token = manage(env, "create_workspace", "Fuzz Inc").strip().splitlines()[-1].strip()
        port = free_port()
        server_log = open(tmp / "server.log", "w")  # noqa: SIM115 - closed with the process
        server = subprocess.Popen(
            server_command(port), cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT
        )
        wait_for_port(port, server)
        seed(Api(port, token))
        log(f"{SERVER} on 127.0.0.1:{port}, seeded; seed {SEED}, {EXAMPLES} examples")
        command = [
            str(BIN / "schemathesis"), "--config-file", str(HERE / "schemathesis.toml"),
            "run", f"http://127.0.0.1:{port}/api/schema/",
            "--checks", "all",
            # ST302 off (schemathesis.toml says why): `--checks all` re-enables every
            # check over the config file, so the exclusion is given here too.
            "--exclude-checks", "ensure_resource_availability",
            "--seed", SEED,
            "--max-examples", EXAMPLES,
            "--header", f"Authorization: Token {token}",
            "--workers", os.environ.get("FUZZ_WORKERS", "2"),
            "--request-timeout", "30",
            "--suppress-health-check", "all",
            "--report", "junit",
            "--report-dir", str(report_dir),
        ]  # fmt: skip
        if MAX_FAILURES:
            command += ["--max-failures", MAX_FAILURES]
        if os.environ.get("FUZZ_PHASES"):  # e.g. "examples,fuzzing,stateful"
            command += ["--phases", os.environ["FUZZ_PHASES"]]
        started = time.monotonic()
        status = subprocess.run(command, cwd=tmp, env=env).returncode
        log(f"schemathesis exited {status} after {time.monotonic() - started:.0f} s")
        errors = [
            line
            for line in (tmp / "server.log").read_text(errors="replace").splitlines()
            if "Traceback" in line or "Internal Server Error" in line
        ]
        if errors:
            log(f"the server logged {len(errors)} errors (see {tmp / 'server.log'})")
            status = status or 1
        return status
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        if os.environ.get("FUZZ_KEEP") != "1":
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"kept {tmp}")


if __name__ == "__main__":
    sys.exit(main())
