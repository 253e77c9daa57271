"""The product's settings plus the floor endpoint (bench-only URLconf)."""

from knock.settings import *  # noqa: F403 - Django's usual settings-variant pattern

ROOT_URLCONF = "bench.floor_urls"
