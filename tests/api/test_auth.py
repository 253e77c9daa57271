"""Token authentication, and that nothing crosses workspaces (SPEC 8: 404, never 403)."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from routing.models import ApiToken, Rep

from .helpers import CHATS, chat, counts, ok

PROTECTED = [
    "/api/v1/reps/",
    "/api/v1/ai-agents/",
    "/api/v1/pools/",
    "/api/v1/rules/",
    "/api/v1/links/",
    "/api/v1/chats/",
    "/api/v1/decisions/",
    "/api/v1/workspace/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PROTECTED)
def test_no_token_is_401_with_the_token_challenge(url):
    response = APIClient().get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
def test_no_token_cannot_route_a_chat(workspace):
    before = counts()
    response = APIClient().post(CHATS, {"lead": {"email": "a@b.com"}}, format="json")
    assert response.status_code == 401
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [
        "Token knk_not-a-real-key",
        "Token ",
        "Token two parts",
        "token knk_wrong",
    ],
)
def test_bad_token_is_401(workspace, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/reps/")
    assert response.status_code == 401


@pytest.mark.django_db
def test_other_auth_scheme_is_401(workspace):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer abc")
    assert client.get("/api/v1/reps/").status_code == 401


def test_revoked_token_is_401(workspace):
    token, key = ApiToken.issue(workspace, name="ci")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/reps/").status_code == 200

    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    response = client.get("/api/v1/reps/")
    assert response.status_code == 401
    assert "revoked" in str(response.data["detail"]).lower()


def test_valid_token_sees_only_its_workspace(api, workspace):
    data = ok(api.get("/api/v1/workspace/"))
    assert data["id"] == workspace.id
    assert data["name"] == "Acme Inc"


# -- workspace isolation ---------------------------------------------------------------
@pytest.fixture
def acme_objects(api, make_rep, make_rule, add_segment, make_link, make_pool):
    """One of everything in workspace A (Acme), routed once."""
    rep = make_rep("Dana")
    agent = ok(
        api.post("/api/v1/ai-agents/", {"name": "Sup", "specialty": "support"}, format="json"), 201
    )
    pool = make_pool("Sales", [{"rep": rep.id}])
    rule = make_rule("Acme rule")
    segment = add_segment(
        rule["id"],
        "Big",
        {"field": "company.employees", "op": "gt", "value": 10},
        {"type": "pool", "id": pool["id"]},
    )
    link = make_link("acme-g2", chat_rule=rule["id"])
    routed = chat(api, link="acme-g2")
    return {
        "reps": rep.id,
        "ai-agents": agent["id"],
        "pools": pool["id"],
        "rules": rule["id"],
        "segments": segment["id"],
        "links": link["id"],
        "chats": routed["id"],
        "decisions": routed["decision"],
    }


RESOURCES = ["reps", "ai-agents", "pools", "rules", "segments", "links", "chats", "decisions"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_other_workspace_gets_404_on_detail(acme_objects, other_api, api, resource):
    url = f"/api/v1/{resource}/{acme_objects[resource]}/"
    assert api.get(url).status_code == 200  # the owner sees it
    response = other_api.get(url)
    assert response.status_code == 404


# Segments have no list of their own: they are listed under their rule.
@pytest.mark.parametrize("resource", [r for r in RESOURCES if r != "segments"])
def test_other_workspace_list_does_not_show_it(acme_objects, other_api, resource):
    data = ok(other_api.get(f"/api/v1/{resource}/"))
    rows = data["results"] if isinstance(data, dict) else data
    assert acme_objects[resource] not in {row["id"] for row in rows}


def test_other_workspace_rules_list_has_only_its_own_segments(acme_objects, other_api):
    data = ok(other_api.get("/api/v1/rules/"))
    seen = {s["id"] for rule in data["results"] for s in rule["segments"]}
    assert acme_objects["segments"] not in seen
    assert {rule["name"] for rule in data["results"]} == {
        "Default chat rule",
        "Default meeting rule",
    }


WRITES = {
    "reps": {"name": "Hijacked"},
    "ai-agents": {"name": "Hijacked"},
    "pools": {"name": "Hijacked"},
    "rules": {"name": "Hijacked"},
    "segments": {"name": "Hijacked"},
    "links": {"name": "Hijacked"},
}


@pytest.mark.parametrize("resource", sorted(WRITES))
def test_other_workspace_gets_404_on_update_and_delete(acme_objects, other_api, api, resource):
    url = f"/api/v1/{resource}/{acme_objects[resource]}/"
    before = counts()
    assert other_api.patch(url, WRITES[resource], format="json").status_code == 404
    assert other_api.put(url, WRITES[resource], format="json").status_code == 404
    assert other_api.delete(url).status_code == 404
    assert counts() == before
    assert ok(api.get(url))["name"] != "Hijacked"


@pytest.mark.parametrize("resource", ["chats", "decisions"])
def test_chats_and_decisions_are_read_only(acme_objects, api, resource):
    url = f"/api/v1/{resource}/{acme_objects[resource]}/"
    assert api.delete(url).status_code == 405
    assert api.patch(url, {"status": "closed"}, format="json").status_code == 405


def test_other_workspace_cannot_move_simulate_add_or_reorder(acme_objects, other_api, api):
    rule_id, segment_id = acme_objects["rules"], acme_objects["segments"]
    before = counts()
    version = ok(api.get(f"/api/v1/rules/{rule_id}/"))["version"]

    move = other_api.post(f"/api/v1/segments/{segment_id}/move/", {"position": 0}, format="json")
    assert move.status_code == 404
    simulate = other_api.post(
        f"/api/v1/rules/{rule_id}/simulate/", {"lead": {"email": "x@y.com"}}, format="json"
    )
    assert simulate.status_code == 404
    add = other_api.post(
        f"/api/v1/rules/{rule_id}/segments/",
        {"name": "Mine", "conditions": {}, "assignee": {"type": "crm_owner"}},
        format="json",
    )
    assert add.status_code == 404
    reorder = other_api.post(
        f"/api/v1/rules/{rule_id}/reorder/", {"order": [segment_id]}, format="json"
    )
    assert reorder.status_code == 404

    assert counts() == before
    assert ok(api.get(f"/api/v1/rules/{rule_id}/"))["version"] == version


def test_other_workspace_cannot_route_through_a_foreign_link(acme_objects, other_api):
    before = counts()
    response = other_api.post(
        CHATS, {"link": "acme-g2", "lead": {"email": "a@b.com"}}, format="json"
    )
    assert response.status_code == 404
    assert counts() == before


def test_other_workspace_cannot_use_foreign_objects_as_references(acme_objects, other_api):
    ws = other_api.workspace
    own_rule = ok(
        other_api.post("/api/v1/rules/", {"name": "Mine", "kind": "chat"}, format="json"), 201
    )
    before = counts()

    # A segment routed to Acme's rep / pool / agent.
    for kind, key in (("rep", "reps"), ("pool", "pools"), ("ai_agent", "ai-agents")):
        response = other_api.post(
            f"/api/v1/rules/{own_rule['id']}/segments/",
            {
                "name": "Steal",
                "conditions": {},
                "assignee": {"type": kind, "id": acme_objects[key]},
            },
            format="json",
        )
        assert response.status_code == 400, (kind, response.data)
        assert "assignee" in response.data
    # A pool with Acme's rep.
    response = other_api.post(
        "/api/v1/pools/", {"name": "P", "members": [{"rep": acme_objects["reps"]}]}, format="json"
    )
    assert response.status_code == 400
    assert "members" in response.data
    # A link using Acme's rule.
    response = other_api.post(
        "/api/v1/links/",
        {"slug": "mine", "name": "Mine", "chat_rule": acme_objects["rules"]},
        format="json",
    )
    assert response.status_code == 400
    assert "chat_rule" in response.data
    # Workspace settings pointing at Acme's rep / rule.
    for body, field in (
        ({"default_rep": acme_objects["reps"]}, "default_rep"),
        ({"intent_rules": {"support": acme_objects["rules"]}}, "intent_rules"),
    ):
        response = other_api.patch("/api/v1/workspace/", body, format="json")
        assert response.status_code == 400, body
        assert field in response.data
    assert counts() == before
    ws.refresh_from_db()
    assert ws.default_rep_id is None
    assert ws.intent_rules == {}


def test_decision_filter_by_a_foreign_rep_is_an_unknown_rep(acme_objects, other_api):
    # The same 400 as for an id that does not exist: nothing tells the two apart.
    foreign = other_api.get(f"/api/v1/decisions/?rep={acme_objects['reps']}")
    missing = other_api.get("/api/v1/decisions/?rep=999999999")
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json() == missing.json() == {"rep": ["No such rep in this workspace."]}
    assert Rep.objects.filter(id=acme_objects["reps"]).exists()
