from __future__ import annotations

from .base import CalendarBackend


class NoCalendar(CalendarBackend):
    """No calendar: nothing is busy beyond Knock's own meetings; not "connected"."""

    name = "none"
    connected = False

    def busy(self, calendars, start, end):
        return {ref.rep_id: [] for ref in calendars}

    def create_event(self, meeting) -> str:
        return ""
