from __future__ import annotations

from .base import CalendarBackend, CalendarError


class GoogleCalendar(CalendarBackend):
    """Registered so reps can be pointed at it; the client comes with issue 13.

    Until then every lookup fails permanently, so those reps are unavailable
    (with the reason in the trace), never "always free".
    """

    name = "google"
    external = True

    def busy(self, calendars, start, end):
        raise CalendarError(
            "Google Calendar is not configured yet", permanent=True, code="not_configured"
        )

    def create_event(self, meeting) -> str:
        raise CalendarError(
            "Google Calendar is not configured yet", permanent=True, code="not_configured"
        )
