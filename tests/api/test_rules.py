"""Rules and segments: fallback, ordering, validation, versions (SPEC 2, 4, 5, 8)."""

import pytest

from routing.models import Decision, RuleVersion, Segment

from .helpers import chat, counts, get_rule, ok, segment_ids

BIG = {"field": "company.employees", "op": "gt", "value": 200}
EU = {"field": "company.country", "op": "in", "value": ["FR", "DE"]}
ANY_EMAIL = {"field": "lead.email", "op": "exists"}


@pytest.fixture
def rule(make_rule):
    return make_rule("Inbound")


@pytest.fixture
def dana(make_rep):
    return make_rep("Dana")


@pytest.fixture
def three(rule, add_segment, dana):
    """Inbound with segments A, B, C above the fallback."""
    to_dana = {"type": "rep", "id": dana.id}
    return [add_segment(rule["id"], name, ANY_EMAIL, to_dana)["id"] for name in "ABC"]


def fallback_id(api, rule_id):
    return next(s["id"] for s in get_rule(api, rule_id)["segments"] if s["is_fallback"])


def version(api, rule_id):
    return get_rule(api, rule_id)["version"]


# -- creation -------------------------------------------------------------------------
def test_new_rule_already_has_its_fallback(api, make_rule):
    data = make_rule("Inbound", monitoring_channel="#leads", crm_owner_first=True)
    assert data["kind"] == "chat"
    assert data["is_default"] is False
    assert data["monitoring_channel"] == "#leads"
    assert data["crm_owner_first"] is True
    assert data["version"] == 1
    assert data["links"] == []
    [fallback] = data["segments"]
    assert fallback["name"] == "Fallback"
    assert fallback["is_fallback"] is True
    assert fallback["position"] == 0
    assert fallback["conditions"] == {"all": []}
    assert fallback["assignee"] == {"type": "workspace_default"}
    assert RuleVersion.objects.filter(rule_id=data["id"]).count() == 1


def test_default_rules_exist_from_day_one(api):
    data = ok(api.get("/api/v1/rules/"))
    defaults = {r["kind"]: r for r in data["results"] if r["is_default"]}
    assert set(defaults) == {"chat", "meeting"}
    for rule in defaults.values():
        assert [s["is_fallback"] for s in rule["segments"]] == [True]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "R"}, "kind"),
        ({"name": "R", "kind": "email"}, "kind"),
        ({"kind": "chat"}, "name"),
        # read-only fields are refused like unknown ones (issue 10, item 12), never honoured
        ({"name": "R", "kind": "chat", "is_default": True, "version": 9}, "is_default"),
        ({"name": "R", "kind": "chat", "owner": 1}, "owner"),
    ],
)
def test_rule_create_validation(api, body, field):
    before = counts()
    response = api.post("/api/v1/rules/", body, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    assert counts() == before


def test_new_segments_go_directly_above_the_fallback(api, rule, add_segment, dana):
    fb = fallback_id(api, rule["id"])
    a = add_segment(rule["id"], "A", BIG, {"type": "rep", "id": dana.id})
    assert a["position"] == 0
    assert a["is_fallback"] is False
    assert a["assignee"] == {"type": "rep", "id": dana.id, "name": "Dana"}
    assert a["conditions"] == BIG
    assert a["rule"] == rule["id"]
    b = add_segment(rule["id"], "B", EU, {"type": "crm_owner"})
    assert b["position"] == 1
    assert segment_ids(api, rule["id"]) == [a["id"], b["id"], fb]
    segments = get_rule(api, rule["id"])["segments"]
    assert [s["position"] for s in segments] == [0, 1, 2]
    assert segments[-1]["is_fallback"] is True


def test_segment_without_conditions_matches_everyone(api, rule, add_segment, dana):
    data = ok(
        api.post(
            f"/api/v1/rules/{rule['id']}/segments/",
            {"name": "All", "assignee": {"type": "rep", "id": dana.id}},
            format="json",
        ),
        201,
    )
    assert data["conditions"] == {"all": []}


def test_segment_detail(api, three):
    data = ok(api.get(f"/api/v1/segments/{three[0]}/"))
    assert data["name"] == "A"
    assert data["summary"]


# -- editing segments ----------------------------------------------------------------
def test_patch_segment_name_conditions_and_assignee(api, rule, three, make_pool, make_rep):
    v = version(api, rule["id"])
    url = f"/api/v1/segments/{three[1]}/"
    data = ok(api.patch(url, {"name": "Big ones"}, format="json"))
    assert data["name"] == "Big ones"
    assert version(api, rule["id"]) == v + 1

    data = ok(api.patch(url, {"conditions": BIG}, format="json"))
    assert data["conditions"] == BIG
    assert version(api, rule["id"]) == v + 2

    pool = make_pool("Sales", [{"rep": make_rep("Sam").id}])
    data = ok(api.patch(url, {"assignee": {"type": "pool", "id": pool["id"]}}, format="json"))
    assert data["assignee"] == {"type": "pool", "id": pool["id"], "name": "Sales"}
    assert version(api, rule["id"]) == v + 3
    seg = Segment.objects.get(pk=three[1])
    assert seg.assignee_rep_id is None
    assert seg.assignee_pool_id == pool["id"]


def test_patch_segment_to_crm_owner_and_ai_agent(api, three, workspace):
    url = f"/api/v1/segments/{three[0]}/"
    data = ok(api.patch(url, {"assignee": {"type": "crm_owner"}}, format="json"))
    assert data["assignee"] == {"type": "crm_owner"}
    agent = workspace.default_ai_agent_id
    data = ok(api.patch(url, {"assignee": {"type": "ai_agent", "id": agent}}, format="json"))
    assert data["assignee"] == {"type": "ai_agent", "id": agent, "name": "Knock AI"}


def test_delete_segment(api, rule, three):
    v = version(api, rule["id"])
    assert api.delete(f"/api/v1/segments/{three[1]}/").status_code == 204
    assert segment_ids(api, rule["id"])[:2] == [three[0], three[2]]
    assert version(api, rule["id"]) == v + 1
    assert api.get(f"/api/v1/segments/{three[1]}/").status_code == 404


def test_deleting_a_segment_keeps_its_decisions_readable(api, rule, three, make_link):
    make_link("in", chat_rule=rule["id"])
    routed = chat(api, link="in")
    assert routed["segment"]["id"] == three[0]
    assert api.delete(f"/api/v1/segments/{three[0]}/").status_code == 204
    again = ok(api.get(f"/api/v1/chats/{routed['id']}/"))
    assert again["segment"]["name"] == "A"
    assert ok(api.get(f"/api/v1/decisions/{routed['decision']}/"))["segment"]["name"] == "A"


# -- invalid condition trees (SPEC 4) -----------------------------------------------
def _deep(levels):
    tree = ANY_EMAIL
    for _ in range(levels):
        tree = {"all": [tree]}
    return tree


INVALID_TREES = [
    pytest.param(
        {"all": [BIG, {"field": "company.employees", "op": "bogus", "value": 1}]},
        "all[1]",
        id="unknown operator",
    ),
    pytest.param(
        {"all": [BIG, {"any": [EU, {"field": "company.employees", "op": "gt", "value": "lots"}]}]},
        "all[1].any[1]",
        id="gt with text",
    ),
    pytest.param({"all": "nope"}, "root", id="group is not a list"),
    pytest.param({"all": [BIG], "any": [BIG]}, "root", id="two groups in one node"),
    pytest.param({"not": [BIG]}, "not", id="not with a list"),
    pytest.param(
        {"any": [{"field": "lead.email", "op": "matches", "value": "(unclosed"}]},
        "any[0]",
        id="uncompilable pattern",
    ),
    pytest.param(
        {"all": [{"field": "company.employees", "op": "between", "value": [1]}]},
        "all[0]",
        id="between with one bound",
    ),
    pytest.param(
        {"all": [{"field": "company.country", "op": "in", "value": "FR"}]},
        "all[0]",
        id="in with a string",
    ),
    pytest.param(
        {"all": [{"field": "lead.email", "op": "exists", "value": 1}]},
        "all[0]",
        id="exists with a value",
    ),
    pytest.param(
        {"all": [{"field": "planet.name", "op": "eq", "value": "Mars"}]},
        "all[0]",
        id="unknown namespace",
    ),
    pytest.param({"all": [{"op": "eq", "value": 1}]}, "all[0]", id="leaf without field"),
    pytest.param({"all": [BIG, "company.employees > 200"]}, "all[1]", id="leaf is a string"),
    pytest.param(_deep(11), ".".join(["all[0]"] * 10), id="depth over 10"),
    pytest.param({"any": [ANY_EMAIL] * 201}, "any[200]", id="over 200 leaves"),
    pytest.param([BIG], "root", id="tree is a list"),
]


@pytest.mark.parametrize(("tree", "where"), INVALID_TREES)
def test_invalid_tree_on_create_is_400_naming_the_node(api, rule, dana, tree, where):
    before = counts()
    response = api.post(
        f"/api/v1/rules/{rule['id']}/segments/",
        {"name": "Bad", "conditions": tree, "assignee": {"type": "rep", "id": dana.id}},
        format="json",
    )
    assert response.status_code == 400, response.data
    message = " ".join(str(m) for m in response.data["conditions"])
    assert message.startswith(f"{where}:") or message.startswith(f"{where} ("), message
    assert counts() == before
    assert version(api, rule["id"]) == rule["version"]


@pytest.mark.parametrize(("tree", "where"), INVALID_TREES)
def test_invalid_tree_on_patch_is_400_and_nothing_changes(api, rule, three, tree, where):
    v = version(api, rule["id"])
    versions = RuleVersion.objects.count()
    url = f"/api/v1/segments/{three[0]}/"
    response = api.patch(url, {"conditions": tree, "name": "Renamed"}, format="json")
    assert response.status_code == 400, response.data
    assert where in " ".join(str(m) for m in response.data["conditions"])
    assert RuleVersion.objects.count() == versions
    assert version(api, rule["id"]) == v
    seg = ok(api.get(url))
    assert seg["conditions"] == ANY_EMAIL
    assert seg["name"] == "A"


def test_tree_at_the_limits_is_accepted(api, rule, add_segment, dana):
    to_dana = {"type": "rep", "id": dana.id}
    add_segment(rule["id"], "Deep", _deep(9), to_dana)
    add_segment(rule["id"], "Wide", {"any": [ANY_EMAIL] * 200}, to_dana)


def test_conditions_null_is_400(api, three):
    response = api.patch(f"/api/v1/segments/{three[0]}/", {"conditions": None}, format="json")
    assert response.status_code == 400
    assert "conditions" in response.data


# -- assignee validation ---------------------------------------------------------------
@pytest.mark.parametrize(
    "assignee",
    [
        pytest.param({"type": "team", "id": 1}, id="unknown type"),
        pytest.param({"type": "rep"}, id="rep without id"),
        pytest.param({"type": "rep", "id": "1"}, id="id as string"),
        pytest.param({"type": "rep", "id": True}, id="id as bool"),
        pytest.param({"type": "rep", "id": 999999}, id="no such rep"),
        pytest.param({"type": "pool", "id": 999999}, id="no such pool"),
        pytest.param({"type": "ai_agent", "id": 999999}, id="no such agent"),
        pytest.param("rep:1", id="not an object"),
        pytest.param([], id="a list"),
        pytest.param(None, id="null"),
    ],
)
def test_bad_assignee_is_400(api, rule, three, assignee):
    before = counts()
    create = api.post(
        f"/api/v1/rules/{rule['id']}/segments/",
        {"name": "X", "conditions": BIG, "assignee": assignee},
        format="json",
    )
    assert create.status_code == 400, create.data
    assert "assignee" in create.data
    patch = api.patch(f"/api/v1/segments/{three[0]}/", {"assignee": assignee}, format="json")
    assert patch.status_code == 400, patch.data
    assert "assignee" in patch.data
    assert counts() == before


def test_missing_assignee_on_create_is_400(api, rule):
    before = counts()
    response = api.post(
        f"/api/v1/rules/{rule['id']}/segments/", {"name": "X", "conditions": BIG}, format="json"
    )
    assert response.status_code == 400
    assert "assignee" in response.data
    assert counts() == before


def test_assignee_from_another_workspace_is_400(api, rule, three, other_api):
    from routing import actions

    theirs = actions.create_rep(other_api.workspace, name="Mole", email="mole@globex.test")
    before = counts()
    assignee = {"type": "rep", "id": theirs.id}
    create = api.post(
        f"/api/v1/rules/{rule['id']}/segments/",
        {"name": "X", "conditions": BIG, "assignee": assignee},
        format="json",
    )
    assert create.status_code == 400
    assert "assignee" in create.data
    patch = api.patch(f"/api/v1/segments/{three[0]}/", {"assignee": assignee}, format="json")
    assert patch.status_code == 400
    assert counts() == before
    assert Segment.objects.get(pk=three[0]).assignee_rep_id != theirs.id


def test_segment_unknown_field_is_400(api, three):
    response = api.patch(f"/api/v1/segments/{three[0]}/", {"colour": "red"}, format="json")
    assert response.status_code == 400
    assert "colour" in response.data


# -- the fallback -------------------------------------------------------------------
def test_fallback_cannot_be_deleted(api, rule, three):
    fb = fallback_id(api, rule["id"])
    before = counts()
    response = api.delete(f"/api/v1/segments/{fb}/")
    assert response.status_code == 400
    assert "fallback" in response.data["detail"].lower()
    assert counts() == before


def test_fallback_cannot_be_moved(api, rule, three):
    fb = fallback_id(api, rule["id"])
    before_order = segment_ids(api, rule["id"])
    response = api.post(f"/api/v1/segments/{fb}/move/", {"position": 0}, format="json")
    assert response.status_code == 400
    assert "position" in response.data
    assert segment_ids(api, rule["id"]) == before_order


def test_fallback_cannot_get_conditions(api, rule):
    fb = fallback_id(api, rule["id"])
    versions = RuleVersion.objects.count()
    response = api.patch(f"/api/v1/segments/{fb}/", {"conditions": BIG}, format="json")
    assert response.status_code == 400
    assert "conditions" in response.data
    assert ok(api.get(f"/api/v1/segments/{fb}/"))["conditions"] == {"all": []}
    assert RuleVersion.objects.count() == versions
    # Re-saving it as empty is fine.
    ok(api.patch(f"/api/v1/segments/{fb}/", {"conditions": {"all": []}}, format="json"))


def test_fallback_assignee_can_change(api, rule, make_link, make_rep, workspace):
    fb = fallback_id(api, rule["id"])
    make_rep("Amy")
    zed = make_rep("Zed")
    data = ok(
        api.patch(
            f"/api/v1/segments/{fb}/",
            {"assignee": {"type": "rep", "id": zed.id}, "name": "Everyone else"},
            format="json",
        )
    )
    assert data["assignee"] == {"type": "rep", "id": zed.id, "name": "Zed"}
    assert data["is_fallback"] is True
    make_link("in", chat_rule=rule["id"])
    routed = chat(api, link="in")
    assert routed["assignee"]["id"] == zed.id
    assert routed["segment"] == {"id": fb, "name": "Everyone else"}


# -- move ------------------------------------------------------------------------------
def test_move_to_top(api, rule, three):
    v = version(api, rule["id"])
    fb = fallback_id(api, rule["id"])
    data = ok(api.post(f"/api/v1/segments/{three[2]}/move/", {"position": 0}, format="json"))
    assert [s["id"] for s in data] == [three[2], three[0], three[1], fb]
    assert [s["position"] for s in data] == [0, 1, 2, 3]
    assert segment_ids(api, rule["id"]) == [three[2], three[0], three[1], fb]
    assert version(api, rule["id"]) == v + 1


def test_move_to_last_place_above_the_fallback(api, rule, three):
    fb = fallback_id(api, rule["id"])
    ok(api.post(f"/api/v1/segments/{three[0]}/move/", {"position": 2}, format="json"))
    assert segment_ids(api, rule["id"]) == [three[1], three[2], three[0], fb]


@pytest.mark.parametrize(
    "body",
    [
        {"position": 3},
        {"position": 99},
        {"position": -1},
        {"position": "x"},
        {"position": None},
        {},
    ],
)
def test_bad_move_is_400_and_order_unchanged(api, rule, three, body):
    before_order = segment_ids(api, rule["id"])
    v = version(api, rule["id"])
    response = api.post(f"/api/v1/segments/{three[0]}/move/", body, format="json")
    assert response.status_code == 400, response.data
    assert "position" in response.data
    assert segment_ids(api, rule["id"]) == before_order
    assert version(api, rule["id"]) == v


# -- reorder ---------------------------------------------------------------------------
def test_reorder_with_the_full_list(api, rule, three):
    fb = fallback_id(api, rule["id"])
    v = version(api, rule["id"])
    data = ok(
        api.post(
            f"/api/v1/rules/{rule['id']}/reorder/",
            {"order": [three[2], three[0], three[1]]},
            format="json",
        )
    )
    assert [s["id"] for s in data] == [three[2], three[0], three[1], fb]
    assert segment_ids(api, rule["id"]) == [three[2], three[0], three[1], fb]
    assert version(api, rule["id"]) == v + 1
    # The fallback may be given too, last.
    ok(
        api.post(
            f"/api/v1/rules/{rule['id']}/reorder/",
            {"order": [*three, fb]},
            format="json",
        )
    )
    assert segment_ids(api, rule["id"]) == [*three, fb]


def test_reorder_refusals(api, rule, three, make_rule, add_segment, dana):
    other_rule = make_rule("Other")
    foreign = add_segment(other_rule["id"], "F", BIG, {"type": "rep", "id": dana.id})["id"]
    fb = fallback_id(api, rule["id"])
    a, b, c = three
    bad_orders = [
        [a, b],  # missing c
        [a, b, c, c],  # duplicate
        [a, a, b],  # duplicate instead of c
        [a, b, c, foreign],  # another rule's segment
        [a, b, foreign],  # foreign instead of c
        [a, fb, b, c],  # fallback not last
        [fb, a, b, c],
        [],
        [a, b, "c"],
        [a, b, 999999],
    ]
    before_order = segment_ids(api, rule["id"])
    v = version(api, rule["id"])
    for order in bad_orders:
        response = api.post(f"/api/v1/rules/{rule['id']}/reorder/", {"order": order}, format="json")
        assert response.status_code == 400, (order, response.data)
        assert "order" in response.data, order
        assert segment_ids(api, rule["id"]) == before_order, order
    for body in ({}, {"order": "a,b,c"}, {"order": None}):
        response = api.post(f"/api/v1/rules/{rule['id']}/reorder/", body, format="json")
        assert response.status_code == 400, body
    assert version(api, rule["id"]) == v


# -- versions and decisions -------------------------------------------------------------
def test_every_change_bumps_the_version(api, rule, add_segment, dana):
    rid = rule["id"]
    seen = [version(api, rid)]

    def bumped():
        seen.append(version(api, rid))
        assert seen[-1] == seen[-2] + 1, seen

    a = add_segment(rid, "A", BIG, {"type": "rep", "id": dana.id})
    bumped()
    b = add_segment(rid, "B", EU, {"type": "rep", "id": dana.id})
    bumped()
    ok(api.patch(f"/api/v1/segments/{a['id']}/", {"name": "A2"}, format="json"))
    bumped()
    ok(api.post(f"/api/v1/segments/{b['id']}/move/", {"position": 0}, format="json"))
    bumped()
    ok(api.post(f"/api/v1/rules/{rid}/reorder/", {"order": [a["id"], b["id"]]}, format="json"))
    bumped()
    ok(api.patch(f"/api/v1/rules/{rid}/", {"monitoring_channel": "#x"}, format="json"))
    bumped()
    assert api.delete(f"/api/v1/segments/{b['id']}/").status_code == 204
    bumped()
    assert RuleVersion.objects.filter(rule_id=rid).count() == seen[-1]


def test_decision_records_the_version_it_ran_on(api, rule, make_link, make_rep, add_segment):
    amy, bob = make_rep("Amy"), make_rep("Bob")
    seg = add_segment(rule["id"], "Big", BIG, {"type": "rep", "id": amy.id})
    make_link("in", chat_rule=rule["id"])

    first = chat(api, link="in", company={"employees": 500})
    v1 = version(api, rule["id"])
    assert first["rule"] == {"id": rule["id"], "name": "Inbound", "version": v1}
    assert first["assignee"]["id"] == amy.id

    ok(
        api.patch(
            f"/api/v1/segments/{seg['id']}/",
            {"assignee": {"type": "rep", "id": bob.id}},
            format="json",
        )
    )
    second = chat(api, link="in", company={"employees": 500})
    assert second["rule"]["version"] == v1 + 1
    assert second["assignee"]["id"] == bob.id

    d1 = Decision.objects.get(pk=first["decision"])
    d2 = Decision.objects.get(pk=second["decision"])
    assert (d1.rule_version, d2.rule_version) == (v1, v1 + 1)
    assert d1.trace["rule"]["version"] == v1
    # The old decision still says what happened then.
    assert ok(api.get(f"/api/v1/chats/{first['id']}/"))["assignee"]["id"] == amy.id


# -- rule update and delete -------------------------------------------------------------
def test_patch_rule_settings(api, rule):
    data = ok(
        api.patch(
            f"/api/v1/rules/{rule['id']}/",
            {"name": "Renamed", "crm_owner_first": True, "notify_crm_owner": True},
            format="json",
        )
    )
    assert data["name"] == "Renamed"
    assert data["crm_owner_first"] is True
    assert data["notify_crm_owner"] is True
    assert data["version"] == rule["version"] + 1


def test_kind_cannot_change(api, rule):
    v = version(api, rule["id"])
    response = api.patch(f"/api/v1/rules/{rule['id']}/", {"kind": "meeting"}, format="json")
    assert response.status_code == 400
    assert "kind" in response.data
    assert get_rule(api, rule["id"])["kind"] == "chat"
    assert version(api, rule["id"]) == v


def test_rule_unknown_field_is_400(api, rule):
    response = api.patch(f"/api/v1/rules/{rule['id']}/", {"colour": "red"}, format="json")
    assert response.status_code == 400
    assert "colour" in response.data


def test_default_rules_cannot_be_deleted(api):
    before = counts()
    for rule in ok(api.get("/api/v1/rules/"))["results"]:
        if rule["is_default"]:
            response = api.delete(f"/api/v1/rules/{rule['id']}/")
            assert response.status_code == 400
            assert "default" in response.data["detail"].lower()
    assert counts() == before


def test_rule_used_by_a_link_cannot_be_deleted(api, rule, make_link):
    make_link("g2", name="G2 listing", chat_rule=rule["id"])
    assert get_rule(api, rule["id"])["links"] == ["g2"]
    before = counts()
    response = api.delete(f"/api/v1/rules/{rule['id']}/")
    assert response.status_code == 400
    assert "G2 listing" in response.data["detail"]
    assert counts() == before


def test_unused_rule_can_be_deleted(api, rule, three):
    assert api.delete(f"/api/v1/rules/{rule['id']}/").status_code == 204
    assert api.get(f"/api/v1/rules/{rule['id']}/").status_code == 404
    assert not Segment.objects.filter(rule_id=rule["id"]).exists()


def test_deleting_an_intent_override_rule_clears_the_override(api, rule, workspace):
    ok(api.patch("/api/v1/workspace/", {"intent_rules": {"support": rule["id"]}}, format="json"))
    assert api.delete(f"/api/v1/rules/{rule['id']}/").status_code == 204
    assert ok(api.get("/api/v1/workspace/"))["intent_rules"] == {}


class _Rollback(Exception):
    pass


def test_compiled_rule_cache_survives_id_reuse(api, make_rule, add_segment, make_rep):
    from django.db import transaction

    amy, bob = make_rep("Amy"), make_rep("Bob")
    body = {"lead": {"email": "x@bigco.com"}}
    with pytest.raises(_Rollback), transaction.atomic():
        gone = make_rule("Rolled back")
        add_segment(gone["id"], "To Amy", ANY_EMAIL, {"type": "rep", "id": amy.id})
        sim = ok(api.post(f"/api/v1/rules/{gone['id']}/simulate/", body, format="json"))
        assert sim["assignee"]["id"] == amy.id
        raise _Rollback
    kept = make_rule("Kept")
    add_segment(kept["id"], "To Bob", ANY_EMAIL, {"type": "rep", "id": bob.id})
    sim = ok(api.post(f"/api/v1/rules/{kept['id']}/simulate/", body, format="json"))
    assert sim["trace"]["rule"]["name"] == "Kept"
    assert sim["assignee"]["id"] == bob.id


# -- monitoring channels: checked like the Slack settings' default channel ----------------
def not_a_channel(value):
    return (
        f"“{value}” is not a Slack channel: give a name like #leads (lowercase letters, "
        "digits, - and _) or a channel id like C0123456789."
    )


def rule_row(rule_id):
    from routing.models import RoutingRule

    return RoutingRule.objects.values("monitoring_channel", "version").get(id=rule_id)


@pytest.mark.parametrize("kind", ["chat", "meeting"])
def test_a_bad_rule_monitoring_channel_is_400_and_writes_nothing(api, make_rule, kind):
    rule = make_rule("Inbound", kind=kind, monitoring_channel="#leads")
    before, row = counts(), rule_row(rule["id"])
    url = f"/api/v1/rules/{rule['id']}/"
    response = api.patch(url, {"monitoring_channel": "bad channel!!"}, format="json")
    assert response.status_code == 400, response.data
    assert response.data == {"monitoring_channel": [not_a_channel("bad channel!!")]}
    body = {"name": "Other", "kind": kind, "monitoring_channel": "#Leads Team"}
    response = api.post("/api/v1/rules/", body, format="json")
    assert response.status_code == 400, response.data
    assert response.data == {"monitoring_channel": [not_a_channel("#Leads Team")]}
    assert counts() == before and rule_row(rule["id"]) == row


@pytest.mark.parametrize("kind", ["chat", "meeting"])
def test_a_bad_segment_monitoring_channel_is_400_and_writes_nothing(api, make_rule, dana, kind):
    rule = make_rule("Inbound", kind=kind)
    people = (
        {"assignee": {"type": "rep", "id": dana.id}}
        if kind == "chat"
        else {"booking": {"logic": "single_rep", "reps": [dana.id]}}
    )
    base = {"name": "Big", "conditions": BIG, **people}
    segment = ok(api.post(f"/api/v1/rules/{rule['id']}/segments/", base, format="json"), 201)
    before, stored = counts(), Segment.objects.values().get(id=segment["id"])
    body = {**base, "name": "EMEA", "monitoring_channel": "not a channel!!"}
    response = api.post(f"/api/v1/rules/{rule['id']}/segments/", body, format="json")
    assert response.status_code == 400, response.data
    assert response.data == {"monitoring_channel": [not_a_channel("not a channel!!")]}
    url = f"/api/v1/segments/{segment['id']}/"
    response = api.patch(url, {"monitoring_channel": "bad channel!!"}, format="json")
    assert response.status_code == 400, response.data
    assert response.data == {"monitoring_channel": [not_a_channel("bad channel!!")]}
    response = api.put(url, {**base, "monitoring_channel": "leads?"}, format="json")
    assert response.status_code == 400, response.data
    assert response.data == {"monitoring_channel": [not_a_channel("leads?")]}
    assert counts() == before and Segment.objects.values().get(id=segment["id"]) == stored


@pytest.mark.parametrize("channel", ["#leads", "sales-emea", "C0123456789", "", "  "])
def test_monitoring_channels_take_names_ids_or_blank(api, rule, three, channel):
    expected = channel.strip()
    data = ok(api.patch(f"/api/v1/rules/{rule['id']}/", {"monitoring_channel": channel}))
    assert data["monitoring_channel"] == expected
    data = ok(api.patch(f"/api/v1/segments/{three[0]}/", {"monitoring_channel": channel}))
    assert data["monitoring_channel"] == expected  # blank: the rule's channel
    assert Segment.objects.get(id=three[0]).monitoring_channel == expected


def test_the_actions_refuse_a_bad_monitoring_channel_too(workspace, rule, three):
    """The console forms and the admin write through them: the same rule and message."""
    from routing import actions
    from routing.models import RoutingRule

    stored = RoutingRule.objects.get(id=rule["id"])
    segment = Segment.objects.get(id=three[0])
    calls = [
        lambda: actions.update_rule(stored, monitoring_channel="not a channel!!"),
        lambda: actions.update_segment(segment, monitoring_channel="not a channel!!"),
        lambda: actions.create_rule(
            workspace, kind="chat", name="X", monitoring_channel="not a channel!!"
        ),
        lambda: actions.add_segment(
            stored, name="X", assignee={"type": "crm_owner"}, monitoring_channel="not a channel!!"
        ),
    ]
    before = counts()
    for call in calls:
        with pytest.raises(actions.ActionError) as error:
            call()
        assert error.value.errors == {"monitoring_channel": [not_a_channel("not a channel!!")]}
    assert counts() == before


# -- segment names: unique within their rule, whatever the case --------------------------
SEGMENT_NAME_TAKEN = "A segment with this name already exists in this rule."


def test_a_segment_name_taken_in_the_rule_is_400_and_writes_nothing(
    api, rule, three, dana, make_rule, add_segment
):
    to_dana = {"type": "rep", "id": dana.id}
    before, names = counts(), [s["name"] for s in get_rule(api, rule["id"])["segments"]]
    for name in (" b ", "FALLBACK"):
        body = {"name": name, "conditions": BIG, "assignee": to_dana}
        response = api.post(f"/api/v1/rules/{rule['id']}/segments/", body, format="json")
        assert response.status_code == 400, response.data
        assert response.data == {"name": [SEGMENT_NAME_TAKEN]}
    response = api.patch(f"/api/v1/segments/{three[0]}/", {"name": "c"}, format="json")
    assert response.status_code == 400, response.data
    assert response.data == {"name": [SEGMENT_NAME_TAKEN]}
    assert counts() == before
    assert [s["name"] for s in get_rule(api, rule["id"])["segments"]] == names
    # Its own name in another case is no clash; another rule has its own names.
    assert ok(api.patch(f"/api/v1/segments/{three[0]}/", {"name": "a"}))["name"] == "a"
    other = make_rule("Other")
    add_segment(other["id"], "B", BIG, to_dana)


def test_a_meeting_segment_name_taken_in_the_rule_is_400(api, make_rule, dana):
    rule = make_rule("Demos", kind="meeting")
    before = counts()
    body = {"name": "fallback", "booking": {"logic": "single_rep", "reps": [dana.id]}}
    response = api.post(f"/api/v1/rules/{rule['id']}/segments/", body, format="json")
    assert response.status_code == 400, response.data
    assert response.data == {"name": [SEGMENT_NAME_TAKEN]}
    assert counts() == before


def test_twin_segments_stored_before_the_check_still_load_and_edit(api, rule, three):
    a, b, c = three
    Segment.objects.filter(id=b).update(name="a")  # a legacy twin of "A"
    assert [s["name"] for s in get_rule(api, rule["id"])["segments"]] == [
        "A", "a", "C", "Fallback",
    ]  # fmt: skip
    data = ok(api.patch(f"/api/v1/segments/{b}/", {"name": "a", "conditions": EU}, format="json"))
    assert (data["name"], data["conditions"]) == ("a", EU)
    ok(api.patch(f"/api/v1/segments/{a}/", {"monitoring_channel": "#leads"}, format="json"))
    # A changed name is checked: "a" -> "A" is still "A"'s name.
    response = api.patch(f"/api/v1/segments/{b}/", {"name": "A"}, format="json")
    assert response.status_code == 400 and response.data == {"name": [SEGMENT_NAME_TAKEN]}
    assert Segment.objects.get(id=b).name == "a"
    assert ok(api.patch(f"/api/v1/segments/{b}/", {"name": "B"}))["name"] == "B"


def test_duplicating_twice_gives_each_copy_its_own_name(rule, three):
    from routing import actions

    original = Segment.objects.get(id=three[0])
    names = [actions.duplicate_segment(original).name for _ in range(3)]
    assert names == ["A (copy)", "A (copy 2)", "A (copy 3)"]
    long = Segment.objects.get(id=three[1])
    actions.update_segment(long, name="x" * 200)
    copies = [actions.duplicate_segment(long).name for _ in range(2)]
    assert copies == ["x" * 193 + " (copy)", "x" * 191 + " (copy 2)"]
