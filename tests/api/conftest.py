"""Fixtures for the API tests: everything is set up through the real HTTP API."""

import pytest

from .helpers import ok


@pytest.fixture
def make_rule(api):
    def make(name="Inbound", kind="chat", **fields):
        body = {"name": name, "kind": kind, **fields}
        return ok(api.post("/api/v1/rules/", body, format="json"), 201)

    return make


@pytest.fixture
def add_segment(api):
    def add(rule_id, name, conditions, assignee):
        body = {"name": name, "conditions": conditions, "assignee": assignee}
        return ok(api.post(f"/api/v1/rules/{rule_id}/segments/", body, format="json"), 201)

    return add


@pytest.fixture
def make_link(api):
    def make(slug, name=None, channel="", **fields):
        body = {"slug": slug, "name": name or slug.title(), "channel": channel, **fields}
        return ok(api.post("/api/v1/links/", body, format="json"), 201)

    return make


@pytest.fixture
def make_pool(api):
    def make(name, members, strategy="round_robin", **fields):
        body = {"name": name, "strategy": strategy, "members": members, **fields}
        return ok(api.post("/api/v1/pools/", body, format="json"), 201)

    return make


@pytest.fixture
def routed_rule(make_rule, make_link):
    """A chat rule attached to link `inbound`: tests add segments to it."""
    rule = make_rule("Inbound")
    make_link("inbound", name="Inbound", channel="Website", chat_rule=rule["id"])
    return rule
