"""A thin client over simple-salesforce: authentication, one re-login on an
expired session, per-request timeouts, and every failure turned into CrmError.

Why we log in ourselves (SalesforceLogin) and hand simple-salesforce a session
id: its own retry on INVALID_SESSION_ID re-logs in up to three times (and
SFType's retry does not carry the retry count at all), whereas we want exactly
one re-authentication, then a clear error. Sessions are cached per
credentials across client instances, so a lookup does not pay a SOAP login.

Error codes: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import Any

import requests
from simple_salesforce import Salesforce, SalesforceLogin
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceError,
)

from crm.backends.base import CrmError

API_VERSION = "59.0"

# 4xx error codes that are worth retrying later; anything else in a 4xx is permanent.
TRANSIENT_ERROR_CODES = frozenset(
    {
        "REQUEST_LIMIT_EXCEEDED",  # 403: the org's 24 h API limit, or too many concurrent requests
        "UNABLE_TO_LOCK_ROW",  # 400: record locked by another transaction
        "SERVER_UNAVAILABLE",
        "QUERY_TIMEOUT",
        "TXN_SECURITY_NO_ACCESS_TEMPORARY",
    }
)
TRANSIENT_LOGIN_CODES = frozenset(
    {"SERVER_UNAVAILABLE", "REQUEST_LIMIT_EXCEEDED", "LOGIN_RATE_EXCEEDED", "UNKNOWN_EXCEPTION"}
)

_sessions: dict[str, tuple[str, str]] = {}  # credentials fingerprint -> (session id, instance)
_sessions_lock = threading.Lock()


def forget_sessions() -> None:
    """Drop cached sessions (tests; or after credentials change)."""
    with _sessions_lock:
        _sessions.clear()


class TimeoutSession(requests.Session):
    """A requests session with a default timeout: simple-salesforce does not
    pass one on every call (SFType.update takes no kwargs), so we set it here."""

    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout

    def request(self, method, url, *args, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().request(method, url, *args, **kwargs)


class SalesforceClient:
    def __init__(
        self,
        *,
        username: str | None = None,
        password: str | None = None,
        security_token: str | None = None,
        domain: str | None = None,
        instance_url: str | None = None,
        session_id: str | None = None,
        version: str = API_VERSION,
        timeout: float = 10.0,
    ):
        # The token may be blank for an org that trusts the server's IP range.
        self.can_login = bool(username and password)
        if not self.can_login and not (instance_url and session_id):
            raise CrmError(
                "Salesforce credentials are missing: give username, password and security "
                "token, or instance URL and session id",
                permanent=True,
                code="credentials",
            )
        self._login_kwargs = {
            "username": username,
            "password": password,
            "security_token": security_token or "",
            "domain": domain or "login",
            "sf_version": version,
        }
        self._instance_url = instance_url
        self._session_id = session_id
        self.version = version
        self.session = TimeoutSession(timeout)
        self.fingerprint = hashlib.sha256(
            "\x00".join(
                str(x)
                for x in (username, password, security_token, domain, instance_url, session_id)
            ).encode()
        ).hexdigest()[:32]
        self._sf: Salesforce | None = None
        self.logins = 0  # how many SOAP logins this client made (for tests and logs)

    @property
    def timeout(self) -> float:
        return self.session.timeout

    @timeout.setter
    def timeout(self, value: float) -> None:
        self.session.timeout = value

    # -- connection ----------------------------------------------------------------

    def _connect(self, *, fresh: bool = False) -> Salesforce:
        if not self.can_login:
            self._sf = Salesforce(
                session_id=self._session_id,
                instance_url=self._instance_url,
                session=self.session,
                version=self.version,
            )
            return self._sf
        with _sessions_lock:
            cached = None if fresh else _sessions.get(self.fingerprint)
        if cached is None:
            try:
                cached = SalesforceLogin(session=self.session, **self._login_kwargs)
            except SalesforceAuthenticationFailed as exc:
                raise login_error(exc) from exc
            except requests.RequestException as exc:
                raise transport_error(exc) from exc
            self.logins += 1
            with _sessions_lock:
                _sessions[self.fingerprint] = cached
        session_id, instance = cached
        self._sf = Salesforce(
            session_id=session_id, instance=instance, session=self.session, version=self.version
        )
        return self._sf

    def call(self, fn: Callable[[Salesforce], Any]) -> Any:
        """Run `fn(sf)`; on INVALID_SESSION_ID log in again once and retry once."""
        sf = self._sf or self._connect()
        try:
            return _mapped(fn, sf)
        except CrmError as exc:
            if exc.code != "INVALID_SESSION_ID":
                raise
            if not self.can_login:
                raise CrmError(
                    "Salesforce session expired or invalid, and only a session id is "
                    "configured: give a new one, or username, password and security token",
                    permanent=True,
                    code="INVALID_SESSION_ID",
                    status=401,
                ) from exc
        with _sessions_lock:
            _sessions.pop(self.fingerprint, None)
        sf = self._connect(fresh=True)
        try:
            return _mapped(fn, sf)
        except CrmError as exc:
            if exc.code == "INVALID_SESSION_ID":
                exc.permanent = True
                exc.message = f"{exc.message} (again, right after logging in)"
            raise

    # -- operations ----------------------------------------------------------------

    def query(self, soql: str) -> list[dict]:
        """Records of a SOQL query (first batch: callers use LIMIT)."""
        return list(self.call(lambda sf: sf.query(soql)).get("records", []))

    def update(self, sobject: str, record_id: str, values: dict) -> None:
        """PATCH /sobjects/{sobject}/{id} (204 No Content on success)."""
        self.call(lambda sf: getattr(sf, sobject).update(record_id, values))


# -- errors --------------------------------------------------------------------------


def _mapped(fn, sf):
    try:
        return fn(sf)
    except SalesforceAuthenticationFailed as exc:
        raise login_error(exc) from exc
    except SalesforceError as exc:
        raise api_error(exc) from exc
    except requests.RequestException as exc:
        raise transport_error(exc) from exc


def _errors(content) -> list[dict]:
    if isinstance(content, list):
        return [e for e in content if isinstance(e, dict)]
    if isinstance(content, dict):
        return [content]
    return []


def api_error(exc: SalesforceError) -> CrmError:
    """A REST API error response: [{"message", "errorCode", "fields"}, ...]."""
    errors = _errors(exc.content)
    code = errors[0].get("errorCode") if errors else None
    parts = []
    for err in errors:
        text = str(err.get("message") or err.get("errorCode") or "")
        if err.get("fields"):
            text += f" (fields: {', '.join(map(str, err['fields']))})"
        parts.append(text)
    detail = "; ".join(p for p in parts if p) or str(exc.content)[:300]
    status = exc.status
    transient = status >= 500 or status == 429 or code in TRANSIENT_ERROR_CODES
    if code == "INVALID_SESSION_ID":
        transient = False  # the caller re-authenticates once, then it is final
    return CrmError(
        f"Salesforce {code or status}: {detail}",
        permanent=not transient,
        code=code or f"http_{status}",
        status=status,
    )


def login_error(exc: SalesforceAuthenticationFailed) -> CrmError:
    code = exc.code
    transient = (isinstance(code, int) and code >= 500) or code in TRANSIENT_LOGIN_CODES
    return CrmError(
        f"Salesforce login failed ({code}): {exc.auth_message}".strip(),
        permanent=not transient,
        code=str(code) if code is not None else "login_failed",
        status=401,
    )


def transport_error(exc: requests.RequestException) -> CrmError:
    if isinstance(exc, requests.Timeout):
        return CrmError("Salesforce did not answer in time", permanent=False, code="timeout")
    if isinstance(exc, requests.ConnectionError):
        return CrmError(f"cannot reach Salesforce: {exc}", permanent=False, code="connection")
    return CrmError(f"Salesforce request failed: {exc}", permanent=False, code="transport")
