"""Slots as people read them: grouped by the day of their own clock (console and public page)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def by_day(slots: list[dict], tz: str | None = None, names: dict | None = None) -> list[dict]:
    """[{"start": ISO, "end": ISO, "reps": [ids]}] -> [{"date", "label", "slots": [...]}].

    Each slot keeps its ISO `start` (what booking takes back) and gains `time`
    (HH:MM on the clock of `tz`, default the slot's own offset) and `people`.
    """
    zone = ZoneInfo(tz) if tz else None
    days: dict = {}
    for slot in slots:
        start = datetime.fromisoformat(slot["start"])
        end = datetime.fromisoformat(slot["end"])
        if zone is not None:
            start, end = start.astimezone(zone), end.astimezone(zone)
        day = days.setdefault(
            start.date(), {"date": start.date(), "label": start.strftime("%A %-d %B"), "slots": []}
        )
        people = [names[r] for r in slot.get("reps", []) if names and r in names]
        day["slots"].append(
            {
                "start": slot["start"],
                "time": start.strftime("%H:%M"),
                "end_time": end.strftime("%H:%M"),
                "label": f"{start:%H:%M} to {end:%H:%M}, {start:%A %-d %B}",
                "people": people,
            }
        )
    return list(days.values())
