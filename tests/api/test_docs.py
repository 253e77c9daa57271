"""The OpenAPI schema and the browsable docs (SPEC 8)."""

import re

import pytest
from django.contrib.staticfiles import finders
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_schema_is_served():
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Knock Router API"
    paths = schema["paths"]
    for path in (
        "/api/v1/chats/",
        "/api/v1/chats/{id}/",
        "/api/v1/decisions/",
        "/api/v1/rules/{id}/simulate/",
        "/api/v1/rules/{id}/segments/",
        "/api/v1/segments/{id}/move/",
        "/api/v1/reps/",
        "/api/v1/ai-agents/",
        "/api/v1/pools/",
        "/api/v1/links/",
        "/api/v1/workspace/",
    ):
        assert path in paths, path
    create = paths["/api/v1/chats/"]["post"]
    assert "201" in create["responses"]
    headers = {p["name"] for p in create.get("parameters", []) if p["in"] == "header"}
    assert "Idempotency-Key" in headers
    filters = {p["name"] for p in paths["/api/v1/decisions/"]["get"]["parameters"]}
    assert {"since", "until", "link", "rep", "rule"} <= filters


def test_schema_declares_token_auth():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    schemes = schema["components"]["securitySchemes"]
    assert any(
        s.get("type") == "apiKey" and s.get("in") == "header" and s.get("name") == "Authorization"
        for s in schemes.values()
    ), schemes


def test_docs_page_loads_from_static_not_a_cdn():
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    lowered = html.lower()
    for cdn in ("cdn", "jsdelivr", "unpkg", "cloudflare"):
        assert cdn not in lowered, cdn
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    assert all(url.startswith("/static/") for url in assets), assets


def test_docs_assets_exist_in_static_files():
    """Every asset the page names is shipped (staticfiles finds it), not fetched elsewhere."""
    html = APIClient().get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    assert any(a.endswith(".js") for a in assets)
    for asset in assets:
        assert finders.find(asset), asset
