"""POST /api/v1/rules/{id}/replay/ (issue 17 item 3): the answer, bad input, workspaces, schema."""

import pytest

from tests.replay_seed import seed

from .helpers import counts, ok, rotation_state


@pytest.fixture
def seeded(workspace):
    return seed(workspace, n=9)


def url(seeded):
    return f"/api/v1/rules/{seeded.rule.id}/replay/"


def test_replay_answers_the_documented_shape(api, seeded):
    before = (counts(), rotation_state())
    data = ok(api.post(url(seeded), {"version": seeded.new_version}, format="json"))
    assert (counts(), rotation_state()) == before
    assert {"decisions", "changed", "by_assignee", "moves", "changes"} <= set(data)
    assert data["decisions"] == 9 and data["changed"] == 4
    assert data["version"] == f"v{seeded.new_version}"
    priya = next(r for r in data["by_assignee"] if r["assignee"]["name"] == "Priya")
    assert (priya["before"], priya["after"]) == (6, 3)
    assert priya["assignee"] == {"type": "rep", "id": seeded.reps["Priya"].id, "name": "Priya"}
    move = data["moves"][0]
    assert set(move) == {"from", "to", "count"}
    change = data["changes"][0]
    assert set(change) == {"decision", "lead", "at", "before", "after"}
    assert set(change["before"]) == {"segment", "assignee"}
    assert change["after"]["segment"]["name"] == "Big"


def test_window_and_limit_in_the_body(api, seeded):
    data = ok(api.post(url(seeded), {"version": seeded.new_version, "limit": 3}, format="json"))
    assert data["decisions"] == 3
    body = {"version": seeded.new_version, "until": "2020-01-01T00:00:00Z"}
    assert ok(api.post(url(seeded), body, format="json"))["decisions"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "version"),
        ({"version": "7"}, "version"),
        ({"version": 0}, "version"),
        ({"version": True}, "version"),
        ({"version": "drafts"}, "version"),
        ({"version": None}, "version"),
        ({"version": 1.5}, "version"),
        ({"version": 99}, "version"),
        ({"version": "draft"}, "version"),
        ({"version": 1, "limit": 0}, "limit"),
        ({"version": 1, "limit": 50_001}, "limit"),
        ({"version": 1, "limit": "5"}, "limit"),
        ({"version": 1, "since": "last week"}, "since"),
        ({"version": 1, "since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "until"),
        ({"version": 1, "sinse": "2026-01-01T00:00:00Z"}, "sinse"),
        ({"version": 1, "until": "0001-01-02T00:00:00Z"}, "until"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, seeded, body, field):
    before = (counts(), rotation_state())
    response = api.post(url(seeded), body, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data, response.data
    assert (counts(), rotation_state()) == before


def test_no_draft_is_said_so(api, seeded):
    response = api.post(url(seeded), {"version": "draft"}, format="json")
    assert response.status_code == 400
    assert response.data == {"version": ["This rule has no draft."]}


def test_a_body_that_is_not_an_object_is_a_400(api, seeded):
    assert api.post(url(seeded), [1], format="json").status_code == 400


def test_another_workspaces_rule_is_a_404(other_api, seeded):
    response = other_api.post(url(seeded), {"version": 1}, format="json")
    assert response.status_code == 404


def test_schema_documents_replay(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/rules/{id}/replay/"]["post"]
    assert {"200", "400", "401", "404"} <= set(operation["responses"])
    body = schema["components"]["schemas"]["ReplayInRequest"]
    assert body["additionalProperties"] is False
    assert body["required"] == ["version"]
    result = schema["components"]["schemas"]["ReplayResult"]
    assert {"decisions", "changed", "by_assignee", "moves", "changes"} <= set(result["properties"])
    move = schema["components"]["schemas"]["ReplayMove"]
    assert set(move["properties"]) == {"from", "to", "count"}


def test_an_api_replay_gives_its_place_in_the_gate_up_while_it_runs(api, seeded, monkeypatch):
    """Seconds of replay must not hold one of the process's few places
    (knock/request_gate.py): the core runs outside the gate, the request gets its
    place back after."""
    from knock import request_gate
    from routing import replay

    seen = []
    core = replay.replay

    def watched(*args, **kwargs):
        seen.append(request_gate.holding())
        return core(*args, **kwargs)

    monkeypatch.setattr(replay, "replay", watched)
    gate = request_gate.Gate(1)
    with gate.admitted():
        data = ok(api.post(url(seeded), {"version": seeded.new_version}, format="json"))
        assert request_gate.holding() is gate
    assert seen == [None] and data["decisions"] == 9
