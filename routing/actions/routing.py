"""Routing a chat: the one path every caller (API, console, commands) uses."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from knock import rawsql
from routing import cache, engine, events, seams
from routing.context import build_chat_context, payload_first_touch
from routing.directory import WorkspaceDirectory
from routing.enrichment import email_domain
from routing.models import Chat, Decision, KnockLink, Lead, RoutingRule, RuleVersion, Workspace
from routing.pools import rotation_statements

from .errors import ActionError, NotFound
from .replay import target as replay_target
from .rules import compiled
from .versions import get_version


@dataclass
class Routed:
    chat: Chat | None
    decision: Decision | None
    outcome: engine.Outcome
    rule: RoutingRule
    version: int | str  # "draft" for a simulation of the rule's draft
    context: dict
    duration_ms: float


def _link(workspace: Workspace, slug: str | None) -> KnockLink | None:
    if not slug:
        return None
    slug = slug.strip().lower()  # slugs are stored lower-case (actions.links)
    link = cache.get(
        workspace,
        "link",
        slug,
        lambda: KnockLink.objects.filter(workspace=workspace, slug=slug, is_active=True).first(),
    )
    if link is None:
        raise NotFound({"link": [f"No active Knock Link with slug {slug!r}."]})
    return link


def _history(lead: Lead, now) -> dict:
    """What the engagement score needs from the lead's past (read with the lead: its
    chats so far as `prior_chats`; a lead just touched saw last before, at previous_seen_at)."""
    seen = lead.previous_seen_at if getattr(lead, "touched", False) else lead.last_seen_at
    return {
        "prior_chats": lead.prior_chats,
        "days_since_last_seen": (now - seen).total_seconds() / 86400,
    }


def _known_lead(workspace: Workspace, email: str) -> Lead | None:
    """The lead as it was before this chat, with its number of chats: one query."""
    return (
        Lead.objects.filter(workspace=workspace, email=email)
        .annotate(prior_chats=Count("chats"))
        .first()
    )


@dataclass
class _Inbound:
    """What is known of a chat before its transaction opens: link, email and facts."""

    link: KnockLink | None
    email: str
    facts: dict

    @property
    def crm(self):
        return self.facts.get("crm")


def _inbound(workspace: Workspace, payload: dict) -> _Inbound:
    email = payload["lead"]["email"].strip().lower()
    link = _link(workspace, payload.get("link"))  # an unknown link is a 404 before any work
    # Facts (the CRM) are asked before any transaction opens: a slow CRM must not hold locks.
    facts = seams.fetch_facts(workspace, email=email, domain=email_domain(email))
    return _Inbound(link, email, facts)


def chat_context(payload: dict, inbound: _Inbound, lead: Lead | None, now) -> tuple[dict, dict]:
    """(context, gaps) of a chat, for route_chat and simulate alike (SPEC 3).

    `lead` is the lead as it was before this chat, None when it is new: its
    locked first touch, whether it is returning, and its history count.
    """
    return build_chat_context(
        payload=payload,
        link=inbound.link,
        lead_first_touch=(lead.first_touch or None) if lead is not None else None,
        lead_existed=lead is not None,
        crm=inbound.crm,
        enrichment=inbound.facts.get("enrichment"),
        history=_history(lead, now) if lead is not None else None,
    )


def _select_rule(workspace: Workspace, link: KnockLink | None, intent_type) -> tuple[int, str]:
    default_id = cache.get(
        workspace,
        "default_rule",
        "chat",
        lambda: (
            RoutingRule.objects.filter(workspace=workspace, kind="chat", is_default=True)
            .values_list("id", flat=True)
            .get()
        ),
    )
    return engine.select_rule(
        intent_type=intent_type if isinstance(intent_type, str) else None,
        intent_rules={k: v for k, v in (workspace.intent_rules or {}).items()},
        link_rule_id=link.chat_rule_id if link is not None else None,
        link_name=link.name if link is not None else None,
        default_rule_id=default_id,
    )


def _current(workspace: Workspace, rule_id: int) -> tuple[RuleVersion, engine.CompiledRule]:
    """The rule's current version and its compiled form, cached under the workspace's
    stamp (every edit publishes a version and replaces the stamp: routing/cache.py)."""

    def load():
        # Without its snapshot: `compiled` reads it (one query) only when this version
        # was never compiled in this process, e.g. not after an unrelated edit.
        version = (
            RuleVersion.objects.select_related("rule")
            .defer("snapshot")
            .filter(rule_id=rule_id)
            .order_by("-version")
            .first()
        )
        if version is None or version.rule.workspace_id != workspace.id:
            return None
        return version, compiled(version)

    found = cache.get(workspace, "rule", rule_id, load)
    if found is None:
        raise NotFound({"rule": ["No such rule in this workspace."]})
    return found


def _decide(workspace, rule_id, context, gaps, *, why: str, now, for_update: bool, rule=None):
    """Decide with the rule's current version (or the compiled `rule` given). Writes
    nothing: the outcome carries the pool rotation deltas (`for_update` reads the
    pools under lock to apply them)."""
    version = None
    if rule is None:
        version, rule = _current(workspace, rule_id)
    directory = WorkspaceDirectory(workspace, rule, context, now=now, for_update=for_update)
    outcome = engine.decide(rule, context, directory, gaps, selected_because=why)
    return version, rule, outcome, directory


def route_chat(
    workspace: Workspace,
    payload: dict,
    *,
    answer: Callable[[Chat], None] | None = None,
    workspace_is_fresh: bool = False,
) -> Routed:
    """Route one inbound chat. `payload` is the validated POST /api/v1/chats/ body.

    One transaction, route_chat's own (durable: it refuses to run inside a
    caller's, which would hold locks around the CRM lookup): lead, rotation
    state, chat, decision and deliveries commit together or not at all.
    The facts (CRM) are looked up before it opens. `answer(chat)` runs last
    inside it: the API writes its Idempotency-Key record there, so a retry
    either replays the answer or finds that nothing was done.

    `workspace_is_fresh`: the caller read the workspace in this request (the API's
    token query), so its `routing_stamp` keys the caches as it is; otherwise the
    stamp is read again first (a command may hold a workspace for hours).
    """
    started = time.perf_counter()
    now = timezone.now()
    if not workspace_is_fresh:
        cache.refresh(workspace)
    stamp = workspace.routing_stamp
    inbound = _inbound(workspace, payload)
    try:
        return _route(workspace, payload, inbound, answer, started, now)
    except IntegrityError as exc:
        if not _points_at_a_deleted_row(exc):
            raise
        # The chat or decision points at a row another request deleted after this one
        # read the caches (a rep, an AI agent, the link: their foreign keys are checked
        # at the commit). The deletion replaced the workspace's stamp, so routing again
        # reads what is there now; nothing of the first attempt was kept. Once, and
        # only then: with the same stamp it is not that race.
        cache.refresh(workspace)
        if workspace.routing_stamp == stamp:
            raise
        inbound = _inbound(workspace, payload)  # the link may be gone now: a 404
        return _route(workspace, payload, inbound, answer, started, timezone.now())


def _points_at_a_deleted_row(exc: IntegrityError) -> bool:
    """A foreign key violation (PostgreSQL's SQLSTATE 23503, SQLite's own words)."""
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) == "23503" or "FOREIGN KEY constraint" in str(exc)


def _route(workspace, payload, inbound: _Inbound, answer, started, now) -> Routed:
    link, crm = inbound.link, inbound.crm
    with transaction.atomic(durable=True):
        lead = Lead.objects.touch(
            workspace,
            inbound.email,
            name=payload["lead"].get("name") or "",
            first_touch=payload_first_touch(payload, link),
            now=now,
            next_ids=(Chat, Decision),  # on PostgreSQL: the rows' keys, taken now
        )
        context, gaps = chat_context(payload, inbound, lead if lead.existed else None, now)
        # Decided last: the pools are locked (in the engine's first pool pick)
        # only for the pick and the one statement that records it.
        rule_id, why = _select_rule(workspace, link, context["intent"].get("type"))
        version, compiled_rule, outcome, directory = _decide(
            workspace, rule_id, context, gaps, why=why, now=now, for_update=True
        )
        loaded = directory.loaded()
        chat, decision = _record(
            workspace, payload, lead, link, crm, version, outcome, context, loaded
        )
        decision.duration_ms = round((time.perf_counter() - started) * 1000, 3)
        # The one place rotation state is written: under the pool locks the
        # decision read it under, committed with the decision or not at all.
        rotation = rotation_statements(outcome.rotations)
        events.decision_created_on_commit(decision)
        if lead.next_ids:
            # PostgreSQL: the keys are known, so the Slack and CRM deliveries are
            # planned first and written in the chat and decision's own statement;
            # when that is the transaction's last (no Idempotency-Key record, no
            # delivery task to enqueue) its COMMIT goes with it, so the pool lock
            # is released in that round trip.
            chat.pk, decision.pk = lead.next_ids
            chat.created_at = decision.created_at = timezone.now()  # as the plans show it

            def write(deliveries, last):
                rawsql.insert_rows(
                    [chat], [decision], deliveries, before=rotation, commit=last and answer is None
                )

        else:
            rawsql.insert_rows([chat], [decision], before=rotation)
            write = None
        decision.chat = chat  # its key is set now: the decision's chat_id with it
        # Slack alerts and DMs, the CRM write-back: planned in this transaction.
        seams.plan_outbox(
            "chat.routed",
            insert=write,
            decision=decision,
            rule=compiled_rule,
            segment=outcome.segment,
            context=context,
            message=payload.get("message") or "",
            reps=loaded["reps"],
        )
        if answer is not None:
            answer(chat)
    return Routed(
        chat, decision, outcome, version.rule, version.version, context, decision.duration_ms
    )


def _record(workspace, payload, lead, link, crm, version, outcome, context, loaded) -> tuple:
    """Build the chat and its decision (inserted together by the caller once timed).

    Both carry the objects already read (lead, link, owner, pool), so the 201,
    the feed row and the planners read nothing again.
    """
    who = outcome.assignee
    rep = loaded["reps"].get(who.id) if who.type == "rep" else None
    agent = loaded["agents"].get(who.id) if who.type == "ai_agent" else None
    pool_id = who.pool["id"] if who.pool else None
    chat = Chat(
        workspace=workspace,
        lead=lead,
        link=link,
        message=payload.get("message") or "",
        rep_owner_id=who.id if who.type == "rep" else None,
        ai_owner_id=who.id if who.type == "ai_agent" else None,
        crm_record_type=(crm.record_type or "") if crm is not None else "",
        crm_record_id=(crm.record_id or "") if crm is not None else "",
    )
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
        pool_id=pool_id,
        assignee_name=who.name,
        context=context,
        trace=outcome.trace,
    )
    # The related objects already in hand: no lazy load on the way out.
    if rep is not None:
        chat.rep_owner = decision.rep = rep
    if agent is not None:
        chat.ai_owner = decision.ai_agent = agent
    if pool_id is not None and pool_id in loaded["pools"]:
        decision.pool = loaded["pools"][pool_id]
    chat.responding_rep = None
    chat.decision = decision
    return chat, decision


def simulated_rule(rule: RoutingRule, version) -> tuple:
    """(label, compiled) for the version a simulation asks for: "draft" (the rule's
    draft, a 400 on `version` when it has none), a version number (a 400 if it has
    no such), or (None, None) for the live version (None)."""
    if version is None:
        return None, None
    if version == "draft":
        _, snapshot = replay_target(rule, "draft")
        return "draft", engine.compile_rule(snapshot)
    found = get_version(rule, version)
    return found.version, compiled(found)


def simulate(
    workspace: Workspace, rule: RoutingRule, *, payload=None, context=None, version=None
) -> Routed:
    """Route without side effects: no writes, no rotation, no notifications.

    Either a chat-shaped `payload` (the context is built as for a real chat,
    reading but never creating the lead) or a ready `context` dict. Nothing
    here writes: the directory only reads (no pool lock either), and the
    outcome's rotation deltas are simply not applied. `version`: the live
    version (None), "draft" or an earlier version's number.
    """
    started = time.perf_counter()
    now = timezone.now()
    gaps: dict = {}
    label, chosen = simulated_rule(rule, version)
    if context is None:
        if payload is None:
            raise ActionError({"detail": "Give either a chat payload or a context."})
        inbound = _inbound(workspace, payload)
        context, gaps = chat_context(payload, inbound, _known_lead(workspace, inbound.email), now)
    found, _, outcome, _ = _decide(
        workspace,
        rule.id,
        context,
        gaps,
        why=simulation_of(label),
        now=now,
        for_update=False,
        rule=chosen,
    )
    duration_ms = (time.perf_counter() - started) * 1000
    if label is not None:
        return Routed(None, None, outcome, rule, label, context, duration_ms)
    return Routed(None, None, outcome, found.rule, found.version, context, duration_ms)


def simulation_of(label: int | str | None) -> str:
    """The trace's `selected_because` of a simulation of the live version (None), the
    draft or an earlier version."""
    if label is None:
        return "simulation of this rule"
    return "simulation of " + (
        "this rule's draft" if label == "draft" else f"v{label} of this rule"
    )


__all__ = ["Routed", "route_chat", "simulate"]


# Public for the meeting funnel (calendars.actions.availability, issue 16): the same
# link, email and facts a chat starts from, so an availability's context is a chat's.
Inbound = _Inbound


def known_lead(workspace: Workspace, email: str) -> Lead | None:
    """The lead before this request, with its chats so far (`prior_chats`): one query."""
    return _known_lead(workspace, email)


def inbound(workspace: Workspace, payload: dict) -> Inbound:
    """The link (404 if unknown), the normalised email and the facts, before any
    transaction opens; pass it to chat_context()."""
    return _inbound(workspace, payload)
