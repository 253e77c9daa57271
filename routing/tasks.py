"""The auto-close, as a periodic task on the project's task backend.

django-tasks-db has no scheduler, so the tick re-enqueues itself with
`run_after`. `manage.py autoclose_chats --schedule` starts the chain (make run
calls it before starting the worker; run it once per deploy in production); it
is idempotent: it enqueues nothing while a tick is already waiting. A tick that
finds another one waiting (two chains started at once) does not re-enqueue, so
duplicate chains collapse into one. Closing is idempotent, so an extra tick is
harmless anyway.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone

TICK_SECONDS = 300


def _waiting_ticks():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=f"{__name__}.autoclose_tick", status="READY")


@transaction.atomic
def schedule(seconds: int = TICK_SECONDS, *, delay: int | None = None) -> bool:
    """Make sure one tick is waiting; returns whether one was enqueued."""
    if _waiting_ticks().exists():
        return False
    run_after = timezone.now() + timedelta(seconds=seconds if delay is None else delay)
    autoclose_tick.using(run_after=run_after).enqueue(seconds)
    return True


@task()
def autoclose_tick(seconds: int = TICK_SECONDS) -> int:
    from routing.actions import auto_close

    closed = auto_close()
    schedule(seconds)
    return closed


@task()
def replay_run(run_id: int) -> str:
    """A long console replay (routing.actions.replay.start): progress on its ReplayRun."""
    from routing.actions.replay import execute

    return execute(run_id)
