"""A fake Slack Web API server that the real ``slack_sdk.WebClient`` can talk to.

    with FakeSlack(users=make_users(50)) as slack:
        client = WebClient(token="xoxb-test", base_url=slack.url)  # slack.url ends in "/api/"
        client.chat_postMessage(channel="#leads", text="New lead")
        assert slack.messages[0]["text"] == "New lead"

It speaks Slack's wire format: every call is ``POST /api/<method>`` (GET with a query string
works too) with the token in ``Authorization: Bearer ...`` (or a ``token`` form field), and a
JSON or ``application/x-www-form-urlencoded`` body. API errors are HTTP 200 with
``{"ok": false, "error": "..."}``; rate limits are HTTP 429 with a ``Retry-After`` header.

Note: ``WebClient`` retries one connection error by default (``ConnectionErrorRetryHandler``),
so a single ``drop_connection_next`` is invisible to a default client; pass
``retry_handlers=[]`` or ``times=2`` to see the error.
"""

from __future__ import annotations

import base64
import json
import math
import random
import string
import threading
import time
from collections import defaultdict, deque
from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

JSON_FIELDS = ("blocks", "attachments", "metadata")  # sent as JSON strings in form bodies
INTERNAL_KEYS = ("channel", "unfurl_links", "unfurl_media")  # stored for tests, not Slack fields
STATUS_ERRORS = {500: "internal_error", 503: "service_unavailable"}


class SlackError(Exception):
    """Raised by a handler to answer HTTP 200 ``{"ok": false, "error": <message>}``."""


@dataclass
class Call:
    """One request the fake received."""

    method: str  # "chat.postMessage"
    headers: dict[str, str]  # header names lower-cased
    params: dict[str, Any]  # query + body; JSON strings in blocks/attachments/metadata decoded
    body_format: str  # "json", "form" or "query" (no body)
    token: str | None
    time: float


@dataclass
class _Fault:
    status: int | None = None
    error: str | None = None
    retry_after: int | None = None
    drop: bool = False


class FakeSlack:
    """A threaded HTTP server on 127.0.0.1 holding a tiny Slack workspace."""

    def __init__(
        self,
        *,
        tokens: set[str] | None = None,
        users: list[dict] | None = None,
        channels: dict[str, str] | None = None,
        team_id: str = "T0KNOCK",
        team: str = "Knock Test",
        bot_user_id: str = "U0KNOCKBOT",
        bot_id: str = "B0KNOCKBOT",
        app_id: str = "A0KNOCK",
    ):
        self.tokens = set(tokens) if tokens is not None else {"xoxb-test"}
        self.users = list(users or [])
        self.channels = dict(channels) if channels is not None else {"C0LEADS01": "leads"}
        self.joined = set(self.channels)  # channels the bot is a member of
        self.team_id, self.team = team_id, team
        self.bot_user_id, self.bot_id, self.app_id = bot_user_id, bot_id, app_id
        self.dms: dict[str, str] = {}  # user id -> "D..." channel id, filled by conversations.open
        self.messages: list[dict] = []  # Slack message objects + "channel" (oldest first)
        self.calls: list[Call] = []
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._delays: dict[str, float] = {}
        self._limits: dict[str, int] = {}
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._last_ts = 0
        self._rng = random.Random(0)
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_port}/api/"

    # ----- lifecycle and test helpers -----

    def __enter__(self) -> FakeSlack:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if not self._stopping.is_set():
            self._stopping.set()  # wakes any delayed handler
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()

    def reset(self) -> None:
        """Forget messages, calls, DMs and injected faults; keep tokens, users and channels."""
        with self._lock:
            self.messages.clear()
            self.calls.clear()
            self.dms.clear()
            self._faults.clear()
            self._delays.clear()
            self._limits.clear()
            self._hits.clear()

    def client(self, token: str = "xoxb-test", **kwargs):
        """A real ``WebClient`` pointed at this server."""
        from slack_sdk import WebClient

        return WebClient(token=token, base_url=self.url, **kwargs)

    def add_channel(self, channel_id: str, name: str, *, member: bool = True) -> None:
        with self._lock:
            self.channels[channel_id] = name
            (self.joined.add if member else self.joined.discard)(channel_id)

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def messages_in(self, channel: str) -> list[dict]:
        return [m for m in self.messages if m["channel"] == channel]

    # ----- fault injection -----

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``method`` ("*" = any) fail.

        ``status`` -> that HTTP status (429 gets ``Retry-After``); ``retry_after`` alone -> 429
        ``ratelimited``; ``error`` alone -> HTTP 200 ``{"ok": false, "error": error}``.
        """
        if status is None and error is None and retry_after is None:
            raise ValueError("give status, error or retry_after")
        if status is None and retry_after is not None:
            status = 429
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            self._faults[method].extend(_Fault(status, error, retry_after) for _ in range(times))

    def drop_connection_next(self, method: str, *, times: int = 1) -> None:
        """Close the socket without answering the next ``times`` calls of ``method``."""
        with self._lock:
            self._faults[method].extend(_Fault(drop=True) for _ in range(times))

    def delay(self, method: str, seconds: float) -> None:
        """Sleep before answering every call of ``method`` (0 to stop)."""
        with self._lock:
            self._delays[method] = seconds

    def rate_limit(self, method: str, per_minute: int | None) -> None:
        """Allow ``per_minute`` calls of ``method`` per sliding minute, then 429 (None to lift)."""
        with self._lock:
            if per_minute is None:
                self._limits.pop(method, None)
            else:
                self._limits[method] = per_minute

    # ----- request pipeline -----

    def _respond(self, method: str, headers: dict, params: dict, body_format: str):
        """Return (status, headers, body bytes), or None to drop the connection."""
        auth = headers.get("authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else None
        if token is None and body_format != "json":
            token = params.pop("token", None)
        with self._lock:
            self.calls.append(Call(method, headers, params, body_format, token, time.time()))
            queue = self._faults.get(method) or self._faults.get("*")
            fault = queue.popleft() if queue else None
            delay = self._delays.get(method, 0)
        if delay:
            self._stopping.wait(delay)
        if fault and fault.drop:
            return None
        if fault and fault.status == 429:
            return _reply({"ok": False, "error": "ratelimited"}, 429, fault.retry_after)
        if fault and fault.status:
            error = fault.error or STATUS_ERRORS.get(fault.status, "internal_error")
            return _reply({"ok": False, "error": error}, fault.status)
        if fault:
            return _reply({"ok": False, "error": fault.error})
        with self._lock:
            wait = self._rate_limited(method)
            if wait:
                return _reply({"ok": False, "error": "ratelimited"}, 429, wait)
            handler = self.HANDLERS.get(method)
            if handler is None:
                return _reply({"ok": False, "error": "unknown_method", "req_method": method}, 404)
            if not token:
                return _reply({"ok": False, "error": "not_authed"})
            if token not in self.tokens:
                return _reply({"ok": False, "error": "invalid_auth"})
            try:
                return _reply({"ok": True, **handler(self, params)})
            except SlackError as e:
                return _reply({"ok": False, "error": str(e)})

    def _rate_limited(self, method: str) -> int:
        """Seconds to wait if ``method`` is over its limit, else 0 (and count the call)."""
        per_minute = self._limits.get(method)
        if not per_minute:
            return 0
        now, hits = time.monotonic(), self._hits[method]
        while hits and now - hits[0] >= 60:
            hits.popleft()
        if len(hits) >= per_minute:
            return max(1, math.ceil(60 - (now - hits[0])))
        hits.append(now)
        return 0

    # ----- state helpers -----

    def _next_ts(self) -> str:
        micros = max(time.time_ns() // 1000, self._last_ts + 1)
        self._last_ts = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _user(self, user_id: str | None) -> dict:
        for user in self.users:
            if user["id"] == user_id:
                return user
        raise SlackError("user_not_found")

    def _conversation(self, channel: str | None, *, users_ok: bool = False) -> str:
        """Resolve an id, "#name" or (for posting) a user id to a channel id the bot is in."""
        channel = (channel or "").strip()
        by_name = {name: cid for cid, name in self.channels.items()}
        cid = by_name.get(channel.removeprefix("#"), channel)
        if cid in self.channels:
            if cid not in self.joined:
                raise SlackError("not_in_channel")
            return cid
        if cid in self.dms.values():
            return cid
        if users_ok and any(u["id"] == cid for u in self.users):
            return self._open_dm(self._user(cid))[0]
        raise SlackError("channel_not_found")

    def _open_dm(self, user: dict) -> tuple[str, bool]:
        if user.get("deleted"):
            raise SlackError("user_disabled")
        already_open = user["id"] in self.dms
        self.dms[user["id"]] = f"D{user['id'][1:]}"
        return self.dms[user["id"]], already_open

    def _message(self, channel: str, ts: str | None) -> dict:
        for msg in self.messages:
            if msg["channel"] == channel and msg["ts"] == ts:
                return msg
        raise SlackError("message_not_found")

    def _content(self, params: dict, msg: dict) -> None:
        """Validate and copy text/blocks/attachments/metadata from ``params`` into ``msg``."""
        if "text" in params:
            msg["text"] = params["text"] or ""
        if params.get("blocks") is not None:
            blocks = params["blocks"]
            if isinstance(blocks, str):
                raise SlackError("invalid_blocks_format")
            if not isinstance(blocks, list) or len(blocks) > 50:
                raise SlackError("invalid_blocks")
            if not all(isinstance(b, dict) and b.get("type") for b in blocks):
                raise SlackError("invalid_blocks")
            msg["blocks"] = [{"block_id": self._block_id(), **b} for b in blocks]
        if params.get("attachments") is not None:
            msg["attachments"] = params["attachments"]
        if params.get("metadata") is not None:
            meta = params["metadata"]
            if not (
                isinstance(meta, dict)
                and isinstance(meta.get("event_type"), str)
                and isinstance(meta.get("event_payload"), dict)
            ):
                raise SlackError("invalid_metadata_format")
            msg["metadata"] = {k: meta[k] for k in ("event_type", "event_payload")}

    def _block_id(self) -> str:  # Slack gives every block without one a random block_id
        return "".join(self._rng.choices(string.ascii_letters, k=5))

    def _timeline(self, params: dict, messages: list[dict]) -> list[dict]:
        """Filter by oldest/latest (exclusive unless ``inclusive``)."""
        try:
            oldest = Decimal(str(params.get("oldest") or 0))
        except InvalidOperation:
            raise SlackError("invalid_ts_oldest") from None
        try:
            latest = Decimal(str(params.get("latest") or "9999999999"))
        except InvalidOperation:
            raise SlackError("invalid_ts_latest") from None
        if _flag(params.get("inclusive")):
            return [m for m in messages if oldest <= Decimal(m["ts"]) <= latest]
        return [m for m in messages if oldest < Decimal(m["ts"]) < latest]

    # ----- Web API methods: handler(self, params) -> response fields besides "ok" -----

    def _auth_test(self, p: dict) -> dict:
        return {
            "url": f"https://{self.team.lower().replace(' ', '-')}.slack.com/",
            "team": self.team,
            "user": "knockrouter",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _users_list(self, p: dict) -> dict:
        members, cursor = _paginate(self.users, p, "user", lambda u: u["id"], default_limit=0)
        return {
            "members": members,
            "cache_ts": int(time.time()),
            "response_metadata": {"next_cursor": cursor},
        }

    def _users_info(self, p: dict) -> dict:
        return {"user": self._user(p.get("user"))}

    def _conversations_open(self, p: dict) -> dict:
        if p.get("channel"):
            if p["channel"] not in self.dms.values():
                raise SlackError("channel_not_found")
            return {"no_op": True, "already_open": True, "channel": {"id": p["channel"]}}
        ids = [u.strip() for u in str(p.get("users") or "").split(",") if u.strip()]
        if not ids:
            raise SlackError("users_list_not_supplied")
        if len(ids) > 1:
            raise SlackError("fake_slack_does_not_support_mpims")
        user = self._user(ids[0])
        channel_id, already_open = self._open_dm(user)
        channel: dict[str, Any] = {"id": channel_id}
        if _flag(p.get("return_im")):
            channel.update(
                {
                    "created": int(time.time()),
                    "is_im": True,
                    "is_org_shared": False,
                    "user": user["id"],
                    "last_read": "0000000000.000000",
                    "latest": None,
                    "unread_count": 0,
                    "unread_count_display": 0,
                    "is_open": True,
                    "priority": 0,
                }
            )
        extra = {"no_op": True, "already_open": True} if already_open else {}
        return {**extra, "channel": channel}

    def _chat_post_message(self, p: dict) -> dict:
        channel = self._conversation(p.get("channel"), users_ok=True)
        if not any(p.get(k) for k in ("text", "blocks", "attachments", "markdown_text")):
            raise SlackError("no_text")
        msg: dict[str, Any] = {
            "channel": channel,
            "user": self.bot_user_id,
            "type": "message",
            "ts": "",
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": p.get("text") or p.get("markdown_text") or "",
            "team": self.team_id,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": "Knock Router",
                "deleted": False,
                "team_id": self.team_id,
            },
        }
        self._content(p, msg)
        for flag in ("unfurl_links", "unfurl_media"):
            if p.get(flag) is not None:
                msg[flag] = _flag(p[flag])
        msg["ts"] = self._next_ts()
        if p.get("thread_ts"):
            msg["thread_ts"] = str(p["thread_ts"])
            thread = (m for m in self.messages_in(channel) if m["ts"] == msg["thread_ts"])
            parent = next(thread, None)
            if parent is not None:
                msg["parent_user_id"] = parent.get("user")
                replies = parent.setdefault("reply_users", [])
                if msg["user"] not in replies:
                    replies.append(msg["user"])
                parent.update(
                    thread_ts=parent["ts"],
                    reply_count=parent.get("reply_count", 0) + 1,
                    reply_users_count=len(replies),
                    latest_reply=msg["ts"],
                )
            if _flag(p.get("reply_broadcast")):
                msg["subtype"] = "thread_broadcast"
        self.messages.append(msg)
        return {"channel": channel, "ts": msg["ts"], "message": _public(msg)}

    def _chat_update(self, p: dict) -> dict:
        channel = self._conversation(p.get("channel"))
        msg = self._message(channel, p.get("ts"))
        if msg.get("user") != self.bot_user_id:
            raise SlackError("cant_update_message")
        updated = dict(msg)
        self._content(p, updated)
        updated["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        msg.update(updated)
        return {"channel": channel, "ts": msg["ts"], "text": msg["text"], "message": _public(msg)}

    def _conversations_history(self, p: dict) -> dict:
        channel = self._conversation(p.get("channel"))
        top_level = [
            m
            for m in self.messages_in(channel)
            if m.get("thread_ts", m["ts"]) == m["ts"] or m.get("subtype") == "thread_broadcast"
        ]
        newest_first = sorted(self._timeline(p, top_level), key=lambda m: Decimal(m["ts"]))[::-1]
        page, cursor = _paginate(newest_first, p, "next_ts", _ts_key, default_limit=100)
        with_meta = _flag(p.get("include_all_metadata"))
        return {
            "messages": [_public(m, metadata=with_meta) for m in page],
            "has_more": bool(cursor),
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            "response_metadata": {"next_cursor": cursor},
        }

    def _conversations_replies(self, p: dict) -> dict:
        channel = self._conversation(p.get("channel"))
        ts = str(p.get("ts") or "")
        thread = [m for m in self.messages_in(channel) if ts in (m["ts"], m.get("thread_ts"))]
        if not thread:
            raise SlackError("thread_not_found")
        thread = sorted(self._timeline(p, thread), key=lambda m: Decimal(m["ts"]))
        page, cursor = _paginate(thread, p, "next_ts", _ts_key, default_limit=1000)
        with_meta = _flag(p.get("include_all_metadata"))
        return {
            "messages": [_public(m, metadata=with_meta) for m in page],
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def _conversations_list(self, p: dict) -> dict:
        channels = [
            {"id": cid, "name": name, "is_channel": True, "is_member": cid in self.joined,
             "is_archived": False}
            for cid, name in sorted(self.channels.items())
        ]  # fmt: skip
        limit = int(p.get("limit") or 100)
        start = int(p.get("cursor") or 0)
        page = channels[start : start + limit]
        more = start + limit < len(channels)
        return {
            "channels": page,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    HANDLERS = {
        "auth.test": _auth_test,
        "conversations.list": _conversations_list,
        "users.list": _users_list,
        "users.info": _users_info,
        "conversations.open": _conversations_open,
        "chat.postMessage": _chat_post_message,
        "chat.update": _chat_update,
        "conversations.history": _conversations_history,
        "conversations.replies": _conversations_replies,
    }


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeSlack/1.0"

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not url.path.startswith("/api/"):
            return self._send(_reply({"ok": False, "error": "unknown_method"}, 404))
        params, body_format = _parse(self.headers.get("Content-Type", ""), raw, url.query)
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.server.fake._respond(url.path[len("/api/") :], headers, params, body_format)
        if reply is None:
            self.close_connection = True  # no bytes at all: the client sees a dropped connection
            return
        self._send(reply)

    do_GET = do_POST

    def _send(self, reply: tuple[int, dict, bytes]) -> None:
        status, headers, body = reply
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. its timeout fired during a delay)

    def log_message(self, format: str, *args: Any) -> None:
        pass


# ----- wire helpers -----


def _parse(content_type: str, raw: bytes, query: str) -> tuple[dict, str]:
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    body_format = "query"
    if raw and content_type.split(";")[0].strip().lower() == "application/json":
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        params.update(body if isinstance(body, dict) else {})
        body_format = "json"
    elif raw:
        params.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        body_format = "form"
    for key in JSON_FIELDS:
        if isinstance(params.get(key), str):
            with suppress(ValueError):  # left as a string: the handler answers invalid_*_format
                params[key] = json.loads(params[key])
    return params, body_format


def _reply(body: dict, status: int = 200, retry_after: int | None = None):
    data = json.dumps(body).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "Content-Length": str(len(data))}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return status, headers, data


def _flag(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _ts_key(msg: dict) -> str:
    return msg["ts"].replace(".", "")


def _public(msg: dict, *, metadata: bool = True) -> dict:
    """A stored message as Slack returns it (a deep copy, without test-only keys)."""
    hidden = INTERNAL_KEYS if metadata else (*INTERNAL_KEYS, "metadata")
    return json.loads(json.dumps({k: v for k, v in msg.items() if k not in hidden}))


def _paginate(items: list, p: dict, prefix: str, key, *, default_limit: int) -> tuple[list, str]:
    """Slack cursor pagination: the cursor is base64("<prefix>:<key of the next item>")."""
    try:
        limit = int(p.get("limit") or default_limit) or len(items)
    except ValueError:
        raise SlackError("invalid_limit") from None
    start = 0
    if p.get("cursor"):
        try:
            kind, _, ident = base64.b64decode(p["cursor"], validate=True).decode().partition(":")
        except ValueError:
            raise SlackError("invalid_cursor") from None
        found = (i for i, item in enumerate(items) if kind == prefix and key(item) == ident)
        start = next(found, -1)
        if start < 0:
            raise SlackError("invalid_cursor")
    following = items[start + limit : start + limit + 1]
    cursor = (
        base64.b64encode(f"{prefix}:{key(following[0])}".encode()).decode() if following else ""
    )
    return items[start : start + limit], cursor


# ----- realistic users -----

FIRST_NAMES = ["Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jamal"]
LAST_NAMES = ["Okafor", "Schmidt", "Nguyen", "Garcia", "Kowalski", "Haddad", "Smith", "Tanaka"]
TIMEZONES = [
    ("America/New_York", "Eastern Standard Time", -18000),
    ("America/Chicago", "Central Standard Time", -21600),
    ("America/Los_Angeles", "Pacific Standard Time", -28800),
    ("Europe/London", "Greenwich Mean Time", 0),
    ("Europe/Berlin", "Central European Time", 3600),
]


def make_users(
    n: int,
    *,
    bots: int = 0,
    deleted: int = 0,
    guests: int = 0,
    slackbot: bool = False,
    team_id: str = "T0KNOCK",
    seed: int = 0,
) -> list[dict]:
    """``n`` users shaped like ``users.list`` members, ``bots``/``deleted``/``guests`` of them
    special (shuffled in deterministically). Guests alternate multi-channel
    (``is_restricted``) and single-channel (``is_ultra_restricted`` too). Like Slack,
    deactivated users carry no tz/is_admin/is_restricted fields. ``slackbot=True`` prepends
    USLACKBOT, which Slack lists with ``is_bot: false``.
    """
    if bots + deleted + guests > n:
        raise ValueError("bots + deleted + guests must not exceed n")
    rng = random.Random(seed)
    kinds = ["bot"] * bots + ["deleted"] * deleted + ["guest"] * guests
    kinds += ["member"] * (n - len(kinds))
    rng.shuffle(kinds)
    users = [_slackbot(team_id)] if slackbot else []
    guest_count = 0
    for i, kind in enumerate(kinds):
        guest_count += kind == "guest"
        users.append(_make_user(i, kind, team_id, rng, single_channel=guest_count % 2 == 0))
    return users


def _make_user(i: int, kind: str, team_id: str, rng: random.Random, single_channel: bool) -> dict:
    first = FIRST_NAMES[i % len(FIRST_NAMES)]
    last = LAST_NAMES[i // len(FIRST_NAMES) % len(LAST_NAMES)]
    user_id = f"U{i + 1:09d}"
    handle = f"{first}.{last}{i}".lower()
    real_name = f"{first} {last}"
    avatar = f"https://avatars.slack-edge.com/{user_id.lower()}"
    profile: dict[str, Any] = {
        "title": "Account Executive",
        "phone": "",
        "skype": "",
        "real_name": real_name,
        "real_name_normalized": real_name,
        "display_name": handle,
        "display_name_normalized": handle,
        "fields": None,
        "status_text": "",
        "status_emoji": "",
        "status_expiration": 0,
        "avatar_hash": f"{rng.getrandbits(48):012x}",
        "email": f"{handle}@knock-test.example.com",
        "first_name": first,
        "last_name": last,
        **{f"image_{size}": f"{avatar}_{size}.png" for size in (24, 32, 48, 72, 192, 512)},
        "team": team_id,
    }
    if kind == "bot":
        app = f"{last} CRM Sync {i}"
        handle = app.lower().replace(" ", "_")
        profile.update(real_name=app, real_name_normalized=app, display_name="", title="")
        profile.update(display_name_normalized="", first_name=app, last_name="")
        profile.update(bot_id=f"B{i + 1:09d}", api_app_id=f"A{i + 1:09d}", always_active=True)
        del profile["email"]
    user: dict[str, Any] = {
        "id": user_id,
        "team_id": team_id,
        "name": handle,
        "deleted": kind == "deleted",
        "color": f"{rng.getrandbits(24):06x}",
        "real_name": profile["real_name"],
    }
    if kind != "deleted":
        tz, tz_label, tz_offset = TIMEZONES[i % len(TIMEZONES)]
        user.update(tz=tz, tz_label=tz_label, tz_offset=tz_offset)
    user["profile"] = profile
    if kind != "deleted":
        user.update(
            is_admin=i == 0 and kind == "member",
            is_owner=i == 0 and kind == "member",
            is_primary_owner=i == 0 and kind == "member",
            is_restricted=kind == "guest",
            is_ultra_restricted=kind == "guest" and single_channel,
        )
    user.update(
        is_bot=kind == "bot",
        is_app_user=False,
        updated=1700000000 + i,
        is_email_confirmed=kind not in ("bot", "deleted"),
        who_can_share_contact_card="EVERYONE",
    )
    return user


def _slackbot(team_id: str) -> dict:
    return {
        "id": "USLACKBOT",
        "team_id": team_id,
        "name": "slackbot",
        "deleted": False,
        "color": "757575",
        "real_name": "Slackbot",
        "tz": "America/Los_Angeles",
        "tz_label": "Pacific Standard Time",
        "tz_offset": -28800,
        "profile": {
            "real_name": "Slackbot",
            "real_name_normalized": "Slackbot",
            "display_name": "Slackbot",
            "display_name_normalized": "Slackbot",
            "first_name": "slackbot",
            "last_name": "",
            "always_active": True,
            "team": team_id,
        },
        "is_admin": False,
        "is_owner": False,
        "is_primary_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": False,
        "is_app_user": False,
        "updated": 0,
        "is_email_confirmed": False,
        "who_can_share_contact_card": "EVERYONE",
    }
