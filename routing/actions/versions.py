"""Rule versions: who made them (the audit log) and rolling back to one.

A rollback never rewrites history: the segments of version n are put back and
published as a new version n+k, whose summary says "Rolled back to vn".
"""

from __future__ import annotations

from django.db import transaction

from routing import versions
from routing.models import RoutingRule, RuleVersion, Segment

from .bookings import clean_booking
from .errors import ActionError
from .names import save_unique
from .rules import (
    FALLBACK_CONDITIONS,
    RULE_SETTINGS,
    _check_rule_name,
    _locked_rule,
    clean_assignee,
    clean_conditions,
    publish_version,
)


# -- authors (RuleVersion.author) ---------------------------------------------
def console_author(user) -> str:
    return f"console: {user.get_username()}"


def api_author(token) -> str:
    return f"api: token '{token.name}'"


def admin_author(user) -> str:
    return f"admin: {user.get_username()}"


# -- reading ------------------------------------------------------------------
def history(rule: RoutingRule, limit: int | None = None) -> list[dict]:
    """The rule's versions, newest first, without their snapshots."""
    rows = RuleVersion.objects.filter(rule=rule).order_by("-version")
    rows = rows.values("version", "created_at", "author", "summary")
    return list(rows[:limit] if limit else rows)


def get_version(rule: RoutingRule, number, field: str = "version") -> RuleVersion:
    """Version `number` of `rule`, or an ActionError on `field` (a 400, naming it)."""
    if not isinstance(number, int) or isinstance(number, bool):
        raise ActionError({field: ["A valid integer is required."]})
    found = RuleVersion.objects.filter(rule=rule, version=number).first()
    if found is None:
        raise ActionError(
            {field: [f"This rule has no version {number} (it is at v{rule.version})."]}
        )
    return found


def diff_versions(rule: RoutingRule, old, new) -> dict:
    """routing.versions.diff of two versions of `rule`; 400s name `from` / `to`."""
    a = get_version(rule, old, "from")
    b = get_version(rule, new, "to")
    if a.version == b.version:
        raise ActionError({"to": ["Pick two different versions."]})
    return versions.diff(a.snapshot, b.snapshot)


# -- rollback -----------------------------------------------------------------
@transaction.atomic
def rollback(rule: RoutingRule, version, *, author: str = "") -> RuleVersion:
    """Make version `version` live again, as a new version (history stays append-only).

    Under the rule's row lock: segments that still exist are updated and put
    back in order, removed ones re-created under their old id (so the diff and
    the decisions still know them), ones added since are deleted (decisions
    keep their segment_name; their FK is SET_NULL). A segment whose rep, pool
    or AI agent is gone, or whose conditions no longer validate, makes it a 400
    naming that segment, and nothing is written.
    """
    rule = _locked_rule(rule)
    target = get_version(rule, version)
    current = RuleVersion.objects.filter(rule=rule).order_by("-version").first()
    if current is not None and versions.is_empty(versions.diff(current.snapshot, target.snapshot)):
        raise ActionError(
            {"version": [f"v{target.version} is the same as the live v{rule.version}."]}
        )
    snapshot = target.snapshot
    rows = [_segment_fields(rule, seg) for seg in snapshot["segments"]]

    for key in RULE_SETTINGS:
        if key in snapshot["rule"]:
            setattr(rule, key, snapshot["rule"][key])
    try:
        _check_rule_name(rule)
    except ActionError as exc:
        message = f"Cannot restore the name “{rule.name}”: {_text(exc)}"
        raise ActionError({"version": [message]}) from exc
    save_unique(rule, {"version": [f"Cannot restore the name “{rule.name}”: it is taken."]})

    keep = {fields["id"] for fields in rows}
    # Segment ids are never handed out twice, but if one were, re-create it under a new id.
    taken = set(Segment.objects.filter(id__in=keep).exclude(rule=rule).values_list("id", flat=True))
    for fields in rows:
        if fields["id"] in taken:
            fields["id"] = None
    # Deleted first: the fallback is unique per rule, and ids must be free to reuse.
    Segment.objects.filter(rule=rule).exclude(id__in=keep).delete()
    existing = {s.id: s for s in Segment.objects.filter(rule=rule)}
    for position, fields in enumerate(rows):
        is_new = fields["id"] not in existing
        segment = Segment(rule=rule) if is_new else existing[fields["id"]]
        for name, value in fields.items():
            setattr(segment, name, value)
        segment.order = position
        # save_base: OrderedModel.save would renumber a new segment to the end.
        segment.save_base(force_insert=is_new)
    return publish_version(rule, author=author, note=f"Rolled back to v{target.version}")


def _segment_fields(rule: RoutingRule, seg: dict) -> dict:
    """A snapshot segment -> Segment field values, checked against today's workspace."""
    try:
        if seg.get("is_fallback"):
            tree = dict(FALLBACK_CONDITIONS)
        else:
            tree = clean_conditions(seg.get("conditions"))
        if seg.get("booking") is not None:
            booking = dict(seg["booking"])
            booking["reps"] = [r["id"] for r in booking.get("reps") or []]
            booking["pool"] = (booking.get("pool") or {}).get("id")
            people = clean_booking(rule.workspace, booking)
        else:
            assignee = seg.get("assignee") or {}
            people = {
                **clean_assignee(
                    rule.workspace, {"type": assignee.get("type"), "id": assignee.get("id")}
                ),
                "booking": None,
            }
    except ActionError as exc:
        raise ActionError(
            {"version": [f"Segment “{seg['name']}” cannot be restored: {_text(exc)}"]}
        ) from exc
    return {
        "id": seg["id"],
        "name": seg["name"],
        "conditions": tree,
        "monitoring_channel": seg.get("monitoring_channel", ""),
        "is_fallback": bool(seg.get("is_fallback")),
        **people,
    }


def _text(exc: ActionError) -> str:
    """Every message of an error, nested ones (a booking's reps, pool) too."""

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                yield from walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                yield from walk(item)
        else:
            yield str(value)

    return " ".join(walk(exc.errors))
