"""Ownership of a chat after routing: the first human reply, joining."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from routing import events, seams
from routing.models import Chat, Rep

from .errors import ActionError


def _locked(chat: Chat) -> Chat:
    # of=("self",): Postgres cannot lock the nullable side of the outer joins.
    return (
        Chat.objects.select_for_update(of=("self",))
        .select_related("rep_owner", "ai_owner", "responding_rep")
        .get(pk=chat.pk)
    )


@transaction.atomic
def record_reply(chat: Chat, rep: Rep, at: datetime | None = None) -> tuple[Chat, bool]:
    """A human replied. Only the first human reply counts; returns (chat, changed).

    Sets Responding Rep, first_response_at and response_time_minutes; when an AI
    agent was the provisional owner, that human becomes the Rep Owner.
    """
    if rep.workspace_id != chat.workspace_id:
        raise ActionError({"rep": ["No such rep in this workspace."]})
    chat = _locked(chat)
    at = at or timezone.now()
    if chat.responding_rep_id is not None:
        # A later reply is still activity: it holds off the auto-close.
        if chat.last_activity_at is None or at > chat.last_activity_at:
            chat.last_activity_at = at
            chat.save(update_fields=["last_activity_at"])
        return chat, False
    chat.responding_rep = rep
    chat.first_response_at = at
    chat.response_time_minutes = round(max(0.0, (at - chat.created_at).total_seconds()) / 60, 2)
    changed = ["responding_rep", "first_response_at", "response_time_minutes"]
    if chat.ai_owner_id is not None and chat.rep_owner_id is None:
        chat.rep_owner = rep
        changed.append("rep_owner")
    chat.save(update_fields=changed)
    _after_change(chat, "responding_rep", rep_owner_changed="rep_owner" in changed)
    return chat, True


@transaction.atomic
def join_chat(chat: Chat, rep: Rep) -> tuple[Chat, bool]:
    """The CRM owner pressed Join: they become the Rep Owner."""
    if rep.workspace_id != chat.workspace_id:
        raise ActionError({"rep": ["No such rep in this workspace."]})
    chat = _locked(chat)
    if chat.rep_owner_id == rep.id:
        return chat, False
    chat.rep_owner = rep
    chat.save(update_fields=["rep_owner"])
    _after_change(chat, "rep_owner", rep_owner_changed=True)
    return chat, True


def _after_change(chat: Chat, change: str, *, rep_owner_changed: bool) -> None:
    events.chat_updated_on_commit(chat, change)
    # The CRM write-back (and anything else) is planned through the outbox seam.
    if change == "responding_rep":
        seams.plan_outbox("chat.replied", chat=chat, owner_changed=rep_owner_changed)
    else:
        seams.plan_outbox("chat.owner_changed", chat=chat)
