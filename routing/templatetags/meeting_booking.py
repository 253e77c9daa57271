"""A meeting segment's booking as one readable line for the rule editor's cards."""

from django import template

from routing.actions.bookings import booking_snapshots

register = template.Library()

LOGIC_NAMES = {
    "single_rep": "Single rep",
    "any_calendar": "Any calendar",
    "round_robin": "Round robin",
    "all_calendars": "All calendars",
    "disqualified": "Disqualified",
}


@register.filter
def booking_summary(segment) -> str:
    """ "Round robin · Dana, Marcus · 30 min, 120 min notice, 10 min after" (two queries)."""
    booking = booking_snapshots([segment]).get(segment.id)
    if not booking:
        return ""
    logic = booking.get("logic")
    if logic == "disqualified":
        reason = booking.get("reason")
        return f"Disqualified: {reason}" if reason else "Disqualified: no slots, no meeting"
    if booking.get("pool"):
        who = f"pool {booking['pool']['name']}"
    elif booking.get("default_rep"):
        who = "the workspace default rep"
    else:
        who = ", ".join(r["name"] for r in booking.get("reps", [])) or "nobody"
    parts = [f"{booking['duration']} min"]
    if booking.get("slot_interval") and booking["slot_interval"] != booking["duration"]:
        parts.append(f"every {booking['slot_interval']} min")
    parts.append(f"{booking['min_notice']} min notice")
    if booking.get("buffer_before"):
        parts.append(f"{booking['buffer_before']} min before")
    if booking.get("buffer_after"):
        parts.append(f"{booking['buffer_after']} min after")
    parts.append(f"{booking['horizon_days']} days ahead")
    if booking.get("max_per_day"):
        parts.append(f"at most {booking['max_per_day']} a day")
    return f"{LOGIC_NAMES.get(logic, logic)} · {who} · {', '.join(parts)}"
