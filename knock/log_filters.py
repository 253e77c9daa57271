"""Logging filters for the console handler (knock/settings.py LOGGING)."""

import logging

from django.conf import settings


class QuietTasks(logging.Filter):
    """Drop django.tasks records below TASKS_LOG_LEVEL (default WARNING).

    The task worker (django-tasks-db's db_worker) sets the django.tasks logger to INFO
    itself at start-up, which logs two lines per task run (hundreds while the demo
    seeds); a filter on our handler is the one place that setting cannot override.
    Task failures are ERROR records and always pass.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.tasks" or record.name.startswith("django.tasks."):
            threshold = logging.getLevelName(getattr(settings, "TASKS_LOG_LEVEL", "WARNING"))
            return record.levelno >= (threshold if isinstance(threshold, int) else 30)
        return True
