"""Where a delivery goes, in words, for the console's lists (Slack & outbox, CRM).

Every kind says it its own way: a Slack channel or DM, a CRM record, a rep's calendar
("Google Calendar of Dana"). Rep names are read in one query for the whole page.
"""

from __future__ import annotations

from routing.models import Rep

CALENDARS = {"google": "Google Calendar"}


def describe(deliveries) -> list:
    """Sets `where` (text) and `where_missing` (nothing to deliver to) on each delivery."""
    deliveries = list(deliveries)
    rep_ids = {
        d.target.get("rep")
        for d in deliveries
        if d.kind.startswith("calendar.") and isinstance(d.target.get("rep"), int)
    }
    names = dict(Rep.objects.filter(id__in=rep_ids).values_list("id", "name")) if rep_ids else {}
    for d in deliveries:
        d.where, d.where_missing = _where(d, names), False
        if d.where is None:
            d.where, d.where_missing = "no Slack user", True
    return deliveries


def _where(delivery, rep_names: dict) -> str | None:
    target, kind = delivery.target, delivery.kind
    if kind.startswith("calendar."):
        calendar = CALENDARS.get(delivery.backend, f"{delivery.backend} calendar")
        owner = (
            rep_names.get(target.get("rep"))
            or target.get("subject")
            or target.get("calendar_id", "?")
        )
        return f"{calendar} of {owner}"
    if kind.startswith("crm."):
        return f"CRM {target.get('record_type', '')} {target.get('record_id', '')}".strip()
    if target.get("channel"):
        return target["channel"] + (" · edit" if target.get("ts") else "")
    if target.get("user"):
        return f"DM {target['user']}"
    return None  # a Slack DM to a rep with no Slack user id
