"""The live feed's meeting events: "meeting.updated" after commit.

A booking is also a decision (its row arrives as "decision.created"); this event
carries the meeting's new state and the re-rendered decision row (the same partial
as the first page load), so the page swaps the row in place, and a one-line note for
a meeting whose row is no longer on the page. Routing sends it without importing
calendars (routing.events.send_on_commit).
"""

from __future__ import annotations

from django.template.loader import render_to_string

from routing import events

CHANGES = ("booked", "rescheduled", "cancelled", "no_show")


def meeting_payload(meeting) -> dict:
    owner = meeting.owner
    return {
        "id": meeting.id,
        "decision": meeting.decision_id,
        "status": meeting.status,
        "start": meeting.start.isoformat(),
        "end": meeting.end.isoformat(),
        "duration": meeting.duration,
        "owner": {"id": owner.id, "name": owner.name} if owner is not None else None,
        "reps": [{"id": r.id, "name": r.name} for r in meeting.reps.all()],
        "lead": {"id": meeting.lead_id, "email": meeting.lead.email, "name": meeting.lead.name},
    }


def meeting_changed_on_commit(meeting, change: str) -> None:
    """Queue "meeting.updated" (`change`: booked, rescheduled, cancelled, no_show)."""
    assert change in CHANGES, change

    def build() -> dict:  # the page fetches the row itself, rendered for its viewer
        return {
            "type": "meeting.updated",
            "change": change,
            "meeting": meeting_payload(meeting),
            "note": render_to_string(
                "console/partials/_meeting_change.html", {"m": meeting, "change": change}
            ),
        }

    events.send_on_commit(meeting.workspace_id, build)
