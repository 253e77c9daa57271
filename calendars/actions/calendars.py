"""A rep's calendar connection and local busy blocks."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from routing.actions.errors import ActionError
from routing.actions.rows import locked
from routing.models import Rep

from ..backends import BACKENDS
from ..models import BusyBlock, CalendarConnection

MAX_BLOCK = timedelta(days=31)


@transaction.atomic
def set_calendar(rep: Rep, value) -> CalendarConnection:
    """{"backend": "none|local|google", "calendar_id"?} -> the rep's connection."""
    if not isinstance(value, dict):
        raise ActionError({"calendar": ['Expected an object like {"backend": "local"}.']})
    errors = {k: ["Unknown field."] for k in sorted(set(value) - {"backend", "calendar_id"})}
    backend = value.get("backend")
    if not isinstance(backend, str) or backend not in BACKENDS:  # {"backend": {}}: not a 500
        errors["backend"] = [f"Use one of {', '.join(BACKENDS)}."]
    calendar_id = value.get("calendar_id", "")
    if calendar_id is None:
        calendar_id = ""
    if not isinstance(calendar_id, str) or len(calendar_id) > 254:
        errors["calendar_id"] = ["Expected a text of at most 254 characters."]
    if errors:
        raise ActionError({"calendar": errors})
    rep = locked(rep)  # deleted meanwhile: Rep.DoesNotExist, not an IntegrityError at commit
    connection, _ = CalendarConnection.objects.select_for_update().get_or_create(rep=rep)
    connection.backend = backend
    connection.calendar_id = calendar_id.strip()
    connection.last_error, connection.last_error_at = "", None
    connection.save()
    return connection


@transaction.atomic
def add_busy(rep: Rep, *, start, end, title: str = "") -> BusyBlock:
    if end <= start:
        raise ActionError({"end": ["The end must be after the start."]})
    if end - start > MAX_BLOCK:
        raise ActionError({"end": ["A busy block lasts at most 31 days."]})
    rep = locked(rep)  # deleted meanwhile: Rep.DoesNotExist, not an IntegrityError at commit
    return BusyBlock.objects.create(rep=rep, start=start, end=end, title=title or "")


def delete_busy(block: BusyBlock) -> None:
    block.delete()
