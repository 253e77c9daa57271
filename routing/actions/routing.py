"""Routing a chat: the one path every caller (API, console, commands) uses."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from routing import engine, events, seams
from routing.context import build_chat_context
from routing.directory import WorkspaceDirectory
from routing.enrichment import email_domain
from routing.models import Chat, Decision, KnockLink, Lead, RoutingRule, Workspace

from .errors import ActionError, NotFound
from .rules import compiled, current_version


@dataclass
class Routed:
    chat: Chat | None
    decision: Decision | None
    outcome: engine.Outcome
    rule: RoutingRule
    version: int
    context: dict
    duration_ms: float


def _link(workspace: Workspace, slug: str | None) -> KnockLink | None:
    if not slug:
        return None
    link = (
        # Slugs are stored lower-case (actions.links): "Webinar-Q4" finds webinar-q4.
        KnockLink.objects.filter(workspace=workspace, slug=slug.strip().lower(), is_active=True)
        .select_related("chat_rule")
        .first()
    )
    if link is None:
        raise NotFound({"link": [f"No active Knock Link with slug {slug!r}."]})
    return link


def _history(lead: Lead, now) -> dict:
    """What the engagement score needs from the lead's past (one query)."""
    return {
        "prior_chats": Chat.objects.filter(lead=lead).count(),
        "days_since_last_seen": (now - lead.last_seen_at).total_seconds() / 86400,
    }


def _select_rule(workspace: Workspace, link: KnockLink | None, intent_type) -> tuple[int, str]:
    default_id = (
        RoutingRule.objects.filter(workspace=workspace, kind="chat", is_default=True)
        .values_list("id", flat=True)
        .get()
    )
    return engine.select_rule(
        intent_type=intent_type if isinstance(intent_type, str) else None,
        intent_rules={k: v for k, v in (workspace.intent_rules or {}).items()},
        link_rule_id=link.chat_rule_id if link is not None else None,
        link_name=link.name if link is not None else None,
        default_rule_id=default_id,
    )


def _run(workspace, rule_id, context, gaps, *, simulate: bool, now):
    version = current_version(rule_id)
    if version is None or version.rule.workspace_id != workspace.id:
        raise NotFound({"rule": ["No such rule in this workspace."]})
    rule = compiled(version)
    directory = WorkspaceDirectory(workspace, rule, context, now=now, simulate=simulate)
    return version, rule, engine.decide(rule, context, directory, gaps)


def route_chat(
    workspace: Workspace, payload: dict, *, answer: Callable[[Chat], None] | None = None
) -> Routed:
    """Route one inbound chat. `payload` is the validated POST /api/v1/chats/ body.

    One transaction, route_chat's own (durable: it refuses to run inside a
    caller's, which would hold locks around the CRM lookup): lead, rotation
    state, chat, decision and deliveries commit together or not at all.
    The facts (CRM) are looked up before it opens. `answer(chat)` runs last
    inside it: the API writes its Idempotency-Key record there, so a retry
    either replays the answer or finds that nothing was done.
    """
    started = time.perf_counter()
    now = timezone.now()
    email = payload["lead"]["email"].strip().lower()
    link = _link(workspace, payload.get("link"))  # an unknown link is a 404 before any work
    # Facts (the CRM) are asked before the transaction opens: a slow CRM must not hold locks.
    facts = seams.fetch_facts(workspace, email=email, domain=email_domain(email))
    crm = facts.get("crm")
    with transaction.atomic(durable=True):
        lead, created = Lead.objects.get_or_create(
            workspace=workspace,
            email=email,
            defaults={"name": payload["lead"].get("name") or ""},
        )
        context, gaps = build_chat_context(
            payload=payload,
            link=link,
            lead_first_touch=lead.first_touch or None,
            lead_existed=not created,
            crm=crm,
            enrichment=facts.get("enrichment"),
            history=None if created else _history(lead, now),
        )
        rule_id, why = _select_rule(workspace, link, context["intent"].get("type"))
        version, compiled_rule, outcome = _run(
            workspace, rule_id, context, gaps, simulate=False, now=now
        )
        outcome.trace["rule"]["selected_because"] = why
        outcome.trace["lines"].insert(1, f"Selected because: {why}.")

        lead_updates = []
        if not lead.first_touch:
            lead.first_touch = context["attribution"]
            lead_updates.append("first_touch")
        if payload["lead"].get("name") and lead.name != payload["lead"]["name"]:
            lead.name = payload["lead"]["name"]
            lead_updates.append("name")
        lead.save(update_fields=[*lead_updates, "last_seen_at"])

        who = outcome.assignee
        chat = Chat.objects.create(
            workspace=workspace,
            lead=lead,
            link=link,
            message=payload.get("message") or "",
            rep_owner_id=who.id if who.type == "rep" else None,
            ai_owner_id=who.id if who.type == "ai_agent" else None,
            crm_record_type=(crm.record_type or "") if crm is not None else "",
            crm_record_id=(crm.record_id or "") if crm is not None else "",
        )
        duration_ms = (time.perf_counter() - started) * 1000
        decision = Decision(
            workspace=workspace,
            kind="chat",
            chat=chat,
            lead=lead,
            link=link,
            rule_id=version.rule_id,
            rule_name=outcome.trace["rule"]["name"],
            rule_version=version.version,
            segment_id=outcome.segment.id if outcome.segment else None,
            segment_name=outcome.segment.name if outcome.segment else "",
            via=outcome.via,
            assignee_type=who.type,
            rep_id=who.id if who.type == "rep" else None,
            ai_agent_id=who.id if who.type == "ai_agent" else None,
            pool_id=who.pool["id"] if who.pool else None,
            assignee_name=who.name,
            context=context,
            trace=outcome.trace,
            duration_ms=round(duration_ms, 3),
        )
        decision.save(force_insert=True)
        # Slack alerts and DMs, the CRM write-back: planned in this transaction.
        seams.plan_outbox(
            "chat.routed",
            decision=decision,
            rule=compiled_rule,
            segment=outcome.segment,
            context=context,
            message=payload.get("message") or "",
        )
        events.decision_created_on_commit(decision)
        if answer is not None:
            answer(chat)
    return Routed(chat, decision, outcome, version.rule, version.version, context, duration_ms)


def simulate(workspace: Workspace, rule: RoutingRule, *, payload=None, context=None) -> Routed:
    """Route without side effects: no writes, no rotation, no notifications.

    Either a chat-shaped `payload` (the context is built as for a real chat,
    reading but never creating the lead) or a ready `context` dict.
    """
    started = time.perf_counter()
    now = timezone.now()
    gaps: dict = {}
    if context is None:
        if payload is None:
            raise ActionError({"detail": "Give either a chat payload or a context."})
        link = _link(workspace, payload.get("link"))
        email = payload["lead"]["email"].strip().lower()
        lead = Lead.objects.filter(workspace=workspace, email=email).first()
        facts = seams.fetch_facts(workspace, email=email, domain=email_domain(email))
        context, gaps = build_chat_context(
            payload=payload,
            link=link,
            lead_first_touch=(lead.first_touch or None) if lead else None,
            lead_existed=lead is not None,
            crm=facts.get("crm"),
            enrichment=facts.get("enrichment"),
            history=_history(lead, now) if lead else None,
        )
    # A rolled-back atomic block guarantees "no writes" even if a future
    # directory change forgot the simulate flag somewhere.
    with transaction.atomic():
        version, _, outcome = _run(workspace, rule.id, context, gaps, simulate=True, now=now)
        outcome.trace["rule"]["selected_because"] = "simulation of this rule"
        transaction.set_rollback(True)
    duration_ms = (time.perf_counter() - started) * 1000
    return Routed(None, None, outcome, version.rule, version.version, context, duration_ms)


__all__ = ["Routed", "route_chat", "simulate"]
