"""Production smoke test: the server the README documents, with production settings.

Run by `make smoke` (and .ci/run). It needs PostgreSQL and Redis (DATABASE_URL
and REDIS_URL, defaults: this machine's), and then:

1. recreates a database of its own, runs `collectstatic`, `migrate`, `seed_demo`
   with DEBUG=0, a random SECRET_KEY and ALLOWED_HOSTS;
2. starts `uvicorn knock.asgi:application --workers 2 --proxy-headers` and a
   `db_worker`, exactly as "Running in production" in the README says, and
   talks to them as a TLS-terminating proxy would (X-Forwarded-Proto: https);
3. logs in through the real login form, crawls every console page reachable
   from the home page (and every script, stylesheet and image they load),
   loads /api/docs/ and its assets, a public Knock Link page, a 404 page, the
   admin, routes a chat over the API and sees its event arrive on the feed
   websocket (the chat is served by either process: the event crosses Redis).

Any answer other than the expected one fails the run with a list of what broke.
Not a pytest module on purpose: it starts real processes with other settings.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import psycopg
import requests
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
PG_ADMIN = os.environ.get("SMOKE_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "knock_smoke"
REDIS_URL = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/3")
MAX_PAGES = 400
SKIP_PATHS = ("/logout/",)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Links(HTMLParser):
    """Every same-site URL a page links to or loads."""

    def __init__(self):
        super().__init__()
        self.pages: list[str] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.pages.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.assets.append(attrs["src"])
        elif tag == "link" and attrs.get("href") and attrs.get("rel") in ("stylesheet", "icon"):
            self.assets.append(attrs["href"])
        elif tag == "img" and attrs.get("src"):
            self.assets.append(attrs["src"])


class Smoke:
    def __init__(self):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.origin = f"https://127.0.0.1:{self.port}"
        self.failures: list[str] = []
        self.checked = 0
        self.procs: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": self.origin,
            "SECURE_PROXY_SSL_HEADER": "1",
            "DATABASE_URL": PG_ADMIN.rsplit("/", 1)[0] + "/" + DB_NAME,
            "REDIS_URL": REDIS_URL,
            "LOG_LEVEL": "WARNING",
        }
        # Cookies are Secure in production: a plain-http client would drop them, so
        # they are kept here and sent by hand, as a browser behind TLS would.
        self.cookies: dict[str, str] = {}

    # -- set-up ------------------------------------------------------------
    def manage(self, *args) -> str:
        done = subprocess.run(
            [PY, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def setup(self) -> str:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
        self.manage("collectstatic", "--noinput", "--clear", "-v", "0")
        self.manage("migrate", "--noinput", "-v", "0")
        out = self.manage("seed_demo", "--chats", "40")
        return re.search(r"Demo API token: (\S+)", out).group(1)

    def start(self):
        server = [PY, "-m", "uvicorn", "knock.asgi:application", "--workers", "2"]
        server += ["--host", "127.0.0.1", "--port", str(self.port), "--proxy-headers"]
        server += ["--log-level", "warning"]
        # Kept open for the processes' output and read back on failure.
        log = {"prefix": "smoke-server-", "suffix": ".log", "delete": False}
        self.log = tempfile.NamedTemporaryFile("w", **log)  # noqa: SIM115
        for cmd in (server, [PY, "manage.py", "db_worker"]):
            self.procs.append(
                subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log)
            )
        for _ in range(150):
            try:
                requests.get(self.base + "/login/", timeout=1, allow_redirects=False)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise SystemExit("the production server did not start (see " + self.log.name + ")")

    def stop(self):
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()

    # -- HTTP as a browser behind a TLS proxy --------------------------------
    def request(self, method, path, **kwargs) -> requests.Response:
        headers = {"X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(
            method, self.base + path, headers=headers, allow_redirects=False, timeout=30, **kwargs
        )
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value
        self.checked += 1
        return response

    def expect(self, what: str, response: requests.Response, status: int, needle: str = ""):
        if response.status_code != status:
            self.failures.append(f"{what}: {response.status_code}, expected {status}")
        elif needle and needle not in response.text:
            self.failures.append(f"{what}: {status} but without {needle!r}")

    def login(self):
        page = self.request("GET", "/login/")
        self.expect("login page", page, 200, "csrfmiddlewaretoken")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        done = self.request(
            "POST",
            "/login/",
            data={"username": "demo", "password": "knock-demo", "csrfmiddlewaretoken": token},
            headers={"Origin": self.origin, "Referer": self.origin + "/login/"},
        )
        self.expect("log in", done, 302)

    def crawl(self) -> tuple[int, set[str]]:
        """Every console page reachable from /, following redirects within the site."""
        seen: set[str] = set()
        assets: set[str] = set()
        queue = ["/"]
        workspace_id = None
        while queue and len(seen) < MAX_PAGES:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            response = self.request("GET", path)
            if response.status_code in (301, 302):
                target = urlsplit(urljoin(self.base + path, response.headers["Location"]))
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
                continue
            self.expect(f"GET {path}", response, 200)
            if "text/html" not in response.headers.get("Content-Type", ""):
                continue
            match = re.search(r"/w/(\d+)/", path)
            workspace_id = workspace_id or (int(match.group(1)) if match else None)
            parser = Links()
            parser.feed(response.text)
            for href in parser.pages:
                url = urlsplit(urljoin(self.base + path, href))
                if url.netloc not in ("", f"127.0.0.1:{self.port}"):
                    continue
                if url.path.startswith(SKIP_PATHS) or url.path in seen:
                    continue
                # Decision pages differ only by id: a few are enough.
                if (
                    re.search(r"/decisions/\d+/$", url.path)
                    and sum(
                        "/decisions/" in s and s.rstrip("/").split("/")[-1].isdigit() for s in seen
                    )
                    >= 5
                ):
                    continue
                queue.append(url.path + (f"?{url.query}" if url.query else ""))
            assets.update(urlsplit(urljoin(self.base + path, a)).path for a in parser.assets)
        return workspace_id, assets

    def api(self, method, path, token, **kwargs):
        return self.request(method, path, headers={"Authorization": f"Token {token}"}, **kwargs)

    def run(self) -> int:
        token = self.setup()
        try:
            self.start()
            self.login()
            workspace_id, assets = self.crawl()
            if workspace_id is None:
                self.failures.append("the console home never named a workspace")
            docs = self.request("GET", "/api/docs/")
            self.expect("GET /api/docs/", docs, 200)
            parser = Links()
            parser.feed(docs.text)
            assets.update(
                urlsplit(urljoin(self.base + "/api/docs/", a)).path for a in parser.assets
            )
            self.expect("GET /api/schema/", self.request("GET", "/api/schema/"), 200, "openapi")
            for asset in sorted(assets):
                self.expect(f"static {asset}", self.request("GET", asset), 200)
            self.expect("404 page", self.request("GET", "/no-such-page/"), 404)
            self.expect("admin", self.request("GET", "/admin/"), 200)
            links = self.api("GET", "/api/v1/links/", token).json()["results"]
            workspace = self.api("GET", "/api/v1/workspace/", token).json()
            slug = links[0]["slug"]
            self.expect(
                "public link page",
                self.request("GET", f"/l/{workspace['slug']}/{slug}/"),
                200,
                "<form",
            )
            self.feed_and_chat(workspace_id or workspace["id"], token, slug)
        finally:
            self.stop()
            if self.failures:
                print(Path(self.log.name).read_text()[-4000:])
        print(f"production smoke: {self.checked} requests, {len(self.failures)} failures")
        for failure in self.failures:
            print("  FAIL", failure)
        return 1 if self.failures else 0

    def feed_and_chat(self, workspace_id: int, token: str, slug: str):
        ws_url = f"ws://127.0.0.1:{self.port}/ws/workspaces/{workspace_id}/feed/"
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = {"Cookie": cookie, "X-Forwarded-Proto": "https"}
        # Several chats: with two server processes, some are served by the process
        # that does not hold the socket, so their events must cross Redis.
        with connect(ws_url, origin=self.origin, additional_headers=headers, open_timeout=10) as ws:
            ids = set()
            for n in range(4):
                chat = self.api(
                    "POST",
                    "/api/v1/chats/",
                    token,
                    json={
                        "link": slug,
                        "lead": {"email": f"smoke{n}@smoke-test.example", "name": "Smoke"},
                        "message": "pricing for 40 seats",
                    },
                )
                self.expect("POST /api/v1/chats/", chat, 201)
                if chat.status_code == 201:
                    ids.add(chat.json()["decision"])
            deadline = time.monotonic() + 15
            seen = set()
            while seen != ids and time.monotonic() < deadline:
                try:
                    event = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
                except TimeoutError:
                    break
                if event.get("type") == "decision.created":
                    seen.add(event["decision"]["id"])
            if seen != ids:
                self.failures.append(f"feed websocket: saw decisions {seen}, expected {ids}")


if __name__ == "__main__":
    sys.exit(Smoke().run())
