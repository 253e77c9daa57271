"""Running deliveries: durable, retried with backoff, idempotent.

django.tasks has no retries of its own, so a failed attempt re-enqueues the
task with `run_after` (exponential backoff with full jitter; a Retry-After
from the vendor is honoured). Permanent errors (channel_not_found,
invalid_auth, a CRM validation error, a kind with no handler...) fail at once
and show in the console with a Retry button. A delivery left `running` by a
worker that died is put back in the queue after STUCK_AFTER, and its handler
checks whether the first attempt already took effect before acting again.

Handlers are named in settings.KNOCK_OUTBOX_HANDLERS (outbox/registry.py). What
follows a delivery is the handler's own business: it calls it explicitly.
"""

from __future__ import annotations

import logging
import random
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from knock import rawsql

from .errors import DeliveryError
from .events import delivery_changed
from .models import Delivery
from .registry import handler_for

logger = logging.getLogger(__name__)

STUCK_AFTER = timedelta(minutes=5)
BASE_DELAY = 5.0  # seconds before the first retry (then 10, 20, 40...)
MAX_DELAY = 15 * 60.0


def backoff(attempt: int, retry_after: float | None = None, rng=random) -> float:
    """Seconds to wait before attempt `attempt + 1`: full jitter, at least Retry-After."""
    ceiling = min(MAX_DELAY, BASE_DELAY * 2 ** max(0, attempt - 1))
    delay = rng.uniform(ceiling / 2, ceiling)
    return max(delay, retry_after or 0.0)


@task()
def deliver(delivery_id: int) -> None:
    run(delivery_id)


@task()
def deliver_all(delivery_ids: list[int]) -> None:
    """The deliveries one decision planned, enqueued as one task (see `batch`)."""
    for delivery_id in delivery_ids:
        run(delivery_id)


_batch = threading.local()


@contextmanager
def batch(insert=None):
    """Collect the fresh deliveries planned inside: one INSERT for all of them and one
    task for those that leave the building, at the end of the block (still in the
    caller's transaction). routing.seams.plan_outbox runs the planners in one
    (settings.KNOCK_OUTBOX_BATCH). Nested blocks join the outermost.

    `insert(deliveries, last)`, when given, writes them instead (route_chat adds them
    to the statement that writes its chat and decision: knock.rawsql.insert_rows),
    setting their ids; it is called even when nothing was planned. `last` says that
    the batch writes nothing after it (no task to enqueue, no outer batch to join)."""
    if getattr(_batch, "pending", None) is not None:
        yield
        if insert is not None:
            insert([], False)  # the outer block inserts (and schedules) them later
        return
    _batch.pending = []
    try:
        yield
        pending, _batch.pending = _batch.pending, None
        remote = [d for d in pending if d.backend != "local"]
        if insert is not None:
            insert(pending, not remote)
        elif pending:
            rawsql.insert_many(pending)  # one INSERT, its text built once per process
        if len(remote) == 1:
            deliver.enqueue(remote[0].id)
        elif remote:
            deliver_all.enqueue([d.id for d in remote])
    finally:
        _batch.pending = None


def _schedule(delivery: Delivery, run_after=None) -> None:
    job = deliver.using(run_after=run_after) if run_after else deliver
    job.enqueue(delivery.id)


def enqueue(
    workspace, *, kind, key, backend, target, payload, decision=None, chat=None, fresh=False
) -> Delivery:
    """Record a delivery and enqueue it, in the caller's transaction. Idempotent on `key`.

    `fresh=True` (a brand-new decision, whose keys cannot exist yet) skips the lookup.
    """
    fields = {
        "kind": kind,
        "backend": backend,
        "target": target,
        "payload": payload,
        "decision": decision,
        "chat": chat,
    }
    if backend == "local":
        # The local outbox: nothing leaves the building; the console shows it.
        fields.update(status=Delivery.DONE, result={"local": True}, done_at=timezone.now())
    pending = getattr(_batch, "pending", None)
    if fresh and pending is not None:
        # Inserted (and scheduled) when the batch ends: the id is set then.
        delivery = Delivery(workspace=workspace, key=key, **fields)
        pending.append(delivery)
        return delivery
    if fresh:
        delivery, created = Delivery.objects.create(workspace=workspace, key=key, **fields), True
    else:
        delivery, created = Delivery.objects.get_or_create(
            workspace=workspace, key=key, defaults=fields
        )
    if created and backend != "local":
        _schedule(delivery)
    return delivery


def run(delivery_id: int) -> Delivery | None:
    requeue_stuck()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(id=delivery_id).first()
        if delivery is None or delivery.status in (Delivery.DONE, Delivery.FAILED):
            return delivery
        now = timezone.now()
        if delivery.status == Delivery.RUNNING and delivery.updated_at > now - STUCK_AFTER:
            return delivery  # another worker has it
        if delivery.next_attempt_at and delivery.next_attempt_at > now + timedelta(seconds=1):
            return delivery  # an early copy of a rescheduled task
        delivery.status = Delivery.RUNNING
        delivery.attempts += 1
        delivery.save(update_fields=["status", "attempts", "updated_at"])
    try:
        result = handler_for(delivery.kind)(delivery)
    except DeliveryError as exc:
        _failed_attempt(delivery, exc)
    except Exception as exc:  # an unknown failure: retried, bounded by max_attempts
        logger.exception("delivery %s (%s) crashed", delivery.id, delivery.kind)
        _failed_attempt(delivery, DeliveryError(f"{type(exc).__name__}: {exc}", permanent=False))
    else:
        _done(delivery, result)
    return delivery


def _done(delivery: Delivery, result: dict) -> None:
    delivery.status = Delivery.DONE
    delivery.result = {**delivery.result, **(result or {})}
    delivery.last_error = ""
    delivery.done_at = timezone.now()
    delivery.next_attempt_at = None
    delivery.save()
    delivery_changed(delivery)


def _failed_attempt(delivery: Delivery, error: DeliveryError) -> None:
    delivery.last_error = str(error)[:2000]
    if error.permanent or delivery.attempts >= delivery.max_attempts:
        delivery.status = Delivery.FAILED
        delivery.next_attempt_at = None
        delivery.save()
        logger.warning("delivery %s failed for good: %s", delivery.id, delivery.last_error)
        delivery_changed(delivery)
        return
    delay = backoff(delivery.attempts, error.retry_after)
    delivery.status = Delivery.PENDING
    delivery.next_attempt_at = timezone.now() + timedelta(seconds=delay)
    delivery.save()
    _schedule(delivery, run_after=delivery.next_attempt_at)


def save_progress(delivery: Delivery, **result) -> None:
    """Persist part of the result before an irreversible call (e.g. the DM channel id),
    or before a handler acts on what it just did (the alert's ts)."""
    delivery.result = {**delivery.result, **result}
    Delivery.objects.filter(id=delivery.id).update(result=delivery.result)


def requeue_stuck() -> int:
    """Deliveries a dead worker left `running` go back to the queue."""
    cutoff = timezone.now() - STUCK_AFTER
    stuck = list(
        Delivery.objects.filter(status=Delivery.RUNNING, updated_at__lt=cutoff).values_list(
            "id", flat=True
        )[:100]
    )
    for delivery_id in stuck:
        with transaction.atomic():
            updated = Delivery.objects.filter(
                id=delivery_id, status=Delivery.RUNNING, updated_at__lt=cutoff
            ).update(status=Delivery.PENDING, updated_at=timezone.now())
            if updated:
                deliver.enqueue(delivery_id)
    return len(stuck)


def retry(delivery: Delivery) -> Delivery:
    """The console's Retry button: a failed delivery gets three more attempts."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(id=delivery.id)
        if delivery.status != Delivery.FAILED:
            return delivery
        delivery.status = Delivery.PENDING
        delivery.max_attempts = delivery.attempts + 3
        delivery.next_attempt_at = None
        delivery.save()
        _schedule(delivery)
    return delivery
