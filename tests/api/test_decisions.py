"""GET /api/v1/decisions/: the decision log and its filters (SPEC 8)."""

from datetime import UTC, datetime

import pytest

from routing.models import Decision

from .helpers import chat, ok

DECISIONS = "/api/v1/decisions/"
ANY_EMAIL = {"field": "lead.email", "op": "exists"}
SUPPORT = {"field": "intent.type", "op": "eq", "value": "support"}


def ids(api, **params):
    data = ok(api.get(DECISIONS, params))
    return [row["id"] for row in data["results"]]


@pytest.fixture
def log(api, make_rep, make_rule, add_segment, make_link):
    """Three decisions on three days: G2 -> Amy, Ads -> Bob, Ads (support) -> AI agent Sally."""
    amy, bob = make_rep("Amy"), make_rep("Bob")
    g2_rule = make_rule("G2 rule")
    add_segment(g2_rule["id"], "Support", SUPPORT, {"type": "crm_owner"})
    add_segment(g2_rule["id"], "All", ANY_EMAIL, {"type": "rep", "id": amy.id})
    ads_rule = make_rule("Ads rule")
    add_segment(ads_rule["id"], "All", ANY_EMAIL, {"type": "rep", "id": bob.id})
    body = {"name": "Sally", "specialty": "support"}
    agent = ok(api.post("/api/v1/ai-agents/", body, format="json"), 201)
    add_segment(ads_rule["id"], "Support", SUPPORT, {"type": "ai_agent", "id": agent["id"]})
    make_link("g2", chat_rule=g2_rule["id"])
    make_link("ads", chat_rule=ads_rule["id"])

    one = chat(api, email="one@bigco.com", link="g2")
    two = chat(api, email="two@bigco.com", link="ads")
    # Support first on the Ads rule, so the third goes to the agent.
    segments = ok(api.get(f"/api/v1/rules/{ads_rule['id']}/"))["segments"]
    support_id = next(s["id"] for s in segments if s["name"] == "Support")
    ok(api.post(f"/api/v1/segments/{support_id}/move/", {"position": 0}, format="json"))
    three = chat(api, email="three@bigco.com", link="ads", intent={"type": "support"})

    days = [datetime(2030, 1, d, 12, tzinfo=UTC) for d in (1, 2, 3)]
    for routed, day in zip((one, two, three), days, strict=True):
        Decision.objects.filter(pk=routed["decision"]).update(created_at=day)
    return {
        "amy": amy,
        "bob": bob,
        "agent": agent,
        "g2_rule": g2_rule,
        "ads_rule": ads_rule,
        "d": [one["decision"], two["decision"], three["decision"]],
        "days": days,
    }


def test_log_is_newest_first_with_the_decision_shape(api, log):
    data = ok(api.get(DECISIONS))
    assert data["count"] == 3
    assert [r["id"] for r in data["results"]] == log["d"][::-1]
    first = data["results"][-1]
    assert first["kind"] == "chat"
    assert first["link"]["slug"] == "g2"
    assert first["lead"]["email"] == "one@bigco.com"
    assert first["rule"]["id"] == log["g2_rule"]["id"]
    assert first["segment"]["name"] == "All"
    assert first["assignee"] == {"type": "rep", "id": log["amy"].id, "name": "Amy"}
    assert first["via"] == "segment"
    assert "lines" in first["trace"]
    skipped = next(s for s in first["trace"]["segments"] if s["name"] == "Support")
    assert skipped["outcome"] == "no_match"


def test_decision_detail(api, log):
    data = ok(api.get(f"{DECISIONS}{log['d'][2]}/"))
    assert data["assignee"] == {"type": "ai_agent", "id": log["agent"]["id"], "name": "Sally"}
    assert data["chat"] is not None


def test_filter_by_link(api, log):
    assert ids(api, link="g2") == [log["d"][0]]
    assert ids(api, link="ads") == [log["d"][2], log["d"][1]]
    assert ids(api, link="ADS") == [log["d"][2], log["d"][1]]  # slugs ignore case
    response = api.get(DECISIONS, {"link": "nowhere"})
    assert response.status_code == 400
    assert response.json() == {"link": ["No such link in this workspace."]}


def test_filter_by_rep(api, log):
    assert ids(api, rep=log["amy"].id) == [log["d"][0]]
    assert ids(api, rep=log["bob"].id) == [log["d"][1]]


def test_filter_by_ai_agent(api, log):
    assert ids(api, ai_agent=log["agent"]["id"]) == [log["d"][2]]


def test_filter_by_rule(api, log):
    assert ids(api, rule=log["g2_rule"]["id"]) == [log["d"][0]]
    assert ids(api, rule=log["ads_rule"]["id"]) == [log["d"][2], log["d"][1]]


def test_filter_by_time(api, log):
    day1, day2, day3 = log["days"]
    assert ids(api, since=day2.isoformat()) == [log["d"][2], log["d"][1]]
    assert ids(api, until=day2.isoformat()) == [log["d"][0]]
    assert ids(api, since=day1.isoformat(), until=day3.isoformat()) == [log["d"][1], log["d"][0]]
    assert ids(api, since="2030-01-02") == [log["d"][2], log["d"][1]]
    assert ids(api, since="2031-01-01T00:00:00Z") == []


def test_filters_combine(api, log):
    assert ids(api, link="ads", rep=log["bob"].id) == [log["d"][1]]
    assert ids(api, link="g2", rep=log["bob"].id) == []
    assert ids(api, kind="chat", since=log["days"][2].isoformat()) == [log["d"][2]]
    assert ids(api, kind="meeting") == []


def test_pagination(api, log):
    data = ok(api.get(DECISIONS, {"limit": 2}))
    assert data["count"] == 3
    assert [r["id"] for r in data["results"]] == [log["d"][2], log["d"][1]]
    assert data["next"] is not None
    data = ok(api.get(DECISIONS, {"limit": 2, "offset": 2}))
    assert [r["id"] for r in data["results"]] == [log["d"][0]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "garbage"}, "since"),
        ({"until": "yesterday"}, "until"),
        ({"since": "2030-13-45"}, "since"),
        ({"rep": "abc"}, "rep"),
        ({"rep": "1.5"}, "rep"),
        ({"rep": "-1"}, "rep"),
        ({"rep": str(10**20)}, "rep"),
        ({"rule": "abc"}, "rule"),
        ({"rule": str(10**20)}, "rule"),
        ({"ai_agent": "x"}, "ai_agent"),
        ({"link": "not a slug!"}, "link"),
        ({"kind": "email"}, "kind"),
    ],
)
def test_bad_filter_value_is_400(api, log, params, field):
    response = api.get(DECISIONS, params)
    assert response.status_code == 400, response.data
    assert field in response.data


def test_decisions_are_immutable_through_the_api(api, log):
    url = f"{DECISIONS}{log['d'][0]}/"
    assert api.patch(url, {"assignee_name": "X"}, format="json").status_code == 405
    assert api.delete(url).status_code == 405
    assert api.post(DECISIONS, {}, format="json").status_code == 405
    assert Decision.objects.count() == 3


@pytest.mark.parametrize(
    "since",
    # Offsets PostgreSQL refuses (beyond +-15:59) and a year-224 date: the same instant in UTC.
    ["0224-09-08T18:32:16.5947-19:06", "2030-01-02T00:00:00+23:59"],
)
def test_a_far_offset_is_read_as_its_instant(api, log, since):
    response = api.get(DECISIONS, {"since": since})
    assert response.status_code == 200, response.data


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_an_instant_out_of_range_is_400(api, log, since):
    response = api.get(DECISIONS, {"since": since})
    assert response.status_code == 400 and "since" in response.data


def test_a_date_only_until_on_the_last_day_of_the_calendar_is_400(api, log):
    """Its end (the next day's start) does not exist: was a 500 in routing/filters.py."""
    response = api.get(DECISIONS, {"until": "9999-12-31"})
    assert response.status_code == 400
    assert response.data == {"until": ["Too late: give a date before 9999-12-31, or leave it out."]}
    assert Decision.objects.count() == 3


def test_the_first_and_last_days_still_filter(api, log):
    everything = [log["d"][2], log["d"][1], log["d"][0]]
    assert ids(api, since="9999-12-31") == []
    assert ids(api, until="9999-12-30") == everything
    assert ids(api, since="0001-01-01", until="9999-12-30") == everything
    assert ids(api, until="0001-01-01") == []
