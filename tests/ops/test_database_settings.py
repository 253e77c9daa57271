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
print(json.dumps({"age": db["CONN_MAX_AGE"], "checks": db["CONN_HEALTH_CHECKS"],
                  "pool": db.get("OPTIONS", {}).get("pool"),
                  "binding": db.get("OPTIONS", {}).get("server_side_binding"),
                  "prepare": db.get("OPTIONS", {}).get("prepare_threshold")}))
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
    for key in (
        "DATABASE_CONN_MAX_AGE",
        "DATABASE_CONN_HEALTH_CHECKS",
        "DATABASE_POOL_MAX_SIZE",
        "DATABASE_POOL_TIMEOUT",
        "DATABASE_SERVER_SIDE_BINDING",
        "DATABASE_PREPARE_THRESHOLD",
    ):
        env.pop(key, None)
    env.update(extra)
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_postgresql_defaults_to_a_pool_per_process():
    done = settings_with()
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "age": 0,
        "checks": True,
        "pool": {"min_size": 1, "max_size": 10, "timeout": 10.0},
        "binding": True,
        "prepare": 2,
    }


def test_the_pool_size_and_timeout_come_from_the_environment():
    done = settings_with(DATABASE_POOL_MAX_SIZE="4", DATABASE_POOL_TIMEOUT="2.5")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["pool"] == {"min_size": 1, "max_size": 4, "timeout": 2.5}


def test_without_the_pool_a_process_may_keep_its_connection():
    done = settings_with(
        DATABASE_POOL_MAX_SIZE="0", DATABASE_CONN_MAX_AGE="300", DATABASE_CONN_HEALTH_CHECKS="0"
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "age": 300,
        "checks": False,
        "pool": None,
        "binding": True,
        "prepare": 2,
    }


def test_the_pool_and_a_persistent_connection_exclude_each_other():
    done = settings_with(DATABASE_CONN_MAX_AGE="300")
    assert done.returncode != 0
    assert "DATABASE_POOL_MAX_SIZE and DATABASE_CONN_MAX_AGE exclude each other" in done.stderr


def test_sqlite_has_no_pool_and_no_server_side_binding():
    done = settings_with(DATABASE_URL="sqlite:////tmp/knock-settings-test.sqlite3")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert (found["pool"], found["binding"], found["prepare"]) == (None, None, None)


def test_server_side_binding_and_the_prepare_threshold_come_from_the_environment():
    done = settings_with(DATABASE_PREPARE_THRESHOLD="5")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["prepare"] == 5
    done = settings_with(DATABASE_SERVER_SIDE_BINDING="0")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert (found["binding"], found["prepare"]) == (None, None)


def test_a_negative_age_fails_at_start_up_with_its_name():
    done = settings_with(DATABASE_CONN_MAX_AGE="-5")
    assert done.returncode != 0
    assert "DATABASE_CONN_MAX_AGE must be 0" in done.stderr
