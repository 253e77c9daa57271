"""Google Calendar free/busy: a service account with domain-wide delegation.

- One freebusy.query covers at most 50 calendars (Google's calendarExpansionMax):
  larger pools take several requests; windows longer than 90 days are split.
- A calendar's own error in the answer (notFound, tooManyCalendarsRequested,
  groupTooBig, internalError...) makes that rep unavailable with the reason,
  never free; a failed request does so for the reps it covered.
- Answers may be cached for GOOGLE_FREEBUSY_CACHE_SECONDS (at most 60) to serve the
  slots shown; a booking's re-check (`live`) always asks Google.
- `prepare` (the caller's thread) reads the workspace's GoogleSettings; `busy` runs
  in the lookup's worker thread with no database access; `record` keeps each
  rep's last error on their CalendarConnection.

Events (insert, patch, delete) are outbox deliveries: calendars/google_events.py.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from knock import request_gate
from knock.crypto import UndecryptableSecret

from .. import google_client
from .base import CalendarBackend, CalendarError, CalendarRef

MAX_CALENDARS = 50  # freebusy.query's calendarExpansionMax
MAX_SPAN = timedelta(days=90)  # the longest window Google accepts in one query
NOT_CONFIGURED = (
    "Google Calendar is not configured: paste a service-account key on the console's "
    "Google page or set GOOGLE_SERVICE_ACCOUNT_FILE"
)


@dataclass(frozen=True)
class Account:
    info: dict
    freebusy_subject: str = ""
    timeout: float | None = None  # the workspace's free/busy time box


_parsed: dict[str, dict] = {}  # sha256 of the key file -> parsed info (loading a key costs)


def _parse(text: str, source: str) -> dict:
    digest = hashlib.sha256(text.encode()).hexdigest()
    if digest not in _parsed:
        try:
            _parsed[digest] = google_client.parse_service_account(text)
        except google_client.InvalidServiceAccount as exc:
            raise CalendarError(
                f"Google service account ({source}): {exc}", permanent=True, code="bad_credentials"
            ) from exc
    return _parsed[digest]


def account_for(workspace_id: int) -> Account:
    """The workspace's service account: pasted in the console, else the env's key file."""
    from ..models import GoogleSettings

    row = GoogleSettings.objects.filter(workspace_id=workspace_id).first()
    subject = row.freebusy_subject if row else ""
    timeout = row.lookup_timeout if row else None
    if row is not None and row.service_account_encrypted:
        try:
            text = row.service_account
        except UndecryptableSecret as exc:
            raise CalendarError(str(exc), permanent=True, code="bad_credentials") from exc
        return Account(_parse(text, "console"), subject, timeout)
    path = getattr(settings, "GOOGLE_SERVICE_ACCOUNT_FILE", "")
    if not path:
        raise CalendarError(NOT_CONFIGURED, permanent=True, code="not_configured")
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise CalendarError(
            f"GOOGLE_SERVICE_ACCOUNT_FILE cannot be read: {exc.strerror or exc}",
            permanent=True,
            code="not_configured",
        ) from exc
    return Account(_parse(text, "GOOGLE_SERVICE_ACCOUNT_FILE"), subject, timeout)


def calendar_of(ref: CalendarRef) -> str:
    return ref.calendar_id or ref.email


# -- the short free/busy cache ------------------------------------------------------------
_cache: dict[tuple, tuple[float, list]] = {}
_cache_lock = threading.Lock()
_generation = [0]  # bumped by clear_cache: a lookup still running then caches nothing


def _cache_get(key: tuple):
    with _cache_lock:
        hit = _cache.get(key)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]


def _cache_put(key: tuple, busy: list, generation: int) -> None:
    ttl = min(60.0, float(getattr(settings, "GOOGLE_FREEBUSY_CACHE_SECONDS", 30.0)))
    if ttl <= 0:
        return
    now = time.monotonic()
    with _cache_lock:
        if generation != _generation[0]:
            return
        if len(_cache) > 5000:
            for stale in [k for k, (expires, _) in _cache.items() if expires < now]:
                del _cache[stale]
        _cache[key] = (now + ttl, busy)


def _cache_forget(workspace_id: int, calendar_ids) -> None:
    """A live answer makes older cached ones of those calendars stale (e.g. the fresh
    slots of a 409 must not come from before the booking's re-check)."""
    ids = set(calendar_ids)
    with _cache_lock:
        for key in [k for k in _cache if k[0] == workspace_id and k[1] in ids]:
            del _cache[key]


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
        _generation[0] += 1


def windows(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """[start, end) in pieces Google accepts (at most 90 days each)."""
    out = []
    while start < end:
        out.append((start, min(end, start + MAX_SPAN)))
        start = out[-1][1]
    return out


def _calendar_error(calendar_id: str, entry) -> CalendarError | None:
    if not isinstance(entry, dict):
        return CalendarError(
            f"Google Calendar {calendar_id}: missing from Google's answer", code="missing"
        )
    errors = entry.get("errors") or []
    if not errors:
        return None
    reasons = [str(e.get("reason") or "unknown") for e in errors if isinstance(e, dict)]
    reasons = reasons or ["unknown"]
    return CalendarError(
        f"Google Calendar {calendar_id}: {', '.join(dict.fromkeys(reasons))}",
        permanent=reasons[0] == "notFound",
        code=reasons[0],
    )


def _intervals(entry: dict) -> list[tuple[datetime, datetime]]:
    return [
        (datetime.fromisoformat(b["start"]), datetime.fromisoformat(b["end"]))
        for b in entry.get("busy") or []
    ]


class GoogleCalendar(CalendarBackend):
    name = "google"
    external = True

    def __init__(self):
        self._accounts: dict[int, Account | CalendarError] = {}
        self._live = False
        self._timeout: float | None = None

    def prepare(self, calendars, *, live):
        self._live = live
        for workspace_id in {ref.workspace_id for ref in calendars}:
            try:
                self._accounts[workspace_id] = account_for(workspace_id)
            except CalendarError as exc:
                self._accounts[workspace_id] = exc
        boxes = [a.timeout for a in self._accounts.values() if isinstance(a, Account)]
        self._timeout = max((b for b in boxes if b), default=None)
        return self._timeout

    def busy(self, calendars, start, end):
        # Whole hours: a wider window is harmless and lets the cache serve the next lead
        # (a window starts at "now + notice", which moves every second).
        start = start.replace(minute=0, second=0, microsecond=0)
        if end.minute or end.second or end.microsecond:
            end = end.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        found: dict[int, list | CalendarError] = {}
        by_workspace: dict[int, list[CalendarRef]] = {}
        for ref in calendars:
            if not calendar_of(ref):
                found[ref.rep_id] = CalendarError(
                    "Google Calendar: the rep has no calendar id or email", permanent=True
                )
                continue
            by_workspace.setdefault(ref.workspace_id, []).append(ref)
        for workspace_id, refs in by_workspace.items():
            account = self._accounts.get(workspace_id)
            if account is None:  # busy() without prepare(): load here (tests, scripts)
                self.prepare(refs, live=self._live)
                account = self._accounts[workspace_id]
            if isinstance(account, CalendarError):
                found.update({ref.rep_id: account for ref in refs})
                continue
            found.update(self._workspace_busy(workspace_id, account, refs, start, end))
        return found

    def _workspace_busy(self, workspace_id, account: Account, refs, start, end) -> dict:
        reps_of: dict[str, list[CalendarRef]] = {}
        for ref in refs:
            reps_of.setdefault(calendar_of(ref), []).append(ref)
        generation = _generation[0]
        per_calendar: dict[str, list | CalendarError] = {}
        asked = []
        if self._live:
            _cache_forget(workspace_id, reps_of)
        for calendar_id in reps_of:
            cached = None if self._live else _cache_get((workspace_id, calendar_id, start, end))
            if cached is not None:
                per_calendar[calendar_id] = cached
            else:
                asked.append(calendar_id)
        # Free/busy of a domain's calendars is readable by any of its users: one
        # impersonated user (one access token) asks for everyone.
        first = reps_of[asked[0]][0] if asked else None
        subject = account.freebusy_subject or (first.email or asked[0] if first else "")
        for i in range(0, len(asked), MAX_CALENDARS):
            chunk = asked[i : i + MAX_CALENDARS]
            per_calendar.update(self._query(account, subject, chunk, start, end))
        for calendar_id, answer in per_calendar.items():
            if isinstance(answer, list) and calendar_id in asked:
                _cache_put((workspace_id, calendar_id, start, end), answer, generation)
        return {
            ref.rep_id: per_calendar[calendar_id]
            for calendar_id, members in reps_of.items()
            for ref in members
        }

    def _query(self, account, subject, chunk, start, end) -> dict[str, list | CalendarError]:
        timeout = self._timeout or float(getattr(settings, "CALENDAR_LOOKUP_TIMEOUT", 2.0))
        found: dict[str, list | CalendarError] = {cid: [] for cid in chunk}
        try:
            client = google_client.connect(
                account.info, subject, google_client.FREEBUSY_SCOPES, timeout
            )
            for lo, hi in windows(start, end):
                answer = google_client.freebusy(client, chunk, lo, hi)
                calendars = answer.get("calendars") or {}
                for cid in chunk:
                    if isinstance(found[cid], CalendarError):
                        continue
                    error = _calendar_error(cid, calendars.get(cid))
                    found[cid] = error or found[cid] + _intervals(calendars[cid])
        except google_client.GoogleError as exc:
            error = CalendarError(str(exc), permanent=not exc.retryable, code=exc.reason or None)
            return {cid: error for cid in chunk}
        return found

    def record(self, answers):
        """Each rep's last free/busy error and when (CalendarConnection); a calendar
        read again clears it, so the console shows the calendar's state now."""
        from ..models import CalendarConnection

        by_message: dict[str, list[int]] = {}
        for rep_id, answer in answers.items():
            if isinstance(answer, str):
                by_message.setdefault(answer[:500], []).append(rep_id)
        read = [rep_id for rep_id, answer in answers.items() if not isinstance(answer, str)]
        if read:  # matches no row unless a rep had an error: no write on the usual path
            CalendarConnection.objects.filter(rep_id__in=read).exclude(last_error="").update(
                last_error="", last_error_at=None
            )
        now = timezone.now()
        for message, rep_ids in by_message.items():
            CalendarConnection.objects.filter(rep_id__in=rep_ids).update(
                last_error=message, last_error_at=now
            )

    def create_event(self, meeting) -> str:
        """Google events are outbox deliveries (calendars/google_events.py), never made
        inside the booking's transaction; this names the event they create."""
        from ..google_events import event_id_for

        return event_id_for(meeting)


def check(workspace, rep) -> dict:
    """The console's "Check connection": one live free/busy for `rep` over the next
    24 hours, time-boxed like a lookup. {"ok", "calendar", "busy" | "error", "ms"}."""
    connection = getattr(rep, "calendar_connection", None)
    ref = CalendarRef(rep.id, connection.calendar_id if connection else "", rep.email, workspace.id)
    began = time.perf_counter()
    start = timezone.now().replace(microsecond=0)
    backend = GoogleCalendar()
    try:
        backend.prepare([ref], live=True)
        with request_gate.outside():  # Google's wait holds no place in the gate
            answer = backend.busy([ref], start, start + timedelta(days=1))[rep.id]
    except CalendarError as exc:
        answer = exc
    ms = round((time.perf_counter() - began) * 1000)
    failed = isinstance(answer, CalendarError)
    if connection is not None and connection.backend == "google":
        backend.record({rep.id: str(answer) if failed else answer})
    if failed:
        return {"ok": False, "calendar": calendar_of(ref), "error": str(answer), "ms": ms}
    return {"ok": True, "calendar": calendar_of(ref), "busy": answer, "ms": ms}
