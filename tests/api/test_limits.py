"""Limits (README "Limits"): page size, list filters, value and body sizes, trace clipping."""

import json

import pytest
from django.conf import settings

from routing.api.pagination import MAX_OFFSET, MAX_PAGE_SIZE

from .helpers import CHATS, chat, counts, ok

LISTS = ["chats", "decisions", "reps", "ai-agents", "pools", "rules", "segments", "links"]


@pytest.fixture
def rows(api, make_rep, make_rule, make_link, make_pool):
    rep = make_rep("Dana")
    make_pool("Pool", [{"rep": rep.id}])
    rule = make_rule("Inbound")
    make_link("inbound", chat_rule=rule["id"])
    ok(api.post("/api/v1/ai-agents/", {"name": "Sally"}, format="json"), 201)
    for n in range(3):
        chat(api, email=f"l{n}@bigco.com", link="inbound")
    return {"rep": rep, "rule": rule}


# -- pagination -------------------------------------------------------------------
BAD_PAGING = [
    {"limit": str(2**63)},
    {"limit": str(2**64)},
    {"limit": "9" * 400},
    {"limit": str(MAX_PAGE_SIZE + 1)},
    {"limit": "abc"},
    {"limit": "1.5"},
    {"limit": "-1"},
    {"limit": "0"},
    {"limit": ""},
    {"limit": "null"},
    {"limit": "²"},
    {"offset": "null"},
    {"offset": "-1"},
    {"offset": "abc"},
    {"offset": str(2**63)},
    {"offset": ""},
]


@pytest.mark.parametrize("listing", LISTS)
def test_bad_paging_is_a_400_naming_the_parameter(api, rows, listing):
    for params in BAD_PAGING:
        response = api.get(f"/api/v1/{listing}/", params)
        assert response.status_code == 400, (listing, params, response.status_code)
        assert set(response.json()) == set(params), (listing, params)


@pytest.mark.parametrize("listing", LISTS)
def test_paging_in_range_works(api, rows, listing):
    data = ok(api.get(f"/api/v1/{listing}/", {"limit": MAX_PAGE_SIZE}))
    assert data["count"] == len(data["results"]) >= 1
    data = ok(api.get(f"/api/v1/{listing}/", {"limit": 1, "offset": MAX_OFFSET}))
    assert data["results"] == []
    assert len(ok(api.get(f"/api/v1/{listing}/", {"limit": " 1 "}))["results"]) == 1


def test_default_and_maximum_page_size_are_documented(api, db):
    schema = api.get("/api/schema/", {"format": "json"})
    params = {p["name"]: p for p in schema.json()["paths"]["/api/v1/chats/"]["get"]["parameters"]}
    assert params["limit"]["schema"]["maximum"] == MAX_PAGE_SIZE


# -- list filters -----------------------------------------------------------------
BAD_DECISION_FILTERS = [
    ({"until": ""}, "until"),
    ({"since": "banana"}, "since"),
    ({"since": "2030-02-30"}, "since"),
    ({"since": "2030-01-01T25:00:00Z"}, "since"),
    ({"since": "\x00"}, "since"),
    ({"rep": "999999"}, "rep"),
    ({"rep": str(2**63)}, "rep"),
    ({"rep": ""}, "rep"),
    ({"rule": "999999"}, "rule"),
    ({"ai_agent": "999999"}, "ai_agent"),
    ({"link": "nowhere"}, "link"),
    ({"link": "a\x00b"}, "link"),
    ({"link": "x" * 81}, "link"),
    ({"kind": "email"}, "kind"),
    ({"since": "2030-01-02", "until": "2030-01-01"}, "until"),
    ({"colour": "red"}, "colour"),
]


@pytest.mark.parametrize(("params", "field"), BAD_DECISION_FILTERS)
def test_bad_decision_filter_is_a_400_with_a_field_error(api, rows, params, field):
    response = api.get("/api/v1/decisions/", params)
    assert response.status_code == 400, response.status_code
    assert field in response.json(), response.json()


def test_chat_list_refuses_filters_it_does_not_have(api, rows):
    response = api.get("/api/v1/chats/", {"rep": rows["rep"].id})
    assert response.status_code == 400
    assert response.json() == {"rep": ["Unknown query parameter."]}


def test_a_date_only_until_covers_that_day(api, rows):
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    assert ok(api.get("/api/v1/decisions/", {"until": today}))["count"] == 3
    assert ok(api.get("/api/v1/decisions/", {"since": today, "until": today}))["count"] == 3


# -- free-form values and the body ---------------------------------------------------
def test_custom_value_over_the_limit_is_a_400(api, rows):
    before = counts()
    for custom in (
        {"x": "a" * 2001},
        {"x": ["ok", "a" * 2001]},
        {"x": list(range(101))},
    ):
        body = {"lead": {"email": "a@b.com"}, "custom": custom}
        response = api.post(CHATS, body, format="json")
        assert response.status_code == 400
        assert "x" in response.json()["custom"], response.json()
    assert counts() == before
    ok(
        api.post(CHATS, {"lead": {"email": "a@b.com"}, "custom": {"x": "a" * 2000}}, format="json"),
        201,
    )


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/x-www-form-urlencoded", "multipart"]
)
def test_a_body_over_the_limit_is_a_json_400(api, rows, content_type):
    before = counts()
    big = "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    if content_type == "application/json":
        response = api.post(CHATS, json.dumps({"lead": {"email": "a@b.com"}, "message": big}),
                            content_type=content_type)  # fmt: skip
    elif content_type == "multipart":
        response = api.post("/api/v1/reps/", {"name": big, "email": "x@acme.test"})
    else:
        response = api.post("/api/v1/reps/", f"name={big}&email=x@acme.test",
                            content_type=content_type)  # fmt: skip
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert (
        "too large" in response.json()["detail"].lower() or "exceeded" in response.json()["detail"]
    )
    assert counts() == before


def test_the_trace_clips_long_values_but_the_evaluation_sees_them_whole(
    api, make_rep, make_rule, make_link, add_segment
):
    rep = make_rep("Dana")
    rule = make_rule("Inbound")
    make_link("inbound", chat_rule=rule["id"])
    value = "a" * 1999 + "Z"
    for name in ("One", "Two", "Three"):
        tree = {"field": "custom.x", "op": "ends_with", "value": "z" if name == "Three" else "q"}
        add_segment(rule["id"], name, tree, {"type": "rep", "id": rep.id})
    data = chat(api, link="inbound", custom={"x": value})
    assert data["segment"]["name"] == "Three"  # matched on the last character
    leaves = [s["conditions"] for s in data["trace"]["segments"] if s["name"] != "Fallback"]
    assert len(leaves) == 3
    for leaf in leaves:
        assert leaf["actual"] == "a" * 199 + "…"
    assert all(len(line) < 400 for line in data["trace"]["lines"])
    assert data["context"]["custom"]["x"] == value  # the context keeps the value
