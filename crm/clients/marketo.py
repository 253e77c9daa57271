"""A thin Marketo REST client over `requests` (a LaunchPoint custom service:
client id and secret).

Auth: GET <identity>/oauth/token?grant_type=client_credentials gives an access
token valid `expires_in` seconds; it is cached per credentials, process-wide,
until shortly before it expires, and renewed once when Marketo answers 601
(invalid) or 602 (expired). Marketo reports most errors in an HTTP 200 body,
{"success": false, "errors": [{"code": "606", "message": ...}]}, so they are
classified by code: 606 (rate), 607 (daily quota), 615 (concurrency) and the
temporary 604/608/611/713 are transient, the rest (1003, 1006, 603, ...)
permanent. https://developers.marketo.com/rest-api/error-codes/
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

import requests

from crm.backends.base import CrmError

TOKEN_MARGIN_SECONDS = 60.0  # renew a token this long before Marketo expires it
# code -> seconds to wait before a retry (transient); any other code is permanent
TRANSIENT = {
    "502": 10.0,
    "604": 10.0,  # request timed out
    "606": 20.0,  # rate limit: 100 calls per 20 s
    "607": 3600.0,  # daily quota reached (resets at midnight, Central time)
    "608": 30.0,  # API temporarily unavailable
    "611": 30.0,  # system error
    "613": 10.0,  # empty request (a proxy ate the body)
    "615": 20.0,  # concurrent access limit (10 at once)
    "713": 30.0,  # transient error
}
TOKEN_CODES = {"601", "602"}

_tokens: dict[str, tuple[str, float]] = {}  # fingerprint -> (token, monotonic deadline)
_tokens_lock = threading.Lock()


def forget_tokens() -> None:
    with _tokens_lock:
        _tokens.clear()


class MarketoClient:
    def __init__(
        self,
        client_id: str | None,
        client_secret: str | None,
        base_url: str | None,
        *,
        identity_url: str | None = None,
        timeout: float = 10.0,
    ):
        if not (client_id and client_secret and base_url):
            raise CrmError(
                "Marketo needs a client id, a client secret and the REST API endpoint",
                permanent=True,
                code="credentials",
            )
        self.base_url = base_url.rstrip("/").removesuffix("/rest")
        self.identity_url = (identity_url or self.base_url + "/identity").rstrip("/")
        self.client_id, self.client_secret = client_id, client_secret
        self.timeout = timeout
        self.fingerprint = hashlib.sha256(
            f"{self.base_url}\0{client_id}\0{client_secret}".encode()
        ).hexdigest()[:32]
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"

    # -- auth ----------------------------------------------------------------------

    def token(self) -> str:
        with _tokens_lock:
            cached = _tokens.get(self.fingerprint)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        data = self._send(
            "GET",
            self.identity_url + "/oauth/token",
            params={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
        )
        if not isinstance(data, dict) or not data.get("access_token"):
            error = (data or {}).get("error_description") or (data or {}).get("error")
            raise CrmError(
                f"Marketo refused the client credentials: {error or 'no access token'}",
                permanent=True,
                code="credentials",
            )
        lifetime = float(data.get("expires_in") or 0)
        deadline = time.monotonic() + max(0.0, lifetime - TOKEN_MARGIN_SECONDS)
        with _tokens_lock:
            _tokens[self.fingerprint] = (data["access_token"], deadline)
        return data["access_token"]

    def _drop_token(self) -> None:
        with _tokens_lock:
            _tokens.pop(self.fingerprint, None)

    # -- transport -----------------------------------------------------------------

    def _send(self, method: str, url: str, **kwargs) -> Any:
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout as exc:
            raise CrmError("Marketo did not answer in time", code="timeout") from exc
        except requests.RequestException as exc:
            raise CrmError(f"cannot reach Marketo: {exc}", code="connection") from exc
        if response.status_code == 401 and "/identity/" in url:
            raise CrmError(
                "Marketo refused the client credentials (401)",
                permanent=True,
                code="credentials",
                status=401,
            )
        if response.status_code >= 400:
            transient = response.status_code >= 500 or response.status_code in (408, 429)
            raise CrmError(
                f"Marketo HTTP {response.status_code}",
                permanent=not transient,
                code=f"http_{response.status_code}",
                status=response.status_code,
            )
        try:
            return response.json()
        except ValueError as exc:
            raise CrmError(
                f"Marketo sent a non-JSON answer ({response.status_code})", code="bad_response"
            ) from exc

    def request(self, method: str, path: str, **kwargs) -> dict:
        """A REST call; retried once with a new token on 601/602. Raises CrmError."""
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self.token()}"}
            data = self._send(method, self.base_url + path, headers=headers, **kwargs)
            if not isinstance(data, dict):
                raise CrmError("Marketo sent an unexpected answer", code="bad_response")
            if data.get("success", True):
                return data
            errors = data.get("errors") or [{}]
            codes = {str(e.get("code")) for e in errors}
            if codes & TOKEN_CODES and attempt == 1:
                self._drop_token()
                continue
            raise error_from(errors)
        raise AssertionError("unreachable")  # pragma: no cover

    # -- leads ---------------------------------------------------------------------

    def lead_by_email(self, email: str, fields: list[str]) -> dict | None:
        data = self.request(
            "GET",
            "/rest/v1/leads.json",
            params={"filterType": "email", "filterValues": email, "fields": ",".join(fields)},
        )
        results = data.get("result") or []
        return results[0] if results else None

    def upsert_lead_by_email(self, email: str, values: dict) -> dict:
        """createOrUpdate with lookupField email: the Knock fields land on the lead
        with this email (created if Marketo no longer has one)."""
        body = {
            "action": "createOrUpdate",
            "lookupField": "email",
            "input": [{**values, "email": email}],
        }
        return self._write(body)

    def update_lead(self, lead_id: int, values: dict) -> dict:
        body = {"action": "updateOnly", "lookupField": "id", "input": [{**values, "id": lead_id}]}
        return self._write(body)

    def _write(self, body: dict) -> dict:
        data = self.request("POST", "/rest/v1/leads.json", json=body)
        result = (data.get("result") or [{}])[0]
        # A record-level failure comes in a 200 with success: true (e.g. 1006 unknown
        # field, 1003 invalid value): permanent, and its reason is what the console shows.
        if result.get("status") == "skipped":
            raise error_from(result.get("reasons") or [{"message": "the update was skipped"}])
        return result


def error_from(errors: list[dict]) -> CrmError:
    """The most hopeful of Marketo's errors: transient if any code is."""
    text = "; ".join(f"{e.get('code', '?')} {e.get('message', '')}".strip() for e in errors)
    transient = [str(e.get("code")) for e in errors if str(e.get("code")) in TRANSIENT]
    if transient:
        code = transient[0]
        return CrmError(f"Marketo {text}", permanent=False, code=code, retry_after=TRANSIENT[code])
    code = str(errors[0].get("code") or "error") if errors else "error"
    return CrmError(f"Marketo {text}", permanent=True, code=code)
