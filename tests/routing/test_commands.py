"""The management commands a new user runs from a shell."""

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from routing.models import ApiToken, Chat, Decision, Workspace

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_workspace_prints_a_working_token_last():
    output = run("create_workspace", "Acme Inc")
    token = output.strip().splitlines()[-1]
    workspace = Workspace.objects.get(name="Acme Inc")
    assert workspace.rules.filter(is_default=True).count() == 2
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/workspace/").json()["id"] == workspace.id


def test_create_workspace_refuses_a_blank_name():
    with pytest.raises(CommandError):
        run("create_workspace", "  ")
    assert not Workspace.objects.exists()


def test_seed_demo_builds_once_and_issues_a_fresh_token_each_run():
    first = run("seed_demo", "--chats", "20")
    chats = Decision.objects.filter(kind="chat")
    assert chats.count() == 20
    second = run("seed_demo", "--chats", "20")
    assert "already exists" in second and chats.count() == 20
    assert first.splitlines()[-1] != second.splitlines()[-1]
    workspace = Workspace.objects.get(slug="demo-co")
    assert ApiToken.objects.filter(workspace=workspace, revoked_at__isnull=True).count() == 2
    assert workspace.rules.filter(is_default=False, kind="chat").count() == 2
    # The meeting funnel (tests/demo/test_seed.py) adds the "book-a-demo" link.
    assert workspace.pools.count() == 3 and workspace.links.count() == 6


def test_simulate_leads_direct_routes_the_given_count():
    run("seed_demo", "--chats", "0")
    output = run("simulate_leads", "--direct", "--rate", "1000/s", "--count", "5", "--seed", "1")
    assert Chat.objects.count() == 5
    assert output.count("->") == 5


def test_simulate_leads_refuses_a_bad_rate():
    run("seed_demo", "--chats", "0")
    with pytest.raises(CommandError, match="Bad --rate"):
        run("simulate_leads", "--rate", "fast")
