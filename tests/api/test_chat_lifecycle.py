"""POST /api/v1/chats/{id}/close/, /reopen/, /reassign/ and the auto-close (SPEC 8)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from routing import actions
from routing.models import Chat, Decision

from .helpers import CHATS, chat, counts, ok


@pytest.fixture
def balanced(api, make_rep, make_pool, routed_rule, add_segment):
    """A load-balanced pool of Amy (capacity 1) and Ben behind link `inbound`."""
    amy = make_rep("Amy", max_open_chats=1)
    ben = make_rep("Ben")
    pool = make_pool(
        "Team",
        [{"rep": amy.id}, {"rep": ben.id}],
        strategy="load_balanced",
        respect_working_hours=False,
    )
    add_segment(routed_rule["id"], "All", {"all": []}, {"type": "pool", "id": pool["id"]})
    return amy, ben


def test_close_is_idempotent_and_frees_capacity_at_once(api, balanced):
    amy, ben = balanced
    first = chat(api, "a@x.com", link="inbound")
    assert first["assignee"]["id"] == amy.id
    # Amy is at capacity (1 open chat): the next lead goes to Ben.
    assert chat(api, "b@x.com", link="inbound")["assignee"]["id"] == ben.id
    assert chat(api, "c@x.com", link="inbound")["assignee"]["id"] == ben.id

    closed = ok(api.post(f"{CHATS}{first['id']}/close/"))
    assert closed["status"] == "closed"
    assert closed["closed_at"] is not None
    assert closed["closed_by"].startswith("API token")
    again = ok(api.post(f"{CHATS}{first['id']}/close/"))
    assert again["closed_at"] == closed["closed_at"]  # nothing changed
    # Amy has 0 open chats now, Ben 2: load balancing counts open chats only.
    nxt = chat(api, "d@x.com", link="inbound")
    assert nxt["assignee"]["id"] == amy.id
    assert "fewest open chats (0)" in " ".join(nxt["trace"]["lines"])


def test_reopen_is_idempotent_and_restarts_the_activity_clock(api, make_rep):
    make_rep("Amy")
    data = chat(api)
    ok(api.post(f"{CHATS}{data['id']}/close/"))
    reopened = ok(api.post(f"{CHATS}{data['id']}/reopen/"))
    assert reopened["status"] == "open"
    assert reopened["closed_at"] is None and reopened["closed_by"] == ""
    assert reopened["last_activity_at"] is not None
    again = ok(api.post(f"{CHATS}{data['id']}/reopen/"))
    assert again["last_activity_at"] == reopened["last_activity_at"]
    assert ok(api.get(f"{CHATS}{data['id']}/"))["status"] == "open"


def test_reassign_is_a_new_decision_whose_trace_names_who_and_why(api, make_rep):
    amy = make_rep("Amy")
    ben = make_rep("Ben")
    data = chat(api)
    assert data["assignee"]["id"] == amy.id
    body = {"rep": ben.id, "reason": "Ben speaks German"}
    out = ok(api.post(f"{CHATS}{data['id']}/reassign/", body, format="json"), 201)
    assert out["rep_owner"] == {"id": ben.id, "name": "Ben"}
    decision = out["reassignment"]
    assert decision["via"] == "reassigned"
    assert decision["assignee"] == {"type": "rep", "id": ben.id, "name": "Ben"}
    assert decision["id"] != data["decision"]
    assert [r["decision"] for r in out["reassignments"]] == [decision["id"]]
    moved = decision["trace"]["reassigned"]
    assert moved["reason"] == "Ben speaks German"
    assert moved["by"].startswith("API token")
    assert moved["from"]["name"] == "Amy" and moved["previous_decision"] == data["decision"]
    assert any("Reassigned by API token" in line for line in decision["trace"]["lines"])
    # The routing's decision is untouched; the log lists both.
    assert ok(api.get(f"/api/v1/decisions/{data['decision']}/"))["assignee"]["id"] == amy.id
    log = ok(api.get("/api/v1/decisions/", {"rep": ben.id}))
    assert [d["id"] for d in log["results"]] == [decision["id"]]


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "rep"),
        ({"rep": "x"}, "rep"),
        ({"rep": 999999}, "rep"),
        ({"rep": 1, "reason": "x" * 501}, "reason"),
        ({"rep": 1, "colour": "red"}, "colour"),
    ],
)
def test_bad_reassign_is_a_400_and_writes_nothing(api, make_rep, body, field):
    make_rep("Amy")
    data = chat(api)
    before = counts()
    response = api.post(f"{CHATS}{data['id']}/reassign/", body, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    assert counts() == before


def test_reassign_refusals(api, make_rep):
    amy = make_rep("Amy")
    gone = make_rep("Gone", is_active=False)
    data = chat(api)
    url = f"{CHATS}{data['id']}/reassign/"
    assert "rep" in ok(api.post(url, {"rep": amy.id}, format="json"), 400)  # already owns it
    assert "rep" in ok(api.post(url, {"rep": gone.id}, format="json"), 400)
    ok(api.post(f"{CHATS}{data['id']}/close/"))
    before = counts()
    assert "detail" in ok(api.post(url, {"rep": make_rep("Cy").id}, format="json"), 400)
    assert counts() == before


def test_another_workspace_sees_404(api, other_api, make_rep):
    make_rep("Amy")
    data = chat(api)
    for verb in ("close", "reopen", "reassign"):
        response = other_api.post(f"{CHATS}{data['id']}/{verb}/", {"rep": 1}, format="json")
        assert response.status_code == 404
    assert Chat.objects.get(id=data["id"]).status == "open"
    # A rep of the other workspace cannot be the target either.
    foreign = actions.create_rep(other_api.workspace, name="Gina", email="gina@globex.test")
    response = api.post(f"{CHATS}{data['id']}/reassign/", {"rep": foreign.id}, format="json")
    assert response.status_code == 400


def test_lifecycle_endpoints_are_in_the_schema(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for verb in ("close", "reopen", "reassign"):
        assert f"/api/v1/chats/{{id}}/{verb}/" in schema["paths"]
    body = schema["paths"]["/api/v1/chats/{id}/reassign/"]["post"]["requestBody"]
    assert "ReassignRequest" in str(body) or "Reassign" in str(body)


def _age(chat_id, hours):
    past = timezone.now() - timedelta(hours=hours)
    Chat.objects.filter(id=chat_id).update(created_at=past)


def test_auto_close_after_the_workspace_setting(api, workspace, make_rep):
    make_rep("Amy")
    idle = chat(api, "idle@x.com")
    fresh = chat(api, "fresh@x.com")
    replied_late = chat(api, "replied@x.com")
    _age(idle["id"], 25)
    _age(replied_late["id"], 30)
    Chat.objects.filter(id=replied_late["id"]).update(
        first_response_at=timezone.now() - timedelta(hours=2)
    )
    assert actions.auto_close() == 1
    statuses = dict(Chat.objects.values_list("id", "status"))
    assert statuses == {idle["id"]: "closed", fresh["id"]: "open", replied_late["id"]: "open"}
    assert Chat.objects.get(id=idle["id"]).closed_by == "auto-close (24 h without activity)"
    assert actions.auto_close() == 0  # idempotent

    ok(api.patch("/api/v1/workspace/", {"auto_close_hours": 1}, format="json"))
    assert actions.auto_close() == 1  # replied 2 h ago: idle for more than 1 h
    ok(api.patch("/api/v1/workspace/", {"auto_close_hours": 0}, format="json"))
    _age(fresh["id"], 1000)
    assert actions.auto_close() == 0  # 0: never


def test_a_later_reply_holds_off_the_auto_close(api, make_rep):
    amy = make_rep("Amy")
    data = chat(api)
    c = Chat.objects.get(id=data["id"])
    actions.record_reply(c, amy)
    _age(data["id"], 48)
    Chat.objects.filter(id=data["id"]).update(
        first_response_at=timezone.now() - timedelta(hours=47)
    )
    actions.record_reply(Chat.objects.get(id=data["id"]), amy)  # a later reply: now
    assert actions.auto_close() == 0


@pytest.mark.parametrize("value", [-1, "soon", 24 * 91, True, None])
def test_bad_auto_close_hours_is_a_400(api, workspace, value):
    response = api.patch("/api/v1/workspace/", {"auto_close_hours": value}, format="json")
    assert response.status_code == 400
    workspace.refresh_from_db()
    assert workspace.auto_close_hours == 24


def test_reassignment_decision_is_immutable(api, make_rep):
    make_rep("Amy")
    ben = make_rep("Ben")
    data = chat(api)
    out = ok(api.post(f"{CHATS}{data['id']}/reassign/", {"rep": ben.id}, format="json"), 201)
    decision = Decision.objects.get(id=out["reassignment"]["id"])
    assert decision.reassigned_chat_id == data["id"] and decision.chat_id is None
    assert decision.trace["reassigned"]["reason"] == ""
    assert "No reason given." in decision.trace["lines"]


def test_get_chat_shows_closed_at_closed_by_and_each_reassignment(api, make_rep):
    """GET /chats/{id}/ (and the list) carry the lifecycle: who closed it and when,
    and every reassignment oldest first: who, when, why, from -> to."""
    amy, ben, cy = make_rep("Amy"), make_rep("Ben"), make_rep("Cy")
    data = chat(api)
    url = f"{CHATS}{data['id']}/"
    fresh = ok(api.get(url))
    assert (fresh["closed_at"], fresh["closed_by"], fresh["reassignments"]) == (None, "", [])

    first = ok(api.post(f"{url}reassign/", {"rep": ben.id, "reason": "German"}, format="json"), 201)
    second = ok(api.post(f"{url}reassign/", {"rep": cy.id}, format="json"), 201)
    ok(api.post(f"{url}close/"))

    got = ok(api.get(url))
    assert got["status"] == "closed"
    assert got["closed_at"] is not None and got["closed_by"].startswith("API token")
    one, two = got["reassignments"]
    assert one["decision"] == first["reassignment"]["id"]
    assert one["by"].startswith("API token") and one["reason"] == "German"
    assert one["from"] == {"type": "rep", "id": amy.id, "name": "Amy"}
    assert one["to"] == {"type": "rep", "id": ben.id, "name": "Ben"}
    assert one["at"] == first["reassignment"]["created_at"]
    assert two["decision"] == second["reassignment"]["id"] and two["reason"] == ""
    assert two["from"]["name"] == "Ben" and two["to"]["name"] == "Cy"
    # The list shows the same lifecycle for each chat.
    [row] = [r for r in ok(api.get(CHATS))["results"] if r["id"] == data["id"]]
    assert row["reassignments"] == got["reassignments"] and row["closed_at"] == got["closed_at"]


def test_chat_list_reads_reassignments_in_one_query(api, make_rep):
    make_rep("Amy")
    ben = make_rep("Ben")
    for n in range(3):
        data = chat(api, email=f"l{n}@x.com")
        ok(api.post(f"{CHATS}{data['id']}/reassign/", {"rep": ben.id}, format="json"), 201)

    def queries_of_the_list(expected_rows):
        seen = []
        with connection.execute_wrapper(lambda run, sql, *a: seen.append(sql) or run(sql, *a)):
            assert len(ok(api.get(CHATS))["results"]) == expected_rows
        return len(seen)

    three = queries_of_the_list(3)
    more = chat(api, email="more@x.com")
    ok(api.post(f"{CHATS}{more['id']}/reassign/", {"rep": ben.id}, format="json"), 201)
    assert queries_of_the_list(4) == three  # a 4th chat and reassignment: no more queries


def test_the_schema_documents_the_lifecycle_of_a_chat(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    get = schema["paths"]["/api/v1/chats/{id}/"]["get"]["responses"]["200"]["content"]
    ref = get["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    props = schema["components"]["schemas"][ref]["properties"]
    assert {"closed_at", "closed_by", "reassignments"} <= set(props)
    item = props["reassignments"]["items"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][item]["properties"]) == {
        "decision", "at", "by", "reason", "from", "to"
    }  # fmt: skip
