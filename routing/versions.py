"""What changed between two rule versions, in words (pure: no Django, no I/O).

Works on RuleVersion snapshots (routing/actions/rules.py: publish_version).
Segments are matched by id: an edit keeps a segment's id, and a rollback
re-creates a removed segment under its old id, so "the same segment" is the
same id across every version of a rule.
"""

from __future__ import annotations

import json

from routing import conditions

RULE_SETTINGS = {
    "name": "Name",
    "monitoring_channel": "Monitoring channel",
    "crm_owner_first": "CRM owner first",
    "notify_crm_owner": "Notify CRM owner",
    "owner_duration": "CRM owner meeting length",
}

LOGIC_NAMES = {
    "single_rep": "Single rep",
    "any_calendar": "Any calendar",
    "round_robin": "Round robin",
    "all_calendars": "All calendars",
    "disqualified": "Disqualified",
}

ASSIGNEE_KINDS = {"rep": "Rep", "pool": "Pool", "ai_agent": "AI agent"}


# -- words --------------------------------------------------------------------
def conditions_text(tree) -> str:
    """The editor's wording; a tree that no longer validates is shown as JSON."""
    try:
        return conditions.describe(tree)
    except conditions.ConditionError:
        return json.dumps(tree, sort_keys=True)


def booking_text(booking: dict | None) -> str:
    """A snapshot booking (reps and pool with names) as the editor's one line:
    "Round robin · Dana, Marcus · 30 min, 120 min notice, 10 min after"."""
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
    parts = [f"{booking.get('duration')} min"]
    if booking.get("slot_interval") and booking["slot_interval"] != booking.get("duration"):
        parts.append(f"every {booking['slot_interval']} min")
    parts.append(f"{booking.get('min_notice')} min notice")
    if booking.get("buffer_before"):
        parts.append(f"{booking['buffer_before']} min before")
    if booking.get("buffer_after"):
        parts.append(f"{booking['buffer_after']} min after")
    parts.append(f"{booking.get('horizon_days')} days ahead")
    if booking.get("max_per_day"):
        parts.append(f"at most {booking['max_per_day']} a day")
    return f"{LOGIC_NAMES.get(logic, logic)} · {who} · {', '.join(parts)}"


def assignee_text(segment: dict) -> str:
    """Who a snapshot segment assigns (or books), as the editor's card says it."""
    if segment.get("booking"):
        return "Books " + booking_text(segment["booking"])
    assignee = segment.get("assignee") or {}
    kind = assignee.get("type")
    if kind in ASSIGNEE_KINDS:
        return f"{ASSIGNEE_KINDS[kind]} {assignee.get('name', '#' + str(assignee.get('id')))}"
    if kind == "crm_owner":
        return "The lead's CRM owner"
    return "Workspace default rep"


def _side(segment: dict, position: int) -> dict:
    return {
        "position": position,
        "name": segment["name"],
        "conditions": "Every lead that matches nothing above"
        if segment.get("is_fallback")
        else conditions_text(segment.get("conditions")),
        "assignee": assignee_text(segment),
        "monitoring_channel": segment.get("monitoring_channel", ""),
    }


# -- the diff -------------------------------------------------------------------
def _moved(old_ids: list, new_ids: list) -> set:
    """Ids of the common segments that changed place relative to the others.

    The longest common subsequence of the two orders stayed put; the rest moved.
    Adding a segment on top shifts every position but moves nothing.
    """
    common = set(old_ids) & set(new_ids)
    a = [i for i in old_ids if i in common]
    b = [i for i in new_ids if i in common]
    # Segments are few (tens): the quadratic LCS table is cheap.
    lengths = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            lengths[i][j] = (
                lengths[i + 1][j + 1] + 1
                if a[i] == b[j]
                else max(lengths[i + 1][j], lengths[i][j + 1])
            )
    kept, i, j = set(), 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            kept.add(a[i])
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return common - kept


def _show(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value) if value not in ("", None) else "(none)"


def diff(old: dict, new: dict) -> dict:
    """What changed from snapshot `old` to snapshot `new`.

    {"from", "to", "settings": [words], "segments": [row], "summary"}: one row
    per segment of either version, in the new order (removed ones where they
    were), each with "status" (added, removed, moved, changed, unchanged),
    "before" and "after" sides in words (null when absent) and "changes".
    """
    old_segs = old.get("segments", [])
    new_segs = new.get("segments", [])
    old_by_id = {s["id"]: (pos, s) for pos, s in enumerate(old_segs, 1)}
    new_by_id = {s["id"]: (pos, s) for pos, s in enumerate(new_segs, 1)}
    moved = _moved([s["id"] for s in old_segs], [s["id"] for s in new_segs])

    rows = []
    for pos, seg in enumerate(new_segs, 1):
        if seg["id"] not in old_by_id:
            rows.append(_row(seg["id"], "added", None, _side(seg, pos), [], []))
            continue
        old_pos, before = old_by_id[seg["id"]]
        a, b = _side(before, old_pos), _side(seg, pos)
        what, changes = _segment_changes(before, seg, a, b)
        if seg["id"] in moved:
            what.insert(0, "moved")
            changes.insert(0, f"Moved from position {old_pos} to {pos}")
        status = "unchanged" if not what else "moved" if what == ["moved"] else "changed"
        rows.append(_row(seg["id"], status, a, b, changes, what))
    # Removed segments go back where they were: after the row of their old predecessor.
    for old_pos, seg in enumerate(old_segs, 1):
        if seg["id"] in new_by_id:
            continue
        at = 0
        for k, row in enumerate(rows):
            if row["before"] and row["before"]["position"] < old_pos:
                at = k + 1
        rows.insert(at, _row(seg["id"], "removed", _side(seg, old_pos), None, [], []))

    settings, labels = [], []
    old_rule, new_rule = old.get("rule", {}), new.get("rule", {})
    for key, label in RULE_SETTINGS.items():
        if key in old_rule and key in new_rule and old_rule[key] != new_rule[key]:
            labels.append(label.lower())
            settings.append(f"{label}: {_show(old_rule[key])} → {_show(new_rule[key])}")
    return {
        "from": old.get("version"),
        "to": new.get("version"),
        "settings": settings,
        "segments": rows,
        "summary": summarize(rows, labels),
    }


def _row(seg_id, status, before, after, changes, what) -> dict:
    name = (after or before)["name"]
    return {
        "id": seg_id,
        "name": name,
        "status": status,
        "what": what,
        "before": before,
        "after": after,
        "changes": changes,
    }


def _segment_changes(old: dict, new: dict, a: dict, b: dict) -> tuple[list[str], list[str]]:
    """(short names of what changed, the same in sentences)."""
    what, changes = [], []
    if a["name"] != b["name"]:
        what.append("name")
        changes.append(f"Renamed “{a['name']}” → “{b['name']}”")
    if old.get("conditions") != new.get("conditions"):
        what.append("conditions")
        changes.append(f"Conditions: {a['conditions']} → {b['conditions']}")
    if (old.get("assignee"), old.get("booking")) != (new.get("assignee"), new.get("booking")):
        label = "Booking" if old.get("booking") or new.get("booking") else "Assignee"
        what.append(label.lower())
        changes.append(f"{label}: {a['assignee']} → {b['assignee']}")
    if a["monitoring_channel"] != b["monitoring_channel"]:
        what.append("monitoring channel")
        changes.append(
            f"Monitoring channel: {_show(a['monitoring_channel'])} → "
            f"{_show(b['monitoring_channel'])}"
        )
    return what, changes


def summarize(rows: list[dict], settings: list[str]) -> str:
    """One line for the history: "Added “EMEA”; moved “US”; changed “Big” (conditions)".

    `settings` names the rule settings that changed ("name", "monitoring channel").
    """
    parts = []
    for row in rows:
        name = f"“{row['name']}”"
        if row["status"] in ("added", "removed", "moved"):
            parts.append(f"{row['status']} {name}")
        elif row["status"] == "changed":
            parts.append(f"changed {name} ({', '.join(row['what'])})")
    if settings:
        parts.append("settings: " + ", ".join(settings))
    if not parts:
        return "No change"
    text = "; ".join(parts)
    return text[0].upper() + text[1:]


def is_empty(result: dict) -> bool:
    """True when two snapshots route and read the same (no row changed, no setting)."""
    return not result["settings"] and all(r["status"] == "unchanged" for r in result["segments"])
