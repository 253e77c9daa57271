"""The CRM backend interface: one record type, one error type, a tiny base class.

Modelled on healthchecks' transports: every vendor failure surfaces as
`CrmError`, whose `permanent` flag tells the caller (a retried task, the
routing context) whether trying again can help. Nothing vendor-specific leaks
out of a backend module.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Literal

from routing.enrichment import url_host

if TYPE_CHECKING:
    from crm.models import CrmSettings

RecordType = Literal["lead", "contact", "account"]
RECORD_TYPES: tuple[str, ...] = ("lead", "contact", "account")

# The Knock fields (SPEC 5a, 6). Keys are what routing asks for; each backend
# says what they are called in its CRM unless the workspace overrides them.
KNOCK_FIELDS: tuple[str, ...] = (
    "rep_owner",
    "responding_rep",
    "response_time",
    "meeting_owner",
    "meeting_status",
)
KNOCK_FIELD_LABELS = {
    "rep_owner": "Knock: Rep Owner",
    "responding_rep": "Knock: Responding Rep",
    "response_time": "Knock: Rep Response Time",
    "meeting_owner": "Knock: Meeting Owner",
    "meeting_status": "Knock: Meeting Status",  # booked / cancelled / no_show
}

FieldValue = str | float | int | None


class CrmError(Exception):
    """A CRM call failed. `permanent` is False when retrying later may succeed
    (timeouts, 5xx, rate limits), True when it cannot (bad credentials, unknown
    field, validation rule). `retry_after` (seconds) is the vendor's hint, if any."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        code: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code
        self.status = status
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        kind = "permanent" if self.permanent else "transient"
        return f"CrmError({self.message!r}, {kind}, code={self.code!r})"


@dataclass(frozen=True)
class CrmRecord:
    """What a lookup found. `exists=False` (see `not_found`) means the CRM answered
    and has no such person or company; a failed lookup raises `CrmError` instead."""

    exists: bool
    system: str
    record_type: RecordType | None = None
    record_id: str | None = None
    owner_id: str | None = None
    owner_email: str | None = None
    lifecycle_stage: str | None = None
    status: str | None = None
    # Any CRM field, as the CRM names it; relationships are nested dicts
    # (Salesforce {"Account": {"Name": ...}}), read as crm.fields.Account.Name.
    fields: dict = field(default_factory=dict)
    has_open_opportunity: bool = False
    is_customer: bool = False
    account_id: str | None = None
    account_name: str | None = None
    account_owner_id: str | None = None
    account_owner_email: str | None = None

    @classmethod
    def not_found(cls, system: str) -> CrmRecord:
        return cls(exists=False, system=system)

    @property
    def crm_status(self) -> str:
        """SPEC 6 `signals.crm_status`."""
        return "exists" if self.exists else "not_found"

    def as_context(self) -> dict:
        """The `crm` namespace of the routing context (SPEC 3), without `owner_rep`
        (routing adds it from `rep_for_owner`). Unknown values are left out:
        missing, never an empty string."""
        out: dict = {"exists": self.exists, "system": self.system}
        for name in ("record_type", "owner_email", "lifecycle_stage", "status"):
            value = getattr(self, name)
            if value not in (None, ""):
                out[name] = value
        if self.fields:
            out["fields"] = dict(self.fields)
        return out


class CrmBackend:
    """Base class. Subclasses set `name` and implement `lookup` and `write_fields`.

    A backend instance is cheap and is meant for one unit of work (a lookup, a
    write task); process-wide state (sessions, rate-limit windows, owner emails)
    lives in module-level caches keyed by the credentials.
    """

    name: ClassVar[str] = ""
    #: default CRM field names for the four Knock fields
    default_field_names: ClassVar[dict[str, str]] = dict(KNOCK_FIELD_LABELS)
    #: True when a lookup may block on the network and must be time-boxed in a
    #: worker thread (see crm.lookup.lookup_with_timeout)
    needs_time_box: ClassVar[bool] = True

    def __init__(self, crm_settings: CrmSettings | None = None):
        from django.conf import settings

        self.crm_settings = crm_settings
        #: per-HTTP-request timeout while looking up (the whole lookup is also time-boxed)
        self.lookup_timeout: float = float(
            crm_settings.lookup_timeout if crm_settings is not None else 1.5
        )
        #: per-HTTP-request timeout for writes (they run in background tasks)
        self.write_timeout: float = float(getattr(settings, "CRM_WRITE_TIMEOUT", 10.0))

    @property
    def system(self) -> str:
        return self.name

    def lookup(self, email: str, domain: str | None = None) -> CrmRecord:
        """The person by email, else the company by domain, else `CrmRecord.not_found`."""
        raise NotImplementedError

    def write_fields(
        self,
        record_type: str,
        record_id: str,
        values: dict[str, FieldValue],
        *,
        email: str | None = None,
    ) -> None:
        """Set `values` ({CRM field name: value}) on one record. None clears a field.

        `email` is the lead's email, for a CRM that writes by email (Marketo's
        createOrUpdate); the others write by `record_id` and ignore it."""
        raise NotImplementedError

    def owner_email_for(self, owner_id: str) -> str | None:
        """The email of a CRM user id, or None when the CRM does not know it."""
        return None

    def field_names(self) -> dict[str, str]:
        """{"rep_owner": <CRM field name>, ...} for this workspace."""
        if self.crm_settings is not None:
            return self.crm_settings.field_names()
        return dict(self.default_field_names)

    @staticmethod
    def check_record_type(record_type: str) -> None:
        if record_type not in RECORD_TYPES:
            raise CrmError(
                f"cannot write to a {record_type!r} record (expected one of "
                f"{', '.join(RECORD_TYPES)})",
                permanent=True,
                code="bad_record_type",
            )


class TTLCache:
    """A tiny thread-safe cache with expiry, for owner emails and similar lookups
    that are stable for minutes and cost a round trip inside the time box."""

    def __init__(self, ttl: float, max_size: int = 10_000):
        self.ttl = ttl
        self.max_size = max_size
        self._data: dict = {}
        self._lock = threading.Lock()

    def get(self, key, default=None):
        with self._lock:
            hit = self._data.get(key)
            if hit is None:
                return default
            expires, value = hit
            if expires < time.monotonic():
                del self._data[key]
                return default
            return value

    def set(self, key, value) -> None:
        with self._lock:
            if len(self._data) >= self.max_size:
                self._data.clear()  # crude but bounded; entries are cheap to refetch
            self._data[key] = (time.monotonic() + self.ttl, value)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


#: owner id -> email, shared by the HTTP backends (key includes a credential fingerprint)
OWNER_EMAILS = TTLCache(ttl=15 * 60)


#: "https://www.Acme.com/about" -> "acme.com"; "" when there is no host. The one URL-host
#: helper is routing's (issue 11 item 6); crm's callers keep this name.
website_host = url_host
