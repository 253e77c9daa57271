"""GET /rules/{id}/versions/, /versions/{n}/, /diff/ and POST /rollback/ (issue 17 items 2, 4-6)."""

import pytest

from routing import actions
from routing.models import Segment

from .helpers import counts, ok, segment_ids

BIG = {"field": "company.employees", "op": "gt", "value": 200}
HUGE = {"field": "company.employees", "op": "gt", "value": 1000}
SUPPORT = {"field": "intent.type", "op": "eq", "value": "support"}
API_AUTHOR = "api: token 'default'"


@pytest.fixture
def history(api, make_rule, add_segment, make_rep):
    """v1 created, v2 + Big (Dana), v3 + Support (Dana), v4 Big's conditions and rep changed."""
    dana, marcus = make_rep("Dana"), make_rep("Marcus")
    rule = make_rule("Inbound")
    big = add_segment(rule["id"], "Big", BIG, {"type": "rep", "id": dana.id})
    support = add_segment(rule["id"], "Support", SUPPORT, {"type": "rep", "id": dana.id})
    body = {"conditions": HUGE, "assignee": {"type": "rep", "id": marcus.id}}
    ok(api.patch(f"/api/v1/segments/{big['id']}/", body, format="json"))
    return {"rule": rule, "big": big, "support": support, "dana": dana, "marcus": marcus}


def base(history):
    return f"/api/v1/rules/{history['rule']['id']}/"


def test_versions_list_who_when_what(api, history):
    rows = ok(api.get(base(history) + "versions/"))
    assert [r["version"] for r in rows] == [4, 3, 2, 1]
    assert {r["author"] for r in rows} == {API_AUTHOR}
    assert set(rows[0]) == {"version", "created_at", "author", "summary"}
    assert [r["summary"] for r in rows] == [
        "Changed “Big” (conditions, assignee)",
        "Added “Support”",
        "Added “Big”",
        "Created",
    ]


def test_version_detail_is_the_snapshot(api, history):
    v2 = ok(api.get(base(history) + "versions/2/"))
    assert v2["version"] == 2 and v2["author"] == API_AUTHOR
    assert [s["name"] for s in v2["segments"]] == ["Big", "Fallback"]
    big = v2["segments"][0]
    assert big["conditions"] == BIG
    assert big["summary"] == "Company employees > 200"
    assert big["assignee"] == {"type": "rep", "id": history["dana"].id, "name": "Dana"}
    assert big["assigned"] == "Rep Dana"
    assert v2["rule"]["name"] == "Inbound"
    v4 = ok(api.get(base(history) + "versions/4/"))
    assert [s["name"] for s in v4["segments"]] == ["Big", "Support", "Fallback"]
    assert v4["segments"][0]["assigned"] == "Rep Marcus"


def test_unknown_version_is_404(api, history):
    assert api.get(base(history) + "versions/9/").status_code == 404
    assert api.get(base(history) + "versions/x/").status_code == 404


def test_diff_in_words(api, history):
    data = ok(api.get(base(history) + "diff/", {"from": 2, "to": 4}))
    assert (data["from"], data["to"]) == (2, 4)
    rows = {r["name"]: r for r in data["segments"]}
    assert rows["Support"]["status"] == "added" and rows["Support"]["before"] is None
    assert rows["Big"]["status"] == "changed"
    assert rows["Big"]["changes"] == [
        "Conditions: Company employees > 200 → Company employees > 1000",
        "Assignee: Rep Dana → Rep Marcus",
    ]
    assert rows["Fallback"]["status"] == "unchanged"
    # Backwards works too: from the newer to the older version.
    back = ok(api.get(base(history) + "diff/", {"from": 4, "to": 2}))
    assert {r["name"]: r["status"] for r in back["segments"]}["Support"] == "removed"


@pytest.mark.parametrize(
    "query, field",
    [
        ({"from": 2, "to": 2}, "to"),
        ({"from": 2, "to": 99}, "to"),
        ({"from": 99, "to": 2}, "from"),
        ({"from": "abc", "to": 2}, "from"),
        ({"from": 2, "to": "1.5"}, "to"),
        ({"from": 0, "to": 2}, "from"),
        ({"to": 2}, "from"),
    ],
)
def test_diff_bad_input_is_400(api, history, query, field):
    response = api.get(base(history) + "diff/", query)
    assert response.status_code == 400, response.data
    assert field in response.data


def test_rollback_is_a_new_version(api, history):
    before_ids = segment_ids(api, history["rule"]["id"])
    data = ok(api.post(base(history) + "rollback/", {"version": 2}, format="json"), 201)
    assert data["version"] == 5
    assert data["author"] == API_AUTHOR
    assert (
        data["summary"]
        == "Rolled back to v2: Changed “Big” (conditions, assignee); removed “Support”"
    )
    rule = ok(api.get(base(history)))
    assert rule["version"] == 5
    assert [s["name"] for s in rule["segments"]] == ["Big", "Fallback"]
    big = rule["segments"][0]
    assert big["id"] == history["big"]["id"]  # updated in place, not re-created
    assert big["conditions"] == BIG
    assert big["assignee"] == {"type": "rep", "id": history["dana"].id, "name": "Dana"}
    assert not Segment.objects.filter(id=history["support"]["id"]).exists()
    # History stays append-only, and v5 routes like v2.
    assert [r["version"] for r in ok(api.get(base(history) + "versions/"))] == [5, 4, 3, 2, 1]
    same = ok(api.get(base(history) + "diff/", {"from": 2, "to": 5}))
    assert {r["status"] for r in same["segments"]} == {"unchanged"}
    assert set(before_ids) > set(segment_ids(api, history["rule"]["id"]))


def test_rollback_recreates_a_deleted_segment_under_its_id(api, history):
    support_id = history["support"]["id"]
    ok(api.delete(f"/api/v1/segments/{support_id}/"), 204)
    data = ok(api.post(base(history) + "rollback/", {"version": 4}, format="json"), 201)
    assert data["summary"] == "Rolled back to v4: Added “Support”"
    segments = ok(api.get(base(history)))["segments"]
    assert [(s["id"], s["name"]) for s in segments[:2]] == [
        (history["big"]["id"], "Big"),
        (support_id, "Support"),
    ]
    assert segments[1]["position"] == 1 and segments[2]["is_fallback"]
    # The ordering stays usable: a new segment still lands above the fallback.
    ok(
        api.post(
            base(history) + "segments/",
            {"name": "New", "conditions": BIG, "assignee": {"type": "workspace_default"}},
            format="json",
        ),
        201,
    )
    names = [s["name"] for s in ok(api.get(base(history)))["segments"]]
    assert names == ["Big", "Support", "New", "Fallback"]


def test_rollback_restores_order_and_settings(api, history):
    ok(api.patch(base(history), {"monitoring_channel": "#leads"}, format="json"))
    rule_id = history["rule"]["id"]
    ids = segment_ids(api, rule_id)
    ok(api.post(base(history) + "reorder/", {"order": [ids[1], ids[0]]}, format="json"))
    ok(api.post(base(history) + "rollback/", {"version": 4}, format="json"), 201)
    rule = ok(api.get(base(history)))
    assert rule["monitoring_channel"] == ""
    assert [s["name"] for s in rule["segments"]] == ["Big", "Support", "Fallback"]


def test_rollback_naming_a_rep_that_is_gone_is_400(api, history):
    # v4 assigns Big to Marcus; move it off Marcus, then delete him.
    big = history["big"]["id"]
    body = {"assignee": {"type": "rep", "id": history["dana"].id}}
    ok(api.patch(f"/api/v1/segments/{big}/", body, format="json"))
    marcus_id = history["marcus"].id
    actions.delete_rep(history["marcus"])
    before = counts()
    response = api.post(base(history) + "rollback/", {"version": 4}, format="json")
    assert response.status_code == 400
    (message,) = response.data["version"]
    assert "“Big”" in message and f"No rep with id {marcus_id}" in message
    assert counts() == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"version": 99}, "version"),
        ({"version": 4}, "version"),  # already the live version
        ({"version": "2"}, "version"),
        ({"version": 2.5}, "version"),
        ({"version": True}, "version"),
        ({"version": 0}, "version"),
        ({}, "version"),
        ({"version": 2, "force": True}, "force"),
    ],
)
def test_rollback_bad_input_is_400_and_writes_nothing(api, history, body, field):
    before = counts()
    response = api.post(base(history) + "rollback/", body, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    assert counts() == before


def test_other_workspace_is_404(history, other_api):
    url = base(history)
    assert other_api.get(url + "versions/").status_code == 404
    assert other_api.get(url + "versions/1/").status_code == 404
    assert other_api.get(url + "diff/", {"from": 1, "to": 2}).status_code == 404
    before = counts()
    assert other_api.post(url + "rollback/", {"version": 2}, format="json").status_code == 404
    assert counts() == before


def test_schema_lists_the_operations(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert "get" in paths["/api/v1/rules/{id}/versions/"]
    assert "get" in paths["/api/v1/rules/{id}/versions/{number}/"]
    assert "get" in paths["/api/v1/rules/{id}/diff/"]
    rollback = paths["/api/v1/rules/{id}/rollback/"]["post"]
    assert {"201", "400", "404"} <= set(rollback["responses"])
