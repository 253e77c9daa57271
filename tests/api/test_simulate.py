"""POST /api/v1/rules/{id}/simulate/: a decision and its trace, with no side effects."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from routing import actions
from routing.models import Lead, RoutingRule

from .helpers import chat, counts, get_rule, ok, rotation_state

ANY_EMAIL = {"field": "lead.email", "op": "exists"}
BIG = {"field": "company.employees", "op": "gt", "value": 200}


def simulate(api, rule_id, body, status=200):
    return ok(api.post(f"/api/v1/rules/{rule_id}/simulate/", body, format="json"), status)


@pytest.fixture
def rr(api, make_rep, make_pool, add_segment, routed_rule):
    """Link `inbound` -> rule with a round-robin pool of A, B, C for big companies."""
    reps = [make_rep(n) for n in "ABC"]
    pool = make_pool("Sales", [{"rep": r.id} for r in reps])
    seg = add_segment(routed_rule["id"], "Big", BIG, {"type": "pool", "id": pool["id"]})
    return {"rule": routed_rule, "reps": reps, "pool": pool, "segment": seg}


def test_simulate_returns_the_decision_and_trace(api, rr):
    data = simulate(
        api, rr["rule"]["id"], {"lead": {"email": "x@bigco.com"}, "company": {"employees": 500}}
    )
    assert data["simulated"] is True
    version = get_rule(api, rr["rule"]["id"])["version"]
    assert data["rule"] == {
        "id": rr["rule"]["id"],
        "name": "Inbound",
        "version": version,
        "draft": False,
    }
    assert data["segment"] == {"id": rr["segment"]["id"], "name": "Big"}
    assert data["via"] == "segment"
    assert data["assignee"]["type"] == "rep"
    assert data["assignee"]["pool"]["id"] == rr["pool"]["id"]
    assert data["context"]["company"]["employees"] == 500
    assert data["trace"]["rule"]["selected_because"] == "simulation of this rule"
    assert data["trace"]["segments"][0]["conditions"]["actual"] == 500
    assert any("Assigned to" in line for line in data["trace"]["lines"])
    assert isinstance(data["duration_ms"], float)


def test_simulate_writes_nothing(api, rr):
    chat(api, email="known@bigco.com", utm={"source": "g2"})
    before, rotation = counts(), rotation_state()
    for email in ("new@bigco.com", "known@bigco.com"):
        simulate(
            api,
            rr["rule"]["id"],
            {"lead": {"email": email}, "company": {"employees": 500}, "link": "inbound"},
        )
    assert counts() == before
    assert rotation_state() == rotation
    assert not Lead.objects.filter(email="new@bigco.com").exists()


def test_simulate_does_not_rotate_the_pool(api, rr):
    body = {"lead": {"email": "x@bigco.com"}, "company": {"employees": 500}}
    # Move the rotation once so the next rep is not simply the first member.
    first = chat(api, link="inbound", **body)["assignee"]["id"]
    rotation = rotation_state()
    one = simulate(api, rr["rule"]["id"], body)["assignee"]["id"]
    two = simulate(api, rr["rule"]["id"], body)["assignee"]["id"]
    assert one == two != first
    assert rotation_state() == rotation
    real = chat(api, link="inbound", **body)
    assert real["assignee"]["id"] == one


def test_simulate_uses_the_leads_locked_first_touch(api, rr, make_link):
    make_link("g2", channel="G2")
    chat(api, email="jo@bigco.com", link="g2")
    data = simulate(
        api, rr["rule"]["id"], {"lead": {"email": "jo@bigco.com"}, "utm": {"source": "ads"}}
    )
    assert data["context"]["attribution"]["channel"] == "G2"
    assert data["context"]["signals"]["funnel_stage"] == "existing"


def test_simulate_with_a_context_and_crm_owner_first(api, make_rule, add_segment, make_rep):
    owner, other = make_rep("Owner"), make_rep("Other")
    rule = make_rule("CRM aware", crm_owner_first=True)
    add_segment(rule["id"], "Everyone", ANY_EMAIL, {"type": "rep", "id": other.id})
    before = counts()
    context = {
        "lead": {"email": "x@bigco.com"},
        "crm": {"exists": True, "owner_rep": owner.id, "owner_email": "rep1@acme.test"},
    }
    data = simulate(api, rule["id"], {"context": context})
    assert data["via"] == "crm_owner_first"
    assert data["segment"] is None
    assert data["assignee"] == {"type": "rep", "id": owner.id, "name": "Owner"}
    assert data["trace"]["crm_owner_first"]["assigned"] is True
    assert data["trace"]["not_reached"] == 2
    assert data["context"] == context
    assert counts() == before


def test_crm_owner_first_falls_through_when_the_owner_is_inactive(
    api, make_rule, add_segment, make_rep
):
    owner, other = make_rep("Owner", is_active=False), make_rep("Other")
    rule = make_rule("CRM aware", crm_owner_first=True)
    add_segment(rule["id"], "Everyone", ANY_EMAIL, {"type": "rep", "id": other.id})
    context = {"lead": {"email": "x@bigco.com"}, "crm": {"exists": True, "owner_rep": owner.id}}
    data = simulate(api, rule["id"], {"context": context})
    assert data["via"] == "segment"
    assert data["assignee"]["id"] == other.id
    assert data["trace"]["crm_owner_first"]["assigned"] is False
    assert "inactive" in data["trace"]["crm_owner_first"]["reason"]


def test_crm_owner_first_off_ignores_the_owner(api, make_rule, add_segment, make_rep):
    owner, other = make_rep("Owner"), make_rep("Other")
    rule = make_rule("Plain")
    add_segment(rule["id"], "Everyone", ANY_EMAIL, {"type": "rep", "id": other.id})
    context = {"lead": {"email": "x@bigco.com"}, "crm": {"exists": True, "owner_rep": owner.id}}
    data = simulate(api, rule["id"], {"context": context})
    assert data["assignee"]["id"] == other.id
    assert "CRM owner first: off." in data["trace"]["lines"]


def test_crm_owner_segment_without_an_owner_is_skipped(api, make_rule, add_segment, make_rep):
    fallback = make_rep("Fay")
    rule = make_rule("R")
    seg = add_segment(rule["id"], "Owner", ANY_EMAIL, {"type": "crm_owner"})
    data = simulate(
        api,
        rule["id"],
        {
            "context": {
                "lead": {"email": "x@bigco.com"},
                "crm": {"exists": True, "owner_email": "z@q.com"},
            }
        },
    )
    entry = next(s for s in data["trace"]["segments"] if s["id"] == seg["id"])
    assert entry["outcome"] == "skipped"
    assert "not mapped to a rep" in entry["reason"]
    assert data["segment"]["name"] == "Fallback"
    assert data["assignee"]["id"] == fallback.id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "lead"),
        ({"message": "hi"}, "lead"),
        ({"context": {"lead": {}}, "lead": {"email": "x@bigco.com"}}, "non_field_errors"),
        ({"context": "crm.exists"}, "context"),
        ({"lead": {"email": "bad"}}, "lead"),
        ({"lead": {"email": "x@bigco.com"}, "colour": 1}, "colour"),
    ],
)
def test_bad_simulate_body_is_400(api, rr, body, field):
    before, rotation = counts(), rotation_state()
    response = api.post(f"/api/v1/rules/{rr['rule']['id']}/simulate/", body, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    assert counts() == before
    assert rotation_state() == rotation


def test_simulate_with_an_unknown_link_is_404(api, rr):
    response = api.post(
        f"/api/v1/rules/{rr['rule']['id']}/simulate/",
        {"lead": {"email": "x@bigco.com"}, "link": "nope"},
        format="json",
    )
    assert response.status_code == 404


def test_simulate_an_unknown_rule_is_404(api):
    response = api.post(
        "/api/v1/rules/999999/simulate/", {"lead": {"email": "x@bigco.com"}}, format="json"
    )
    assert response.status_code == 404


def test_simulate_with_an_out_of_range_owner_rep_is_not_a_500(api, make_rule, make_rep):
    fallback = make_rep("Fay")
    rule = make_rule("CRM aware", crm_owner_first=True)
    context = {"lead": {"email": "x@bigco.com"}, "crm": {"exists": True, "owner_rep": 10**20}}
    response = api.post(
        f"/api/v1/rules/{rule['id']}/simulate/", {"context": context}, format="json"
    )
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 200:
        assert response.data["assignee"]["id"] == fallback.id
        assert response.data["trace"]["crm_owner_first"]["assigned"] is False


def test_simulate_builds_the_context_a_real_chat_would(api, rr, make_link):
    """One context preparation for route_chat and simulate (issue 11 item 6)."""
    make_link("g2", channel="G2")
    chat(api, email="jo@bigco.com", link="g2", session={"pages_viewed": 3})
    body = {
        "lead": {"email": "Jo@BigCo.com", "name": "Jo"},
        "company": {"employees": 500},
        "link": "inbound",
        "utm": {"source": "ads"},
        "session": {"pages_viewed": 9},
        "message": "Can I get pricing for 40 seats?",
    }
    simulated = simulate(api, rr["rule"]["id"], body)
    real = chat(api, **body)
    assert simulated["context"] == real["context"]
    # The known lead's history and locked first touch are in both.
    assert real["context"]["session"]["is_returning"] is True
    assert real["context"]["attribution"]["channel"] == "G2"


def test_simulate_runs_no_write_and_takes_no_lock(api, rr, workspace):
    """The read-only guarantee is structural now: no statement that writes is sent."""
    chat(api, email="known@bigco.com")
    rule = RoutingRule.objects.get(id=rr["rule"]["id"])
    body = {"lead": {"email": "known@bigco.com"}, "company": {"employees": 500}, "link": "inbound"}
    with CaptureQueriesContext(connection) as ctx:
        routed = actions.simulate(workspace, rule, payload=body)
    assert routed.outcome.assignee.pool["id"] == rr["pool"]["id"]
    assert routed.outcome.rotations  # computed, and simply not applied
    statements = [q["sql"].lstrip().upper() for q in ctx.captured_queries]
    assert statements and all(s.startswith("SELECT") for s in statements), statements
    assert not any("FOR UPDATE" in s for s in statements)
