"""Pure tests of the routing context (SPEC 3 and 6): attribution, missing values, intent."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest

from routing.context import build_chat_context, first_touch, referrer_domain


def link(channel="G2", utm_defaults=None, slug="g2-listing", name="G2 listing"):
    return SimpleNamespace(slug=slug, channel=channel, name=name, utm_defaults=utm_defaults or {})


def build(payload=None, *, link_=None, first=None, existed=False, **fields):
    body = {"lead": {"email": "ann@acme.com"}}
    body.update(payload or {})
    body.update(fields)
    return build_chat_context(
        payload=body, link=link_, lead_first_touch=first, lead_existed=existed
    )


# ------------------------------------------------------------------ referrer_domain


@pytest.mark.parametrize(
    ("referrer", "domain"),
    [
        ("https://www.google.com/search?q=knock", "google.com"),
        ("https://WWW.LinkedIn.com/feed/", "linkedin.com"),
        ("http://news.ycombinator.com/item?id=1", "news.ycombinator.com"),
        ("https://www.g2.com:443/products/knock", "g2.com"),
        ("www.bing.com/search", "bing.com"),
        ("duckduckgo.com", "duckduckgo.com"),
        ("https://wwwhat.com/", "wwwhat.com"),  # only a "www." label is stripped
        ("https://acme.com./pricing", "acme.com"),  # a fully qualified host: as the CRM reads it
    ],
)
def test_referrer_domain(referrer, domain):
    assert referrer_domain(referrer) == domain


@pytest.mark.parametrize("referrer", [None, "", "https://", "///"])
def test_referrer_domain_missing_stays_missing(referrer):
    assert referrer_domain(referrer) is None


# ---------------------------------------------------------------------- first_touch


def test_request_utms_win_over_link_defaults_field_by_field():
    touch = first_touch(
        utm={"source": "newsletter", "campaign": "spring"},
        link_utm={"source": "linkedin", "medium": "paid_social", "campaign": "always-on"},
        referrer="https://www.google.com/",
        link=link(channel="LinkedIn Ads"),
    )
    assert touch == {
        "source": "newsletter",
        "medium": "paid_social",
        "campaign": "spring",
        "channel": "LinkedIn Ads",
        "touch": "utm",
        "referrer_domain": "google.com",
    }


def test_link_utm_defaults_alone_count_as_utms():
    touch = first_touch(
        utm={}, link_utm={"source": "g2", "medium": "listing"}, referrer=None, link=link()
    )
    assert touch["touch"] == "utm"
    assert (touch["source"], touch["medium"], touch["channel"]) == ("g2", "listing", "G2")
    assert "referrer_domain" not in touch


def test_utms_without_a_link_use_the_source_as_channel():
    touch = first_touch(utm={"source": "Newsletter"}, link_utm={}, referrer=None, link=None)
    assert touch == {"source": "Newsletter", "channel": "Newsletter", "touch": "utm"}


def test_referrer_is_next_when_there_are_no_utms():
    touch = first_touch(
        utm={}, link_utm={}, referrer="https://www.google.com/search?q=x", link=None
    )
    assert touch == {
        "source": "google.com",
        "medium": "referral",
        "channel": "google.com",
        "touch": "referrer",
        "referrer_domain": "google.com",
    }


def test_referrer_beats_the_link_channel_as_source():
    touch = first_touch(utm={}, link_utm={}, referrer="https://www.g2.com/x", link=link("G2"))
    assert touch["touch"] == "referrer"
    assert touch["source"] == "g2.com"
    assert touch["referrer_domain"] == "g2.com"
    # The link names the channel the ops team thinks in.
    assert touch["channel"] == "G2"


def test_link_channel_when_there_is_neither_utm_nor_referrer():
    touch = first_touch(utm={}, link_utm={}, referrer=None, link=link("Event QR"))
    assert touch == {
        "source": "Event QR",
        "medium": "knock_link",
        "channel": "Event QR",
        "touch": "link",
    }


@pytest.mark.parametrize("the_link", [None, link(channel="")], ids=["no-link", "blank-channel"])
def test_direct_when_nothing_is_known(the_link):
    touch = first_touch(utm={}, link_utm={}, referrer="", link=the_link)
    assert touch == {"source": "direct", "medium": "none", "channel": "Direct", "touch": "direct"}


def test_null_and_blank_utms_are_ignored():
    touch = first_touch(
        utm={"source": None, "medium": "", "campaign": None},
        link_utm={},
        referrer=None,
        link=None,
    )
    assert touch["touch"] == "direct"


def test_a_blank_request_utm_does_not_erase_the_link_default():
    touch = first_touch(
        utm={"source": ""}, link_utm={"source": "linkedin"}, referrer=None, link=None
    )
    assert touch["source"] == "linkedin"
    assert touch["touch"] == "utm"


def test_utms_without_source_do_not_invent_a_null_channel():
    touch = first_touch(utm={"campaign": "spring"}, link_utm={}, referrer=None, link=None)
    assert touch["campaign"] == "spring"
    assert None not in touch.values(), touch


# ---------------------------------------------------------------- build_chat_context


def test_lead_email_is_normalised_and_domain_derived():
    context, _ = build({"lead": {"email": "  Ann.Lee@ACME.com ", "name": "Ann Lee"}})
    assert context["lead"] == {
        "email": "ann.lee@acme.com",
        "name": "Ann Lee",
        "domain": "acme.com",
        "is_personal_email": False,
    }


@pytest.mark.parametrize(
    ("email", "personal"),
    [
        ("bob@gmail.com", True),
        ("bob@GMail.com", True),
        ("bob@outlook.com", True),
        ("bob@acme.com", False),
        ("bob@mail.acme.com", False),
    ],
)
def test_is_personal_email(email, personal):
    context, _ = build({"lead": {"email": email}})
    assert context["lead"]["is_personal_email"] is personal


def test_missing_stays_missing_and_gaps_say_why():
    context, gaps = build()
    assert context["company"] == {}
    assert "company" in gaps and gaps["company"]
    assert "crm" not in context
    assert gaps["crm"]
    assert "name" not in context["lead"]
    assert "link" not in context
    assert context["custom"] == {}
    # Nothing in the context is an invented empty string or a null.
    for ns, values in context.items():
        for key, value in values.items():
            assert value not in ("", None), f"{ns}.{key} = {value!r}"


def test_company_fields_the_caller_did_not_know_are_absent():
    context, gaps = build(
        company={"name": "Acme", "employees": 250, "industry": None, "revenue": None}
    )
    assert context["company"] == {"name": "Acme", "employees": 250}
    assert "company" not in gaps


def test_null_lead_fields_are_absent():
    context, _ = build({"lead": {"email": "ann@acme.com", "name": None, "country": None}})
    assert "name" not in context["lead"]
    assert "country" not in context["lead"]


def test_blank_lead_fields_are_absent():
    context, _ = build({"lead": {"email": "ann@acme.com", "name": "", "country": "", "title": ""}})
    assert context["lead"].keys() == {"email", "domain", "is_personal_email"}


def test_link_namespace():
    context, _ = build(link_=link(channel="G2", slug="g2", name="G2 listing"))
    assert context["link"] == {"slug": "g2", "channel": "G2", "name": "G2 listing"}


def test_a_link_without_channel_has_no_channel_in_context():
    context, _ = build(link_=link(channel=""))
    assert "channel" not in context["link"]


def test_session_is_returning_defaults_to_lead_existed():
    assert build(existed=True)[0]["session"]["is_returning"] is True
    assert build(existed=False)[0]["session"]["is_returning"] is False


def test_session_is_returning_from_the_caller_wins():
    context, _ = build(session={"is_returning": False, "device": "mobile"}, existed=True)
    assert context["session"] == {"is_returning": False, "device": "mobile"}


def test_referrer_goes_into_the_session_and_the_attribution():
    context, _ = build(referrer="https://www.g2.com/products/knock")
    assert context["session"]["referrer"] == "https://www.g2.com/products/knock"
    assert context["attribution"]["source"] == "g2.com"
    assert context["attribution"]["referrer_domain"] == "g2.com"


def test_session_referrer_is_used_for_attribution_too():
    context, _ = build(session={"referrer": "https://www.reddit.com/r/sales"})
    assert context["attribution"]["referrer_domain"] == "reddit.com"


def test_attribution_from_request_utms_and_link():
    the_link = link(channel="LinkedIn Ads", utm_defaults={"source": "linkedin", "medium": "cpc"})
    context, _ = build(link_=the_link, utm={"campaign": "q3-abm", "source": "LI"})
    assert context["attribution"] == {
        "source": "LI",
        "medium": "cpc",
        "campaign": "q3-abm",
        "channel": "LinkedIn Ads",
        "touch": "utm",
    }


def test_stored_first_touch_is_reused_and_locked():
    stored = {"source": "g2.com", "medium": "referral", "channel": "G2", "touch": "referrer"}
    context, _ = build(
        first=stored,
        link_=link(channel="LinkedIn Ads"),
        utm={"source": "newsletter"},
        referrer="https://www.google.com/",
        existed=True,
    )
    assert context["attribution"] == stored


def test_attribution_without_anything_is_direct():
    context, _ = build()
    assert context["attribution"]["channel"] == "Direct"


def test_callers_intent_wins_over_detection():
    context, _ = build(message="What is your pricing?", intent={"type": "support"})
    assert context["intent"] == {"type": "support", "score": "medium", "source": "caller"}


def test_callers_intent_score_is_kept():
    context, _ = build(intent={"type": "partnership", "score": "high"})
    assert context["intent"] == {"type": "partnership", "score": "high", "source": "caller"}


def test_intent_is_detected_when_the_caller_gives_none():
    context, _ = build(message="Can I get a demo and pricing for 40 seats?")
    intent = context["intent"]
    assert (intent["type"], intent["score"], intent["source"]) == ("buying", "high", "detected")
    assert {"demo", "pricing", "seats"} <= set(intent["matched"])


def test_detection_sees_pages_viewed_from_the_session():
    quiet, _ = build(message="Do you have a trial?")
    keen, _ = build(message="Do you have a trial?", session={"pages_viewed": 7})
    assert quiet["intent"]["score"] == "medium"
    assert keen["intent"]["score"] == "high"


def test_a_caller_score_without_type_overrides_the_detected_score():
    context, _ = build(message="I found a bug in the login page", intent={"score": "high"})
    assert context["intent"]["type"] == "support"
    assert context["intent"]["score"] == "high"
    assert context["intent"]["source"] == "detected"


def test_no_message_means_unknown_intent():
    context, _ = build()
    assert context["intent"]["type"] == "unknown"
    assert context["intent"]["score"] == "low"


def test_signals_funnel_stage_from_knock_history():
    assert build(existed=False)[0]["signals"]["funnel_stage"] == "first_seen"
    assert build(existed=True)[0]["signals"]["funnel_stage"] == "existing"


def test_custom_fields_are_copied():
    custom = {"budget": 5000, "use_case": "inbound"}
    context, _ = build(custom=custom)
    assert context["custom"] == custom
    context["custom"]["budget"] = 1
    assert custom["budget"] == 5000


def test_the_payload_is_not_mutated():
    payload = {
        "lead": {"email": " Ann@Acme.com ", "name": None},
        "session": {"device": "desktop"},
        "referrer": "https://www.google.com/",
        "utm": {"source": "x"},
        "company": {"name": "Acme", "industry": None},
        "intent": {"score": "low"},
        "custom": {"plan": "pro"},
        "message": "pricing",
    }
    before = copy.deepcopy(payload)
    the_link = link(utm_defaults={"medium": "cpc"})
    defaults_before = copy.deepcopy(the_link.utm_defaults)
    build_chat_context(payload=payload, link=the_link, lead_first_touch=None, lead_existed=True)
    assert payload == before
    assert the_link.utm_defaults == defaults_before
