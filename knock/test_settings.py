"""Settings for the test suite: the normal settings, in development mode with a
throwaway key unless the environment says otherwise (CI sets DATABASE_URL and
REDIS_URL to run the suite on PostgreSQL and Redis)."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "test-only-" + "x" * 50)

from knock.settings import *  # noqa: E402, F403 - Django's usual settings-variant pattern

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast test logins
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing STATIC_ROOT

# Under pytest-xdist (`make test-unit` runs `-n 2`) each worker has its own test database
# (test_<name>_gw0, _gw1), so both create workspace 1, 2, ... and would meet in the same
# Redis pub/sub groups (pub/sub ignores the Redis db number): one prefix per worker.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if XDIST_WORKER and "CONFIG" in CHANNEL_LAYERS["default"]:  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"asgi-{XDIST_WORKER}"  # noqa: F405
