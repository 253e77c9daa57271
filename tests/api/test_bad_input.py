"""Bad input to POST /api/v1/chats/: a 4xx naming the problem, never a 500, never a write."""

import json

import pytest

from .helpers import CHATS, counts

LONG = "x" * 10001


@pytest.fixture(autouse=True)
def _a_rep(make_rep):
    make_rep("Dana")  # so a request that wrongly succeeded would have somewhere to go


def assert_refused(api, body, status, *path, raw=False):
    """POST body; expect `status` with an error at `path` in the answer, and no writes."""
    before = counts()
    if raw:
        response = api.post(CHATS, body, content_type="application/json")
    else:
        response = api.post(CHATS, body, format="json")
    assert response.status_code == status, (response.status_code, response.data)
    node = response.data
    for key in path:
        assert key in node, (path, response.data)
        node = node[key]
    assert counts() == before
    return response.data


BAD_BODIES = [
    pytest.param({}, ("lead",), id="empty body"),
    pytest.param({"message": "hi"}, ("lead",), id="missing lead"),
    pytest.param({"lead": {}}, ("lead", "email"), id="missing email"),
    pytest.param({"lead": {"name": "Jo"}}, ("lead", "email"), id="lead without email"),
    pytest.param({"lead": {"email": "not-an-email"}}, ("lead", "email"), id="malformed email"),
    pytest.param({"lead": {"email": "a@"}}, ("lead", "email"), id="email without domain"),
    pytest.param({"lead": {"email": ""}}, ("lead", "email"), id="blank email"),
    pytest.param({"lead": {"email": None}}, ("lead", "email"), id="null email"),
    pytest.param({"lead": {"email": ["a@b.com"]}}, ("lead", "email"), id="email list"),
    pytest.param({"lead": {"email": "a" * 250 + "@b.com"}}, ("lead", "email"), id="email too long"),
    pytest.param({"lead": "a@b.com"}, ("lead",), id="lead is a string"),
    pytest.param({"lead": ["a@b.com"]}, ("lead",), id="lead is a list"),
    pytest.param({"lead": None}, ("lead",), id="lead is null"),
    pytest.param(
        {"lead": {"email": "a@b.com", "emial": "x"}}, ("lead", "emial"), id="typo in lead"
    ),
    pytest.param({"lead": {"email": "a@b.com"}, "colour": "red"}, ("colour",), id="unknown field"),
    pytest.param(
        {"lead": {"email": "a@b.com"}, "company": {"employees": "many"}},
        ("company", "employees"),
        id="employees not a number",
    ),
    pytest.param(
        {"lead": {"email": "a@b.com"}, "company": {"employees": -5}},
        ("company", "employees"),
        id="negative employees",
    ),
    pytest.param(
        {"lead": {"email": "a@b.com"}, "company": {"tech": "python"}},
        ("company", "tech"),
        id="tech not a list",
    ),
    pytest.param(
        {"lead": {"email": "a@b.com"}, "company": "BigCo"},
        ("company",),
        id="company not an object",
    ),
    pytest.param(
        {"lead": {"email": "a@b.com"}, "session": {"pages_viewed": -1}},
        ("session", "pages_viewed"),
        id="negative pages_viewed",
    ),
    pytest.param(
        {"lead": {"email": "a@b.com"}, "session": {"pages_viewed": 1.5}},
        ("session", "pages_viewed"),
        id="fractional pages_viewed",
    ),
    pytest.param(
        {"lead": {"email": "a@b.com"}, "session": {"device": "fridge"}},
        ("session", "device"),
        id="unknown device",
    ),
    pytest.param(
        {"lead": {"email": "a@b.com"}, "session": {"is_returning": "perhaps"}},
        ("session", "is_returning"),
        id="is_returning not a bool",
    ),
    pytest.param(
        {"lead": {"email": "a@b.com"}, "custom": {"plan": {"tier": "gold"}}},
        ("custom",),
        id="custom with nested dict",
    ),
    pytest.param(
        {"lead": {"email": "a@b.com"}, "custom": {"plans": [1, {"a": 1}]}},
        ("custom",),
        id="custom list with a dict",
    ),
    pytest.param(
        {"lead": {"email": "a@b.com"}, "custom": {"a.b": 1}},
        ("custom",),
        id="custom key with a dot",
    ),
    pytest.param(
        {"lead": {"email": "a@b.com"}, "custom": {f"k{i}": i for i in range(51)}},
        ("custom",),
        id="too many custom fields",
    ),
    pytest.param(
        {"lead": {"email": "a@b.com"}, "custom": ["a"]},
        ("custom",),
        id="custom not an object",
    ),
    pytest.param(
        {"lead": {"email": "a@b.com"}, "intent": {"type": "curious"}},
        ("intent", "type"),
        id="unknown intent type",
    ),
    pytest.param(
        {"lead": {"email": "a@b.com"}, "intent": {"score": 10}},
        ("intent", "score"),
        id="bad intent score",
    ),
    pytest.param(
        {"lead": {"email": "a@b.com"}, "utm": {"source": "x", "gclid": "y"}},
        ("utm", "gclid"),
        id="unknown utm field",
    ),
    pytest.param(
        {"lead": {"email": "a@b.com"}, "utm": "linkedin"},
        ("utm",),
        id="utm not an object",
    ),
    pytest.param({"lead": {"email": "a@b.com"}, "message": LONG}, ("message",), id="long message"),
    pytest.param({"lead": {"email": "a@b.com"}, "message": "a\x00b"}, ("message",), id="NUL"),
    pytest.param({"lead": {"email": "a@b.com"}, "link": "not a slug!"}, ("link",), id="bad slug"),
    pytest.param({"lead": {"email": "a@b.com"}, "link": ""}, ("link",), id="blank slug"),
]


@pytest.mark.parametrize(("body", "path"), BAD_BODIES)
def test_bad_body_is_400_and_writes_nothing(api, body, path):
    assert_refused(api, body, 400, *path)


def test_unknown_top_level_field_is_named(api):
    data = assert_refused(api, {"lead": {"email": "a@b.com"}, "colour": "red", "size": 1}, 400)
    assert set(data) == {"colour", "size"}
    assert data["colour"] == ["Unknown field."]


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param('{"lead": ', id="truncated"),
        pytest.param("{'lead': {'email': 'a@b.com'}}", id="single quotes"),
        pytest.param('{"lead": {"email": "a@b.com"}', id="unclosed"),
        pytest.param('{"lead": {"email": "a@b.com"}, "company": {"employees": NaN}}', id="NaN"),
        pytest.param("", id="empty"),
    ],
)
def test_broken_json_is_400(api, raw):
    data = assert_refused(api, raw, 400, raw=True)
    assert "lead" in data or "parse" in str(data.get("detail", "")).lower()


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param('{"lead": ' + "[" * 100_000 + "]" * 100_000 + "}", id="lead"),
        pytest.param(
            '{"lead": {"email": "a@b.com"}, "custom": {"x": ' + "[" * 5000 + "]" * 5000 + "}}",
            id="custom",
        ),
    ],
)
def test_absurdly_nested_json_is_400(api, raw):
    data = assert_refused(api, raw, 400, "detail", raw=True)
    assert "nested too deeply" in data["detail"]


def test_absurdly_nested_json_is_400_on_every_endpoint(api, make_rule):
    rule = make_rule("R")
    raw = "[" * 100_000 + "]" * 100_000
    before = counts()
    for url in (
        "/api/v1/reps/",
        "/api/v1/rules/",
        f"/api/v1/rules/{rule['id']}/segments/",
        f"/api/v1/rules/{rule['id']}/simulate/",
    ):
        response = api.post(url, raw, content_type="application/json")
        assert response.status_code == 400, url
    response = api.patch("/api/v1/workspace/", raw, content_type="application/json")
    assert response.status_code == 400
    assert counts() == before


@pytest.mark.parametrize("raw", ["[]", '"a@b.com"', "1", "null", "true"])
def test_json_that_is_not_an_object_is_400(api, raw):
    assert_refused(api, raw, 400, raw=True)


def test_wrong_content_type_is_415(api):
    before = counts()
    response = api.post(CHATS, json.dumps({"lead": {"email": "a@b.com"}}), content_type="text/csv")
    assert response.status_code == 415
    assert counts() == before


def test_unknown_link_is_404(api):
    data = assert_refused(api, {"lead": {"email": "a@b.com"}, "link": "nope"}, 404, "link")
    assert "nope" in str(data["link"])


def test_inactive_link_is_404(api, make_link):
    link = make_link("old")
    response = api.patch(f"/api/v1/links/{link['id']}/", {"is_active": False}, format="json")
    assert response.status_code == 200
    assert_refused(api, {"lead": {"email": "a@b.com"}, "link": "old"}, 404, "link")


def test_unknown_link_with_an_idempotency_key_writes_nothing(api):
    before = counts()
    response = api.post(
        CHATS,
        {"lead": {"email": "a@b.com"}, "link": "nope"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert response.status_code == 404
    assert counts() == before


@pytest.mark.parametrize("where", ["referrer", "session"])
def test_malformed_referrer_is_never_a_500(api, where):
    body = {"lead": {"email": "a@b.com"}}
    if where == "referrer":
        body["referrer"] = "http://[::1"
    else:
        body["session"] = {"referrer": "http://[::1"}
    before = counts()
    response = api.post(CHATS, body, format="json")
    assert response.status_code in (201, 400), response.status_code
    if response.status_code == 400:
        assert counts() == before
    else:
        # An unparseable referrer is "missing": the lead still gets an owner.
        assert response.data["context"]["attribution"]["touch"] == "direct"


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (
            "/api/v1/reps/",
            {"name": "Ann", "email": "ann@x.co", "crm_user_ids": ["005A", 0]},
            "crm_user_ids",
        ),
        (
            "/api/v1/chats/",
            {"lead": {"email": "a@b.co"}, "company": {"tech": ["aws", True]}},
            "company",
        ),
    ],
)
def test_a_list_item_of_the_wrong_json_type_is_400_naming_its_index(api, url, body, field):
    """A JSON list of strings takes strings: DRF would turn 0 into "0" and true into "True"
    (what schemathesis found as "negative data accepted" on POST /reps/)."""
    from routing.models import Chat, Rep

    before = (Rep.objects.count(), Chat.objects.count())
    response = api.post(url, body, format="json")
    assert response.status_code == 400, response.content
    errors = response.data[field]
    if field == "company":
        errors = errors["tech"]
    assert errors == {1: ["Not a valid string."]}
    assert (Rep.objects.count(), Chat.objects.count()) == before
