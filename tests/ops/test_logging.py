"""One log line per event (issue 10 item 2): run as `make run` runs, in a fresh process."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import logging, django
django.setup()
from django_tasks_db.management.commands.db_worker import Command
Command().configure_logging(1)  # what `manage.py db_worker` does at start-up
logging.getLogger("django.utils.autoreload").info("watching for file changes")
logging.getLogger("django.tasks").info("Task id=1 state=RUNNING")
logging.getLogger("django.tasks").error("Task id=2 state=FAILED")
logging.getLogger("routing").info("routed a chat")
"""


def run_logging(debug: str) -> list[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "knock.settings",
        "DEBUG": debug,
        "SECRET_KEY": "logging-test-" + "x" * 50,
        "ALLOWED_HOSTS": "localhost",
        "LOG_LEVEL": "INFO",
    }
    env.pop("TASKS_LOG_LEVEL", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]


def test_each_event_is_logged_once_under_debug():
    lines = run_logging("1")
    assert sum("watching for file changes" in line for line in lines) == 1, lines
    assert sum("routed a chat" in line for line in lines) == 1, lines


def test_the_task_worker_is_quiet_at_info_but_reports_failures():
    for debug in ("1", "0"):
        lines = run_logging(debug)
        assert not any("state=RUNNING" in line for line in lines), lines
        assert sum("state=FAILED" in line for line in lines) == 1, lines
