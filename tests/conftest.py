import os

import pytest
from django.db import connection
from rest_framework.test import APIClient

from routing import actions


def pytest_collection_modifyitems(config, items):
    """Postgres-only tests skip on SQLite, with the reason; CI's Postgres pass must run them."""
    on_postgres = connection.vendor == "postgresql"
    if os.environ.get("KNOCK_REQUIRE_POSTGRES") and not on_postgres:
        raise pytest.UsageError("KNOCK_REQUIRE_POSTGRES is set but DATABASE_URL is not Postgres")
    if on_postgres:
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL row locks; .ci/run runs it with DATABASE_URL=postgres://..."
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def workspace_and_key(db):
    return actions.create_workspace("Acme Inc")


@pytest.fixture
def workspace(workspace_and_key):
    return workspace_and_key[0]


@pytest.fixture
def api(workspace_and_key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {workspace_and_key[1]}")
    return client


@pytest.fixture
def other_api(db):
    """A client for a second workspace, to prove nothing crosses workspaces."""
    workspace, key = actions.create_workspace("Globex")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.workspace = workspace
    return client


@pytest.fixture
def make_rep(workspace):
    counter = {"n": 0}

    def make(name=None, **fields):
        counter["n"] += 1
        n = counter["n"]
        return actions.create_rep(
            workspace, name=name or f"Rep {n}", email=f"rep{n}@acme.test", **fields
        )

    return make
