"""Settings for the test suite: the normal settings, in development mode with a
throwaway key unless the environment says otherwise (CI sets DATABASE_URL and
REDIS_URL to run the suite on PostgreSQL and Redis)."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "test-only-" + "x" * 50)

from knock.settings import *  # noqa: E402, F403 - Django's usual settings-variant pattern

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast test logins
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing STATIC_ROOT
