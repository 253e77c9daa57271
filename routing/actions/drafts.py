"""Rule drafts (issue 17): one per rule, a full copy of its segments that routing never uses.

Edits go to `RuleDraft.segments` (the stored shape is on the model); the live
segments keep routing until `publish_draft` makes the draft live as a new
version, in one transaction. `draft_snapshot(rule)` is the draft in the shape
of a RuleVersion.snapshot, so it can be compiled, evaluated (replay) and
diffed like any version. Every edit is validated like a live segment (a 400
naming the node) and a refused edit writes nothing.

One module of ~500 lines on purpose: the stored shape of a draft segment is
private to it (read, checked, edited and published here), so nothing else
has to know it; everything outside reads `draft_snapshot`.
"""

from __future__ import annotations

from django.db import transaction

from routing import versions
from routing.models import AIAgent, Pool, Rep, RoutingRule, RuleDraft, RuleVersion, Segment

from .bookings import clean_booking
from .errors import ActionError, NotFound
from .rules import (
    FALLBACK_CONDITIONS,
    _locked_rule,
    _people_fields,
    clean_assignee,
    clean_conditions,
    clean_monitoring_channel,
    current_version,
    publish_version,
)
from .segments import SEGMENT_NAME_TAKEN, copy_name
from .versions import _text, get_version

DRAFT = "draft"  # a snapshot's "version" when it is the draft (the diff's from/to too)
FIELDS = ("id", "name", "conditions", "assignee", "booking", "monitoring_channel")
NO_DRAFT = "This rule has no draft."


# -- reading --------------------------------------------------------------------
def get_draft(rule: RoutingRule) -> RuleDraft | None:
    return RuleDraft.objects.filter(rule_id=rule.pk).first()


def draft_snapshot(rule: RoutingRule) -> dict | None:
    """The rule's draft as a RuleVersion.snapshot ({"version": "draft", "rule", "segments"}),
    or None when the rule has no draft. The rule settings are the live rule's.

    Public: replay and the diff rely on this signature. Names are read now (at
    most three queries, whatever the number of segments); a rep, pool or agent
    deleted since is named "#<id> (deleted)" and publishing is refused.
    """
    draft = get_draft(rule)
    if draft is None:
        return None
    return snapshot_of(rule, draft)


def snapshot_of(rule: RoutingRule, draft: RuleDraft) -> dict:
    names = _names(draft.segments, rule.workspace_id)
    return {
        "version": DRAFT,
        "draft": True,
        "base_version": draft.base_version,
        "rule": {
            "id": rule.id,
            "name": rule.name,
            "kind": rule.kind,
            "monitoring_channel": rule.monitoring_channel,
            "crm_owner_first": rule.crm_owner_first,
            "notify_crm_owner": rule.notify_crm_owner,
            "owner_duration": rule.owner_duration,
        },
        "segments": [_snapshot_segment(item, names) for item in draft.segments],
    }


def _names(items: list[dict], workspace_id: int) -> dict:
    """{("rep"|"pool"|"ai_agent", id): name} for every id the draft references."""
    wanted: dict[str, set] = {"rep": set(), "pool": set(), "ai_agent": set()}
    for item in items:
        assignee = item.get("assignee") or {}
        if assignee.get("type") in wanted and assignee.get("id") is not None:
            wanted[assignee["type"]].add(assignee["id"])
        booking = item.get("booking") or {}
        wanted["rep"].update(booking.get("reps") or [])
        if booking.get("pool"):
            wanted["pool"].add(booking["pool"])
    models = {"rep": Rep, "pool": Pool, "ai_agent": AIAgent}
    names = {}
    for kind, ids in wanted.items():
        if ids:
            rows = models[kind].objects.filter(workspace_id=workspace_id, id__in=ids)
            names.update({(kind, i): n for i, n in rows.values_list("id", "name")})
    return names


def _name(names: dict, kind: str, target_id) -> str:
    return names.get((kind, target_id), f"#{target_id} (deleted)")


def _snapshot_segment(item: dict, names: dict) -> dict:
    out = {
        "id": item["id"],
        "name": item["name"],
        "conditions": item["conditions"],
        "is_fallback": bool(item.get("is_fallback")),
        "monitoring_channel": item.get("monitoring_channel", ""),
    }
    if item.get("booking") is not None:
        booking = dict(item["booking"])
        booking["reps"] = [
            {"id": r, "name": _name(names, "rep", r)} for r in booking.get("reps", [])
        ]
        pool = booking.get("pool")
        booking["pool"] = {"id": pool, "name": _name(names, "pool", pool)} if pool else None
        out["assignee"] = {"type": "booking"}
        out["booking"] = booking
        return out
    assignee = item.get("assignee") or {}
    data = {"type": assignee.get("type")}
    if assignee.get("type") in ("rep", "pool", "ai_agent"):
        data.update(id=assignee["id"], name=_name(names, assignee["type"], assignee["id"]))
    out["assignee"] = data
    return out


def draft_changes(rule: RoutingRule, snapshot: dict | None = None) -> dict | None:
    """routing.versions.diff from the live version to the draft, plus "count":
    the number of segments added, removed, moved or changed ("Draft: 3 changes")."""
    snapshot = snapshot if snapshot is not None else draft_snapshot(rule)
    if snapshot is None:
        return None
    live = current_version(rule.pk)
    if live is None:
        return None
    result = versions.diff(live.snapshot, snapshot)
    result["count"] = sum(1 for row in result["segments"] if row["status"] != "unchanged")
    return result


def _side(rule: RoutingRule, ref, field: str) -> dict:
    if ref == DRAFT:
        snapshot = draft_snapshot(rule)
        if snapshot is None:
            raise ActionError({field: [NO_DRAFT]})
        return snapshot
    return get_version(rule, ref, field).snapshot


def diff_any(rule: RoutingRule, old, new) -> dict:
    """routing.versions.diff between any two of {the draft, any version}: `old`
    and `new` are version numbers or "draft"; 400s name `from` / `to`."""
    a, b = _side(rule, old, "from"), _side(rule, new, "to")
    if a["version"] == b["version"]:
        raise ActionError({"to": ["Pick two different versions."]})
    return versions.diff(a, b)


# -- validation: an edit -> a stored segment ------------------------------------
def _stored(rule: RoutingRule, *, seg_id: int, name, conditions, assignee, booking,
            monitoring_channel, is_fallback: bool) -> dict:  # fmt: skip
    """Check one segment like the live editor does; the stored shape (ids only)."""
    if not isinstance(name, str) or not name.strip():
        raise ActionError({"name": ["A segment needs a name."]})
    if len(name) > 200:
        raise ActionError({"name": ["At most 200 characters."]})
    monitoring_channel = clean_monitoring_channel(monitoring_channel)
    tree = clean_conditions(conditions)
    if is_fallback and tree != FALLBACK_CONDITIONS:
        raise ActionError(
            {"conditions": ["The fallback segment (the last one) has no conditions."]}
        )
    if rule.kind == "chat" and assignee is None and booking is None:
        raise ActionError({"assignee": ["This field is required."]})
    fields = _people_fields(rule, assignee=assignee, booking=booking)
    item = {
        "id": seg_id,
        "name": name.strip(),
        "conditions": tree,
        "monitoring_channel": monitoring_channel,
        "is_fallback": is_fallback,
    }
    if fields["assignee_type"] == "booking":
        return {**item, "assignee": None, "booking": fields["booking"]}
    target = next(
        (fields[f] for f in ("assignee_rep", "assignee_pool", "assignee_agent") if fields[f]), None
    )
    kind = fields["assignee_type"]
    return {
        **item,
        "assignee": {"type": kind, "id": target.id if target else None},
        "booking": None,
    }


def _from_live(segment: Segment) -> dict:
    return {
        "id": segment.id,
        "name": segment.name,
        "conditions": segment.conditions,
        "monitoring_channel": segment.monitoring_channel,
        "is_fallback": segment.is_fallback,
        "assignee": None
        if segment.assignee_type == "booking"
        else {"type": segment.assignee_type, "id": segment.assignee_id},
        "booking": segment.booking if segment.assignee_type == "booking" else None,
    }


def _as_kwargs(item: dict) -> dict:
    """A stored segment as the keywords of `_stored` (to re-check it with one change)."""
    return {
        "seg_id": item["id"],
        "name": item["name"],
        "conditions": item["conditions"],
        "assignee": item.get("assignee"),
        "booking": item.get("booking"),
        "monitoring_channel": item.get("monitoring_channel", ""),
        "is_fallback": bool(item.get("is_fallback")),
    }


def _name_key(name: str) -> str:
    """How segment names compare (trimmed, any case), as names.check_unique does live."""
    return name.strip().lower()


def _check_name(items: list[dict], name, seg_id=None) -> None:
    """Refuse `name` when another segment of the draft (not `seg_id`) has it."""
    if isinstance(name, str) and any(
        i["id"] != seg_id and _name_key(i["name"]) == _name_key(name) for i in items
    ):
        raise ActionError({"name": [SEGMENT_NAME_TAKEN]})


def _refuse_twins(items: list[dict]) -> None:
    """A whole draft (PUT) names each segment once: its segments are paired by name."""
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        key = _name_key(item["name"])
        if key in first:
            message = (
                f"Segment {first[key] + 1} is already named “{items[first[key]]['name']}”: "
                "segment names are unique within a rule."
            )
            raise ActionError({"segments": {str(index): {"name": [message]}}})
        first[key] = index


def _new_id(items: list[dict]) -> int:
    """Segments added in a draft have negative ids until publish gives them real ones."""
    return min([0, *(i["id"] for i in items)]) - 1


# -- writes ---------------------------------------------------------------------
def _locked_draft(rule: RoutingRule) -> tuple[RoutingRule, RuleDraft]:
    rule = _locked_rule(rule)
    draft = RuleDraft.objects.select_for_update().filter(rule=rule).first()
    if draft is None:
        raise NotFound({"detail": NO_DRAFT})
    return rule, draft


def _save(draft: RuleDraft, items: list[dict], author: str) -> RuleDraft:
    draft.segments = items
    if author:
        draft.author = author[:200]
    draft.save()
    return draft


@transaction.atomic
def start_draft(rule: RoutingRule, *, author: str = "") -> RuleDraft:
    """A draft that is a copy of the live segments (a rule has at most one)."""
    rule = _locked_rule(rule)
    if RuleDraft.objects.filter(rule=rule).exists():
        raise ActionError({"detail": "This rule already has a draft: publish or discard it first."})
    items = [_from_live(s) for s in rule.segments.order_by("order")]
    return RuleDraft.objects.create(
        rule=rule, segments=items, base_version=rule.version, author=author[:200]
    )


@transaction.atomic
def update_draft(rule: RoutingRule, segments, *, author: str = "") -> RuleDraft:
    """Replace the whole draft (created from nothing if the rule has none).

    `segments` is the ordered list, the fallback last with no conditions; each
    {"id"?, "name", "conditions"?, "assignee" | "booking", "monitoring_channel"?}.
    An id keeps a live (or draft) segment, so the diff pairs them; without one,
    an unclaimed segment of the same name is kept; otherwise it is a new one.
    Errors are {"segments": {"<index>": {field: [message]}}}.
    """
    rule = _locked_rule(rule)
    draft = RuleDraft.objects.select_for_update().filter(rule=rule).first()
    live = list(rule.segments.order_by("order"))
    fallback = next(s for s in live if s.is_fallback)
    if not isinstance(segments, list) or not segments:
        raise ActionError({"segments": ["A non-empty list of segments, the fallback last."]})
    known = [*(draft.segments if draft else []), *(_from_live(s) for s in live)]
    known_ids = {i["id"] for i in known}
    ids = _assign_ids(segments, known, known_ids, fallback.id)
    items = []
    for index, (body, seg_id) in enumerate(zip(segments, ids, strict=True)):
        items.append(_item(rule, body, seg_id, is_fallback=index == len(segments) - 1, index=index))
    _refuse_twins(items)
    if draft is None:
        return RuleDraft.objects.create(
            rule=rule, segments=items, base_version=rule.version, author=author[:200]
        )
    return _save(draft, items, author)


def _assign_ids(segments: list, known: list[dict], known_ids: set, fallback_id: int) -> list[int]:
    """Each body's segment id: its own, else a known one of the same name, else a new one."""
    last = len(segments) - 1
    ids: list = [None] * len(segments)
    claimed = {fallback_id}
    for index, body in enumerate(segments):
        if not isinstance(body, dict):
            raise ActionError(
                {"segments": {str(index): {"non_field_errors": ["Expected an object."]}}}
            )
        unknown = sorted(set(body) - set(FIELDS))
        if unknown:
            raise ActionError({"segments": {str(index): {k: ["Unknown field."] for k in unknown}}})
        seg_id = body.get("id")
        if index == last:
            if seg_id is not None and seg_id != fallback_id:
                message = (
                    f"The last segment is the fallback (id {fallback_id}), not segment {seg_id}."
                )
                raise ActionError({"segments": {str(index): {"id": [message]}}})
            ids[index] = fallback_id
            continue
        if seg_id is None:
            continue
        if not isinstance(seg_id, int) or isinstance(seg_id, bool):
            raise ActionError({"segments": {str(index): {"id": ["A valid integer is required."]}}})
        if seg_id == fallback_id:
            raise ActionError(
                {"segments": {str(index): {"id": ["The fallback segment stays last."]}}}
            )
        if seg_id not in known_ids:
            message = f"No segment {seg_id} in this rule or its draft."
            raise ActionError({"segments": {str(index): {"id": [message]}}})
        if seg_id in claimed:
            message = f"Segment {seg_id} appears more than once."
            raise ActionError({"segments": {str(index): {"id": [message]}}})
        claimed.add(seg_id)
        ids[index] = seg_id
    by_name: dict[str, list[int]] = {}
    for item in known:
        if item["id"] not in claimed:
            by_name.setdefault(item["name"].strip().lower(), []).append(item["id"])
    next_id = _new_id(known)
    for index, body in enumerate(segments):
        if ids[index] is not None:
            continue
        name = body.get("name")
        pool = by_name.get(name.strip().lower(), []) if isinstance(name, str) else []
        while pool and pool[0] in claimed:
            pool.pop(0)
        if pool:
            ids[index] = pool.pop(0)
        else:
            ids[index], next_id = next_id, next_id - 1
        claimed.add(ids[index])
    return ids


def _item(rule: RoutingRule, body: dict, seg_id: int, *, is_fallback: bool, index: int) -> dict:
    try:
        return _stored(
            rule,
            seg_id=seg_id,
            name=body.get("name"),
            conditions=body.get("conditions"),
            assignee=body.get("assignee"),
            booking=body.get("booking"),
            monitoring_channel=body.get("monitoring_channel", ""),
            is_fallback=is_fallback,
        )
    except ActionError as exc:
        node = f"segments[{index}].conditions.{exc.node_path}" if exc.node_path else None
        raise ActionError({"segments": {str(index): exc.errors}}, node_path=node) from exc


@transaction.atomic
def add_draft_segment(rule: RoutingRule, *, name, conditions=None, assignee=None, booking=None,
                      monitoring_channel="", author: str = "") -> dict:  # fmt: skip
    """A new segment directly above the draft's fallback (like actions.add_segment)."""
    rule, draft = _locked_draft(rule)
    items = list(draft.segments)
    _check_name(items, name)
    item = _stored(rule, seg_id=_new_id(items), name=name, conditions=conditions,
                   assignee=assignee, booking=booking, monitoring_channel=monitoring_channel,
                   is_fallback=False)  # fmt: skip
    items.insert(len(items) - 1, item)
    _save(draft, items, author)
    return item


def _find(draft: RuleDraft, seg_id) -> int:
    for index, item in enumerate(draft.segments):
        if item["id"] == seg_id:
            return index
    raise NotFound({"detail": f"The draft has no segment {seg_id}."})


@transaction.atomic
def update_draft_segment(rule: RoutingRule, seg_id: int, *, author: str = "", **changes) -> dict:
    """Change one draft segment: name, conditions, assignee or booking, monitoring channel."""
    rule, draft = _locked_draft(rule)
    index = _find(draft, seg_id)
    kwargs = _as_kwargs(draft.segments[index])
    unknown = set(changes) - {"name", "conditions", "assignee", "booking", "monitoring_channel"}
    if unknown:
        raise ActionError({k: ["This field cannot be changed."] for k in sorted(unknown)})
    if "assignee" in changes or "booking" in changes:
        kwargs["assignee"] = changes.pop("assignee", None)
        kwargs["booking"] = changes.pop("booking", None)
    name = changes.get("name")
    if isinstance(name, str) and name.strip() != kwargs["name"]:
        _check_name(draft.segments, name, seg_id)  # a name kept as it is stays (legacy twins)
    kwargs.update(changes)
    item = _stored(rule, **kwargs)
    items = list(draft.segments)
    items[index] = item
    _save(draft, items, author)
    return item


@transaction.atomic
def duplicate_draft_segment(rule: RoutingRule, seg_id: int, *, author: str = "") -> dict:
    rule, draft = _locked_draft(rule)
    index = _find(draft, seg_id)
    items = list(draft.segments)
    if items[index].get("is_fallback"):
        raise ActionError({"detail": "The fallback segment cannot be duplicated."})
    name = copy_name(items[index]["name"], [i["name"] for i in items])
    copy = {**items[index], "id": _new_id(items), "name": name}
    items.insert(index + 1, copy)
    _save(draft, items, author)
    return copy


@transaction.atomic
def delete_draft_segment(rule: RoutingRule, seg_id: int, *, author: str = "") -> None:
    rule, draft = _locked_draft(rule)
    index = _find(draft, seg_id)
    if draft.segments[index].get("is_fallback"):
        raise ActionError({"detail": "The fallback segment cannot be deleted."})
    _save(draft, [i for k, i in enumerate(draft.segments) if k != index], author)


@transaction.atomic
def reorder_draft(rule: RoutingRule, order, *, author: str = "") -> list[dict]:
    """The draft's full order (every non-fallback id once; the fallback may end it)."""
    rule, draft = _locked_draft(rule)
    items = {i["id"]: i for i in draft.segments}
    fallback = draft.segments[-1]
    if not isinstance(order, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in order
    ):
        raise ActionError({"order": ["Expected a list of segment ids."]})
    if order and order[-1] == fallback["id"]:
        order = order[:-1]
    if fallback["id"] in order:
        raise ActionError({"order": ["The fallback segment stays last."]})
    if len(set(order)) != len(order) or set(order) != set(items) - {fallback["id"]}:
        raise ActionError({"order": ["The order must list every segment of the draft once."]})
    _save(draft, [*(items[i] for i in order), fallback], author)
    return draft.segments


@transaction.atomic
def move_draft_segment(rule: RoutingRule, seg_id: int, position, *, author: str = "") -> list:
    """Move one draft segment to `position` (0 = top); the fallback stays last."""
    _, draft = _locked_draft(rule)
    index = _find(draft, seg_id)
    if draft.segments[index].get("is_fallback"):
        raise ActionError({"position": ["The fallback segment cannot be moved."]})
    ids = [i["id"] for i in draft.segments[:-1]]
    if not isinstance(position, int) or isinstance(position, bool):
        raise ActionError({"position": ["A valid integer is required."]})
    if not 0 <= position < len(ids):
        message = f"Position must be between 0 and {len(ids) - 1} (the fallback stays last)."
        raise ActionError({"position": [message]})
    ids.remove(seg_id)
    ids.insert(position, seg_id)
    return reorder_draft(rule, ids, author=author)


@transaction.atomic
def discard_draft(rule: RoutingRule) -> None:
    _, draft = _locked_draft(rule)
    draft.delete()


# -- publish ----------------------------------------------------------------------
@transaction.atomic
def publish_draft(rule: RoutingRule, *, author: str = "") -> RuleVersion:
    """The draft becomes the live segments and a new version, in one transaction.

    Each segment is checked again against today's workspace (a rep, pool or
    agent deleted since the draft was saved, a condition field gone from the
    catalog): a 400 naming the segment, and nothing is written. A draft that
    routes like the live version is refused too (it would be an empty version).
    """
    rule, draft = _locked_draft(rule)
    live = current_version(rule.pk)
    snapshot = snapshot_of(rule, draft)
    if live is not None and versions.is_empty(versions.diff(live.snapshot, snapshot)):
        raise ActionError({"draft": [f"The draft is the same as the live v{rule.version}."]})
    rows = [_publish_fields(rule, item, position) for position, item in enumerate(draft.segments)]
    keep = {r["id"] for r in rows if r["id"] > 0}
    # A live id deleted since the draft copied it comes back under its id, unless
    # another rule has it (ids are never handed out twice, but be sure).
    taken = set(Segment.objects.filter(id__in=keep).exclude(rule=rule).values_list("id", flat=True))
    Segment.objects.filter(rule=rule).exclude(id__in=keep).delete()
    existing = {s.id: s for s in Segment.objects.filter(rule=rule)}
    for position, fields in enumerate(rows):
        seg_id = fields.pop("id")
        is_new = seg_id not in existing
        segment = existing.get(seg_id) or Segment(rule=rule)
        if is_new and seg_id > 0 and seg_id not in taken:
            segment.id = seg_id
        for name, value in fields.items():
            setattr(segment, name, value)
        segment.order = position
        # save_base: OrderedModel.save would renumber a new segment to the end.
        segment.save_base(force_insert=is_new)
    draft.delete()
    return publish_version(rule, author=author, note="Published draft")


def _publish_fields(rule: RoutingRule, item: dict, position: int) -> dict:
    try:
        tree = (
            dict(FALLBACK_CONDITIONS)
            if item.get("is_fallback")
            else clean_conditions(item["conditions"])
        )
        if item.get("booking") is not None:
            people = clean_booking(rule.workspace, item["booking"])
        else:
            people = {**clean_assignee(rule.workspace, item.get("assignee")), "booking": None}
    except ActionError as exc:
        message = f"Segment {position + 1} “{item['name']}” cannot be published: {_text(exc)}"
        raise ActionError({"draft": [message]}) from exc
    return {
        "id": item["id"],
        "name": item["name"],
        "conditions": tree,
        "monitoring_channel": item.get("monitoring_channel", ""),
        "is_fallback": bool(item.get("is_fallback")),
        **people,
    }
