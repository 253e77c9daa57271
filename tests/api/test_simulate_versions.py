"""POST /api/v1/rules/{id}/simulate/ with `version`: the rule's draft, or an earlier
version, tested before it routes anything (the live version keeps routing)."""

import pytest

from routing.actions import drafts
from routing.models import RoutingRule

from .helpers import counts, get_rule, ok, rotation_state

BIG = {"field": "company.employees", "op": "gt", "value": 200}
BIG_LEAD = {"lead": {"email": "x@bigco.com"}, "company": {"employees": 500}}


def simulate(api, rule_id, body, status=200):
    return ok(api.post(f"/api/v1/rules/{rule_id}/simulate/", body, format="json"), status)


@pytest.fixture
def drafted(api, make_rep, add_segment, routed_rule):
    """Live: big companies go to Ann. The draft sends them to Bob instead."""
    ann, bob = make_rep("Ann"), make_rep("Bob")
    seg = add_segment(routed_rule["id"], "Big", BIG, {"type": "rep", "id": ann.id})
    rule = RoutingRule.objects.get(id=routed_rule["id"])
    drafts.start_draft(rule)
    drafts.update_draft_segment(
        rule, seg["id"], name="Big to Bob", assignee={"type": "rep", "id": bob.id}
    )
    return {"rule": rule, "ann": ann, "bob": bob, "segment": seg}


def test_the_draft_is_simulated_and_the_live_version_still_routes(api, drafted):
    rule = drafted["rule"]
    data = simulate(api, rule.id, {**BIG_LEAD, "version": "draft"})
    assert data["rule"] == {"id": rule.id, "name": "Inbound", "version": None, "draft": True}
    assert data["segment"]["name"] == "Big to Bob"
    assert data["assignee"]["id"] == drafted["bob"].id
    assert data["trace"]["rule"]["selected_because"] == "simulation of this rule's draft"
    assert data["trace"]["lines"][0] == 'Rule "Inbound" (the draft).'
    live = simulate(api, rule.id, BIG_LEAD)
    version = get_rule(api, rule.id)["version"]
    assert live["rule"] == {"id": rule.id, "name": "Inbound", "version": version, "draft": False}
    assert (live["segment"]["name"], live["assignee"]["id"]) == ("Big", drafted["ann"].id)


def test_an_earlier_version_is_simulated_by_its_number(api, drafted):
    rule = drafted["rule"]
    first = simulate(api, rule.id, {**BIG_LEAD, "version": 1})  # before "Big" was added
    assert first["rule"]["version"] == 1 and first["rule"]["draft"] is False
    assert first["segment"]["name"] == "Fallback"
    assert first["trace"]["rule"]["selected_because"] == "simulation of v1 of this rule"
    assert first["trace"]["lines"][0] == 'Rule "Inbound" (version 1).'


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (99, "This rule has no version 99"),
        (0, 'Give "draft"'),
        ("v2", 'Give "draft"'),
        ("2", 'Give "draft"'),
        (True, 'Give "draft"'),
        (None, "may not be null"),
        (2**63, 'Give "draft"'),
    ],
)
def test_a_bad_version_is_a_400_on_version_and_writes_nothing(api, drafted, version, message):
    before, rotation = counts(), rotation_state()
    response = api.post(
        f"/api/v1/rules/{drafted['rule'].id}/simulate/",
        {**BIG_LEAD, "version": version},
        format="json",
    )
    assert response.status_code == 400, response.data
    assert message in str(response.data["version"][0])
    assert (counts(), rotation_state()) == (before, rotation)


def test_the_draft_of_a_rule_without_one_is_a_400(api, routed_rule):
    response = api.post(
        f"/api/v1/rules/{routed_rule['id']}/simulate/",
        {**BIG_LEAD, "version": "draft"},
        format="json",
    )
    assert response.status_code == 400
    assert response.data["version"] == ["This rule has no draft."]
