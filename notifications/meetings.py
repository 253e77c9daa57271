"""What a meeting sends to Slack (SPEC 5a side effects), planned in the meeting's transaction.

A booking posts in the rule's monitoring channel (the segment's override, else the
rule's, else the workspace's default channel, as chats do) and DMs the meeting owner.
A reschedule, cancel or no-show replies in the booking post's thread (resolved when
it runs: the booking post may not be sent yet) and DMs the owner again. Without a
Slack token every message goes to the local outbox, exactly like a chat's.

Keys are per meeting and state ("meeting:7:booked:alert", "meeting:7:cancelled:dm"),
so planning the same state twice keeps one delivery; each reschedule is its own
state (the new start and the moment it was saved).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import outbox
from outbox.models import Delivery

from .planner import backend_for, decision_url
from .slack import messages

CHANGES = {
    "meeting.booked": "booked",
    "meeting.rescheduled": "rescheduled",
    "meeting.cancelled": "cancelled",
    "meeting.no_show": "no_show",
}
VIA_NAMES = {"crm_owner_first": "CRM owner first", "last_resort": "workspace default"}


def when(start, tz_name: str) -> str:
    """ "Thu 3 Dec 2026, 10:00 CET (Europe/Berlin)": the start on the owner's clock."""
    try:
        tz = ZoneInfo(tz_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        tz, tz_name = ZoneInfo("UTC"), "UTC"
    local = start.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M %Z} ({tz_name})"


def meeting_info(meeting) -> dict:
    """The plain values the Slack messages show (messages.meeting_alert and friends)."""
    decision, owner = meeting.decision, meeting.owner
    company = (decision.context or {}).get("company")
    attending = sorted(meeting.reps.all(), key=lambda r: (r.id != meeting.owner_id, r.name))
    return {
        "meeting": meeting.id,
        "status": meeting.status,
        "lead": {"email": meeting.lead.email, "name": meeting.lead.name},
        "company": company.get("name") if isinstance(company, dict) else None,
        "when": when(meeting.start, owner.timezone if owner else "UTC"),
        "duration": meeting.duration,
        "owner": owner.name if owner else decision.assignee_name,
        "reps": [r.name for r in attending],
        "segment": decision.segment_name or VIA_NAMES.get(decision.via, "-"),
        "rule": {"name": decision.rule_name, "version": decision.rule_version},
        "reason": meeting.cancel_reason,
    }


def monitoring_channel(meeting) -> str:
    if meeting.segment is not None and meeting.segment.monitoring_channel:
        return meeting.segment.monitoring_channel
    if meeting.rule is not None and meeting.rule.monitoring_channel:
        return meeting.rule.monitoring_channel
    own = getattr(meeting.workspace, "slack_settings", None)
    return own.default_channel if own is not None else ""


def state_key(meeting, change: str) -> str:
    if change != "rescheduled":
        return f"meeting:{meeting.id}:{change}"
    moved = int(meeting.updated_at.timestamp() * 1000)
    return f"meeting:{meeting.id}:rescheduled:{meeting.start:%Y%m%dT%H%MZ}:{moved}"


def plan(event: str, **data) -> None:
    """The outbox planner for meeting events (called by notifications.planner.plan)."""
    change = CHANGES.get(event)
    if change is not None:
        plan_meeting(data["meeting"], change)


def plan_meeting(meeting, change: str) -> list[Delivery]:
    workspace = meeting.workspace
    backend = backend_for(workspace)
    url = decision_url(meeting.decision)
    info = meeting_info(meeting)
    key = state_key(meeting, change)
    common = {"backend": backend, "decision": meeting.decision, "fresh": change == "booked"}
    made = []
    booked_key = f"meeting:{meeting.id}:booked:alert"
    target = None
    if change == "booked":
        channel = monitoring_channel(meeting)
        target = {"channel": channel} if channel else None
    else:
        booked = Delivery.objects.filter(workspace=workspace, key=booked_key).first()
        if booked is not None:  # a reply in the booking post's thread
            target = {"channel": booked.target.get("channel", ""), "thread_of": booked_key}
        elif channel := monitoring_channel(meeting):
            target = {"channel": channel}  # the booking had no channel; one is set now
    if target is not None:
        made.append(
            outbox.enqueue(
                workspace,
                kind="slack.meeting",
                key=f"{key}:alert",
                target=target,
                payload=messages.meeting_alert(info, url, change),
                **common,
            )
        )
    if meeting.owner is not None:
        made.append(
            outbox.enqueue(
                workspace,
                kind="slack.rep_dm",
                key=f"{key}:dm",
                target={"user": meeting.owner.slack_user_id, "rep": meeting.owner.id},
                payload=messages.meeting_owner_dm(info, url, change),
                **common,
            )
        )
    return made
