"""Which slots a lead is offered (SPEC 5a): rule selection, CRM owner first,
the first matching segment's booking, rep by rep, with a trace.

`plan()` decides without writing anything (simulate uses it as is); `offer()`
also records the lead and the Availability that booking must refer to.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from routing.actions import routing as chat_routing
from routing.actions.errors import ActionError
from routing.models import KnockLink, Lead, RoutingRule, Workspace

from .. import availability as slots_maths
from ..models import Availability
from .planning import Offer, plan, slot_rules


def select_rule(workspace: Workspace, link: KnockLink | None) -> tuple[int, str]:
    """SPEC 5a: the link's meeting rule, else the workspace's default meeting rule."""
    if link is not None and link.meeting_rule_id:
        return link.meeting_rule_id, f"the meeting rule of link '{link.name}'"
    default_id = (
        RoutingRule.objects.filter(workspace=workspace, kind="meeting", is_default=True)
        .values_list("id", flat=True)
        .get()
    )
    if link is not None:
        return default_id, f"workspace default (link '{link.name}' has no meeting rule)"
    return default_id, "workspace default (no link)"


def prepare(workspace: Workspace, payload: dict, *, now):
    """Link, facts (before any transaction), existing lead, context and the CRM facts:
    routing's own preparation of a chat (routing.actions.routing), with no message."""
    inbound = chat_routing.inbound(workspace, payload)
    lead = chat_routing.known_lead(workspace, inbound.email)
    context, gaps = chat_routing.chat_context({**payload, "message": ""}, inbound, lead, now)
    return inbound.link, inbound.email, lead, context, gaps, inbound.crm


def window_of(payload: dict) -> tuple[datetime | None, datetime | None]:
    return payload.get("start"), payload.get("end")


def check_window(booking: dict, window, now) -> None:
    start, end = window
    horizon_end = slots_maths.window(now, slot_rules(booking))[1]
    if start is not None and start >= horizon_end:
        raise ActionError(
            {
                "start": [
                    f"The window starts after the booking horizon ({booking['horizon_days']} days)."
                ]
            }
        )
    if end is not None and end <= now:
        raise ActionError({"end": ["The window ends in the past."]})


def offer(workspace: Workspace, payload: dict, *, now=None) -> Offer:
    """POST /api/v1/meetings/availability/: plan, then record the lead and the offer."""
    started = time.perf_counter()
    now = now or timezone.now()
    link, email, lead, context, gaps, crm = prepare(workspace, payload, now=now)
    owner_id = getattr(crm, "owner_rep_id", None)
    rule_id, why = select_rule(workspace, link)
    tz = payload.get("timezone") or "UTC"
    window = window_of(payload)
    result = plan(
        workspace,
        rule_id,
        context,
        gaps,
        crm_owner_id=owner_id,
        tz=tz,
        window=window,
        now=now,
        why=why,
    )
    check_window(result.booking, window, now)
    with transaction.atomic():
        lead = Lead.objects.touch(
            workspace,
            email,
            name=payload["lead"].get("name") or "",
            first_touch=context["attribution"],
            now=now,
        )
        result.availability = Availability.objects.create(
            workspace=workspace,
            lead=lead,
            link=link,
            rule_id=result.rule["id"],
            rule_name=result.rule["name"],
            rule_version=result.rule["version"],
            segment_id=result.segment.id if result.segment else None,
            segment_name=result.segment.name if result.segment else "",
            via=result.via,
            logic=result.logic,
            booking=result.booking,
            timezone=tz,
            slots=utc_slots(result.slots),
            rep_ids=result.rep_ids,
            context=context,
            trace=result.trace,
            qualified=result.qualified,
            crm_record_type=getattr(crm, "record_type", None) or "",
            crm_record_id=getattr(crm, "record_id", None) or "",
        )
    result.lead, result.link = lead, link
    result.duration_ms = (time.perf_counter() - started) * 1000
    return result


def utc_slots(found: list[slots_maths.Slot]) -> list[dict]:
    # The maths hands UTC datetimes: only a slot from elsewhere needs converting.
    def iso(moment: datetime) -> str:
        return (moment if moment.tzinfo is UTC else moment.astimezone(UTC)).isoformat()

    return [{"start": iso(s.start), "end": iso(s.end), "reps": list(s.reps)} for s in found]


def simulate(
    workspace: Workspace, rule: RoutingRule, payload: dict, *, now=None, version=None
) -> Offer:
    """POST /rules/{id}/simulate/ on a meeting rule: like availability, no writes.
    `version`: the live version (None), "draft" or an earlier version's number."""
    started = time.perf_counter()
    now = now or timezone.now()
    label, chosen = chat_routing.simulated_rule(rule, version)
    _, _, _, context, gaps, crm = prepare(workspace, payload, now=now)
    owner_id = getattr(crm, "owner_rep_id", None)
    tz = payload.get("timezone") or "UTC"
    window = window_of(payload)
    result = plan(
        workspace,
        rule.id,
        context,
        gaps,
        crm_owner_id=owner_id,
        tz=tz,
        window=window,
        now=now,
        why=chat_routing.simulation_of(label),
        rule=chosen,
    )
    check_window(result.booking, window, now)
    result.duration_ms = (time.perf_counter() - started) * 1000
    return result
