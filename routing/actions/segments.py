"""Every write to a rule's segments: add, duplicate, update, delete, reorder, move.

Each runs under the rule's row lock and publishes a new rule version (rules.py).
"""

from __future__ import annotations

from itertools import count

from django.db import transaction

from routing.models import RoutingRule, Segment

from .errors import ActionError
from .names import check_unique, clean_name
from .rules import (
    FALLBACK_CONDITIONS,
    _locked_rule,
    _people_fields,
    _state,
    clean_conditions,
    clean_monitoring_channel,
    publish_version,
)

SEGMENT_NAME_TAKEN = "A segment with this name already exists in this rule."


def check_segment_name(rule: RoutingRule, segment: Segment | None, name: str) -> None:
    """Segment names are unique within their rule, whatever their case (like rule,
    pool and link names: names.check_unique): drafts pair segments by name."""
    check_unique(Segment.objects.filter(rule_id=rule.pk), segment, "name", name, SEGMENT_NAME_TAKEN)


def copy_name(name: str, taken) -> str:
    """ "Big (copy)", else "Big (copy 2)"...: a duplicate's name that no name in
    `taken` (compared trimmed, in lower case) already has; at most 200 characters."""
    taken = {t.strip().lower() for t in taken}
    for n in count(1):  # ends: the candidates differ, and `taken` is finite
        suffix = " (copy)" if n == 1 else f" (copy {n})"
        candidate = f"{name[: 200 - len(suffix)]}{suffix}"
        if candidate.strip().lower() not in taken:
            return candidate
    raise AssertionError  # unreachable (for the type checker)


@transaction.atomic
def add_segment(
    rule: RoutingRule,
    *,
    name: str,
    conditions=None,
    assignee=None,
    monitoring_channel="",
    booking=None,
    author: str = "",
) -> Segment:
    rule = _locked_rule(rule)
    name = clean_name(name, what="A segment")
    check_segment_name(rule, None, name)  # under the rule's lock: no concurrent twin
    monitoring_channel = clean_monitoring_channel(monitoring_channel)
    tree = clean_conditions(conditions)
    if rule.kind == "chat" and assignee is None and booking is None:
        raise ActionError({"assignee": ["This field is required."]})
    fields = _people_fields(rule, assignee=assignee, booking=booking)
    segment = Segment.objects.create(
        rule=rule, name=name, conditions=tree, monitoring_channel=monitoring_channel, **fields
    )
    fallback = rule.segments.get(is_fallback=True)
    segment.above(fallback)  # new segments go directly above the fallback
    publish_version(rule, author=author)
    segment.refresh_from_db()
    return segment


@transaction.atomic
def duplicate_segment(segment: Segment, *, author: str = "") -> Segment:
    """A copy of `segment` right below it (one new rule version)."""
    rule = _locked_rule(segment.rule)
    original = Segment.objects.get(pk=segment.pk)
    if original.is_fallback:
        raise ActionError({"detail": "The fallback segment cannot be duplicated."})
    names = Segment.objects.filter(rule=rule).values_list("name", flat=True)
    copy = Segment.objects.create(
        rule=rule,
        name=copy_name(original.name, names),
        conditions=original.conditions,
        monitoring_channel=original.monitoring_channel,
        assignee_type=original.assignee_type,
        assignee_rep_id=original.assignee_rep_id,
        assignee_pool_id=original.assignee_pool_id,
        assignee_agent_id=original.assignee_agent_id,
        booking=original.booking,
    )
    copy.below(original)
    publish_version(rule, author=author)
    copy.refresh_from_db()
    return copy


@transaction.atomic
def update_segment(segment: Segment, *, author: str = "", **changes) -> Segment:
    rule = _locked_rule(segment.rule)
    segment = Segment.objects.get(pk=segment.pk)
    if "conditions" in changes:
        tree = clean_conditions(changes.pop("conditions"))
        if segment.is_fallback and tree != FALLBACK_CONDITIONS:
            raise ActionError({"conditions": ["The fallback segment has no conditions."]})
        segment.conditions = tree
    if "assignee" in changes or "booking" in changes:
        people = _people_fields(
            rule, assignee=changes.pop("assignee", None), booking=changes.pop("booking", None)
        )
        for field, value in people.items():
            setattr(segment, field, value)
    if "name" in changes:
        name = clean_name(changes.pop("name"), what="A segment")
        if name != segment.name:  # a name kept as it is stays, even one a twin has (legacy)
            check_segment_name(rule, segment, name)
        segment.name = name
    if "monitoring_channel" in changes:
        segment.monitoring_channel = clean_monitoring_channel(changes.pop("monitoring_channel"))
    if changes:
        raise ActionError({k: ["This field cannot be changed."] for k in changes})
    if _state(segment) == _state(Segment.objects.get(pk=segment.pk)):
        return segment  # nothing changed: no save, no new rule version
    segment.save()
    publish_version(rule, author=author)
    return segment


@transaction.atomic
def delete_segment(segment: Segment, *, author: str = "") -> None:
    rule = _locked_rule(segment.rule)
    if segment.is_fallback:
        raise ActionError({"detail": "The fallback segment cannot be deleted."})
    Segment.objects.get(pk=segment.pk).delete()
    publish_version(rule, author=author)


@transaction.atomic
def reorder_segments(rule: RoutingRule, order: list, *, author: str = "") -> list[Segment]:
    """Save a full ordering (Zulip's check_reorder_linkifiers pattern).

    `order` lists every non-fallback segment id exactly once; the fallback may
    be given too, but only last. Saved with one bulk update in one transaction.
    """
    rule = _locked_rule(rule)
    segments = {s.id: s for s in rule.segments.all()}
    fallback = next(s for s in segments.values() if s.is_fallback)
    if not isinstance(order, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in order
    ):
        raise ActionError({"order": ["Expected a list of segment ids."]})
    if order and order[-1] == fallback.id:
        order = order[:-1]
    if fallback.id in order:
        raise ActionError({"order": ["The fallback segment stays last."]})
    if len(set(order)) != len(order):
        raise ActionError({"order": ["A segment id appears more than once."]})
    expected = set(segments) - {fallback.id}
    if set(order) != expected:
        missing = sorted(expected - set(order))
        extra = sorted(set(order) - expected)
        parts = []
        if missing:
            parts.append(f"missing segment ids {missing}")
        if extra:
            parts.append(f"ids not in this rule {extra}")
        raise ActionError(
            {"order": ["The order must list every segment once: " + ", ".join(parts)]}
        )
    changed = []
    for position, seg_id in enumerate([*order, fallback.id]):
        seg = segments[seg_id]
        if seg.order != position:
            seg.order = position
            changed.append(seg)
    Segment.objects.bulk_update(changed, ["order"])
    publish_version(rule, author=author)
    return [segments[i] for i in [*order, fallback.id]]


@transaction.atomic
def move_segment(segment: Segment, position, *, author: str = "") -> list[Segment]:
    """Move one segment to `position` (0 = top) among the non-fallback segments."""
    _locked_rule(segment.rule)
    if segment.is_fallback:
        raise ActionError({"position": ["The fallback segment cannot be moved."]})
    ids = list(
        Segment.objects.filter(rule_id=segment.rule_id, is_fallback=False)
        .order_by("order")
        .values_list("id", flat=True)
    )
    if not isinstance(position, int) or isinstance(position, bool):
        raise ActionError({"position": ["A valid integer is required."]})
    if not 0 <= position < len(ids):
        raise ActionError(
            {
                "position": [
                    f"Position must be between 0 and {len(ids) - 1} (the fallback stays last)."
                ]
            }
        )
    ids.remove(segment.id)
    ids.insert(position, segment.id)
    return reorder_segments(segment.rule, ids, author=author)
