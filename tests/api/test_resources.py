"""CRUD and validation for reps, AI agents, pools, links and the workspace (SPEC 8)."""

import pytest

from routing.models import AIAgent, KnockLink, Pool, PoolMember, Rep

from .helpers import chat, counts, ok

REPS, AGENTS, POOLS, LINKS = (
    "/api/v1/reps/",
    "/api/v1/ai-agents/",
    "/api/v1/pools/",
    "/api/v1/links/",
)
ANY_EMAIL = {"field": "lead.email", "op": "exists"}


def refused(response, field):
    assert response.status_code == 400, (response.status_code, response.data)
    assert field in response.data, response.data
    return response.data


# -- reps --------------------------------------------------------------------------------
def test_rep_crud(api, workspace):
    body = {
        "name": "Dana Scully",
        "email": "Dana@Acme.test",
        "slack_user_id": "U123",
        "crm_user_ids": ["005xx"],
        "timezone": "Europe/Paris",
        "working_hours": {"mon": [["09:00", "17:00"]], "tue": [["22:00", "02:00"]]},
        "out_of_office_until": "2030-01-01T00:00:00Z",
        "max_open_chats": 5,
    }
    rep = ok(api.post(REPS, body, format="json"), 201)
    assert rep["email"] == "dana@acme.test"
    assert rep["is_active"] is True
    assert rep["timezone"] == "Europe/Paris"
    assert rep["working_hours"] == body["working_hours"]
    assert rep["crm_user_ids"] == ["005xx"]
    assert rep["max_open_chats"] == 5
    assert Rep.objects.get(pk=rep["id"]).workspace_id == workspace.id

    assert ok(api.get(f"{REPS}{rep['id']}/"))["name"] == "Dana Scully"
    assert [r["id"] for r in ok(api.get(REPS))["results"]] == [rep["id"]]

    updated = ok(
        api.patch(
            f"{REPS}{rep['id']}/",
            {"is_active": False, "out_of_office_until": None, "max_open_chats": None},
            format="json",
        )
    )
    assert updated["is_active"] is False
    assert updated["out_of_office_until"] is None
    assert updated["max_open_chats"] is None

    assert api.delete(f"{REPS}{rep['id']}/").status_code == 204
    assert api.get(f"{REPS}{rep['id']}/").status_code == 404


def test_duplicate_rep_email_is_400(api, make_rep):
    make_rep("Dana")  # rep1@acme.test
    before = Rep.objects.count()
    refused(api.post(REPS, {"name": "Copy", "email": "rep1@acme.test"}, format="json"), "email")
    refused(api.post(REPS, {"name": "Copy", "email": "REP1@Acme.test"}, format="json"), "email")
    assert Rep.objects.count() == before
    other = make_rep("Other")
    refused(api.patch(f"{REPS}{other.id}/", {"email": "rep1@acme.test"}, format="json"), "email")
    other.refresh_from_db()
    assert other.email == "rep2@acme.test"


def test_same_rep_email_in_two_workspaces_is_fine(api, other_api):
    ok(api.post(REPS, {"name": "Dana", "email": "dana@x.test"}, format="json"), 201)
    ok(other_api.post(REPS, {"name": "Dana", "email": "dana@x.test"}, format="json"), 201)


@pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "../../etc/passwd", "", "UTC+25"])
def test_bad_timezone_is_400(api, tz):
    before = Rep.objects.count()
    body = {"name": "Dana", "email": "d@x.test", "timezone": tz}
    refused(api.post(REPS, body, format="json"), "timezone")
    assert Rep.objects.count() == before


@pytest.mark.parametrize(
    "hours",
    [
        "9-5",
        ["mon"],
        {"monday": [["09:00", "17:00"]]},
        {"mon": "09:00-17:00"},
        {"mon": [["09:00"]]},
        {"mon": [["09:00", "17:00", "18:00"]]},
        {"mon": [["25:00", "26:00"]]},
        {"mon": [["09:00", "09:00"]]},
        {"mon": [[9, 17]]},
        {"mon": [["nine", "five"]]},
    ],
)
def test_bad_working_hours_is_400(api, make_rep, hours):
    before = Rep.objects.count()
    body = {"name": "Dana", "email": "d@x.test", "working_hours": hours}
    refused(api.post(REPS, body, format="json"), "working_hours")
    assert Rep.objects.count() == before
    rep = make_rep("Kept", working_hours={"fri": [["10:00", "12:00"]]})
    refused(api.patch(f"{REPS}{rep.id}/", {"working_hours": hours}, format="json"), "working_hours")
    rep.refresh_from_db()
    assert rep.working_hours == {"fri": [["10:00", "12:00"]]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "d@x.test"}, "name"),
        ({"name": "Dana"}, "email"),
        ({"name": "Dana", "email": "not-an-email"}, "email"),
        ({"name": "", "email": "d@x.test"}, "name"),
        ({"name": "Dana", "email": "d@x.test", "max_open_chats": -1}, "max_open_chats"),
        ({"name": "Dana", "email": "d@x.test", "is_active": "maybe"}, "is_active"),
        (
            {"name": "Dana", "email": "d@x.test", "out_of_office_until": "soon"},
            "out_of_office_until",
        ),
        ({"name": "Dana", "email": "d@x.test", "crm_user_ids": "005xx"}, "crm_user_ids"),
        ({"name": "Dana", "email": "d@x.test", "team": "EMEA"}, "team"),
    ],
)
def test_rep_field_validation(api, body, field):
    before = Rep.objects.count()
    refused(api.post(REPS, body, format="json"), field)
    assert Rep.objects.count() == before


FAR_OUT_OF_OFFICE = (
    "Give a year from 2 to 9998: a time nearer year 1 or 9999 cannot be shown in every time zone."
)


@pytest.mark.parametrize(
    "when", ["9999-12-31T23:59:59Z", "9999-01-01T00:00:00Z", "0001-01-01T00:00:00Z"]
)
def test_an_out_of_office_time_no_zone_can_show_is_400(api, make_rep, when):
    """9999-12-31T23:59:59Z was a 201, then the console's Reps page failed in Berlin or Tokyo."""
    dana = make_rep("Dana")
    body = {"name": "Ana", "email": "ana@acme.test", "out_of_office_until": when}
    data = refused(api.post(REPS, body, format="json"), "out_of_office_until")
    assert data["out_of_office_until"] == [FAR_OUT_OF_OFFICE]
    data = refused(
        api.patch(f"{REPS}{dana.id}/", {"out_of_office_until": when}, format="json"),
        "out_of_office_until",
    )
    assert data["out_of_office_until"] == [FAR_OUT_OF_OFFICE]
    assert list(Rep.objects.values_list("name", "out_of_office_until")) == [("Dana", None)]


@pytest.mark.parametrize("when", ["9998-12-31T23:59:59Z", "0002-01-01T00:00:00Z"])
def test_an_out_of_office_time_within_the_years_is_kept(api, when):
    body = {"name": "Ana", "email": "ana@acme.test", "out_of_office_until": when}
    assert ok(api.post(REPS, body, format="json"), 201)["out_of_office_until"] == when


def test_rep_used_by_a_segment_cannot_be_deleted(api, make_rep, make_rule, add_segment):
    dana = make_rep("Dana")
    rule = make_rule("Inbound")
    add_segment(rule["id"], "VIP", ANY_EMAIL, {"type": "rep", "id": dana.id})
    before = counts()
    response = api.delete(f"{REPS}{dana.id}/")
    assert response.status_code == 400
    assert "Inbound / VIP" in response.data["detail"]
    assert Rep.objects.filter(pk=dana.id).exists()
    assert counts() == before


def test_rep_in_a_pool_can_be_deleted_and_leaves_the_pool(api, make_rep, make_pool):
    a, b = make_rep("A"), make_rep("B")
    pool = make_pool("P", [{"rep": a.id}, {"rep": b.id}])
    assert api.delete(f"{REPS}{a.id}/").status_code == 204
    members = ok(api.get(f"{POOLS}{pool['id']}/"))["members"]
    assert [m["rep"] for m in members] == [b.id]


def test_deleting_a_rep_keeps_their_chats_readable(api, make_rep):
    dana = make_rep("Dana")
    routed = chat(api)
    assert routed["assignee"]["id"] == dana.id
    assert api.delete(f"{REPS}{dana.id}/").status_code == 204
    data = ok(api.get(f"/api/v1/chats/{routed['id']}/"))
    assert data["rep_owner"] is None
    assert data["assignee"]["name"] == "Dana"


# -- AI agents -------------------------------------------------------------------------
def test_ai_agent_crud(api):
    agent = ok(api.post(AGENTS, {"name": "Sally", "specialty": "support"}, format="json"), 201)
    assert agent["specialty"] == "support"
    assert agent["is_active"] is True
    names = {a["name"] for a in ok(api.get(AGENTS))["results"]}
    assert names == {"Knock AI", "Sally"}
    assert ok(api.patch(f"{AGENTS}{agent['id']}/", {"name": "Sal"}, format="json"))["name"] == "Sal"
    assert api.delete(f"{AGENTS}{agent['id']}/").status_code == 204
    assert not AIAgent.objects.filter(pk=agent["id"]).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "specialty": "sales"}, "specialty"),
        ({"specialty": "auto"}, "name"),
        ({"name": "X", "model": "gpt"}, "model"),
    ],
)
def test_ai_agent_validation(api, body, field):
    before = AIAgent.objects.count()
    refused(api.post(AGENTS, body, format="json"), field)
    assert AIAgent.objects.count() == before


def test_default_ai_agent_cannot_be_deleted(api, workspace):
    response = api.delete(f"{AGENTS}{workspace.default_ai_agent_id}/")
    assert response.status_code == 400
    assert "default" in response.data["detail"]
    assert AIAgent.objects.filter(pk=workspace.default_ai_agent_id).exists()


def test_ai_agent_used_by_a_segment_cannot_be_deleted(api, make_rule, add_segment):
    agent = ok(api.post(AGENTS, {"name": "Sally", "specialty": "support"}, format="json"), 201)
    rule = make_rule("Support")
    add_segment(rule["id"], "Help", ANY_EMAIL, {"type": "ai_agent", "id": agent["id"]})
    response = api.delete(f"{AGENTS}{agent['id']}/")
    assert response.status_code == 400
    assert "Support / Help" in response.data["detail"]
    assert AIAgent.objects.filter(pk=agent["id"]).exists()


# -- pools -------------------------------------------------------------------------------
def test_pool_crud(api, make_rep):
    a, b, c = make_rep("A"), make_rep("B"), make_rep("C")
    body = {
        "name": "Sales",
        "strategy": "round_robin",
        "members": [{"rep": a.id, "weight": 2}, {"rep": b.id, "is_paused": True}],
    }
    pool = ok(api.post(POOLS, body, format="json"), 201)
    assert pool["strategy"] == "round_robin"
    assert pool["respect_working_hours"] is True
    fresh = {"assigned_count": 0, "last_assigned_at": None}
    assert pool["members"] == [
        {"rep": a.id, "rep_name": "A", "weight": 2, "is_paused": False, **fresh},
        {"rep": b.id, "rep_name": "B", "weight": 1, "is_paused": True, **fresh},
    ]

    url = f"{POOLS}{pool['id']}/"
    data = ok(api.patch(url, {"name": "Sales EU", "strategy": "load_balanced"}, format="json"))
    assert data["name"] == "Sales EU"
    assert data["strategy"] == "load_balanced"
    assert len(data["members"]) == 2  # untouched when not given

    data = ok(api.patch(url, {"members": [{"rep": b.id}, {"rep": c.id}]}, format="json"))
    assert [(m["rep"], m["weight"], m["is_paused"]) for m in data["members"]] == [
        (b.id, 1, False),
        (c.id, 1, False),
    ]
    assert api.delete(url).status_code == 204
    assert not PoolMember.objects.filter(pool_id=pool["id"]).exists()


def test_pool_membership_update_keeps_rotation_state(
    api, make_rep, make_pool, make_rule, add_segment, make_link
):
    a, b, c = make_rep("A"), make_rep("B"), make_rep("C")
    pool = make_pool("P", [{"rep": a.id}, {"rep": b.id}])
    rule = make_rule("R")
    add_segment(rule["id"], "All", ANY_EMAIL, {"type": "pool", "id": pool["id"]})
    make_link("l", chat_rule=rule["id"])
    chat(api, link="l")
    members = {m["rep"]: m for m in ok(api.get(f"{POOLS}{pool['id']}/"))["members"]}
    assert members[a.id]["assigned_count"] == 1
    data = ok(
        api.patch(
            f"{POOLS}{pool['id']}/", {"members": [{"rep": a.id}, {"rep": c.id}]}, format="json"
        )
    )
    kept = {m["rep"]: m for m in data["members"]}
    assert kept[a.id]["assigned_count"] == 1
    assert kept[a.id]["last_assigned_at"] is not None
    assert kept[c.id]["assigned_count"] == 0


@pytest.fixture
def globex_rep(other_api):
    from routing import actions

    return actions.create_rep(other_api.workspace, name="Mole", email="mole@globex.test")


@pytest.mark.parametrize(
    "members",
    [
        pytest.param("foreign", id="rep from another workspace"),
        pytest.param([{"rep": "A"}, {"rep": "A"}], id="duplicate member"),
        pytest.param([{"rep": "A", "weight": 0}], id="weight 0"),
        pytest.param([{"rep": "A", "weight": -3}], id="negative weight"),
        pytest.param([{"rep": "A", "weight": 1001}], id="weight over 1000"),
        pytest.param([{"rep": "A", "weight": "heavy"}], id="weight not a number"),
        pytest.param([{"rep": 999999}], id="no such rep"),
        pytest.param([{"rep": 10**20}], id="rep id beyond 64 bits"),
        pytest.param([{"rep": 0}], id="rep id 0"),
        pytest.param([{"weight": 1}], id="member without rep"),
        pytest.param(["A"], id="member not an object"),
        pytest.param({"rep": "A"}, id="members not a list"),
        pytest.param([{"rep": "A", "role": "lead"}], id="unknown member field"),
    ],
)
def test_bad_pool_members_are_400(api, make_rep, globex_rep, members):
    a = make_rep("A")

    def resolve(value):
        if value == "foreign":
            return [{"rep": globex_rep.id}]
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        return a.id if value == "A" else value

    members = resolve(members)
    before = (Pool.objects.count(), PoolMember.objects.count())
    refused(api.post(POOLS, {"name": "P", "members": members}, format="json"), "members")
    assert (Pool.objects.count(), PoolMember.objects.count()) == before

    pool = ok(api.post(POOLS, {"name": "Q", "members": [{"rep": a.id}]}, format="json"), 201)
    url = f"{POOLS}{pool['id']}/"
    refused(api.patch(url, {"members": members, "name": "Changed"}, format="json"), "members")
    data = ok(api.get(url))
    assert data["name"] == "Q"
    assert [(m["rep"], m["weight"]) for m in data["members"]] == [(a.id, 1)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "P", "strategy": "random"}, "strategy"),
        ({"strategy": "round_robin"}, "name"),
        ({"name": "P", "size": 3}, "size"),
    ],
)
def test_pool_field_validation(api, body, field):
    before = Pool.objects.count()
    refused(api.post(POOLS, body, format="json"), field)
    assert Pool.objects.count() == before


def test_pool_used_by_a_segment_cannot_be_deleted(api, make_rep, make_pool, make_rule, add_segment):
    pool = make_pool("Sales", [{"rep": make_rep("A").id}])
    rule = make_rule("Inbound")
    add_segment(rule["id"], "Big", ANY_EMAIL, {"type": "pool", "id": pool["id"]})
    response = api.delete(f"{POOLS}{pool['id']}/")
    assert response.status_code == 400
    assert "Inbound / Big" in response.data["detail"]
    assert Pool.objects.filter(pk=pool["id"]).exists()
    assert PoolMember.objects.filter(pool_id=pool["id"]).count() == 1


# -- links -----------------------------------------------------------------------------
def test_link_crud(api, make_rule):
    chat_rule = make_rule("Chat R")
    meeting_rule = make_rule("Meet R", kind="meeting")
    body = {
        "slug": "g2",
        "name": "G2 listing",
        "channel": "G2",
        "utm_defaults": {"source": "g2", "medium": "listing"},
        "chat_rule": chat_rule["id"],
        "meeting_rule": meeting_rule["id"],
    }
    link = ok(api.post(LINKS, body, format="json"), 201)
    assert {k: link[k] for k in body} == body
    assert link["is_active"] is True
    url = f"{LINKS}{link['id']}/"
    data = ok(api.patch(url, {"chat_rule": None, "name": "G2"}, format="json"))
    assert data["chat_rule"] is None
    assert data["meeting_rule"] == meeting_rule["id"]
    assert data["name"] == "G2"
    assert api.delete(url).status_code == 204
    assert not KnockLink.objects.filter(pk=link["id"]).exists()


def test_link_with_a_meeting_rule_as_chat_rule_is_400(api, make_rule):
    meeting = make_rule("Meet", kind="meeting")
    chat_rule = make_rule("Chat")
    before = counts()
    body = {"slug": "x", "name": "X", "chat_rule": meeting["id"]}
    data = refused(api.post(LINKS, body, format="json"), "chat_rule")
    assert "meeting" in str(data["chat_rule"])
    body = {"slug": "x", "name": "X", "meeting_rule": chat_rule["id"]}
    refused(api.post(LINKS, body, format="json"), "meeting_rule")
    assert counts() == before


def test_duplicate_slug_is_400(api, make_link):
    make_link("g2")
    other = make_link("capterra")
    before = counts()
    refused(api.post(LINKS, {"slug": "g2", "name": "Again"}, format="json"), "slug")
    refused(api.patch(f"{LINKS}{other['id']}/", {"slug": "g2"}, format="json"), "slug")
    assert counts() == before
    assert ok(api.get(f"{LINKS}{other['id']}/"))["slug"] == "capterra"


def test_same_slug_in_two_workspaces_is_fine(api, other_api):
    ok(api.post(LINKS, {"slug": "g2", "name": "G2"}, format="json"), 201)
    ok(other_api.post(LINKS, {"slug": "g2", "name": "G2"}, format="json"), 201)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slug": "has space", "name": "X"}, "slug"),
        ({"name": "X"}, "slug"),
        ({"slug": "x"}, "name"),
        ({"slug": "x", "name": "X", "chat_rule": 999999}, "chat_rule"),
        ({"slug": "x", "name": "X", "chat_rule": "abc"}, "chat_rule"),
        ({"slug": "x", "name": "X", "utm_defaults": {"source": 1}}, "utm_defaults"),
        ({"slug": "x", "name": "X", "utm_defaults": {"gclid": "a"}}, "utm_defaults"),
        ({"slug": "x", "name": "X", "utm_defaults": ["g2"]}, "utm_defaults"),
        ({"slug": "x", "name": "X", "owner": 1}, "owner"),
    ],
)
def test_link_field_validation(api, body, field):
    before = counts()
    refused(api.post(LINKS, body, format="json"), field)
    assert counts() == before


def test_deleting_a_link_keeps_its_chats(api, make_link, make_rep):
    make_rep("Dana")
    link = make_link("g2")
    routed = chat(api, link="g2")
    assert api.delete(f"{LINKS}{link['id']}/").status_code == 204
    data = ok(api.get(f"/api/v1/chats/{routed['id']}/"))
    assert data["link"] is None
    assert data["context"]["link"]["slug"] == "g2"


# -- workspace ---------------------------------------------------------------------------
def test_workspace_settings(api, workspace, make_rep, make_rule):
    data = ok(api.get("/api/v1/workspace/"))
    assert data == {
        "id": workspace.id,
        "name": "Acme Inc",
        "slug": workspace.slug,
        "default_rep": None,
        "default_ai_agent": workspace.default_ai_agent_id,
        "intent_rules": {},
        "auto_close_hours": 24,
    }
    dana = make_rep("Dana")
    rule = make_rule("Support desk")
    data = ok(
        api.patch(
            "/api/v1/workspace/",
            {"default_rep": dana.id, "intent_rules": {"support": rule["id"]}},
            format="json",
        )
    )
    assert data["default_rep"] == dana.id
    assert data["intent_rules"] == {"support": rule["id"]}
    data = ok(api.patch("/api/v1/workspace/", {"default_rep": None}, format="json"))
    assert data["default_rep"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"intent_rules": {"curious": "CHAT"}}, "intent_rules"),
        ({"intent_rules": {"support": "MEETING"}}, "intent_rules"),
        ({"intent_rules": {"support": 999999}}, "intent_rules"),
        ({"intent_rules": {"support": "abc"}}, "intent_rules"),
        ({"intent_rules": ["support"]}, "intent_rules"),
        ({"default_rep": 999999}, "default_rep"),
        ({"default_ai_agent": None}, "default_ai_agent"),
        ({"default_ai_agent": 999999}, "default_ai_agent"),
        ({"name": ""}, "name"),
        ({"plan": "pro"}, "plan"),
    ],
)
def test_workspace_validation(api, workspace, make_rule, body, field):
    ids = {"CHAT": make_rule("C")["id"], "MEETING": make_rule("M", kind="meeting")["id"]}
    if "intent_rules" in body and isinstance(body["intent_rules"], dict):
        body = {"intent_rules": {k: ids.get(v, v) for k, v in body["intent_rules"].items()}}
    refused(api.patch("/api/v1/workspace/", body, format="json"), field)
    workspace.refresh_from_db()
    assert workspace.intent_rules == {}
    assert workspace.default_rep_id is None
    assert workspace.name == "Acme Inc"
    assert workspace.default_ai_agent is not None
