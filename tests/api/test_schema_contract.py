"""Issue 10, item 13: the OpenAPI schema describes what the server does (what
`make fuzz` checks with schemathesis), and JSON bodies carry documented types."""

import pytest
from rest_framework.test import APIClient

from routing import actions

from .helpers import counts, ok

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return APIClient().get("/api/schema/", {"format": "json"}).json()


def op(schema, path, method):
    return schema["paths"][path][method]


def body_schema(schema, operation):
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_request_bodies_refuse_unknown_properties(schema):
    for path, method in [
        ("/api/v1/rules/", "post"), ("/api/v1/rules/{id}/", "patch"),
        ("/api/v1/rules/{id}/segments/", "post"), ("/api/v1/segments/{id}/move/", "post"),
        ("/api/v1/pools/", "post"), ("/api/v1/links/", "post"), ("/api/v1/chats/", "post"),
        ("/api/v1/workspace/", "patch"),
    ]:  # fmt: skip
        assert body_schema(schema, op(schema, path, method))["additionalProperties"] is False
    pool = schema["components"]["schemas"]["PoolRequest"]
    assert "id" not in pool["properties"] and "created_at" not in pool["properties"]


def test_only_json_bodies_are_documented(schema):
    assert set(op(schema, "/api/v1/reps/", "post")["requestBody"]["content"]) == {
        "application/json"
    }


def test_every_operation_documents_its_error_answers(schema):
    for path, item in schema["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert "401" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert "400" in codes, (method, path)
    assert "422" in op(schema, "/api/v1/chats/", "post")["responses"]  # Idempotency-Key reuse
    assert "404" in op(schema, "/api/v1/chats/", "post")["responses"]  # unknown link


def test_reorder_and_move_answer_a_plain_list(schema, api, workspace):
    for path in ("/api/v1/rules/{id}/reorder/", "/api/v1/segments/{id}/move/"):
        answer = op(schema, path, "post")["responses"]["200"]["content"]["application/json"]
        assert answer["schema"]["type"] == "array", path
    rule = actions.create_rule(workspace, kind="chat", name="R")
    data = ok(api.post(f"/api/v1/rules/{rule.id}/reorder/", {"order": []}, format="json"))
    assert isinstance(data, list) and data[0]["is_fallback"]


def test_recorded_ids_and_pool_times_are_nullable(schema):
    components = schema["components"]["schemas"]
    assert components["AssigneeOut"]["properties"]["id"]["nullable"] is True
    assert components["RuleRef"]["properties"]["id"]["nullable"] is True
    assert components["PoolMember"]["properties"]["last_assigned_at"]["nullable"] is True


def test_the_assignee_id_is_null_once_the_rep_is_deleted(api, workspace, make_rep):
    rep = make_rep("Dana")
    actions.update_workspace(workspace, default_rep=rep.id)
    created = ok(api.post("/api/v1/chats/", {"lead": {"email": "a@bigco.com"}}, format="json"), 201)
    assert created["assignee"]["id"] == rep.id
    rep.delete()
    assert ok(api.get(f"/api/v1/chats/{created['id']}/"))["assignee"]["id"] is None


def test_an_unknown_api_url_is_a_json_404(api):
    for path in ("/api/v1/reps/0.5/", "/api/v1/busy/0.5/", "/api/v1/nothing/here/"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"
    assert APIClient().get("/api/v1/nothing/here/").status_code == 401  # the token comes first


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/ai-agents/", {"name": "Bot", "specialty": "auto", "is_active": 0}, "is_active"),
        ("/api/v1/pools/", {"name": "P", "respect_working_hours": "yes"}, "respect_working_hours"),
        ("/api/v1/rules/", {"name": 42, "kind": "chat"}, "name"),
        ("/api/v1/reps/", {"name": "R", "email": "r@acme.test", "max_open_chats": "3"},
         "max_open_chats"),
        ("/api/v1/chats/", {"lead": {"email": "a@bigco.com"}, "session": {"pages_viewed": "3"}},
         "session"),
    ],
)  # fmt: skip
def test_a_json_value_of_the_wrong_type_is_a_400(api, path, body, field):
    before = counts()
    response = api.post(path, body, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    assert counts() == before


def test_form_posts_keep_their_string_values(api):
    created = ok(api.post("/api/v1/ai-agents/", {"name": "Bot", "is_active": "false"}), 201)
    assert created["is_active"] is False


def test_a_reps_calendar_and_a_meeting_rules_simulation_are_documented(schema, api):
    rep = schema["components"]["schemas"]["RepWithCalendar"]["properties"]["calendar"]
    assert rep["allOf"][0]["$ref"].endswith("/RepCalendar")
    answer = op(schema, "/api/v1/rules/{id}/simulate/", "post")["responses"]["200"]
    ref = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    shapes = schema["components"]["schemas"][ref]["oneOf"]
    assert {s["$ref"].rsplit("/", 1)[1] for s in shapes} == {"Simulation", "Availability"}
    response = api.get("/api/v1/meetings/", {"status": ""})
    assert response.status_code == 400 and "status" in response.data


@pytest.mark.parametrize("kind", [{}, ["rep"]])
def test_an_assignee_type_that_is_not_text_is_a_400(api, workspace, kind):
    """make fuzz: {"assignee": {"type": {}}} was a TypeError (500) in clean_assignee."""
    rule = actions.create_rule(workspace, kind="chat", name="R")
    fallback = rule.segments.get(is_fallback=True)
    before = counts()
    response = api.patch(
        f"/api/v1/segments/{fallback.id}/", {"assignee": {"type": kind}}, format="json"
    )
    assert response.status_code == 400 and "assignee" in response.data
    body = {"segments": [{"name": "Fallback", "assignee": {"type": kind}}]}
    response = api.put(f"/api/v1/rules/{rule.id}/draft/", body, format="json")
    assert response.status_code == 400, response.data
    assert set(response.data["segments"]["0"]) == {"assignee"}
    assert counts() == before


def test_a_null_calendar_is_left_as_it_is(api, schema):
    """POST /reps/ with "calendar": null is accepted (the calendar is skipped): documented."""
    rep = schema["components"]["schemas"]["RepWithCalendarRequest"]["properties"]["calendar"]
    assert rep["nullable"] is True
    created = api.post(
        "/api/v1/reps/", {"name": "Ann", "email": "ann@acme.test", "calendar": None}, format="json"
    )
    assert created.status_code == 201 and created.data["calendar"]["backend"] == "local"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("3", "A whole number is required (not a string)."),
        (1e308, "A whole number is required (not a decimal number)."),
        (2.5, "A whole number is required (not a decimal number)."),
        (True, "A whole number is required (not true or false)."),
        ([3], "A whole number is required (not a list)."),
        ({"n": 3}, "A whole number is required (not an object)."),
    ],
)
def test_a_wrong_number_says_what_it_got(api, value, message):
    before = counts()
    body = {"lead": {"email": "a@bigco.com"}, "company": {"employees": value}}
    response = api.post("/api/v1/chats/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"company": {"employees": [message]}}
    assert counts() == before
