"""What a decision sends: the lead alert, the rep DM, the CRM owner's Join DM.

Called by routing.actions inside the decision's transaction: the Delivery
rows and their tasks commit with the decision or not at all.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

import outbox
from routing import cache
from routing.engine import CompiledRule, SegmentSpec, get_path
from routing.events import decision_payload
from routing.ids import is_db_id
from routing.models import Decision, Rep

from .models import SlackSettings
from .slack import messages
from .slack.client import token_for


def backend_for(workspace) -> str:
    return "slack" if token_for(workspace) else "local"


def decision_url(decision: Decision) -> str:
    path = reverse(
        "console:decision", kwargs={"ws": decision.workspace_id, "decision_id": decision.id}
    )
    return settings.PUBLIC_URL + path


def lead_info(decision: Decision, context: dict, message: str = "") -> dict:
    info = decision_payload(decision)
    intent = context.get("intent") or {}
    info["intent"] = {"type": intent.get("type"), "score": intent.get("score")}
    info["message"] = message
    return info


def slack_route(workspace) -> tuple[str, str]:
    """(backend, default channel) of the workspace: one read of its Slack settings,
    cached under its routing stamp (routing/cache.py; saving them replaces it)."""

    def load():
        own = SlackSettings.objects.filter(workspace_id=workspace.pk).first()
        if own is not None:
            workspace.slack_settings = own  # token_for reads it: no second query
        return backend_for(workspace), own.default_channel if own is not None else ""

    return cache.get(workspace, "slack.route", None, load)


def monitoring_channel(
    workspace, rule: CompiledRule, segment: SegmentSpec | None, default: str | None = None
) -> str:
    if segment is not None and segment.monitoring_channel:
        return segment.monitoring_channel
    if rule.monitoring_channel:
        return rule.monitoring_channel
    if default is not None:
        return default
    own = getattr(workspace, "slack_settings", None)
    return own.default_channel if own is not None else ""


def plan(event: str, **data) -> None:
    """The outbox planner (settings.KNOCK_OUTBOX_PLANNERS): what an event sends to Slack."""
    if event == "chat.routed":
        plan_decision(
            data["decision"],
            data["rule"],
            data["segment"],
            data["context"],
            data["message"],
            reps=data.get("reps"),
        )
    elif event.startswith("meeting."):
        from .meetings import plan as plan_meeting  # it imports this module's helpers

        plan_meeting(event, **data)


def plan_decision(
    decision: Decision, rule: CompiledRule, segment, context: dict, message="", *, reps=None
):
    """`reps`: {id: Rep} the routing already read (the assignee, the CRM owner), so
    the DMs need no second read of them."""
    workspace = decision.workspace
    backend, default_channel = slack_route(workspace)
    url = decision_url(decision)
    info = lead_info(decision, context, message)
    channel = monitoring_channel(workspace, rule, segment, default_channel)
    common = {"backend": backend, "decision": decision, "chat": decision.chat, "fresh": True}
    if channel:
        outbox.enqueue(
            workspace,
            kind="slack.alert",
            key=f"decision:{decision.id}:alert",
            target={"channel": channel},
            payload=messages.lead_alert(info, url, decision.chat_id),
            **common,
        )
    if decision.rep_id:
        outbox.enqueue(
            workspace,
            kind="slack.rep_dm",
            key=f"decision:{decision.id}:rep_dm",
            # The rep id names the rep in the console ("DM Dana"), the user id is the address.
            target={"user": decision.rep.slack_user_id, "rep": decision.rep_id},
            payload=messages.rep_dm(info, url, channel),
            **common,
        )
    owner_id = get_path(context, "crm.owner_rep")
    if rule.notify_crm_owner and is_db_id(owner_id) and owner_id != decision.rep_id:
        owner = (reps or {}).get(owner_id)
        if owner is None:
            owner = Rep.objects.filter(workspace=workspace, id=owner_id).first()
        if owner is not None and owner.is_active:
            outbox.enqueue(
                workspace,
                kind="slack.owner_dm",
                key=f"decision:{decision.id}:owner_dm",
                target={"user": owner.slack_user_id, "rep": owner.id},
                payload=messages.owner_dm(info, url, decision.chat_id),
                **common,
            )
