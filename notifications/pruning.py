"""Forgetting the Slack requests we have seen (SlackEvent, SlackInteraction).

They exist to drop Slack's retries of an event (within about an hour) and replays of
a signed click (a signature is valid 5 minutes), so after a retention window
(`SLACK_SEEN_RETENTION_HOURS`, default 72) they only grow the tables. An event
not processed yet (a thread reply waiting for its alert, tasks.replay_threads) is
kept longer: UNPROCESSED_DAYS, after which no alert will come for it.

Periodic like the auto-close (routing/tasks.py): django-tasks-db has no scheduler,
so the tick re-enqueues itself; `manage.py prune_slack_seen --schedule` starts the
chain (make run calls it), idempotently.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .models import SlackEvent, SlackInteraction

TICK_SECONDS = 3600
UNPROCESSED_DAYS = 30
BATCH = 2000  # rows per DELETE: one run never holds a long lock


def _delete_in_batches(qs) -> int:
    deleted = 0
    while True:
        ids = list(qs.values_list("id", flat=True)[:BATCH])
        if not ids:
            return deleted
        deleted += qs.model.objects.filter(id__in=ids).delete()[0]


def prune(now=None) -> dict:
    """Deletes what is past the retention window; returns {"events": n, "interactions": n}."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.SLACK_SEEN_RETENTION_HOURS)
    stale_unprocessed = now - timedelta(days=max(UNPROCESSED_DAYS, 0))
    events = _delete_in_batches(
        SlackEvent.objects.filter(received_at__lt=cutoff, processed_at__isnull=False)
    ) + _delete_in_batches(
        SlackEvent.objects.filter(
            received_at__lt=min(cutoff, stale_unprocessed), processed_at__isnull=True
        )
    )
    interactions = _delete_in_batches(SlackInteraction.objects.filter(received_at__lt=cutoff))
    return {"events": events, "interactions": interactions}


def _waiting_ticks():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=f"{__name__}.prune_tick", status="READY")


@transaction.atomic
def schedule(seconds: int = TICK_SECONDS, *, delay: int | None = None) -> bool:
    """Make sure one tick is waiting; returns whether one was enqueued."""
    if _waiting_ticks().exists():
        return False
    run_after = timezone.now() + timedelta(seconds=seconds if delay is None else delay)
    prune_tick.using(run_after=run_after).enqueue(seconds)
    return True


@task()
def prune_tick(seconds: int = TICK_SECONDS) -> dict:
    pruned = prune()
    schedule(seconds)
    return pruned
