"""The one place that talks to Google Calendar (google-api-python-client + google-auth).

A service account with domain-wide delegation impersonates a user
(`with_subject`), so it can read free/busy and write events with attendees
(a service account on its own cannot invite anyone). The client is built from
the discovery document shipped with the library (`static_discovery=True`: no
network at build); the token URI comes from the service-account JSON, and
GOOGLE_CALENDAR_API_ENDPOINT points the API elsewhere (tests, proxies).

The wire is httplib2: `new_http(timeout)` is the only transport made here, so
tests swap it for googleapiclient's HttpMockSequence or point the endpoints at
a loopback fake server; the backend and the delivery handlers use only the
functions below.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from datetime import datetime

import httplib2
from django.conf import settings
from google.auth import exceptions as auth_exceptions
from google.oauth2 import service_account
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient import errors as api_errors
from googleapiclient.discovery import build

FREEBUSY_SCOPES = ("https://www.googleapis.com/auth/calendar.freebusy",)
EVENTS_SCOPES = ("https://www.googleapis.com/auth/calendar",)
REQUIRED_KEYS = ("type", "client_email", "private_key", "token_uri")
# Google's rate limits (403 with these reasons, or 429) and 5xx: back off and retry.
RATE_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}


class InvalidServiceAccount(ValueError):
    """The pasted or configured service-account JSON is unusable (the message says why)."""


def parse_service_account(text: str) -> dict:
    """The service-account info from its JSON, validated (the key itself is loaded)."""
    try:
        info = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise InvalidServiceAccount("This is not JSON: paste the key file as downloaded.") from exc
    if not isinstance(info, dict):
        raise InvalidServiceAccount("Expected a JSON object (a service-account key file).")
    missing = [k for k in REQUIRED_KEYS if not isinstance(info.get(k), str) or not info.get(k)]
    if missing:
        raise InvalidServiceAccount(f"Missing in the key file: {', '.join(missing)}.")
    if info["type"] != "service_account":
        raise InvalidServiceAccount(
            f'"type" is {info["type"]!r}: a service-account key has "service_account".'
        )
    if not info["token_uri"].startswith(("https://", "http://")):
        raise InvalidServiceAccount('"token_uri" must be an http(s) URL.')
    try:
        service_account.Credentials.from_service_account_info(info)
    except (ValueError, TypeError, IndexError) as exc:
        raise InvalidServiceAccount(f"The private key cannot be read: {exc}") from exc
    return info


@dataclass
class GoogleError(Exception):
    """A failed call, classified: `retryable` (rate limits, 5xx, time-outs) or not."""

    message: str
    status: int | None = None
    reason: str = ""
    retryable: bool = False
    retry_after: float | None = None

    def __str__(self) -> str:
        return self.message


def _http_error(exc: api_errors.HttpError) -> GoogleError:
    status = int(exc.resp.status)
    reason, message = "", ""
    try:  # {"error": {"code", "message", "errors": [{"domain", "reason", "message"}]}}
        error = json.loads(exc.content.decode("utf-8", "replace")).get("error", {})
        if isinstance(error, dict):
            message = str(error.get("message") or "")
            details = error.get("errors") or [{}]
            reason = str(details[0].get("reason") or "")
        else:  # the OAuth-style {"error": "invalid_request"}
            message = str(error)
    except (ValueError, AttributeError, TypeError, IndexError, KeyError):
        message = exc.content[:200].decode("utf-8", "replace") if exc.content else ""
    retry_after = None
    header = exc.resp.get("retry-after")
    if header:
        try:
            retry_after = float(header)
        except ValueError:
            retry_after = None
    retryable = status == 429 or status >= 500 or (status == 403 and reason in RATE_LIMIT_REASONS)
    text = f"Google Calendar {status}{f' {reason}' if reason else ''}: {message or 'no message'}"
    return GoogleError(text[:480], status, reason, retryable, retry_after)


def classify(exc: BaseException) -> GoogleError:
    """Any exception a call can raise, as a GoogleError."""
    if isinstance(exc, GoogleError):
        return exc
    if isinstance(exc, api_errors.HttpError):
        return _http_error(exc)
    if isinstance(exc, auth_exceptions.RefreshError):
        # The token endpoint refused: e.g. unauthorized_client when domain-wide
        # delegation is not granted for these scopes, or invalid_grant for an
        # unknown user. google-auth says whether a retry can help.
        detail = exc.args[0] if exc.args else exc
        retryable = bool(getattr(exc, "retryable", False))
        return GoogleError(f"Google token refused: {detail}"[:480], None, "auth", retryable)
    if isinstance(exc, TimeoutError | socket.timeout):
        return GoogleError("Google Calendar did not answer in time", None, "timeout", True)
    if isinstance(exc, auth_exceptions.TransportError | httplib2.HttpLib2Error | OSError):
        return GoogleError(f"Google Calendar unreachable: {exc}"[:480], None, "transport", True)
    raise exc


# -- building a client -----------------------------------------------------------------
def new_http(timeout: float) -> httplib2.Http:
    """The transport (one per client: httplib2.Http is not thread-safe)."""
    return httplib2.Http(timeout=timeout)


_credentials: dict[tuple, service_account.Credentials] = {}
_credentials_lock = threading.Lock()


def credentials(info: dict, subject: str, scopes: tuple[str, ...]):
    """Delegated credentials for `subject`, kept per process so the access token is
    reused until it expires (one token request per user and hour, not per call)."""
    key = (info["client_email"], info.get("private_key_id", ""), info["token_uri"], subject, scopes)
    with _credentials_lock:
        found = _credentials.get(key)
        if found is None:
            base = service_account.Credentials.from_service_account_info(info, scopes=scopes)
            found = _credentials[key] = base.with_subject(subject)
        return found


def forget_credentials() -> None:
    with _credentials_lock:
        _credentials.clear()


def api_endpoint() -> str:
    """GOOGLE_CALENDAR_API_ENDPOINT, with Calendar's path added to a bare host."""
    endpoint = (getattr(settings, "GOOGLE_CALENDAR_API_ENDPOINT", "") or "").strip()
    if not endpoint:
        return ""
    if endpoint.rstrip("/").count("/") <= 2:  # "http://host:port" or "http://host:port/"
        return endpoint.rstrip("/") + "/calendar/v3/"
    return endpoint if endpoint.endswith("/") else endpoint + "/"


def connect(info: dict, subject: str, scopes: tuple[str, ...], timeout: float):
    """A Calendar v3 client acting as `subject` (no network until the first call)."""
    http = AuthorizedHttp(credentials(info, subject, scopes), http=new_http(timeout))
    endpoint = api_endpoint()
    return build(
        "calendar",
        "v3",
        http=http,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": endpoint} if endpoint else None,
    )


# -- calls ------------------------------------------------------------------------------
def _run(request):
    try:
        return request.execute(num_retries=0)  # retries belong to the outbox, not here
    except Exception as exc:
        raise classify(exc) from exc


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def freebusy(client, calendar_ids: list[str], start: datetime, end: datetime) -> dict:
    """freebusy.query for at most 50 calendars: Google's answer {"calendars": {...}}."""
    body = {
        "timeMin": _rfc3339(start),
        "timeMax": _rfc3339(end),
        "timeZone": "UTC",
        "items": [{"id": cid} for cid in calendar_ids],
    }
    return _run(client.freebusy().query(body=body))


def insert_event(client, calendar_id: str, body: dict) -> dict:
    request = client.events().insert(
        calendarId=calendar_id, body=body, conferenceDataVersion=1, sendUpdates="all"
    )
    return _run(request)


def get_event(client, calendar_id: str, event_id: str) -> dict:
    return _run(client.events().get(calendarId=calendar_id, eventId=event_id))


def patch_event(client, calendar_id: str, event_id: str, body: dict) -> dict:
    request = client.events().patch(
        calendarId=calendar_id,
        eventId=event_id,
        body=body,
        conferenceDataVersion=1,
        sendUpdates="all",
    )
    return _run(request)


def delete_event(client, calendar_id: str, event_id: str) -> None:
    request = client.events().delete(calendarId=calendar_id, eventId=event_id, sendUpdates="all")
    _run(request)
