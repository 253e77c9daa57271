"""The calendar backend interface: one error type, one small base class.

A backend answers free/busy for many reps in one call (one query, one HTTP
request), so an availability costs the same with 5 reps or 50.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

# Aware datetimes; a local backend may hand UTC epoch seconds (floats) instead.
Interval = tuple[datetime, datetime] | tuple[float, float]


class CalendarError(Exception):
    """A calendar call failed. `permanent`: retrying cannot help (not configured,
    bad credentials); otherwise it may (timeouts, 5xx)."""

    def __init__(self, message: str, *, permanent: bool = False, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class CalendarRef:
    """One rep's calendar as a backend sees it."""

    rep_id: int
    calendar_id: str = ""
    email: str = ""
    workspace_id: int = 0


class CalendarBackend:
    name: ClassVar[str] = ""
    #: False: the rep has no calendar (offered on working hours; never CRM owner first).
    connected: ClassVar[bool] = True
    #: True for backends that call out over the network: their lookups are time-boxed.
    external: ClassVar[bool] = False

    def busy(
        self, calendars: list[CalendarRef], start: datetime, end: datetime
    ) -> dict[int, list[Interval] | CalendarError]:
        """Busy intervals per rep id in [start, end); a CalendarError for a rep whose
        calendar could not be read. Raise CalendarError when none could be."""
        raise NotImplementedError

    def create_event(self, meeting) -> str:
        """Put the meeting on the owner's calendar; return the event id."""
        raise NotImplementedError

    def prepare(self, calendars: list[CalendarRef], *, live: bool) -> float | None:
        """Called in the caller's thread before `busy` (which an external backend runs
        in a worker thread, with no database access): load what `busy` needs. `live`:
        a booking's re-check, never served from a cache. Returns the time box in
        seconds (None: CALENDAR_LOOKUP_TIMEOUT)."""
        return None

    def record(self, answers: dict[int, list[Interval] | str]) -> None:
        """Called in the caller's thread with the answers (an error as text), e.g. to
        keep each rep's last calendar error."""
