"""A chat's life after routing: close, reopen, reassign, and the auto-close.

Open chats are what load balancing and capacity count (routing/pools.py counts
`status="open"`), so closing a chat frees its owner's capacity at once.
Closing and reopening are idempotent: a second call changes nothing and says so.
A reassignment is a decision of its own (`Decision.reassigned_chat`) whose
trace names who did it and why; the routing's decision stays as it was.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from routing import events, seams
from routing.models import Chat, Decision, Rep, Workspace

from .errors import ActionError
from .rows import locked

MAX_REASON = 500
MAX_AUTO_CLOSE_HOURS = 24 * 90
AUTO_CLOSE_BATCH = 500


def _locked(chat: Chat) -> Chat:
    # of=("self",): Postgres cannot lock the nullable side of the outer joins.
    return (
        Chat.objects.select_for_update(of=("self",))
        .select_related("workspace", "lead", "link", "rep_owner", "ai_owner", "responding_rep")
        .get(pk=chat.pk)
    )


@transaction.atomic
def close_chat(chat: Chat, *, by: str, at: datetime | None = None) -> tuple[Chat, bool]:
    """End a chat. Returns (chat, changed); closing a closed chat changes nothing."""
    chat = _locked(chat)
    if chat.status == "closed":
        return chat, False
    chat.status = "closed"
    chat.closed_at = at or timezone.now()
    chat.closed_by = by[:200]
    chat.save(update_fields=["status", "closed_at", "closed_by"])
    events.chat_updated_on_commit(chat, "closed")
    seams.plan_outbox("chat.closed", chat=chat)
    return chat, True


@transaction.atomic
def reopen_chat(chat: Chat, *, by: str) -> tuple[Chat, bool]:
    """Resume a closed chat; it counts as activity (the auto-close clock restarts)."""
    chat = _locked(chat)
    if chat.status == "open":
        return chat, False
    chat.status = "open"
    chat.closed_at = None
    chat.closed_by = ""
    chat.last_activity_at = chat.reopened_at = timezone.now()
    chat.save(update_fields=["status", "closed_at", "closed_by", "last_activity_at", "reopened_at"])
    events.chat_updated_on_commit(chat, "reopened")
    return chat, True


def clean_reason(reason) -> str:
    if reason is None:
        return ""
    if not isinstance(reason, str):
        raise ActionError({"reason": ["Give the reason as text."]})
    reason = " ".join(reason.split())
    if len(reason) > MAX_REASON:
        raise ActionError({"reason": [f"At most {MAX_REASON} characters."]})
    return reason


@transaction.atomic
def reassign_chat(chat: Chat, rep: Rep, *, by: str, reason: str = "") -> tuple[Chat, Decision]:
    """Give an open chat to another rep: a new decision, the rep becomes Rep Owner."""
    reason = clean_reason(reason)
    if rep.workspace_id != chat.workspace_id:
        raise ActionError({"rep": ["No such rep in this workspace."]})
    if not rep.is_active:
        raise ActionError({"rep": [f"{rep.name} is not active."]})
    chat = _locked(chat)
    rep = locked(rep)  # deleted meanwhile: Rep.DoesNotExist, not an IntegrityError at commit
    if chat.status != "open":
        raise ActionError({"detail": ["This chat is closed: reopen it before reassigning it."]})
    if chat.rep_owner_id == rep.id:
        raise ActionError({"rep": [f"{rep.name} already owns this chat."]})
    routed = Decision.objects.filter(chat=chat).first()
    previous = chat.reassignments.order_by("-created_at", "-id").first() or routed
    before = chat.rep_owner or chat.ai_owner
    before_name = before.name if before is not None else "nobody"
    now = timezone.now()
    summary = f"Assigned to {rep.name} (rep) by reassignment."
    lines = [f"Reassigned by {by} from {before_name} to {rep.name}."]
    lines.append(f"Reason: {reason}." if reason else "No reason given.")
    lines.append(summary)
    assignee = {"type": "rep", "id": rep.id, "name": rep.name}
    decision = Decision(
        workspace_id=chat.workspace_id,
        kind="chat",
        reassigned_chat=chat,
        lead=chat.lead,
        link=chat.link,
        rule=routed.rule if routed else None,
        rule_name=routed.rule_name if routed else "",
        rule_version=routed.rule_version if routed else 0,
        via="reassigned",
        assignee_type="rep",
        rep=rep,
        assignee_name=rep.name,
        context=routed.context if routed else {},
        trace={
            "gaps": {},
            "rule": (routed.trace or {}).get("rule") if routed else None,
            "segments": [],
            "not_reached": 0,
            "reassigned": {
                "by": by,
                "reason": reason,
                "from": {
                    "type": "rep" if chat.rep_owner else "ai_agent",
                    "id": before.id,
                    "name": before.name,
                }
                if before
                else None,  # fmt: skip
                "to": assignee,
                "previous_decision": previous.id if previous else None,
                "at": now.isoformat(),
            },
            "result": {
                "via": "reassigned",
                "segment": None,
                "assignee": assignee,
                "summary": summary,
            },
            "lines": lines,
        },
        duration_ms=0.0,
    )
    decision.save(force_insert=True)
    chat.rep_owner = rep
    chat.last_activity_at = now
    chat.save(update_fields=["rep_owner", "last_activity_at"])
    events.decision_created_on_commit(decision)
    events.chat_updated_on_commit(chat, "rep_owner")
    seams.plan_outbox("chat.owner_changed", chat=chat)
    return chat, decision


def clean_auto_close_hours(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ActionError({"auto_close_hours": ["Give a whole number of hours."]})
    if not 0 <= value <= MAX_AUTO_CLOSE_HOURS:
        raise ActionError(
            {"auto_close_hours": [f"Between 0 (never) and {MAX_AUTO_CLOSE_HOURS} hours."]}
        )
    return value


def last_activity():
    """The latest of created_at, first_response_at and last_activity_at, as SQL.

    Coalesce first: SQLite's MAX() is NULL when any argument is.
    """
    return Greatest(
        Coalesce(F("last_activity_at"), F("created_at")),
        Coalesce(F("first_response_at"), F("created_at")),
    )


def stale_chats(workspace: Workspace, now: datetime):
    """The workspace's open chats idle for its auto_close_hours (none when 0)."""
    if not workspace.auto_close_hours:
        return Chat.objects.none()
    cutoff = now - timedelta(hours=workspace.auto_close_hours)
    return (
        Chat.objects.filter(workspace=workspace, status="open")
        .annotate(activity=last_activity())
        .filter(activity__lt=cutoff)
        .order_by("activity", "id")
    )


def auto_close(now: datetime | None = None, *, limit: int = AUTO_CLOSE_BATCH) -> int:
    """Close every idle open chat (of every workspace); returns how many were closed.

    Each chat closes in its own transaction, so one run never holds many locks
    and a chat that got a reply meanwhile is re-checked under its lock.
    """
    now = now or timezone.now()
    closed = 0
    for workspace in Workspace.objects.filter(auto_close_hours__gt=0).order_by("id"):
        hours = workspace.auto_close_hours
        for chat_id in stale_chats(workspace, now).values_list("id", flat=True)[: limit - closed]:
            with transaction.atomic():
                chat = stale_chats(workspace, now).select_for_update(of=("self",))
                chat = chat.filter(id=chat_id).first()
                if chat is not None:
                    close_chat(chat, by=f"auto-close ({hours} h without activity)", at=now)
                    closed += 1
        if closed >= limit:
            break
    return closed
