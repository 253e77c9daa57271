"""Meeting segments' bookings: workspace checks and version snapshots (SPEC 5a).

The pure part (shape, ranges, defaults) is routing/booking.py; this adds what
needs the database: the reps are active and the pool exists in the workspace.
"""

from __future__ import annotations

from routing import booking as bookings
from routing.models import Pool, Rep, Segment, Workspace

from .errors import ActionError


def clean_booking(workspace: Workspace, value) -> dict:
    """A meeting segment's booking -> Segment fields; reps active and pool in this workspace."""
    try:
        data = bookings.clean(value)
    except bookings.BookingError as exc:
        raise ActionError({"booking": exc.errors}) from exc
    if data["reps"]:
        active = set(
            Rep.objects.filter(
                workspace=workspace, id__in=data["reps"], is_active=True
            ).values_list("id", flat=True)
        )
        missing = [r for r in data["reps"] if r not in active]
        if missing:
            raise ActionError(
                {"booking": {"reps": [f"No active rep with id {missing[0]} in this workspace."]}}
            )
    if data["pool"] and not Pool.objects.filter(workspace=workspace, id=data["pool"]).exists():
        raise ActionError(
            {"booking": {"pool": [f"No pool with id {data['pool']} in this workspace."]}}
        )
    return {
        "assignee_type": "booking",
        "assignee_rep": None,
        "assignee_pool": None,
        "assignee_agent": None,
        "booking": data,
    }


def clean_owner_duration(value) -> int:
    low, high = bookings.NUMBERS["duration"][1:]
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ActionError({"owner_duration": [f"Must be between {low} and {high} minutes."]})
    return value


def booking_snapshots(segments: list[Segment]) -> dict[int, dict]:
    """Each meeting segment's booking with rep and pool names (two queries in all)."""
    meeting = [s for s in segments if s.booking]
    rep_ids = {r for s in meeting for r in s.booking.get("reps", [])}
    pool_ids = {s.booking["pool"] for s in meeting if s.booking.get("pool")}
    reps = dict(Rep.objects.filter(id__in=rep_ids).values_list("id", "name")) if rep_ids else {}
    pools = dict(Pool.objects.filter(id__in=pool_ids).values_list("id", "name")) if pool_ids else {}
    out = {}
    for s in meeting:
        data = dict(s.booking)
        data["reps"] = [{"id": r, "name": reps.get(r, f"#{r}")} for r in data.get("reps", [])]
        pool = data.get("pool")
        data["pool"] = {"id": pool, "name": pools.get(pool, f"#{pool}")} if pool else None
        out[s.id] = data
    return out
