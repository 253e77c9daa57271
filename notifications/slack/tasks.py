"""Slack work done off the request: events (thread replies) and Join clicks."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone

import outbox
from outbox.models import Delivery
from routing import actions
from routing.models import Chat, Rep

from ..models import SlackEvent
from . import messages

logger = logging.getLogger(__name__)


@task()
def handle_event(event_id: str) -> None:
    with transaction.atomic():
        record = (
            SlackEvent.objects.select_for_update()
            .filter(event_id=event_id, processed_at__isnull=True)
            .first()
        )
        if record is None:
            return
        event = record.payload.get("event") or {}
        if event.get("type") == "message" and thread_reply(event) == WAIT:
            return  # kept unprocessed: replayed when the pending alert is recorded
        record.processed_at = timezone.now()
        record.save(update_fields=["processed_at"])


WAIT = "wait"


def thread_reply(event: dict, alert: Delivery | None = None):
    """A human message in a lead's thread: the first one sets Responding Rep.

    Returns True/False (counted or not), or WAIT when the thread is not known
    yet but an alert is still being posted: its ts may be this thread's (the
    worker died between posting and recording it), so the event is replayed
    once that alert is recorded (see replay_threads).
    """
    if event.get("bot_id") or event.get("subtype") not in (None, "thread_broadcast"):
        return False
    thread_ts, ts = event.get("thread_ts"), event.get("ts")
    if not thread_ts or thread_ts == ts:
        return False
    if alert is None:
        alert = (
            Delivery.objects.filter(
                kind="slack.alert",
                status=Delivery.DONE,
                result__channel=event.get("channel"),
                result__ts=thread_ts,
            )
            .select_related("chat")
            .first()
        )
    if alert is None:
        unrecorded = Delivery.objects.filter(
            kind="slack.alert",
            status__in=[Delivery.PENDING, Delivery.RUNNING],
            created_at__gte=timezone.now() - timedelta(days=1),
        )
        return WAIT if unrecorded.exists() else False
    if alert.chat is None:
        return False
    rep = Rep.objects.filter(
        workspace_id=alert.workspace_id, slack_user_id=event.get("user") or "", is_active=True
    ).first()
    if rep is None:
        logger.info("slack: reply by %s in a lead thread is not from a rep", event.get("user"))
        return False
    try:
        at = datetime.fromtimestamp(float(ts), tz=UTC)
    except (TypeError, ValueError):
        at = timezone.now()
    _, changed = actions.record_reply(alert.chat, rep, at)
    return changed


@task()
def handle_join(chat_id: str, slack_user_id: str, channel: str, ts: str) -> None:
    if not chat_id.isdigit():
        return
    chat = Chat.objects.select_related("workspace", "decision").filter(id=int(chat_id)).first()
    if chat is None:
        return
    rep = Rep.objects.filter(
        workspace=chat.workspace, slack_user_id=slack_user_id, is_active=True
    ).first()
    invited = Delivery.objects.filter(
        chat=chat, kind="slack.owner_dm", target__rep=rep.id if rep else None
    ).exists()
    if rep is None or not invited:
        logger.warning("slack: Join on chat %s by %s, who was not invited", chat_id, slack_user_id)
        return
    with transaction.atomic():
        chat, _ = actions.join_chat(chat, rep)
        if channel and ts:
            from ..planner import backend_for, lead_info

            info = lead_info(chat.decision, chat.decision.context, chat.message)
            outbox.enqueue(
                chat.workspace,
                kind="slack.update",
                key=f"chat:{chat.id}:joined:{rep.id}",
                backend=backend_for(chat.workspace),
                target={"channel": channel, "ts": ts},
                payload=messages.joined(info, rep.name),
                chat=chat,
                decision=chat.decision,
            )


@task()
def handle_close(chat_id: str, slack_user_id: str, channel: str, ts: str) -> None:
    """The Close button of a lead alert: any active rep of the workspace may close it
    (the alert is in the monitoring channel, where the team works the lead)."""
    if not chat_id.isdigit():
        return
    chat = Chat.objects.select_related("workspace", "decision").filter(id=int(chat_id)).first()
    if chat is None:
        return
    rep = Rep.objects.filter(
        workspace=chat.workspace, slack_user_id=slack_user_id, is_active=True
    ).first()
    posted = Delivery.objects.filter(
        chat=chat, kind="slack.alert", result__channel=channel, result__ts=ts
    ).exists()
    if rep is None or not posted:
        logger.warning("slack: Close on chat %s by %s refused", chat_id, slack_user_id)
        return
    with transaction.atomic():
        chat, changed = actions.close_chat(chat, by=f"{rep.name} (Slack)")
        if changed:
            from ..planner import backend_for, decision_url, lead_info

            info = lead_info(chat.decision, chat.decision.context, chat.message)
            outbox.enqueue(
                chat.workspace,
                kind="slack.update",
                key=f"chat:{chat.id}:closed:{chat.closed_at.isoformat()}",
                backend=backend_for(chat.workspace),
                target={"channel": channel, "ts": ts},
                payload=messages.closed_alert(info, decision_url(chat.decision), chat.closed_by),
                chat=chat,
                decision=chat.decision,
            )


@task()
def run_sync(sync_id: int) -> None:
    """The console's "Sync reps from Slack": progress is saved after every page."""
    from outbox.errors import DeliveryError

    from ..models import SlackSync
    from .sync import sync_users

    run = SlackSync.objects.select_related("workspace").filter(id=sync_id).first()
    if run is None or run.status != SlackSync.RUNNING:
        return

    def progress(result):
        SlackSync.objects.filter(id=run.id).update(
            seen=result.seen,
            created=result.created,
            updated=result.updated,
            deactivated=result.deactivated,
            skipped=result.skipped,
        )

    try:
        sync_users(run.workspace, progress=progress)
    except DeliveryError as exc:
        SlackSync.objects.filter(id=run.id).update(
            status=SlackSync.FAILED, error=str(exc), finished_at=timezone.now()
        )
    else:
        SlackSync.objects.filter(id=run.id).update(
            status=SlackSync.DONE, finished_at=timezone.now()
        )


# The alert's handler asks for the replay right after posting, before the runner has
# recorded the delivery as done: the replay waits for that (a few seconds at most).
REPLAY_WAIT = timedelta(seconds=2)
REPLAY_TRIES = 30


@task()
def replay_threads(alert_id: int, tries: int = 0) -> None:
    """Events that waited for this alert's thread (see thread_reply) are handled now."""
    alert = Delivery.objects.select_related("chat").filter(id=alert_id).first()
    if alert is None:
        return
    if alert.status in (Delivery.PENDING, Delivery.RUNNING) and tries < REPLAY_TRIES:
        replay_threads.using(run_after=timezone.now() + REPLAY_WAIT).enqueue(alert_id, tries + 1)
        return
    if alert.status != Delivery.DONE or not alert.result.get("ts"):
        return
    waiting = SlackEvent.objects.filter(
        processed_at__isnull=True,
        payload__event__channel=alert.result.get("channel"),
        payload__event__thread_ts=alert.result["ts"],
    ).order_by("received_at", "id")
    for record in waiting:
        with transaction.atomic():
            thread_reply(record.payload["event"], alert=alert)
            record.processed_at = timezone.now()
            record.save(update_fields=["processed_at"])


def alert_posted(delivery: Delivery) -> None:
    """Called by deliver.post_alert once the alert is posted (explicitly: the outbox has
    no after-delivery hooks)."""
    if SlackEvent.objects.filter(processed_at__isnull=True).exists():  # someone is waiting
        replay_threads.enqueue(delivery.id)
