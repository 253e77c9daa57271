"""Knock Router settings, read from the environment (django-environ).

Every value has a safe development default except where production needs a
real one: with DEBUG off, SECRET_KEY and ALLOWED_HOSTS must be set, and the
security headers that `manage.py check --deploy` asks for are switched on.
Bad values fail loudly at start-up (ImproperlyConfigured), never silently.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# `make` writes a .env with DEBUG=1 and a generated SECRET_KEY for local use;
# real deployments set variables in the process environment instead.
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (or run with DEBUG=1 for "
            "local development, where a throwaway key is used)."
        )
    SECRET_KEY = "dev-insecure-" + "k" * 50  # noqa: S105 - development only

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "ordered_model",
    "channels",
    "django_tasks_db",
    "routing",
    "outbox",  # the Delivery ledger and its runner (docs/architecture.md)
    "crm",
    "calendars",
    "notifications",
    "enrichment",  # company facts by email domain (routing.facts.EnrichmentFacts)
    "demo",  # seed_demo, simulate_leads: the one app that imports every slice
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "knock.urls"
WSGI_APPLICATION = "knock.wsgi.application"
ASGI_APPLICATION = "knock.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "routing.console.context_processors.console",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the server and the task worker share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Connection reuse (issue 16 item 2; README "Running in production"). The ASGI server runs
# each request's sync code in a thread of its own (Django's ASGIHandler opens an asgiref
# ThreadSensitiveContext per request) and Django's connections are per thread, so a
# persistent connection (CONN_MAX_AGE > 0) is never reused by the next request: it stays
# open in a finished thread until garbage collection closes it. Measured under uvicorn on
# PostgreSQL: CONN_MAX_AGE=60 left connections behind on every request and exhausted the
# server's 100 connections within seconds of load; with 0 none is left open. So the web
# keeps CONN_MAX_AGE=0 and reuses connections through psycopg's pool (below), which is
# per process, not per thread. CONN_MAX_AGE is for SQLite or a deployment without the pool.
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "DATABASE_CONN_MAX_AGE", default=DATABASES["default"].get("CONN_MAX_AGE") or 0
)
if DATABASES["default"]["CONN_MAX_AGE"] < 0:
    raise ImproperlyConfigured(
        "DATABASE_CONN_MAX_AGE must be 0 (close after each request) or more."
    )
# Check a reused connection before a request uses it (one cheap query when it is reused).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_CONN_HEALTH_CHECKS", default=True)
# psycopg's connection pool (PostgreSQL only): one pool per server process, shared by the
# request threads, so a request borrows an open connection instead of paying a new
# PostgreSQL backend (fork + authentication). DATABASE_POOL_MAX_SIZE=0 turns it off.
# Measured in `make bench` (docs/benchmarks.md, section 2b): sequential floor requests ran
# at 109 req/s pooled against 75 with a connection per request and 87 with CONN_MAX_AGE=60
# (which also left 6-7 connections open per round), so the pool is the default.
DATABASE_POOL_MAX_SIZE = env.int("DATABASE_POOL_MAX_SIZE", default=10)
if DATABASE_POOL_MAX_SIZE < 0:
    raise ImproperlyConfigured("DATABASE_POOL_MAX_SIZE must be 0 (no pool) or more.")
if DATABASE_POOL_MAX_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    if DATABASES["default"]["CONN_MAX_AGE"]:
        raise ImproperlyConfigured(
            "DATABASE_POOL_MAX_SIZE and DATABASE_CONN_MAX_AGE exclude each other: "
            "a pooled connection goes back to the pool after each request "
            "(set DATABASE_POOL_MAX_SIZE=0 to use CONN_MAX_AGE)."
        )
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_MAX_SIZE,
        # A request that waits longer than this for a connection fails instead of hanging.
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
# Server-side parameters and prepared statements (PostgreSQL only). Django's default sends
# every statement as text with its values quoted in (client-side binding) and psycopg never
# prepares, so PostgreSQL parses and plans each of a chat's statements every time (0.3-0.5
# ms of planning for the token and CRM lookups alone) and Python quotes the ~25 KB trace.
# With server-side binding a statement seen DATABASE_PREPARE_THRESHOLD times on a
# connection is prepared once per (pooled) connection. Measured: PostgreSQL CPU per routed
# chat 7.9 -> 5.3 ms, throughput +12% (docs/benchmarks.md). DATABASE_SERVER_SIDE_BINDING=0
# turns it off (e.g. behind a transaction-pooling PgBouncer older than 1.21).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_SERVER_SIDE_BINDING", default=True
):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "server_side_binding": True,
            "prepare_threshold": env.int("DATABASE_PREPARE_THRESHOLD", default=2),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Pub/sub: a group message is read once from a subscription instead of through one
    # receive lock per socket (500 sockets: p95 1533 ms -> 211 ms, docs/benchmarks.md).
    # It keeps no queue for a consumer that is briefly away; the feed tolerates that:
    # its events are hints, and a page catches up over HTTP when it reconnects.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# An open feed socket re-checks its user's membership at most this often (routing/consumers.py).
FEED_RECHECK_SECONDS = env.float("FEED_RECHECK_SECONDS", default=5.0)

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

# Request bodies (files aside) are at most 256 KB; over it the API answers a JSON 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["routing.api.auth.WorkspaceTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["routing.api.auth.HasWorkspace"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # At most 500 per page; a bad limit/offset is a 400 (routing/api/pagination.py).
    "DEFAULT_PAGINATION_CLASS": "routing.api.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "routing.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    # DRF's JSON, encoded by orjson (routing/api/renderers.py); then the browsable API.
    "DEFAULT_RENDERER_CLASSES": [
        "routing.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Knock Router API",
    "DESCRIPTION": "Route inbound chats to reps, round-robin pools and AI agents.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # A chat's and a meeting's "status" are different choice sets: name each.
    "ENUM_NAME_OVERRIDES": {
        "ChatStatusEnum": "routing.models.chats.Chat.STATUSES",
        "MeetingStatusEnum": "calendars.models.Meeting.STATUSES",
    },
    # The integration API speaks JSON (SPEC 8): only JSON request bodies are documented.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    # The 400/401/404/422 answers and `additionalProperties: false` (routing/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "routing.api.schema.document_errors",
        # OpenAPI links from creating operations to those taking the ids they answer.
        "routing.api.links.document_links",
        "calendars.api.links.document_links",
    ],
}

# Slack (notifications/slack). With no token anywhere, messages go to the local outbox.
SLACK_BOT_TOKEN = env.str("SLACK_BOT_TOKEN", default="")
SLACK_SIGNING_SECRET = env.str("SLACK_SIGNING_SECRET", default="")
# Recorded Slack events / clicks (retry and replay guards) are deleted after this
# many hours by a periodic task (notifications/pruning.py). Slack retries within ~1 h.
SLACK_SEEN_RETENTION_HOURS = env.int("SLACK_SEEN_RETENTION_HOURS", default=72)
if SLACK_SEEN_RETENTION_HOURS < 2:
    raise ImproperlyConfigured(
        "SLACK_SEEN_RETENTION_HOURS must be at least 2 (Slack retries an event for an hour)."
    )
SLACK_API_URL = env.str("SLACK_API_URL", default="https://slack.com/api/")
# The workspace (slug) SLACK_BOT_TOKEN belongs to; empty: the oldest workspace.
SLACK_WORKSPACE = env.str("SLACK_WORKSPACE", default="")
# Console links in Slack messages point here (e.g. https://knock.example.com).
PUBLIC_URL = env.str("PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")

# CRM (crm/): per-request HTTP timeout for write-back, and the lookup thread pool.
CRM_WRITE_TIMEOUT = env.float("CRM_WRITE_TIMEOUT", default=10.0)
CRM_LOOKUP_WORKERS = env.int("CRM_LOOKUP_WORKERS", default=8)

# Calendars (calendars/): seconds an availability or a booking waits for an external
# calendar's free/busy (Google); a calendar that does not answer makes its rep unavailable.
CALENDAR_LOOKUP_TIMEOUT = env.float("CALENDAR_LOOKUP_TIMEOUT", default=2.0)
# Google Calendar (calendars/backends/google.py): a service-account key file with
# domain-wide delegation (a workspace's own key pasted in the console wins), and the
# API's base URL when it is not Google's (a proxy; tests use a server on 127.0.0.1).
GOOGLE_SERVICE_ACCOUNT_FILE = env.str("GOOGLE_SERVICE_ACCOUNT_FILE", default="")
GOOGLE_CALENDAR_API_ENDPOINT = env.str("GOOGLE_CALENDAR_API_ENDPOINT", default="")
# Seconds a free/busy answer may serve the slots shown (at most 60; bookings ask live).
GOOGLE_FREEBUSY_CACHE_SECONDS = min(60.0, env.float("GOOGLE_FREEBUSY_CACHE_SECONDS", default=30.0))
# Per-request time-out of the calendar event deliveries (insert, patch, delete).
GOOGLE_EVENTS_TIMEOUT = env.float("GOOGLE_EVENTS_TIMEOUT", default=15.0)

# The two seams through which routing calls out (routing/seams.py, docs/architecture.md);
# routing never imports these apps. Facts are asked before the routing transaction:
# name -> fn(workspace, *, email, domain) -> facts (routing.facts). Planners run inside
# it, each for the events it names ("*": every one): fn(event: str, **data) -> None.
KNOCK_FACT_PROVIDERS = {"crm": "crm.facts.fetch", "enrichment": "enrichment.facts.fetch"}
KNOCK_OUTBOX_BATCH = "outbox.batch"  # one INSERT for the deliveries of one event
KNOCK_OUTBOX_PLANNERS = {
    "notifications.planner.plan": "*",
    "crm.writeback.plan": "*",
    # a meeting's Google Calendar event
    "calendars.google_events.plan": ["meeting.booked", "meeting.rescheduled", "meeting.cancelled"],
}
# What delivers each kind of outbox delivery (outbox/registry.py): kind -> dotted path of
# handler(delivery) -> result dict. The whole list: no handler registers itself, and a
# kind missing here fails at once (permanently) with that reason.
KNOCK_OUTBOX_HANDLERS = {
    "slack.alert": "notifications.slack.deliver.post_alert",
    "slack.rep_dm": "notifications.slack.deliver.post_rep_dm",
    "slack.owner_dm": "notifications.slack.deliver.post_owner_dm",
    "slack.update": "notifications.slack.deliver.update_message",
    "slack.meeting": "notifications.slack.meeting_deliver.post_meeting",
    "crm.write": "crm.writeback.write",
    "calendar.insert": "calendars.google_events.insert",
    "calendar.patch": "calendars.google_events.patch",
    "calendar.delete": "calendars.google_events.delete",
}

# How long the idempotency record of a POST /api/v1/chats/ is kept (hours).
IDEMPOTENCY_TTL_HOURS = env.int("IDEMPOTENCY_TTL_HOURS", default=24)

# django.tasks logs two INFO lines per task run (RUNNING, SUCCESSFUL): hundreds while the
# demo seeds. The console handler drops them below this level (knock/log_filters.py);
# failures are ERROR and always shown, and deliveries log their own outcome.
TASKS_LOG_LEVEL = env.str("TASKS_LOG_LEVEL", default="WARNING").upper()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"quiet_tasks": {"()": "knock.log_filters.QuietTasks"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["quiet_tasks"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's default config gives the "django" logger a console handler of its own
        # (under DEBUG), which printed every django.* line twice: once bare, once via root.
        "django": {"handlers": [], "propagate": True},
    },
}

if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
