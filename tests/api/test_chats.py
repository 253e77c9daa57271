"""POST /api/v1/chats/ and GET /api/v1/chats/{id}/ (SPEC 2, 5, 6, 8)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from routing.models import Chat, Decision, Lead

from .helpers import CHATS, chat, ok

BIG = {"field": "company.employees", "op": "gt", "value": 200}
SUPPORT = {"field": "intent.type", "op": "eq", "value": "support"}


# -- fallback (SPEC 2) ---------------------------------------------------------------
def test_fallback_goes_to_the_workspace_default_rep(api, make_rep):
    make_rep("Amy")
    dana = make_rep("Dana")
    ok(api.patch("/api/v1/workspace/", {"default_rep": dana.id}, format="json"))
    data = chat(api)
    assert data["assignee"] == {"type": "rep", "id": dana.id, "name": "Dana"}
    assert data["rule"]["name"] == "Default chat rule"
    assert data["segment"]["name"] == "Fallback"


def test_fallback_without_default_goes_to_the_first_active_rep(api, make_rep):
    make_rep("Aaron", is_active=False)
    bea = make_rep("Bea")
    make_rep("Carl")
    data = chat(api)
    assert data["assignee"] == {"type": "rep", "id": bea.id, "name": "Bea"}


def test_fallback_skips_an_inactive_default_rep(api, make_rep):
    dana = make_rep("Dana")
    bea = make_rep("Bea")
    ok(api.patch("/api/v1/workspace/", {"default_rep": dana.id}, format="json"))
    ok(api.patch(f"/api/v1/reps/{dana.id}/", {"is_active": False}, format="json"))
    data = chat(api)
    assert data["assignee"]["id"] == bea.id


def test_fallback_without_reps_goes_to_the_default_ai_agent(api, workspace):
    data = chat(api)
    assert data["assignee"] == {
        "type": "ai_agent",
        "id": workspace.default_ai_agent_id,
        "name": "Knock AI",
    }
    got = ok(api.get(f"{CHATS}{data['id']}/"))
    assert got["ai_owner"] == {"id": workspace.default_ai_agent_id, "name": "Knock AI"}
    assert got["rep_owner"] is None


# -- segments (SPEC 5) -------------------------------------------------------------------
@pytest.fixture
def setup(api, make_rep, make_pool, add_segment, routed_rule):
    """Inbound rule: Big companies -> Sales pool; Support intent -> Support AI; fallback."""
    sam = make_rep("Sam")
    fallback_rep = make_rep("Fay")
    ok(api.patch("/api/v1/workspace/", {"default_rep": fallback_rep.id}, format="json"))
    pool = make_pool("Sales", [{"rep": sam.id}])
    agent = ok(
        api.post("/api/v1/ai-agents/", {"name": "Helper", "specialty": "support"}, format="json"),
        201,
    )
    big = add_segment(routed_rule["id"], "Big companies", BIG, {"type": "pool", "id": pool["id"]})
    sup = add_segment(
        routed_rule["id"], "Support", SUPPORT, {"type": "ai_agent", "id": agent["id"]}
    )
    return {
        "rule": routed_rule,
        "pool": pool,
        "agent": agent,
        "sam": sam,
        "fay": fallback_rep,
        "big": big,
        "support": sup,
    }


def test_condition_on_company_size_routes_to_the_pool(api, setup):
    data = chat(api, link="inbound", company={"employees": 500})
    assert data["segment"] == {"id": setup["big"]["id"], "name": "Big companies"}
    assert data["assignee"] == {
        "type": "rep",
        "id": setup["sam"].id,
        "name": "Sam",
        "pool": {"id": setup["pool"]["id"], "name": "Sales", "strategy": "round_robin"},
    }
    assert data["rule"]["id"] == setup["rule"]["id"]


def test_condition_on_intent_routes_to_the_ai_agent(api, setup):
    data = chat(api, link="inbound", intent={"type": "support"})
    assert data["segment"]["id"] == setup["support"]["id"]
    assert data["assignee"] == {"type": "ai_agent", "id": setup["agent"]["id"], "name": "Helper"}


def test_detected_intent_routes_too(api, setup):
    data = chat(api, link="inbound", message="My login is broken, I need support")
    assert data["context"]["intent"]["type"] == "support"
    assert data["context"]["intent"]["source"] == "detected"
    assert data["assignee"]["id"] == setup["agent"]["id"]


def test_first_match_wins(api, setup):
    # Both segments hold; "Big companies" is above "Support".
    data = chat(api, link="inbound", company={"employees": 500}, intent={"type": "support"})
    assert data["segment"]["id"] == setup["big"]["id"]
    assert data["trace"]["not_reached"] == 2
    # Move Support to the top: now it wins.
    ok(api.post(f"/api/v1/segments/{setup['support']['id']}/move/", {"position": 0}, format="json"))
    data = chat(api, link="inbound", company={"employees": 500}, intent={"type": "support"})
    assert data["segment"]["id"] == setup["support"]["id"]


def test_nothing_matches_goes_to_the_fallback(api, setup):
    data = chat(api, link="inbound", company={"employees": 10}, intent={"type": "buying"})
    assert data["segment"]["name"] == "Fallback"
    assert data["assignee"] == {"type": "rep", "id": setup["fay"].id, "name": "Fay"}


def test_response_shape(api, setup):
    data = chat(
        api,
        email="Jane@BigCo.com",
        link="inbound",
        lead={"email": "Jane@BigCo.com", "name": "Jane"},
        company={"employees": 500},
    )
    for key in ("id", "lead", "rule", "segment", "assignee", "context", "trace", "created_at"):
        assert key in data, key
    assert isinstance(data["id"], int)
    lead = Lead.objects.get(email="jane@bigco.com")
    assert data["lead"] == {"id": lead.id, "email": "jane@bigco.com", "name": "Jane"}
    assert set(data["rule"]) == {"id", "name", "version"}
    assert data["rule"]["name"] == "Inbound"
    assert set(data["segment"]) == {"id", "name"}
    assert set(data["assignee"]) == {"type", "id", "name", "pool"}
    assert data["link"] == {"id": data["link"]["id"], "slug": "inbound", "name": "Inbound"}
    assert parse_datetime(data["created_at"]) is not None
    ctx = data["context"]
    assert ctx["lead"]["email"] == "jane@bigco.com"
    assert ctx["lead"]["domain"] == "bigco.com"
    assert ctx["lead"]["is_personal_email"] is False
    assert ctx["company"]["employees"] == 500
    assert ctx["link"] == {"slug": "inbound", "channel": "Website", "name": "Inbound"}
    chat_row = Chat.objects.get(pk=data["id"])
    assert Decision.objects.get(chat=chat_row).id == data["decision"]


def test_trace_is_readable_and_explains_conditions(api, setup):
    data = chat(api, link="inbound", company={"employees": 50}, intent={"type": "support"})
    trace = data["trace"]
    lines = trace["lines"]
    assert all(isinstance(line, str) for line in lines)
    text = "\n".join(lines)
    assert '"Inbound"' in text
    assert "the rule of link 'Inbound'" in text
    assert "Big companies" in text and "no match" in text
    assert "Assigned to Helper" in text
    assert trace["rule"]["selected_because"] == "the rule of link 'Inbound'"

    by_name = {s["name"]: s for s in trace["segments"]}
    big = by_name["Big companies"]
    assert big["matched"] is False
    assert big["outcome"] == "no_match"
    assert big["conditions"] == {
        "field": "company.employees",
        "op": "gt",
        "value": 200,
        "actual": 50,
        "missing": False,
        "result": False,
    }
    assert "50" in big["reason"]
    sup = by_name["Support"]
    assert sup["matched"] is True and sup["outcome"] == "assigned"
    assert sup["conditions"]["actual"] == "support"
    assert sup["conditions"]["result"] is True
    # The fallback is after the winner: not tried.
    assert "Fallback" not in by_name
    assert trace["result"]["assignee"]["id"] == setup["agent"]["id"]


def test_trace_says_when_a_field_is_missing(api, setup):
    data = chat(api, link="inbound")  # no company facts at all
    big = next(s for s in data["trace"]["segments"] if s["name"] == "Big companies")
    assert big["conditions"]["missing"] is True
    assert big["conditions"]["actual"] is None
    assert "missing" in big["reason"]
    assert "company" in data["trace"]["gaps"]


def test_conditions_read_custom_fields_and_lead_facts(api, make_rep, routed_rule, add_segment):
    vip = make_rep("Vic")
    make_rep("Fay")
    tree = {
        "all": [
            {"field": "custom.budget", "op": "gte", "value": 1000},
            {"not": {"field": "lead.is_personal_email", "op": "is_true"}},
            {"field": "lead.email", "op": "domain_in", "value": ["bigco.com"]},
        ]
    }
    seg = add_segment(routed_rule["id"], "Qualified", tree, {"type": "rep", "id": vip.id})
    hit = chat(api, email="cfo@eu.bigco.com", link="inbound", custom={"budget": "5000"})
    assert hit["segment"]["id"] == seg["id"]
    assert hit["context"]["custom"] == {"budget": "5000"}
    low = chat(api, email="cto@bigco.com", link="inbound", custom={"budget": 10})
    assert low["segment"]["name"] == "Fallback"
    personal = chat(api, email="me@gmail.com", link="inbound", custom={"budget": 5000})
    assert personal["segment"]["name"] == "Fallback"
    assert personal["context"]["lead"]["is_personal_email"] is True
    reason = personal["trace"]["segments"][0]["reason"]
    assert "NOT" in reason and "True" in reason


def test_auto_agent_hands_the_lead_to_the_specialist(api, workspace, routed_rule, add_segment):
    knock_ai = workspace.default_ai_agent_id
    add_segment(
        routed_rule["id"],
        "AI",
        {"field": "lead.email", "op": "exists"},
        {"type": "ai_agent", "id": knock_ai},
    )
    sally = ok(
        api.post("/api/v1/ai-agents/", {"name": "Sally", "specialty": "support"}, format="json"),
        201,
    )
    data = chat(api, link="inbound", intent={"type": "support"})
    assert data["assignee"] == {"type": "ai_agent", "id": sally["id"], "name": "Sally"}
    assert "handed intent 'support' to Sally" in data["trace"]["segments"][0]["reason"]
    # No buying specialist: the auto agent keeps the lead.
    data = chat(api, link="inbound", intent={"type": "buying"})
    assert data["assignee"] == {"type": "ai_agent", "id": knock_ai, "name": "Knock AI"}


def test_segment_to_an_unavailable_rep_is_skipped(api, make_rep, routed_rule, add_segment):
    dana = make_rep("Dana", is_active=False)
    olly = make_rep("Olly", out_of_office_until=timezone.now() + timedelta(days=1))
    fay = make_rep("Fay")
    ok(api.patch("/api/v1/workspace/", {"default_rep": fay.id}, format="json"))
    for rep in (dana, olly):
        add_segment(
            routed_rule["id"],
            f"To {rep.name}",
            {"field": "lead.email", "op": "exists"},
            {"type": "rep", "id": rep.id},
        )
    data = chat(api, link="inbound")
    assert data["assignee"]["id"] == fay.id
    dana_entry, olly_entry = data["trace"]["segments"][:2]
    assert dana_entry["outcome"] == "skipped"
    assert dana_entry["reason"] == "rep Dana is inactive"
    assert olly_entry["outcome"] == "skipped"
    assert "out of office" in olly_entry["reason"]


def test_leads_are_per_workspace(api, other_api):
    mine = chat(api, email="jo@bigco.com", utm={"source": "mine"})
    theirs = chat(other_api, email="jo@bigco.com", utm={"source": "theirs"})
    assert mine["lead"]["id"] != theirs["lead"]["id"]
    assert theirs["context"]["attribution"]["source"] == "theirs"
    assert theirs["context"]["signals"]["funnel_stage"] == "first_seen"


# -- rule selection ----------------------------------------------------------------
def test_link_without_rule_uses_the_default_rule(api, make_link, make_rep):
    make_rep("Dana")
    make_link("plain", name="Plain")
    data = chat(api, link="plain")
    assert data["rule"]["name"] == "Default chat rule"
    assert "link 'Plain' has no rule of its own" in data["trace"]["rule"]["selected_because"]


def test_intent_override_wins_over_the_links_rule(api, setup, make_rule, add_segment, make_rep):
    support_rule = make_rule("Support desk")
    sue = make_rep("Sue")
    add_segment(
        support_rule["id"],
        "Everyone",
        {"field": "lead.email", "op": "exists"},
        {"type": "rep", "id": sue.id},
    )
    ok(
        api.patch(
            "/api/v1/workspace/", {"intent_rules": {"support": support_rule["id"]}}, format="json"
        )
    )
    data = chat(api, link="inbound", intent={"type": "support"}, company={"employees": 500})
    assert data["rule"]["id"] == support_rule["id"]
    assert data["assignee"]["id"] == sue.id
    assert "intent override" in data["trace"]["rule"]["selected_because"]
    # Another intent still uses the link's rule.
    data = chat(api, link="inbound", intent={"type": "buying"}, company={"employees": 500})
    assert data["rule"]["id"] == setup["rule"]["id"]


# -- attribution (SPEC 6) -----------------------------------------------------------
@pytest.fixture
def g2(make_link):
    return make_link("g2", name="G2 listing", channel="G2")


def test_attribution_utm_wins(api, g2):
    data = chat(
        api,
        link="g2",
        utm={"source": "linkedin", "medium": "cpc", "campaign": "q3"},
        referrer="https://www.google.com/search",
    )
    att = data["context"]["attribution"]
    assert att["source"] == "linkedin"
    assert att["medium"] == "cpc"
    assert att["campaign"] == "q3"
    assert att["touch"] == "utm"


def test_attribution_link_utm_defaults_count_as_utm(api, make_link):
    make_link("ads", channel="LinkedIn Ads", utm_defaults={"source": "linkedin"})
    att = chat(api, link="ads", referrer="https://google.com")["context"]["attribution"]
    assert att["touch"] == "utm"
    assert att["source"] == "linkedin"
    assert att["channel"] == "LinkedIn Ads"


def test_attribution_referrer_when_no_utm(api, g2):
    att = chat(api, link="g2", referrer="https://www.google.com/search?q=x")["context"][
        "attribution"
    ]
    assert att["touch"] == "referrer"
    assert att["source"] == "google.com"
    assert att["referrer_domain"] == "google.com"


def test_attribution_referrer_from_session(api):
    att = chat(api, session={"referrer": "https://news.ycombinator.com/item"})["context"][
        "attribution"
    ]
    assert att["touch"] == "referrer"
    assert att["source"] == "news.ycombinator.com"


def test_attribution_link_channel_when_no_utm_or_referrer(api, g2):
    att = chat(api, link="g2")["context"]["attribution"]
    assert att["touch"] == "link"
    assert att["channel"] == "G2"
    assert att["source"] == "G2"


def test_attribution_direct_otherwise(api):
    att = chat(api)["context"]["attribution"]
    assert att["touch"] == "direct"
    assert att["channel"] == "Direct"


def test_first_touch_is_locked_on_the_lead(api, g2):
    first = chat(api, email="jo@bigco.com", link="g2", utm={"source": "linkedin"})
    second = chat(api, email="jo@bigco.com", utm={"source": "newsletter", "campaign": "x"})
    assert first["context"]["attribution"]["source"] == "linkedin"
    assert second["context"]["attribution"] == first["context"]["attribution"]
    assert Lead.objects.get(email="jo@bigco.com").first_touch["source"] == "linkedin"


def test_same_email_twice_is_one_lead(api):
    first = chat(api, email="jo@bigco.com")
    second = chat(api, email=" JO@BigCo.com ")
    assert first["lead"]["id"] == second["lead"]["id"]
    assert first["id"] != second["id"]
    assert Lead.objects.filter(email="jo@bigco.com").count() == 1
    assert Chat.objects.count() == 2
    assert second["context"]["signals"]["funnel_stage"] == "existing"
    assert first["context"]["signals"]["funnel_stage"] == "first_seen"


def test_lead_name_is_kept_up_to_date(api):
    chat(api, lead={"email": "jo@bigco.com", "name": "Jo"})
    data = chat(api, lead={"email": "jo@bigco.com", "name": "Joanna"})
    assert data["lead"]["name"] == "Joanna"


# -- GET /chats/{id}/ ----------------------------------------------------------------
def test_get_chat_returns_ownership_fields(api, make_rep):
    dana = make_rep("Dana")
    created = chat(api, message="hello")
    data = ok(api.get(f"{CHATS}{created['id']}/"))
    assert data["id"] == created["id"]
    assert data["rep_owner"] == {"id": dana.id, "name": "Dana"}
    assert data["ai_owner"] is None
    assert data["responding_rep"] is None
    assert data["first_response_at"] is None
    assert data["response_time_minutes"] is None
    assert data["message"] == "hello"
    assert data["status"] == "open"
    assert data["assignee"] == created["assignee"]
    assert data["trace"] == created["trace"]


def test_unknown_chat_is_404(api):
    assert api.get(f"{CHATS}999999/").status_code == 404


def test_chat_list_is_newest_first(api):
    a = chat(api, email="a@x.com")
    b = chat(api, email="b@x.com")
    data = ok(api.get(CHATS))
    assert [row["id"] for row in data["results"]] == [b["id"], a["id"]]
