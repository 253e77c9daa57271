"""Database connection settings from the environment (issue 16 item 2), in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({"age": db["CONN_MAX_AGE"], "checks": db["CONN_HEALTH_CHECKS"]}))
"""


def settings_with(**extra) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "knock.settings",
        "DEBUG": "0",
        "SECRET_KEY": "db-settings-test-" + "x" * 50,
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": "postgres://knock@db.invalid:5432/knock",
    }
    for key in ("DATABASE_CONN_MAX_AGE", "DATABASE_CONN_HEALTH_CHECKS"):
        env.pop(key, None)
    env.update(extra)
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_the_web_defaults_to_a_connection_per_request():
    done = settings_with()
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"age": 0, "checks": True}


def test_a_worker_may_keep_its_connection():
    done = settings_with(DATABASE_CONN_MAX_AGE="300", DATABASE_CONN_HEALTH_CHECKS="0")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"age": 300, "checks": False}


def test_a_negative_age_fails_at_start_up_with_its_name():
    done = settings_with(DATABASE_CONN_MAX_AGE="-5")
    assert done.returncode != 0
    assert "DATABASE_CONN_MAX_AGE must be 0" in done.stderr
