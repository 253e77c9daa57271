"""Issue 10, items 9 and 11: case-insensitive link slugs, unique names with a clear 400."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from routing import actions
from routing.models import AIAgent, KnockLink, Pool, RoutingRule, Workspace

from .helpers import chat, counts, ok

LINKS = "/api/v1/links/"


# -- item 9: slugs ----------------------------------------------------------------------
def test_a_slug_is_stored_lower_case_and_found_in_any_case(api, workspace, make_rep):
    make_rep("Dana")
    created = ok(api.post(LINKS, {"slug": "Webinar-Q4", "name": "Webinar"}, format="json"), 201)
    assert created["slug"] == "webinar-q4"
    assert KnockLink.objects.get(id=created["id"]).slug == "webinar-q4"
    for spelling in ("Webinar-Q4", "webinar-q4", "WEBINAR-Q4"):
        data = chat(api, email=f"{spelling.lower()}@bigco.com", link=spelling)
        assert data["context"]["link"]["slug"] == "webinar-q4"
    decisions = ok(api.get("/api/v1/decisions/", {"link": "WEBINAR-q4"}))
    assert decisions["count"] == 3


def test_the_public_page_finds_a_slug_in_any_case(workspace, make_rep):
    make_rep("Dana")
    actions.create_link(workspace, slug="Webinar-Q4", name="Webinar")
    client = Client()
    for path in (f"/l/{workspace.slug}/Webinar-Q4/", f"/l/{workspace.slug}/webinar-q4/"):
        assert client.get(path).status_code == 200, path
    assert client.get(f"/l/{workspace.slug.upper()}/WEBINAR-Q4/").status_code == 200


def test_a_slug_differing_only_in_case_is_a_400(api, make_link):
    make_link("Webinar-Q4", name="Webinar")
    before = counts()
    response = api.post(LINKS, {"slug": "webinar-q4", "name": "Other"}, format="json")
    assert response.status_code == 400, response.data
    assert "slug" in response.data
    assert counts() == before


def test_renaming_a_slug_onto_another_in_other_case_is_a_400(api, make_link):
    make_link("webinar-q4", name="Webinar")
    other = make_link("g2", name="G2")
    response = api.patch(f"{LINKS}{other['id']}/", {"slug": "WEBINAR-Q4"}, format="json")
    assert response.status_code == 400
    assert "slug" in response.data
    assert KnockLink.objects.get(id=other["id"]).slug == "g2"


def test_the_same_slug_in_two_workspaces_is_fine(api, other_api, make_link):
    make_link("g2", name="G2")
    ok(other_api.post(LINKS, {"slug": "G2", "name": "G2"}, format="json"), 201)


# -- item 11: names -----------------------------------------------------------------------
def test_link_names_are_unique_per_workspace_whatever_the_case(api, other_api, make_link):
    make_link("inbound", name="Inbound chat")
    response = api.post(LINKS, {"slug": "inbound-2", "name": "inbound CHAT"}, format="json")
    assert response.status_code == 400
    assert response.data["name"] == ["A link with this name already exists in this workspace."]
    ok(other_api.post(LINKS, {"slug": "inbound", "name": "Inbound chat"}, format="json"), 201)


def test_pool_names_are_unique_per_workspace(api, other_api, make_pool):
    make_pool("EMEA", [])
    before = Pool.objects.count()
    response = api.post(
        "/api/v1/pools/", {"name": "emea ", "strategy": "round_robin"}, format="json"
    )
    assert response.status_code == 400
    assert "name" in response.data
    assert Pool.objects.count() == before
    other = ok(api.post("/api/v1/pools/", {"name": "APAC"}, format="json"), 201)
    response = api.patch(f"/api/v1/pools/{other['id']}/", {"name": "Emea"}, format="json")
    assert response.status_code == 400 and "name" in response.data
    ok(other_api.post("/api/v1/pools/", {"name": "EMEA"}, format="json"), 201)


def test_ai_agent_names_are_unique_per_workspace(api):
    response = api.post("/api/v1/ai-agents/", {"name": "knock ai", "specialty": "buying"})
    assert response.status_code == 400  # the workspace's default agent is "Knock AI"
    assert "name" in response.data
    assert AIAgent.objects.filter(name__iexact="knock ai").count() == 1


def test_rule_names_are_unique_per_workspace_and_kind(api, make_rule):
    make_rule("Inbound", kind="chat")
    response = api.post("/api/v1/rules/", {"name": "INBOUND", "kind": "chat"}, format="json")
    assert response.status_code == 400
    assert response.data["name"] == ["A chat rule with this name already exists in this workspace."]
    make_rule("Inbound", kind="meeting")  # the other kind: its own list
    demo = make_rule("Demo", kind="chat")
    response = api.patch(f"/api/v1/rules/{demo['id']}/", {"name": "inbound"}, format="json")
    assert response.status_code == 400 and "name" in response.data
    assert RoutingRule.objects.get(id=demo["id"]).name == "Demo"


def test_workspace_names_are_unique_across_the_installation(api, workspace):
    with pytest.raises(actions.ActionError) as error:
        actions.create_workspace("ACME INC")
    assert error.value.errors == {"name": ["A workspace with this name already exists."]}
    other, _ = actions.create_workspace("Globex")
    with pytest.raises(actions.ActionError):
        actions.update_workspace(other, name=" acme inc ")
    response = api.patch("/api/v1/workspace/", {"name": "GLOBEX"}, format="json")
    assert response.status_code == 400 and "name" in response.data
    assert Workspace.objects.filter(name__iexact="acme inc").count() == 1


def test_the_database_refuses_duplicates_the_actions_would_have_refused(workspace):
    """The constraints hold even for a write that bypasses the actions."""
    for model, fields in (
        (Pool, {"name": "Dup"}),
        (AIAgent, {"name": "Dup"}),
        (RoutingRule, {"name": "Dup", "kind": "chat"}),
        (KnockLink, {"name": "Dup", "slug": "dup"}),
    ):
        model.objects.create(workspace=workspace, **fields)
        upper = {k: v.upper() if k in ("name", "slug") else v for k, v in fields.items()}
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.create(workspace=workspace, **upper)
    with pytest.raises(IntegrityError), transaction.atomic():
        Workspace.objects.create(name="acme INC", slug="acme-2")


def test_the_console_link_form_shows_the_duplicate_name(workspace, make_link):
    from django.contrib.auth import get_user_model

    from routing.models import Membership

    make_link("inbound", name="Inbound chat")
    user = get_user_model().objects.create_user("ops", password="pw", is_staff=True)
    Membership.objects.create(workspace=workspace, user=user)
    client = Client()
    client.force_login(user)
    response = client.post(
        f"/w/{workspace.id}/links/new/",
        {"name": "INBOUND chat", "slug": "Other", "is_active": "on"},
    )
    assert response.status_code == 400
    assert "A link with this name already exists" in response.content.decode()
    assert KnockLink.objects.filter(workspace=workspace).count() == 1
