"""A fake Google Calendar API (and OAuth token endpoint) on 127.0.0.1 that the real
google-api-python-client and google-auth talk to.

    with FakeGoogleCalendar() as google:
        info = google.service_account()           # a key file whose token_uri is this server
        settings.GOOGLE_CALENDAR_API_ENDPOINT = google.api_endpoint
        google.busy["rep1@acme.test"] = [(start, end)]
        google.calendar_errors["gone@acme.test"] = "notFound"
        google.fail_next("freeBusy", status=403, reason="rateLimitExceeded")
        ...
        google.calls_to("events.insert")[0].body["attendees"]

It speaks Google's wire format: the service account's JWT-bearer grant on
POST /token (the assertion's signature is checked against the key file's
public key; `sub` is the impersonated user), then Bearer tokens on
POST /calendar/v3/freeBusy and POST/GET/PATCH/DELETE
/calendar/v3/calendars/{calendarId}/events[/{eventId}]. Errors have Google's
shape: {"error": {"code", "message", "errors": [{"domain", "reason", "message"}],
"status"}}. freebusy answers each calendar on its own, a calendar's error
inside the 200 answer, as Google does (and past 50 calendars:
tooManyCalendarsRequested).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    410: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
DEFAULT_MESSAGES = {
    "rateLimitExceeded": "Rate Limit Exceeded",
    "userRateLimitExceeded": "User Rate Limit Exceeded",
    "backendError": "Backend Error",
    "notFound": "Not Found",
    "duplicate": "The requested identifier already exists.",
    "deleted": "Resource has been deleted",
    "authError": "Invalid Credentials",
    "invalid": "Invalid value",
}


@lru_cache(maxsize=1)
def rsa_key_pem() -> str:
    """A throwaway RSA key (made once per test run) for fake service-account files."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@dataclass
class Call:
    """One request the fake received."""

    name: str  # "token", "freeBusy", "events.insert", "events.get", "events.patch", ...
    method: str
    path: str
    query: dict[str, str]
    body: Any
    subject: str | None  # the impersonated user (from the access token)
    headers: dict[str, str]
    time: float = field(default_factory=time.time)


@dataclass
class _Fault:
    status: int
    reason: str
    message: str
    delay: float = 0.0
    retry_after: int | None = None


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _claims(assertion: str) -> dict:
    """The JWT's claims, unverified (for the captured call; the grant verifies them)."""
    try:
        return json.loads(_b64decode(assertion.split(".")[1]))
    except (IndexError, ValueError):
        return {}


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeGoogleCalendar:
    """A threaded HTTP server holding busy times and events per calendar id."""

    def __init__(self, *, client_email: str = "knock@knock-test.iam.gserviceaccount.com"):
        self.client_email = client_email
        self.private_key = rsa_key_pem()
        public = serialization.load_pem_private_key(self.private_key.encode(), None).public_key()
        self._public_key = public
        self.busy: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
        self.calendar_errors: dict[str, str] = {}  # calendar id -> reason, e.g. "notFound"
        self.refused_subjects: set[str] = set()  # the token endpoint says unauthorized_client
        self.events: dict[tuple[str, str], dict] = {}  # (calendar id, event id) -> event
        self.deleted: set[tuple[str, str]] = set()
        self.calls: list[Call] = []
        self._tokens: dict[str, str] = {}  # access token -> subject
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._meet = 0
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.token_uri = self.url + "/token"
        self.api_endpoint = self.url + "/calendar/v3/"

    # ----- lifecycle and test helpers -----
    def __enter__(self) -> FakeGoogleCalendar:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if not self._stopping.is_set():
            self._stopping.set()
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()

    def service_account(self, **overrides) -> dict:
        """A service-account key file (as Google's console downloads it) for this server."""
        info = {
            "type": "service_account",
            "project_id": "knock-test",
            "private_key_id": "0123456789abcdef0123456789abcdef01234567",
            "private_key": self.private_key,
            "client_email": self.client_email,
            "client_id": "109876543210987654321",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "universe_domain": "googleapis.com",
        }
        info.update(overrides)
        return info

    def calls_to(self, name: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.name == name]

    def fail_next(
        self,
        name: str,
        *,
        status: int = 500,
        reason: str = "backendError",
        message: str | None = None,
        times: int = 1,
        delay: float = 0.0,
        retry_after: int | None = None,
    ) -> None:
        """The next `times` calls of `name` ("freeBusy", "events.insert", "token"...) fail."""
        with self._lock:
            for _ in range(times):
                text = message or DEFAULT_MESSAGES.get(reason, reason)
                self._faults[name].append(_Fault(status, reason, text, delay, retry_after))

    def delay_next(self, name: str, seconds: float, *, times: int = 1) -> None:
        """The next calls of `name` answer normally, after `seconds` (for time-outs)."""
        with self._lock:
            for _ in range(times):
                self._faults[name].append(_Fault(0, "", "", seconds))

    # ----- dispatch -----
    def _respond(self, method: str, url, headers: dict, raw: bytes):
        path = url.path
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        if path == "/token" and method == "POST":
            body = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
            user = _claims(body.get("assertion", "")).get("sub")
            return self._record("token", method, path, query, body, user, headers, self._token)
        subject = self._tokens.get(headers.get("authorization", "").removeprefix("Bearer "))
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                return _error(400, "parseError", "Parse Error")
        route = self._route(method, path)
        if route is None:
            return _error(404, "notFound", "Not Found")
        name, handler, args = route
        if subject is None:
            self._log(name, method, path, query, body, None, headers)
            return _error(401, "authError", "Invalid Credentials")
        return self._record(name, method, path, query, body, subject, headers, handler, *args)

    def _route(self, method: str, path: str):
        if path == "/calendar/v3/freeBusy" and method == "POST":
            return "freeBusy", self._freebusy, ()
        match = re.fullmatch(r"/calendar/v3/calendars/([^/]+)/events(?:/([^/]+))?", path)
        if not match:
            return None
        calendar_id, event_id = unquote(match.group(1)), match.group(2)
        if event_id is None:
            return ("events.insert", self._insert, (calendar_id,)) if method == "POST" else None
        event_id = unquote(event_id)
        handlers = {"GET": ("events.get", self._get), "PATCH": ("events.patch", self._patch)}
        handlers["DELETE"] = ("events.delete", self._delete)
        if method not in handlers:
            return None
        name, handler = handlers[method]
        return name, handler, (calendar_id, event_id)

    def _log(self, name, method, path, query, body, subject, headers) -> None:
        with self._lock:
            self.calls.append(Call(name, method, unquote(path), query, body, subject, headers))

    def _record(self, name, method, path, query, body, subject, headers, handler, *args):
        self._log(name, method, path, query, body, subject, headers)
        with self._lock:
            fault = self._faults[name].popleft() if self._faults[name] else None
        if fault is not None and fault.delay:
            self._stopping.wait(fault.delay)
        if fault is not None and fault.status:
            if name == "token":
                return _json(
                    {"error": fault.reason, "error_description": fault.message}, fault.status
                )
            return _error(fault.status, fault.reason, fault.message, fault.retry_after)
        with self._lock:
            return handler(query, body, subject, *args)

    # ----- OAuth: the service account's JWT-bearer grant -----
    def _token(self, query, body, subject):
        if body.get("grant_type") != JWT_BEARER:
            return _json({"error": "unsupported_grant_type"}, 400)
        try:
            head, claims_part, signature = body["assertion"].split(".")
            claims = json.loads(_b64decode(claims_part))
            self._public_key.verify(
                _b64decode(signature),
                f"{head}.{claims_part}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except Exception:
            return _json({"error": "invalid_grant", "error_description": "Invalid JWT"}, 400)
        # google-auth signs for Google's token endpoint whatever the key file's token_uri.
        audiences = {self.token_uri, GOOGLE_TOKEN_AUDIENCE}
        if claims.get("aud") not in audiences or claims.get("iss") != self.client_email:
            return _json({"error": "invalid_grant", "error_description": "Bad audience"}, 400)
        user = claims.get("sub") or self.client_email
        if user in self.refused_subjects:
            return _json(
                {
                    "error": "unauthorized_client",
                    "error_description": "Client is unauthorized to retrieve access tokens "
                    "using this method, or client not authorized for any of the scopes requested.",
                },
                401,
            )
        token = "ya29.fake-" + secrets.token_urlsafe(16)
        self._tokens[token] = user
        return _json({"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

    # ----- Calendar -----
    def _freebusy(self, query, body, subject):
        if not isinstance(body, dict) or "timeMin" not in body or "timeMax" not in body:
            return _error(400, "required", "Missing time range.")
        lo, hi = _dt(body["timeMin"]), _dt(body["timeMax"])
        if hi <= lo:
            return _error(400, "timeRangeEmpty", "The specified time range is empty.")
        answer = {}
        for n, item in enumerate(body.get("items") or []):
            cid = item.get("id", "")
            reason = self.calendar_errors.get(cid)
            if n >= 50:
                reason = "tooManyCalendarsRequested"
            if reason:
                answer[cid] = {"errors": [{"domain": "calendar", "reason": reason}], "busy": []}
                continue
            busy = [
                {"start": _rfc3339(max(s, lo)), "end": _rfc3339(min(e, hi))}
                for s, e in sorted(self.busy.get(cid, []))
                if s < hi and e > lo
            ]
            answer[cid] = {"busy": busy}
        return _json(
            {
                "kind": "calendar#freeBusy",
                "timeMin": _rfc3339(lo),
                "timeMax": _rfc3339(hi),
                "calendars": answer,
            }
        )

    def _insert(self, query, body, subject, calendar_id):
        if not isinstance(body, dict) or "start" not in body or "end" not in body:
            return _error(400, "required", "Missing end time.")
        event_id = body.get("id") or secrets.token_hex(13)
        if not EVENT_ID.match(event_id):
            return _error(400, "invalid", "Invalid resource id value.")
        if (calendar_id, event_id) in self.events or (calendar_id, event_id) in self.deleted:
            return _error(409, "duplicate", DEFAULT_MESSAGES["duplicate"])
        if _dt(body["end"]["dateTime"]) <= _dt(body["start"]["dateTime"]):
            return _error(400, "timeRangeEmpty", "The specified time range is empty.")
        now = _rfc3339(datetime.now(UTC))
        event = {
            "kind": "calendar#event",
            "etag": f'"{int(time.time() * 1000)}"',
            "id": event_id,
            "status": "confirmed",
            "htmlLink": f"https://www.google.com/calendar/event?eid={event_id}",
            "created": now,
            "updated": now,
            "creator": {"email": subject, "self": True},
            "organizer": {"email": subject, "self": True},
            "iCalUID": f"{event_id}@google.com",
            "sequence": 0,
            **{k: v for k, v in body.items() if k not in ("conferenceData", "id")},
        }
        request = (body.get("conferenceData") or {}).get("createRequest")
        if query.get("conferenceDataVersion") == "1" and request:
            self._meet += 1
            code = f"abc-{self._meet:04d}-xyz"
            event["hangoutLink"] = f"https://meet.google.com/{code}"
            event["conferenceData"] = {
                "createRequest": {**request, "status": {"statusCode": "success"}},
                "entryPoints": [
                    {
                        "entryPointType": "video",
                        "uri": f"https://meet.google.com/{code}",
                        "label": f"meet.google.com/{code}",
                    }
                ],
                "conferenceSolution": {
                    "key": {"type": "hangoutsMeet"},
                    "name": "Google Meet",
                    "iconUri": "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png",
                },
                "conferenceId": code,
            }
        self.events[(calendar_id, event_id)] = event
        return _json(event)

    def _existing(self, calendar_id, event_id):
        if (calendar_id, event_id) in self.deleted:
            return None, _error(410, "deleted", DEFAULT_MESSAGES["deleted"])
        event = self.events.get((calendar_id, event_id))
        if event is None:
            return None, _error(404, "notFound", "Not Found")
        return event, None

    def _get(self, query, body, subject, calendar_id, event_id):
        event, error = self._existing(calendar_id, event_id)
        return error or _json(event)

    def _patch(self, query, body, subject, calendar_id, event_id):
        event, error = self._existing(calendar_id, event_id)
        if error:
            return error
        event.update({k: v for k, v in (body or {}).items() if k not in ("id", "conferenceData")})
        event["sequence"] += 1
        event["updated"] = _rfc3339(datetime.now(UTC))
        return _json(event)

    def _delete(self, query, body, subject, calendar_id, event_id):
        event, error = self._existing(calendar_id, event_id)
        if error:
            return error
        del self.events[(calendar_id, event_id)]
        self.deleted.add((calendar_id, event_id))
        return 204, {"Content-Length": "0"}, b""


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeGoogleCalendar/1.0"
    protocol_version = "HTTP/1.1"  # httplib2 keeps connections alive

    def _handle(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, reply_headers, body = self.server.fake._respond(self.command, url, headers, raw)
        try:
            self.send_response(status)
            for name, value in reply_headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its time-out fired during a delay)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _json(body: dict, status: int = 200, extra: dict | None = None):
    data = json.dumps(body).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=UTF-8", "Content-Length": str(len(data))}
    headers.update(extra or {})
    return status, headers, data


def _error(status: int, reason: str, message: str, retry_after: int | None = None):
    """Google's error shape (googleapis JSON error format)."""
    domain = "usageLimits" if "RateLimit" in reason or reason == "quotaExceeded" else "global"
    body = {
        "error": {
            "errors": [{"domain": domain, "reason": reason, "message": message}],
            "code": status,
            "message": message,
            "status": STATUS_NAMES.get(status, "UNKNOWN"),
        }
    }
    extra = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return _json(body, status, extra)
