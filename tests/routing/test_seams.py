"""routing.seams: providers and planners come from settings, by dotted path."""

import pytest
from django.test import override_settings

from routing import seams
from routing.facts import CrmFacts

CALLS: list = []


def fake_provider(workspace, *, email, domain):
    CALLS.append(("facts", email, domain))
    return CrmFacts(error="down")


def planner_a(event, **data):
    CALLS.append(("a", event, sorted(data)))


def planner_b(event, **data):
    CALLS.append(("b", event, sorted(data)))


@pytest.fixture(autouse=True)
def _clear():
    CALLS.clear()


@override_settings(KNOCK_FACT_PROVIDERS={"crm": f"{__name__}.fake_provider"})
def test_fetch_facts_asks_each_configured_provider():
    facts = seams.fetch_facts(None, email="ann@acme.test", domain="acme.test")
    assert facts == {"crm": CrmFacts(error="down")}
    assert CALLS == [("facts", "ann@acme.test", "acme.test")]


@override_settings(KNOCK_FACT_PROVIDERS={})
def test_no_provider_no_facts():
    assert seams.fetch_facts(None, email="ann@acme.test", domain=None) == {}


@override_settings(KNOCK_OUTBOX_PLANNERS=[f"{__name__}.planner_a", f"{__name__}.planner_b"])
def test_plan_outbox_calls_every_planner_in_order():
    seams.plan_outbox("chat.replied", chat="c", owner_changed=False)
    assert CALLS == [
        ("a", "chat.replied", ["chat", "owner_changed"]),
        ("b", "chat.replied", ["chat", "owner_changed"]),
    ]


@override_settings(
    KNOCK_OUTBOX_PLANNERS={
        f"{__name__}.planner_a": ["meeting.booked"],
        f"{__name__}.planner_b": "*",
    }
)
def test_a_planner_named_for_some_events_is_called_for_those_only():
    seams.plan_outbox("chat.replied", chat="c")
    seams.plan_outbox("meeting.booked", meeting="m")
    assert CALLS == [
        ("b", "chat.replied", ["chat"]),
        ("a", "meeting.booked", ["meeting"]),
        ("b", "meeting.booked", ["meeting"]),
    ]


def test_the_calendar_planner_is_not_called_for_a_chat():
    from django.conf import settings

    from routing.seams import _planners

    paths = settings.KNOCK_OUTBOX_PLANNERS
    assert "calendars.google_events.plan" in paths
    names = {f"{fn.__module__}.{fn.__name__}" for fn in _planners("chat.routed")}
    assert "calendars.google_events.plan" not in names
    assert "calendars.google_events.plan" in {
        f"{fn.__module__}.{fn.__name__}" for fn in _planners("meeting.cancelled")
    }


@override_settings(KNOCK_OUTBOX_PLANNERS=["routing.no_such_module.plan"])
def test_a_bad_path_fails_loudly():
    with pytest.raises(ImportError):
        seams.plan_outbox("chat.routed")


def test_the_default_planners_ignore_events_they_do_not_know():
    seams.plan_outbox("meeting.unheard_of", meeting=None)  # no error, nothing planned
