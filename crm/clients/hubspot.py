"""A thin HubSpot CRM v3 client over `requests` (private app access token).

Rate limits (https://developers.hubspot.com/docs/api/usage-details): every
response but search's carries X-HubSpot-RateLimit-Remaining /
-Interval-Milliseconds (the rolling window) and -Daily-Remaining. When a window
is exhausted we stop calling until it has passed and answer with a transient
CrmError carrying `retry_after`, instead of earning 429s; a 429 itself is
transient with its Retry-After (else the window length). State is per token
and process-wide, because clients are short-lived.
"""

from __future__ import annotations

import hashlib
import threading
import time
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from crm.backends.base import CrmError

API_URL = "https://api.hubapi.com"
DEFAULT_WINDOW_SECONDS = 10.0  # HubSpot's burst window when it names none
DAILY_LIMIT_PAUSE_SECONDS = 3600.0  # the daily limit resets at midnight in the account's zone

_blocked_until: dict[str, float] = {}  # token fingerprint -> time.monotonic() deadline
_blocked_lock = threading.Lock()


def forget_rate_limits() -> None:
    with _blocked_lock:
        _blocked_until.clear()


class HubSpotClient:
    def __init__(self, access_token: str | None, *, base_url: str = API_URL, timeout: float = 10.0):
        if not access_token:
            raise CrmError(
                "HubSpot access token is missing (a private app token)",
                permanent=True,
                code="credentials",
            )
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.fingerprint = hashlib.sha256(access_token.encode()).hexdigest()[:32]
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
        )

    # -- transport -----------------------------------------------------------------

    def request(self, method: str, path: str, **kwargs) -> Any:
        self._refuse_if_blocked()
        try:
            response = self.session.request(
                method, self.base_url + path, timeout=self.timeout, **kwargs
            )
        except requests.Timeout as exc:
            raise CrmError("HubSpot did not answer in time", code="timeout") from exc
        except requests.RequestException as exc:
            raise CrmError(f"cannot reach HubSpot: {exc}", code="connection") from exc
        if response.status_code != 429:  # a 429 says itself how long to wait (_error)
            self._note_limits(response)
        if response.status_code >= 400:
            raise self._error(response)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise CrmError(
                f"HubSpot sent a non-JSON answer ({response.status_code})", code="bad_response"
            ) from exc

    def _refuse_if_blocked(self) -> None:
        with _blocked_lock:
            deadline = _blocked_until.get(self.fingerprint, 0.0)
        wait = deadline - time.monotonic()
        if wait > 0:
            raise CrmError(
                f"HubSpot rate limit reached; retry in {wait:.1f} s",
                permanent=False,
                code="RATE_LIMIT",
                status=429,
                retry_after=wait,
            )

    def _block(self, seconds: float) -> None:
        with _blocked_lock:
            deadline = time.monotonic() + seconds
            _blocked_until[self.fingerprint] = max(
                deadline, _blocked_until.get(self.fingerprint, 0.0)
            )

    def _note_limits(self, response: requests.Response) -> None:
        headers = response.headers
        if _int(headers.get("X-HubSpot-RateLimit-Daily-Remaining")) == 0:
            self._block(DAILY_LIMIT_PAUSE_SECONDS)
        elif _int(headers.get("X-HubSpot-RateLimit-Remaining")) == 0:
            self._block(_window(headers))

    def _error(self, response: requests.Response) -> CrmError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        status = response.status_code
        category = body.get("category") or body.get("errorType")
        message = body.get("message") or response.reason or f"HTTP {status}"
        text = f"HubSpot {status} {category or ''}".rstrip() + f": {message}"
        if status == 429:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            if retry_after is None:
                retry_after = _window(response.headers)
            if _int(response.headers.get("X-HubSpot-RateLimit-Daily-Remaining")) == 0:
                retry_after = max(retry_after, DAILY_LIMIT_PAUSE_SECONDS)
            self._block(retry_after)
            return CrmError(
                text, permanent=False, code="RATE_LIMIT", status=status, retry_after=retry_after
            )
        transient = status >= 500 or status in (408, 423)
        return CrmError(
            text, permanent=not transient, code=category or f"http_{status}", status=status
        )

    # -- CRM objects ---------------------------------------------------------------

    def search(self, object_type: str, property_name: str, value: str, properties: list[str]):
        """The first object whose `property_name` equals `value` (the search API)."""
        body = {
            "filterGroups": [
                {"filters": [{"propertyName": property_name, "operator": "EQ", "value": value}]}
            ],
            "properties": properties,
            "limit": 1,
        }
        data = self.request("POST", f"/crm/v3/objects/{object_type}/search", json=body) or {}
        results = data.get("results") or []
        return results[0] if results else None

    def get(self, object_type: str, object_id: str, properties: list[str], associations=()):
        params = {"properties": ",".join(properties)}
        if associations:
            params["associations"] = ",".join(associations)
        return self.request("GET", f"/crm/v3/objects/{object_type}/{object_id}", params=params)

    def batch_read(self, object_type: str, ids: list[str], properties: list[str]) -> list[dict]:
        if not ids:
            return []
        body = {"properties": properties, "inputs": [{"id": i} for i in ids[:100]]}
        data = self.request("POST", f"/crm/v3/objects/{object_type}/batch/read", json=body) or {}
        return data.get("results") or []

    def update(self, object_type: str, object_id: str, properties: dict) -> dict:
        return self.request(
            "PATCH", f"/crm/v3/objects/{object_type}/{object_id}", json={"properties": properties}
        )

    def owner(self, owner_id: str) -> dict | None:
        try:
            return self.request("GET", f"/crm/v3/owners/{owner_id}")
        except CrmError as exc:
            if exc.status == 404:
                return None
            raise


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _window(headers) -> float:
    ms = _int(headers.get("X-HubSpot-RateLimit-Interval-Milliseconds"))
    return ms / 1000 if ms else DEFAULT_WINDOW_SECONDS


def _retry_after(value: str | None) -> float | None:
    """Retry-After is seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
