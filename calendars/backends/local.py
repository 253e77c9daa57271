from __future__ import annotations

from .base import CalendarBackend


class LocalCalendar(CalendarBackend):
    """Busy blocks stored in this database (BusyBlock rows), entered by API or console."""

    name = "local"

    def busy(self, calendars, start, end):
        from calendars.models import BusyBlock

        found = {ref.rep_id: [] for ref in calendars}
        rows = BusyBlock.objects.filter(
            rep_id__in=list(found), start__lt=end, end__gt=start
        ).values_list("rep_id", "start", "end")
        for rep_id, block_start, block_end in rows:  # one query for every rep
            found[rep_id].append((block_start, block_end))
        return found

    def create_event(self, meeting) -> str:
        # The meeting row itself is the event on a local calendar (it blocks the
        # time for every attendee); the id names it for the console and the API.
        return f"knock-meeting-{meeting.pk}"
