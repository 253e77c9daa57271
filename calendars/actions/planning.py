"""The decision part of availability (SPEC 5a), with no writes: CRM owner first,
the first matching segment's booking, every rep's slots and why, the logic.

Queries do not grow with the number of reps (calendars/lookup.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from routing import engine
from routing.actions.errors import ActionError, NotFound
from routing.actions.rules import compiled, current_version
from routing.booking import default_booking
from routing.models import KnockLink, Lead, PoolMember, Rep

from .. import availability as slots_maths
from .. import lookup
from ..models import Availability


@dataclass
class Offer:
    qualified: bool
    rule: dict  # {"id", "name", "version"}
    segment: engine.SegmentSpec | None
    via: str  # "segment" | "crm_owner"
    logic: str
    booking: dict  # the booking rules used (rep ids, not names)
    timezone: str
    slots: list[slots_maths.Slot]
    rep_ids: list[int]
    context: dict
    trace: dict
    window: tuple[datetime, datetime]
    lead: Lead | None = None
    link: KnockLink | None = None
    availability: Availability | None = None
    duration_ms: float = 0.0
    reps: dict[int, Rep] = field(default_factory=dict)


def slot_rules(booking: dict) -> slots_maths.SlotRules:
    return slots_maths.SlotRules(
        duration=booking["duration"],
        slot_interval=booking.get("slot_interval"),
        min_notice=booking["min_notice"],
        buffer_before=booking["buffer_before"],
        buffer_after=booking["buffer_after"],
        horizon_days=booking["horizon_days"],
        max_per_day=booking.get("max_per_day"),
    )


def _people(
    workspace,
    booking: dict,
) -> tuple[list[Rep], str | None]:
    """The reps a booking may offer, in their listed order (a pool: by member id)."""
    reps_qs = Rep.objects.filter(workspace=workspace).select_related("calendar_connection")
    if booking.get("pool"):
        members = (
            PoolMember.objects.filter(pool_id=booking["pool"], pool__workspace=workspace)
            .select_related("rep__calendar_connection")
            .order_by("id")
        )
        reps = [m.rep for m in members if not m.is_paused and m.rep.is_active]
        return reps, None if reps else "the pool has no active, unpaused member"
    if booking.get("default_rep"):
        chosen = None
        if workspace.default_rep_id:
            chosen = reps_qs.filter(id=workspace.default_rep_id, is_active=True).first()
        chosen = chosen or reps_qs.filter(is_active=True).order_by("name", "id").first()
        return ([chosen], None) if chosen else ([], "the workspace has no active rep")
    wanted = list(booking.get("reps", []))
    found = {r.id: r for r in reps_qs.filter(id__in=wanted)}
    return [found[r] for r in wanted if r in found], None


def _rep_entry(rep: Rep, avail: slots_maths.RepAvailability | None, reason: str | None) -> dict:
    why = reason or (avail.reason if avail else None)
    count = len(avail.slots) if avail else 0
    return {
        "id": rep.id,
        "name": rep.name,
        "calendar": lookup.backend_name(rep),
        "slots": count,
        "offered": False,
        "reason": why or ("free" if count else "no free time in the window"),
    }


def compute(workspace, booking: dict, reps: list[Rep], window, *, now) -> dict:
    """The pure part of one booking: every rep's slots and the logic's answer."""
    rules = slot_rules(booking)
    lo, hi = slots_maths.window(now, rules, *window)
    entries, avails = [], {}
    active = [r for r in reps if r.is_active]
    calendars = lookup.calendars_for(active, lookup.Span.around(lo, hi, booking)) if active else {}
    for rep in reps:
        if not rep.is_active:
            entries.append(_rep_entry(rep, None, "inactive"))
            continue
        avail = slots_maths.rep_slots(calendars[rep.id], rules, now=now, start=lo, end=hi)
        avails[rep.id] = avail
        entries.append(_rep_entry(rep, avail, None))
    logic = booking["logic"]
    chosen = None
    if logic == "all_calendars":
        missing = [e for e in entries if not avails.get(e["id"]) or not avails[e["id"]].slots]
        found = [] if missing else slots_maths.intersection(avails.values())
        offered = [e["id"] for e in entries] if found else []
    elif logic == "round_robin":
        keys = lookup.rotation([r.id for r in active], now)
        order = sorted(avails, key=lambda rep_id: keys[rep_id])
        chosen = next((rep_id for rep_id in order if avails[rep_id].slots), None)
        # Booking re-applies the rotation under the reps' locks (concurrent leads
        # may all have been shown the same rep): it needs every rep this offer could
        # have shown, i.e. with a slot in the window (a rep with none never blocks it).
        booking["candidates"] = [rep_id for rep_id in order if avails[rep_id].slots]
        found = slots_maths.union([avails[chosen]]) if chosen else []
        offered = [chosen] if chosen else []
        for e in entries:
            if e["id"] in keys:
                e["rotation"] = {"upcoming": keys[e["id"]][0], "order": order.index(e["id"]) + 1}
    else:  # single_rep, any_calendar
        found = slots_maths.union(avails.values())
        offered = [rep_id for rep_id, a in avails.items() if a.slots]
    for e in entries:
        e["offered"] = e["id"] in offered
        if chosen is not None and e["id"] != chosen and e["slots"]:
            e["reason"] = "free, but not first in the rotation"
    return {
        "slots": found,
        "offered": offered,
        "entries": entries,
        "chosen": chosen,
        "window": (lo, hi),
    }


def _line(entry: dict) -> str:
    state = "offered" if entry["offered"] else "not offered"
    return f"  {entry['name']}: {state} ({entry['reason']}; {entry['slots']} free slots)."


def plan(
    workspace, rule_id, context, gaps, *, crm_owner_id, tz, window, now, why, rule=None
) -> Offer:
    """Everything availability decides, without writing anything: with the rule's
    live version, or the compiled `rule` given (a simulation of its draft or of an
    earlier version; the caller checked the rule)."""
    if rule is None:
        version = current_version(rule_id)
        if version is None or version.rule.workspace_id != workspace.id:
            raise NotFound({"rule": ["No such rule in this workspace."]})
        if version.rule.kind != "meeting":
            raise ActionError({"rule": ["This is not a meeting rule."]})
        rule = compiled(version)
    ref = {"id": rule.id, "name": rule.name, "version": rule.version}
    owner_trace, lines_before = None, []
    if rule.crm_owner_first:
        owner = _owner_first(workspace, rule, context, crm_owner_id, window, now)
        owner_trace, lines_before = owner["trace"], [owner["line"]]
        if owner.get("result"):
            return _finish(owner["result"], ref, context, gaps, tz, owner_trace, lines_before, why)
    else:
        lines_before = ["CRM owner first: off."]
    matched = engine.match(rule, context, gaps)
    seg = matched.segment
    booking = dict(seg.booking)
    booking["reps"] = [r["id"] for r in booking.get("reps", [])]
    booking["pool"] = (booking.get("pool") or {}).get("id")
    if booking["logic"] == "disqualified":
        result = {
            "segment": seg,
            "via": "segment",
            "booking": booking,
            "qualified": False,
            "slots": [],
            "offered": [],
            "entries": [],
            "chosen": None,
            "reason": booking.get("reason") or "the segment is disqualified",
            "window": slots_maths.window(now, slot_rules(booking), *window),
            "reps": {},
        }
    else:
        reps, why_none = _people(workspace, booking)
        result = compute(workspace, booking, reps, window, now=now)
        result.update(segment=seg, via="segment", booking=booking, reps={r.id: r for r in reps})
        result["qualified"] = why_none is None
        result["reason"] = why_none
    trace = dict(matched.trace)
    return _finish(
        result,
        ref,
        context,
        gaps,
        tz,
        owner_trace,
        lines_before,
        why,
        matched=(trace, matched.lines),
    )


def _owner_first(workspace, rule, context, owner_id, window, now) -> dict:
    exists = engine.get_path(context, "crm.exists")
    if exists is not True:
        why = "lead not found in the CRM" if exists is False else "no CRM data"
        return {"trace": {"offered": False, "reason": why}, "line": f"CRM owner first: {why}."}
    rep = (
        Rep.objects.filter(workspace=workspace, id=owner_id)
        .select_related("calendar_connection")
        .first()
        if owner_id
        else None
    )
    if rep is None:
        why = "the CRM owner is not a rep"
    elif not rep.is_active:
        why = f"CRM owner {rep.name} is inactive"
    elif not lookup.is_connected(rep):
        why = f"CRM owner {rep.name} has no connected calendar"
    else:
        booking = {
            **default_booking(),
            "logic": "single_rep",
            "reps": [rep.id],
            "pool": None,
            "duration": rule.owner_duration,
            "slot_interval": rule.owner_duration,
        }
        result = compute(workspace, booking, [rep], window, now=now)
        if result["slots"]:
            result.update(
                segment=None,
                via="crm_owner",
                booking=booking,
                qualified=True,
                reason=None,
                reps={rep.id: rep},
            )
            trace = {
                "offered": True,
                "rep": {"id": rep.id, "name": rep.name},
                "reason": f"CRM owner {rep.name} has free slots",
            }
            return {"trace": trace, "line": f"CRM owner first: {rep.name}.", "result": result}
        why = f"CRM owner {rep.name} has no slot in the window ({result['entries'][0]['reason']})"
    return {
        "trace": {"offered": False, "reason": why},
        "line": f"CRM owner first: {why}; going on to the segments.",
    }


def _finish(result, ref, context, gaps, tz, owner_trace, lines_before, why, matched=None) -> Offer:
    trace, lines = (
        matched
        if matched
        else (
            {"gaps": gaps, "rule": ref, "segments": [], "not_reached": 0},
            [f'Rule "{ref["name"]}" ({engine.version_text(ref["version"])}).'],
        )
    )
    trace["rule"] = {**ref, "selected_because": why}
    trace["crm_owner_first"] = owner_trace
    lines = [lines[0], f"Selected because: {why}.", *lines_before, *lines[1:]]
    booking = result["booking"]
    entries = result["entries"]
    trace["booking"] = {
        "logic": booking["logic"],
        "duration": booking["duration"],
        "reps": entries,
        "chosen": result["chosen"],
    }
    if entries:
        lines.append(f"Booking: {booking['logic']}, {booking['duration']} minutes:")
        lines.extend(_line(e) for e in entries)
    n = len(result["slots"])
    if not result["qualified"]:
        summary = f"Disqualified: {result['reason']}."
    elif result["via"] == "crm_owner":
        summary = f"Offered {n} slots of the CRM owner (CRM owner first)."
    else:
        summary = f'Offered {n} slots via segment "{result["segment"].name}" ({booking["logic"]}).'
    lines.append(summary)
    trace["result"] = {
        "qualified": result["qualified"],
        "via": result["via"],
        "segment": result["segment"].id if result["segment"] else None,
        "logic": booking["logic"],
        "reps": result["offered"],
        "slots": n,
        "summary": summary,
    }
    trace["lines"] = lines
    return Offer(
        qualified=result["qualified"],
        rule=ref,
        segment=result["segment"],
        via=result["via"],
        logic=booking["logic"],
        booking=booking,
        timezone=tz,
        slots=result["slots"],
        rep_ids=result["offered"],
        context=context,
        trace=trace,
        window=result["window"],
        reps=result["reps"],
    )
