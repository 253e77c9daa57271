"""Running queued tasks in tests, as the worker does."""

import io
import logging
import signal

from django.core.management import call_command
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

TASKS_LOGGER = "django.tasks"


def run_tasks() -> int:
    """`manage.py db_worker --batch`: run every ready task, then return how many ran."""
    before = DBTaskResult.objects.exclude(status="READY").count()
    # The worker installs signal handlers and sets its loggers' levels: put them back.
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    loggers = [logging.getLogger(name) for name in ("django_tasks_db", TASKS_LOGGER)]
    levels = [lg.level for lg in loggers]
    # The worker calls close_old_connections() between tasks; inside a test's
    # transaction (autocommit off) that would close the test's own connection.
    original_close = db_worker.close_old_connections
    db_worker.close_old_connections = lambda: None
    try:
        call_command(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            verbosity=0,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    finally:
        db_worker.close_old_connections = original_close
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)
    return DBTaskResult.objects.exclude(status="READY").count() - before
