"""The routing engine: pure, no Django, no I/O.

`decide(rule, context, directory)` walks one compiled rule version top to
bottom and returns who gets the lead plus a trace an ops person can read.
Everything that touches the world (reps, pools, locks) is behind the
`Directory` the caller passes in, so the engine can be unit-tested with a
dict and the same code runs for live routing and side-effect-free simulation.

The directory only reads. What a pool pick changes (its rotation state) comes
back as a `Rotation` in the outcome: `route_chat` applies it under the pool
lock it read the state under, `simulate` drops it. The trace is built here in
full, including why the rule was selected; its wording (why a segment failed, what each
leaf saw, where company facts came from) is in `trace_lines.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from . import conditions
from .trace_lines import (
    all_leaves,
    describe_leaf,  # noqa: F401 - callers import it from here
    failed_leaves,
    source_lines,
)


@dataclass(frozen=True)
class SegmentSpec:
    id: int
    name: str
    position: int
    conditions: dict
    assignee: dict  # {"type": ..., "id": ..., "name": ...}
    is_fallback: bool
    predicate: Callable[[dict], bool]
    explain: Callable[[dict], dict]  # conditions.dict_explainer(conditions): the trace's dict
    summary: str
    monitoring_channel: str = ""
    booking: dict | None = None  # meeting segments: SPEC 5a, with rep and pool names


@dataclass(frozen=True)
class CompiledRule:
    id: int
    name: str
    kind: str
    version: int
    crm_owner_first: bool
    notify_crm_owner: bool
    monitoring_channel: str
    segments: tuple[SegmentSpec, ...]
    owner_duration: int = 30  # meeting rules: CRM owner first's meeting length


@dataclass(frozen=True)
class Assigned:
    """Who the lead goes to: always a concrete rep or AI agent."""

    type: str  # "rep" | "ai_agent"
    id: int
    name: str
    pool: dict | None = None  # {"id", "name", "strategy"} when a pool chose the rep

    def as_dict(self) -> dict:
        data = {"type": self.type, "id": self.id, "name": self.name}
        if self.pool is not None:
            data["pool"] = self.pool
        return data


@dataclass(frozen=True)
class Rotation:
    """What one pool pick changes in that pool's rotation state: a delta, not a write.

    `member_id` got the lead (its assigned_count + 1, last_assigned_at = `at`);
    `current_weights` are the new smooth-round-robin values of every member that
    took part in the pick (empty for least loaded, which keeps no such state).
    Absolute values, so they are only valid under the lock they were read under.
    """

    pool_id: int
    member_id: int
    at: datetime
    current_weights: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Resolution:
    assignee: Assigned | None
    reason: str  # how the assignee was chosen, or why the segment was skipped
    rotation: Rotation | None = None  # set by a pool pick that chose someone


class Directory(Protocol):
    """What the engine needs to know about the workspace's people."""

    def prepare(self, pool_ids: list[int]) -> None:
        """Called once, just before the first pool is asked, with every pool that may be."""

    def resolve(self, assignee: dict, context: dict) -> Resolution: ...

    def last_resort(self) -> Resolution:
        """The workspace default (default rep, first active rep, default AI agent)."""


@dataclass
class Outcome:
    assignee: Assigned
    segment: SegmentSpec | None
    via: str  # "crm_owner_first" | "segment" | "last_resort"
    trace: dict[str, Any] = field(default_factory=dict)
    # The rotation deltas of the pick that assigned the lead (at most one today):
    # applied by the caller that routes for real, never by the engine.
    rotations: tuple[Rotation, ...] = ()


def version_text(version) -> str:
    """How a trace names the version it ran: "version 7", or "the draft" in a
    simulation of the rule's draft."""
    return "the draft" if version == "draft" else f"version {version}"


def compile_rule(snapshot: dict) -> CompiledRule:
    """Build the evaluable form of a RuleVersion snapshot (done once per version)."""
    rule = snapshot["rule"]
    segments = tuple(
        SegmentSpec(
            id=seg["id"],
            name=seg["name"],
            position=index,
            conditions=seg["conditions"],
            assignee=seg["assignee"],
            is_fallback=seg["is_fallback"],
            predicate=conditions.compile(seg["conditions"]),
            explain=conditions.dict_explainer(seg["conditions"]),
            summary=conditions.describe(seg["conditions"]),
            monitoring_channel=seg.get("monitoring_channel", ""),
            booking=seg.get("booking"),
        )
        for index, seg in enumerate(snapshot["segments"])
    )
    return CompiledRule(
        id=rule["id"],
        name=rule["name"],
        kind=rule["kind"],
        version=snapshot["version"],
        crm_owner_first=rule["crm_owner_first"],
        notify_crm_owner=rule["notify_crm_owner"],
        monitoring_channel=rule["monitoring_channel"],
        segments=segments,
        owner_duration=rule.get("owner_duration", 30),
    )


def select_rule(
    *,
    intent_type: str | None,
    intent_rules: dict[str, int],
    link_rule_id: int | None,
    link_name: str | None,
    default_rule_id: int,
) -> tuple[int, str]:
    """SPEC 5: intent override, then the link's rule, then the workspace default."""
    if intent_type and intent_type in intent_rules:
        return intent_rules[intent_type], f"intent override for intent '{intent_type}'"
    if link_rule_id is not None:
        return link_rule_id, f"the rule of link '{link_name}'"
    if link_name:
        return default_rule_id, f"workspace default (link '{link_name}' has no rule of its own)"
    return default_rule_id, "workspace default (no link)"


def get_path(context: dict, path: str) -> Any:
    node: Any = context
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def decide(
    rule: CompiledRule,
    context: dict,
    directory: Directory,
    gaps: dict | None = None,
    *,
    selected_because: str | None = None,
) -> Outcome:
    """Route one context. `gaps` maps a namespace to why it could not be fetched;
    `selected_because` is why this rule was chosen (select_rule's reason)."""
    gaps = gaps or {}
    rule_ref: dict[str, Any] = {"id": rule.id, "name": rule.name, "version": rule.version}
    lines: list[str] = [f'Rule "{rule.name}" ({version_text(rule.version)}).']
    if selected_because is not None:
        rule_ref["selected_because"] = selected_because
        lines.append(f"Selected because: {selected_because}.")
    trace: dict[str, Any] = {
        "gaps": gaps,
        "rule": rule_ref,
        "crm_owner_first": None,
        "segments": [],
        "not_reached": 0,
    }
    lines.extend(f"{ns} data: {why}." for ns, why in sorted(gaps.items()))
    lines.extend(source_lines(context))

    if rule.crm_owner_first:
        outcome = _crm_owner_first(rule, context, directory, trace, lines, gaps)
        if outcome is not None:
            return _finish(outcome, trace, lines)
    else:
        lines.append("CRM owner first: off.")

    # Conditions are pure and cheap: find every matching segment first, so the
    # directory can lock all pools it may need at once, in a consistent order;
    # it is asked to (`prepare`) only when the walk reaches the first pool, so the
    # segments before it are explained before any lock is taken.
    matching = [seg for seg in rule.segments if seg.predicate(context)]
    pool_ids = sorted({s.assignee["id"] for s in matching if s.assignee["type"] == "pool"}, key=int)
    prepared = False
    matching_ids = {seg.id for seg in matching}

    for index, seg in enumerate(rule.segments):
        explanation = seg.explain(context)
        entry = {
            "id": seg.id,
            "name": seg.name,
            "position": seg.position,
            "fallback": seg.is_fallback,
            "summary": seg.summary,
            "assignee": seg.assignee,
            "matched": seg.id in matching_ids,
            "conditions": explanation,
        }
        trace["segments"].append(entry)
        label = f'{index + 1}. "{seg.name}"'
        if not entry["matched"]:
            entry["outcome"] = "no_match"
            entry["reason"] = "conditions not met: " + "; ".join(failed_leaves(explanation))
            lines.append(f"{label}: no match ({entry['reason'][len('conditions not met: ') :]}).")
            continue
        if not prepared and seg.assignee["type"] == "pool":
            directory.prepare(pool_ids)
            prepared = True
        resolution = directory.resolve(seg.assignee, context)
        entry["reason"] = resolution.reason
        if resolution.assignee is None:
            entry["outcome"] = "skipped"
            lines.append(f"{label}: matched, but skipped: {resolution.reason}.")
            continue
        entry["outcome"] = "assigned"
        seen = "; ".join(all_leaves(explanation)) or seg.summary
        lines.append(f"{label}: matched ({seen}) -> {resolution.reason}.")
        trace["not_reached"] = len(rule.segments) - index - 1
        return _finish(_outcome(resolution, seg, "segment"), trace, lines)

    # Only reachable when the fallback's own assignee cannot take the lead
    # (its pool is exhausted, its rep deactivated): no lead is ever dropped.
    resolution = directory.last_resort()
    lines.append(f"No segment could assign the lead; last resort: {resolution.reason}.")
    if resolution.assignee is None:  # pragma: no cover - the directory guarantees one
        raise RuntimeError("the directory returned no last-resort assignee")
    return _finish(_outcome(resolution, None, "last_resort"), trace, lines)


def _outcome(resolution: Resolution, segment: SegmentSpec | None, via: str) -> Outcome:
    rotations = (resolution.rotation,) if resolution.rotation is not None else ()
    return Outcome(resolution.assignee, segment, via, rotations=rotations)


@dataclass
class Match:
    """The first segment whose conditions hold, and the trace of the walk."""

    segment: SegmentSpec | None
    trace: dict[str, Any]
    lines: list[str]


def match(rule: CompiledRule, context: dict, gaps: dict | None = None) -> Match:
    """Walk a rule's segments top to bottom and stop at the first match.

    Unlike `decide`, nothing is resolved: a meeting segment's booking is
    worked out by the caller (calendars/), which appends its own lines and
    result. The per-segment entries have the same shape as decide's.
    """
    gaps = gaps or {}
    trace: dict[str, Any] = {
        "gaps": gaps,
        "rule": {"id": rule.id, "name": rule.name, "version": rule.version},
        "segments": [],
        "not_reached": 0,
    }
    lines: list[str] = [f'Rule "{rule.name}" ({version_text(rule.version)}).']
    lines.extend(f"{ns} data: {why}." for ns, why in sorted(gaps.items()))
    lines.extend(source_lines(context))
    for index, seg in enumerate(rule.segments):
        explanation = seg.explain(context)
        matched = bool(seg.predicate(context))
        entry = {
            "id": seg.id,
            "name": seg.name,
            "position": seg.position,
            "fallback": seg.is_fallback,
            "summary": seg.summary,
            "matched": matched,
            "conditions": explanation,
        }
        if seg.booking is not None:
            entry["booking"] = seg.booking
        else:
            entry["assignee"] = seg.assignee
        trace["segments"].append(entry)
        label = f'{index + 1}. "{seg.name}"'
        if not matched:
            entry["outcome"] = "no_match"
            entry["reason"] = "conditions not met: " + "; ".join(failed_leaves(explanation))
            lines.append(f"{label}: no match ({entry['reason'][len('conditions not met: ') :]}).")
            continue
        entry["outcome"] = "matched"
        seen = "; ".join(all_leaves(explanation)) or seg.summary
        lines.append(f"{label}: matched ({seen}).")
        trace["not_reached"] = len(rule.segments) - index - 1
        return Match(seg, trace, lines)
    return Match(None, trace, lines)  # only when a rule has no fallback (never saved so)


def _crm_owner_first(rule, context, directory, trace, lines, gaps) -> Outcome | None:
    exists = get_path(context, "crm.exists")
    if exists is not True:
        reason = (
            "lead not found in the CRM"
            if exists is False
            else "no CRM data" + (f" ({gaps['crm']})" if gaps.get("crm") else "")
        )
        trace["crm_owner_first"] = {"assigned": False, "reason": reason}
        lines.append(f"CRM owner first: {reason}; going on to the segments.")
        return None
    resolution = directory.resolve({"type": "crm_owner"}, context)
    trace["crm_owner_first"] = {
        "assigned": resolution.assignee is not None,
        "reason": resolution.reason,
    }
    if resolution.assignee is None:
        lines.append(f"CRM owner first: {resolution.reason}; going on to the segments.")
        return None
    lines.append(f"CRM owner first: {resolution.reason}.")
    trace["not_reached"] = len(rule.segments)
    return _outcome(resolution, None, "crm_owner_first")


def _finish(outcome: Outcome, trace: dict, lines: list[str]) -> Outcome:
    who = outcome.assignee
    kind = "AI agent" if who.type == "ai_agent" else "rep"
    where = {
        "segment": f'segment "{outcome.segment.name}"' if outcome.segment else "",
        "crm_owner_first": "CRM owner first",
        "last_resort": "the workspace default (last resort)",
    }[outcome.via]
    pool = f" from pool {who.pool['name']}" if who.pool else ""
    summary = f"Assigned to {who.name} ({kind}{pool}) via {where}."
    lines.append(summary)
    trace["result"] = {
        "via": outcome.via,
        "segment": outcome.segment.id if outcome.segment else None,
        "assignee": who.as_dict(),
        "summary": summary,
    }
    trace["lines"] = lines
    outcome.trace = trace
    return outcome
