"""What every benchmark shares: the environment, the database, servers, statistics.

Every benchmark runs Knock Router in production mode (``DEBUG=0``) against its
own PostgreSQL database (``knock_bench`` unless ``BENCH_DATABASE_URL`` says
otherwise, e.g. ``postgres://postgres@127.0.0.1:5432/knock_bench_mine`` so that
two people on one machine do not drop each other's database; never the
``test`` database CI uses) and Redis (``BENCH_REDIS_URL``, by default
``redis://127.0.0.1:6379/0``). The HTTP figures are taken on the production
server: uvicorn with ``--workers`` (README, "Running in production").
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/knock_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


class ServiceError(SystemExit):
    """A service the benchmarks need is not there: stop with a message that says so."""


def bench_env() -> dict[str, str]:
    """The environment variables of every benchmark process (and its servers)."""
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    if urlsplit(database_url).path.strip("/") == "test":
        raise ServiceError("The benchmarks never use the 'test' database CI uses.")
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or "bench-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "knock.settings",
        "PYTHONHASHSEED": "0",
    }


def apply_env() -> None:
    """Use the benchmark environment in this process (values already set win)."""
    for key, value in bench_env().items():
        if key == "SECRET_KEY":
            os.environ.setdefault("BENCH_SECRET_KEY", value)
        os.environ.setdefault(key, value)


def setup_django() -> None:
    apply_env()
    import django

    # In-process benchmarks hold one connection per client thread for a whole run (16
    # threads in item 3), more than the production pool's 10 per process: this process
    # connects without the pool. The servers it starts keep the production default (the
    # variable is restored before any of them is started).
    saved = os.environ.get("DATABASE_POOL_MAX_SIZE")
    os.environ["DATABASE_POOL_MAX_SIZE"] = "0"
    try:
        django.setup()
    finally:
        if saved is None:
            del os.environ["DATABASE_POOL_MAX_SIZE"]
        else:
            os.environ["DATABASE_POOL_MAX_SIZE"] = saved


# ------------------------------------------------------------------- services


def _pg_params(url: str) -> dict:
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "password": parts.password,
        "dbname": parts.path.strip("/"),
    }


def check_services(env: dict[str, str]) -> dict[str, str]:
    """Fail with a clear message unless PostgreSQL and Redis answer; return their versions."""
    import psycopg

    params = _pg_params(env["DATABASE_URL"])
    admin = {**params, "dbname": "postgres"}
    try:
        with psycopg.connect(**admin, connect_timeout=5, autocommit=True) as conn:
            pg_version = conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error as exc:
        raise ServiceError(
            f"PostgreSQL is not reachable at {params['host']}:{params['port']} "
            f"(user {params['user']}): {exc}\n"
            "Start it (e.g. `service postgresql start`) or set BENCH_DATABASE_URL."
        ) from None
    redis = urlsplit(env["REDIS_URL"])
    try:
        info = _redis_command(redis.hostname or "127.0.0.1", redis.port or 6379, "INFO server")
    except OSError as exc:
        raise ServiceError(
            f"Redis is not reachable at {redis.hostname}:{redis.port}: {exc}\n"
            "Start it (e.g. `service redis-server start`) or set BENCH_REDIS_URL."
        ) from None
    redis_version = next(
        (line.split(":", 1)[1] for line in info.splitlines() if line.startswith("redis_version:")),
        "unknown",
    )
    return {"postgres": pg_version, "redis": redis_version}


def _redis_command(host: str, port: int, command: str) -> str:
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(command.encode() + b"\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            if data.startswith(b"$"):
                header, _, rest = data.partition(b"\r\n")
                if len(rest) >= int(header[1:]):
                    break
            elif data.endswith(b"\r\n"):
                break
    if data.startswith(b"-"):
        raise OSError(data.decode(errors="replace").strip())
    return data.decode(errors="replace")


def prepare_database(env: dict[str, str], *, fresh: bool) -> None:
    """Create the benchmark database if it is missing (drop it first when ``fresh``:
    a full run starts from an empty database), then migrate it."""
    import psycopg
    from psycopg import sql

    params = _pg_params(env["DATABASE_URL"])
    name = params["dbname"]
    if not name or name in ("postgres", "test", "template0", "template1"):
        raise ServiceError(f"Refusing to use the database {name!r} for benchmarks.")
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as conn:
        ident = sql.Identifier(name)
        if fresh:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
    )


# -------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def start_daphne(
    settings_module: str = "knock.settings", app: str = "knock.asgi:application"
) -> tuple[subprocess.Popen, int]:
    """The product's ASGI server (daphne, one process, no access log) on a free port."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module}
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(port),
         app],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        wait_for_port(port)
    except RuntimeError:
        server.kill()
        err = server.stderr.read().decode(errors="replace") if server.stderr else ""
        raise RuntimeError(f"daphne did not start:\n{err[-2000:]}") from None
    return server, port


def start_uvicorn(
    settings_module: str = "knock.settings",
    app: str = "knock.asgi:application",
    *,
    workers: int = 2,
) -> tuple[subprocess.Popen, int]:
    """The production server (README, "Running in production"; tests/smoke/prod_smoke.py):
    uvicorn with ``workers`` processes on a free port, no access log. With one worker
    uvicorn serves in its own process; with more, that process supervises the workers
    (their CPU is counted by ``cpu.Meter`` through the process tree)."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module}
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers), "--log-level", "warning", "--no-access-log"]  # fmt: skip
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_for_port(port)
        if workers > 1:
            wait_for_children(server.pid, workers)
    except RuntimeError:
        server.kill()
        err = server.stderr.read().decode(errors="replace") if server.stderr else ""
        raise RuntimeError(f"uvicorn did not start:\n{err[-2000:]}") from None
    return server, port


def wait_for_children(pid: int, count: int, timeout: float = 60.0) -> None:
    """Until ``count`` worker processes run under ``pid``, then a short settle (the
    port answers as soon as the first worker listens)."""
    from bench import cpu

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(cpu.descendants(pid)) >= count:
            time.sleep(1.0)
            return
        time.sleep(0.1)
    raise RuntimeError(f"uvicorn started fewer than {count} workers in {timeout} s")


def warm(port: int, path: str = "/bench/floor/", requests: int = 40) -> None:
    """A few GETs over new connections (``path`` answers 405 on the floor's settings),
    so that every worker has loaded the app before the clock starts."""
    import contextlib
    import urllib.error
    import urllib.request

    for _ in range(requests):
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30).read()  # noqa: S310


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# ----------------------------------------------------------------- statistics


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (q in 0..1) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def standalone() -> dict[str, str]:
    """For a benchmark run on its own: check the services, create/migrate the database."""
    apply_env()
    env = {k: os.environ[k] for k in bench_env()}
    check_services(env)
    prepare_database(env, fresh=False)
    return env
