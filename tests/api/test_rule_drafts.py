"""/rules/{id}/draft/ (GET, PUT, DELETE), draft/publish/, diff to "draft" (issue 17 items 2, 6)."""

import pytest

from routing import actions
from routing.actions import drafts
from routing.models import RoutingRule, RuleDraft

from .helpers import assignee_of, counts, ok

BIG = {"field": "company.employees", "op": "gt", "value": 200}
HUGE = {"field": "company.employees", "op": "gt", "value": 1000}
API_AUTHOR = "api: token 'default'"


@pytest.fixture
def live(api, routed_rule, add_segment, make_rep):
    """Inbound (attached to link `inbound`): v2 = Big -> Dana, then the fallback."""
    dana, marcus = make_rep("Dana"), make_rep("Marcus")
    big = add_segment(routed_rule["id"], "Big", BIG, {"type": "rep", "id": dana.id})
    url = f"/api/v1/rules/{routed_rule['id']}/"
    return {"rule": routed_rule, "url": url, "big": big, "dana": dana, "marcus": marcus}


def body(live, big_rep, *extra):
    return {
        "segments": [
            *extra,
            {"name": "Big", "conditions": BIG, "assignee": {"type": "rep", "id": big_rep.id}},
            {"name": "Fallback", "assignee": {"type": "workspace_default"}},
        ]
    }


def test_no_draft_is_404(api, live):
    assert api.get(live["url"] + "draft/").status_code == 404
    assert api.delete(live["url"] + "draft/").status_code == 404
    assert api.post(live["url"] + "draft/publish/").status_code == 404
    response = api.get(live["url"] + "diff/", {"from": 2, "to": "draft"})
    assert response.status_code == 400 and response.data == {"to": ["This rule has no draft."]}


def test_put_get_diff_publish_rollback(api, live):
    marcus = live["marcus"]
    huge = {"name": "Huge", "conditions": HUGE, "assignee": {"type": "rep", "id": marcus.id}}
    created = ok(api.put(live["url"] + "draft/", body(live, marcus, huge), format="json"), 201)
    assert created["changes"] == 2 and created["base_version"] == created["live_version"] == 2
    assert created["summary"] == "Added “Huge”; changed “Big” (assignee)"
    assert created["author"] == API_AUTHOR
    names = [(s["name"], s["assigned"]) for s in created["segments"]]
    assert names == [("Huge", "Rep Marcus"), ("Big", "Rep Marcus"), ("Fallback",
                     "Workspace default rep")]  # fmt: skip
    # "Big" kept its id (matched by name), "Huge" is new (negative until published).
    assert created["segments"][1]["id"] == live["big"]["id"] and created["segments"][0]["id"] < 0
    assert ok(api.get(live["url"] + "draft/")) == created

    # Routing still uses the live version: a big company goes to Dana.
    lead = {"link": "inbound", "company": {"employees": 5000}}
    assert assignee_of(api, "a@bigco.com", **lead) == ("rep", live["dana"].id)

    diff = ok(api.get(live["url"] + "diff/", {"from": 2, "to": "draft"}))
    assert (diff["from"], diff["to"]) == (2, "draft")
    assert {r["name"]: r["status"] for r in diff["segments"]} == {
        "Huge": "added", "Big": "changed", "Fallback": "unchanged",
    }  # fmt: skip
    back = ok(api.get(live["url"] + "diff/", {"from": "draft", "to": 1}))
    assert {r["name"]: r["status"] for r in back["segments"]}["Huge"] == "removed"

    rule = ok(api.post(live["url"] + "draft/publish/"))
    assert rule["version"] == 3
    assert [s["name"] for s in rule["segments"]] == ["Huge", "Big", "Fallback"]
    versions = ok(api.get(live["url"] + "versions/"))
    assert versions[0]["author"] == API_AUTHOR
    assert versions[0]["summary"] == "Published draft: Added “Huge”; changed “Big” (assignee)"
    assert api.get(live["url"] + "draft/").status_code == 404
    assert assignee_of(api, "b@bigco.com", **lead) == ("rep", marcus.id)

    ok(api.post(live["url"] + "rollback/", {"version": 2}, format="json"), 201)
    assert assignee_of(api, "c@bigco.com", **lead) == ("rep", live["dana"].id)


def test_put_replaces_and_delete_discards(api, live):
    ok(api.put(live["url"] + "draft/", body(live, live["marcus"]), format="json"), 201)
    again = ok(api.put(live["url"] + "draft/", body(live, live["dana"]), format="json"), 200)
    assert again["changes"] == 0 and again["summary"] == "No change"
    response = api.post(live["url"] + "draft/publish/")
    assert response.status_code == 400 and "same as the live v2" in response.data["draft"][0]
    before = counts()
    ok(api.delete(live["url"] + "draft/"), 204)
    assert counts() == before and not RuleDraft.objects.exists()


@pytest.mark.parametrize(
    "segments, path",
    [
        ([], ["segments"]),
        ([{"name": "Fallback", "assignee": {"type": "workspace_default"}, "extra": 1}],
         ["segments", "0", "extra"]),
        ([{"name": "Bad", "conditions": {"all": [BIG, {"field": "lead.email", "op": "nope"}]},
           "assignee": {"type": "workspace_default"}},
          {"name": "Fallback", "assignee": {"type": "workspace_default"}}],
         ["segments", "0", "conditions"]),
        ([{"name": "Fallback", "conditions": BIG, "assignee": {"type": "workspace_default"}}],
         ["segments", "0", "conditions"]),
        ([{"name": "X", "assignee": {"type": "rep", "id": 999999}},
          {"name": "Fallback", "assignee": {"type": "workspace_default"}}],
         ["segments", "0", "assignee"]),
        ([{"name": "X"}, {"name": "Fallback", "assignee": {"type": "workspace_default"}}],
         ["segments", "0", "assignee"]),
        ([{"name": "X", "assignee": {"type": "crm_owner"}, "booking": {"logic": "round_robin"}},
          {"name": "Fallback", "assignee": {"type": "workspace_default"}}],
         ["segments", "0", "booking"]),
        ([{"name": "", "assignee": {"type": "crm_owner"}},
          {"name": "Fallback", "assignee": {"type": "workspace_default"}}],
         ["segments", "0", "name"]),
        ([{"id": "3", "name": "X", "assignee": {"type": "crm_owner"}},
          {"name": "Fallback", "assignee": {"type": "workspace_default"}}],
         ["segments", "0", "id"]),
        ([{"id": 424242, "name": "X", "assignee": {"type": "crm_owner"}},
          {"name": "Fallback", "assignee": {"type": "workspace_default"}}],
         ["segments", "0", "id"]),
        ("nope", ["segments"]),
    ],
)  # fmt: skip
def test_bad_draft_is_400_naming_the_node_and_writes_nothing(api, live, segments, path):
    before = counts()
    response = api.put(live["url"] + "draft/", {"segments": segments}, format="json")
    assert response.status_code == 400, response.data
    node = response.data
    for key in path:
        assert key in node, (key, response.data)
        node = node[key]
    assert counts() == before and not RuleDraft.objects.exists()


def test_bad_condition_error_names_the_node(api, live):
    bad = {"all": [BIG, {"field": "company.employees", "op": "gt", "value": "lots"}]}
    segments = [
        {"name": "Bad", "conditions": bad, "assignee": {"type": "workspace_default"}},
        {"name": "Fallback", "assignee": {"type": "workspace_default"}},
    ]
    response = api.put(live["url"] + "draft/", {"segments": segments}, format="json")
    assert response.status_code == 400
    (message,) = response.data["segments"]["0"]["conditions"]
    assert message.startswith("all[1]")


def test_unknown_body_field_and_fallback_id(api, live):
    response = api.put(live["url"] + "draft/", {**body(live, live["dana"]), "x": 1}, format="json")
    assert response.status_code == 400 and response.data == {"x": ["Unknown field."]}
    segments = body(live, live["dana"])["segments"]
    segments[0]["id"] = ok(api.get(live["url"]))["segments"][-1]["id"]  # the fallback's id
    response = api.put(live["url"] + "draft/", {"segments": segments}, format="json")
    assert response.data == {"segments": {"0": {"id": ["The fallback segment stays last."]}}}


def test_publish_with_a_deleted_rep_is_400_naming_the_segment(api, live, make_rep):
    temp = make_rep("Temp")
    temp_id = temp.id
    extra = {"name": "Temp", "assignee": {"type": "rep", "id": temp_id}}
    ok(api.put(live["url"] + "draft/", body(live, live["dana"], extra), format="json"), 201)
    actions.delete_rep(temp)
    draft = ok(api.get(live["url"] + "draft/"))
    assert draft["segments"][0]["assigned"] == f"Rep #{temp_id} (deleted)"
    before = counts()
    response = api.post(live["url"] + "draft/publish/")
    assert response.status_code == 400
    assert response.data == {
        "draft": [
            f"Segment 1 “Temp” cannot be published: No rep with id {temp_id} in this workspace."
        ]
    }
    assert counts() == before and RuleDraft.objects.exists()


def test_meeting_rule_draft_takes_bookings(api, make_rule, make_rep):
    dana = make_rep("Dana")
    rule = make_rule("Demo", kind="meeting")
    url = f"/api/v1/rules/{rule['id']}/draft/"
    booking = {"logic": "round_robin", "reps": [dana.id], "duration": 45}
    segments = [
        {"name": "Big", "conditions": BIG, "booking": booking},
        {"name": "Fallback", "booking": {"logic": "single_rep", "default_rep": True}},
    ]
    draft = ok(api.put(url, {"segments": segments}, format="json"), 201)
    assert draft["segments"][0]["booking"]["reps"] == [{"id": dana.id, "name": "Dana"}]
    assert draft["segments"][0]["assigned"].startswith("Books Round robin · Dana · 45 min")
    segments[0] = {"name": "Big", "conditions": BIG, "assignee": {"type": "rep", "id": dana.id}}
    response = api.put(url, {"segments": segments}, format="json")
    assert response.status_code == 400 and "0" in response.data["segments"]


def test_other_workspace_is_404(api, live, other_api):
    ok(api.put(live["url"] + "draft/", body(live, live["marcus"]), format="json"), 201)
    before = counts()
    assert other_api.get(live["url"] + "draft/").status_code == 404
    assert other_api.delete(live["url"] + "draft/").status_code == 404
    assert other_api.post(live["url"] + "draft/publish/").status_code == 404
    response = other_api.put(live["url"] + "draft/", body(live, live["dana"]), format="json")
    assert response.status_code == 404
    assert counts() == before and RuleDraft.objects.count() == 1


def test_schema_documents_the_draft_endpoints(api):
    schema = ok(api.get("/api/schema/", {"format": "json"}))
    paths = schema["paths"]
    assert set(paths["/api/v1/rules/{id}/draft/"]) >= {"get", "put", "delete"}
    assert "post" in paths["/api/v1/rules/{id}/draft/publish/"]
    request = schema["components"]["schemas"]["DraftSegmentInRequest"]
    assert request["additionalProperties"] is False
    params = {p["name"]: p for p in paths["/api/v1/rules/{id}/diff/"]["get"]["parameters"]}
    assert {"type": "string", "enum": ["draft"]} in params["to"]["schema"]["oneOf"]


def test_rule_deleted_while_the_request_runs_is_404(api, live, monkeypatch):
    """Two requests at once (make fuzz runs two workers): DELETE /rules/6/ lands between
    DELETE /rules/6/draft/'s read of the rule and its lock of it. A 404, not a 500."""
    from routing.actions import drafts as drafts_module
    from routing.models import RoutingRule

    real = drafts_module.get_draft

    def deleted_meanwhile(rule):
        RoutingRule.objects.filter(pk=rule.pk).delete()  # the other request
        return real(rule)

    monkeypatch.setattr(drafts_module, "get_draft", deleted_meanwhile)
    response = api.delete(live["url"] + "draft/")
    assert response.status_code == 404, response.content
    assert "no longer exists" in response.data["detail"]


def test_any_object_gone_mid_request_is_a_404():
    """The API's safety net for the re-reads under lock that have no check of their own."""
    from routing.api.errors import exception_handler
    from routing.models import Segment

    response = exception_handler(Segment.DoesNotExist("gone"), {})
    assert response.status_code == 404
    assert response.data == {"detail": "Not found: it was deleted while this request ran."}


def test_a_rule_deleted_meanwhile_is_404(api, live, monkeypatch):
    """DELETE .../draft/ while another request deletes the rule: the action's locked
    re-read finds nothing (RoutingRule.DoesNotExist): a 404, not a 500."""
    from routing.actions import drafts
    from routing.models import RoutingRule

    def gone(rule):
        raise RoutingRule.DoesNotExist("RoutingRule matching query does not exist.")

    monkeypatch.setattr(drafts, "discard_draft", gone)
    response = api.delete(live["url"] + "draft/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


# -- segment names and monitoring channels in a draft -------------------------------------
def test_a_draft_naming_two_segments_alike_is_400_on_the_later_one(api, live):
    to_dana = {"type": "rep", "id": live["dana"].id}
    segments = [
        {"name": "A", "conditions": HUGE, "assignee": to_dana},
        {"name": "Big", "conditions": BIG, "assignee": to_dana},
        {"name": " a ", "conditions": BIG, "assignee": {"type": "crm_owner"}},
        {"name": "Fallback", "assignee": {"type": "workspace_default"}},
    ]
    before = counts()
    response = api.put(live["url"] + "draft/", {"segments": segments}, format="json")
    assert response.status_code == 400, response.data
    message = "Segment 1 is already named “A”: segment names are unique within a rule."
    assert response.data == {"segments": {"2": {"name": [message]}}}
    assert counts() == before and not RuleDraft.objects.exists()
    assert api.post(live["url"] + "draft/publish/").status_code == 404  # nothing to publish

    # With a draft there already: refused the same way, the draft unchanged.
    ok(api.put(live["url"] + "draft/", body(live, live["marcus"]), format="json"), 201)
    stored = RuleDraft.objects.get().segments
    segments = body(live, live["dana"], {"name": "FALLBACK", "assignee": to_dana})["segments"]
    response = api.put(live["url"] + "draft/", {"segments": segments}, format="json")
    assert response.status_code == 400, response.data
    message = "Segment 1 is already named “FALLBACK”: segment names are unique within a rule."
    assert response.data == {"segments": {"2": {"name": [message]}}}
    assert RuleDraft.objects.get().segments == stored


def test_a_bad_monitoring_channel_in_a_draft_is_400_and_writes_nothing(api, live):
    segments = body(live, live["dana"])["segments"]
    segments[0]["monitoring_channel"] = "bad channel!!"
    before = counts()
    response = api.put(live["url"] + "draft/", {"segments": segments}, format="json")
    assert response.status_code == 400, response.data
    message = (
        "“bad channel!!” is not a Slack channel: give a name like #leads (lowercase "
        "letters, digits, - and _) or a channel id like C0123456789."
    )
    assert response.data == {"segments": {"0": {"monitoring_channel": [message]}}}
    assert counts() == before and not RuleDraft.objects.exists()
    # The action refuses it too (the console's draft forms write through it).
    rule = RoutingRule.objects.get(id=live["rule"]["id"])
    with pytest.raises(actions.ActionError) as error:
        drafts.update_draft(rule, segments)
    assert error.value.errors == {"segments": {"0": {"monitoring_channel": [message]}}}
    assert not RuleDraft.objects.exists()
    # Blank (inherit the rule's) and real channels are fine.
    segments[0]["monitoring_channel"] = ""
    segments[1]["monitoring_channel"] = "#leads"
    draft = ok(api.put(live["url"] + "draft/", {"segments": segments}, format="json"), 201)
    assert [s["monitoring_channel"] for s in draft["segments"]] == ["", "#leads"]


def test_draft_segment_edits_refuse_a_taken_name(api, live):
    rule = RoutingRule.objects.get(id=live["rule"]["id"])
    drafts.start_draft(rule)
    stored = RuleDraft.objects.get().segments
    message = "A segment with this name already exists in this rule."
    with pytest.raises(actions.ActionError) as error:
        drafts.add_draft_segment(rule, name=" big ", assignee={"type": "crm_owner"})
    assert error.value.errors == {"name": [message]}
    with pytest.raises(actions.ActionError) as error:
        drafts.update_draft_segment(rule, stored[0]["id"], name="Fallback")
    assert error.value.errors == {"name": [message]}
    assert RuleDraft.objects.get().segments == stored
    copies = [drafts.duplicate_draft_segment(rule, stored[0]["id"])["name"] for _ in range(2)]
    assert copies == ["Big (copy)", "Big (copy 2)"]
