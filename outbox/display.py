"""Where a delivery goes, in words, for the console's lists (Slack & outbox, CRM).

Every kind says it its own way: a Slack channel, a DM to a rep by name ("DM Dana"),
a CRM record, a rep's calendar ("Google Calendar of Dana"). Rep names are read in one
query for the whole page. Only a Slack DM can lack its address (a rep with no Slack
user id): that one, and only that one, is flagged `where_missing`.
"""

from __future__ import annotations

from routing.ids import is_db_id
from routing.models import Rep

CALENDARS = {"google": "Google Calendar"}


def describe(deliveries) -> list:
    """Sets `where` (text) and `where_missing` (nothing to deliver to) on each delivery."""
    deliveries = list(deliveries)
    rep_ids = {_rep_id(d) for d in deliveries} - {None}
    names = dict(Rep.objects.filter(id__in=rep_ids).values_list("id", "name")) if rep_ids else {}
    for d in deliveries:
        d.where, d.where_missing = _where(d, names)
    return deliveries


def _rep_id(delivery) -> int | None:
    target = delivery.target if isinstance(delivery.target, dict) else {}
    rep = target.get("rep")
    return rep if is_db_id(rep) else None


def _where(delivery, rep_names: dict) -> tuple[str, bool]:
    target = delivery.target if isinstance(delivery.target, dict) else {}
    kind = delivery.kind or ""
    rep_name = rep_names.get(_rep_id(delivery))
    if kind.startswith("calendar."):
        calendar = CALENDARS.get(delivery.backend, f"{delivery.backend} calendar")
        owner = rep_name or target.get("subject") or target.get("calendar_id", "?")
        return f"{calendar} of {owner}", False
    if kind.startswith("crm."):
        record = f"{target.get('record_type', '')} {target.get('record_id', '')}".strip()
        return (f"CRM {record}" if record else "CRM record"), False
    if not kind.startswith("slack."):
        return kind or "?", False  # a kind this page does not know: its name, never red
    if target.get("channel"):
        return target["channel"] + (" · edit" if target.get("ts") else ""), False
    user = target.get("user")
    if user:
        return f"DM {rep_name or user}", False
    if rep_name:
        return f"DM {rep_name}: no Slack user", True
    return "DM: no Slack user", True  # a Slack DM to a rep with no Slack user id
