"""Fixtures for the meeting tests: reps who work every day 08:00-18:00 UTC, so
tomorrow's slots are known whatever day the suite runs."""

from datetime import UTC, datetime, timedelta

import pytest

from routing import actions

EVERY_DAY = {d: [["08:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
AVAILABILITY = "/api/v1/meetings/availability/"
MEETINGS = "/api/v1/meetings/"


def tomorrow(hour: int, minute: int = 0) -> datetime:
    day = datetime.now(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def window(start_hour=9, end_hour=12) -> dict:
    return {"start": tomorrow(start_hour).isoformat(), "end": tomorrow(end_hour).isoformat()}


@pytest.fixture
def rep_factory(workspace):
    counter = {"n": 0}

    def make(name=None, **fields):
        counter["n"] += 1
        n = counter["n"]
        fields.setdefault("working_hours", EVERY_DAY)
        return actions.create_rep(
            workspace, name=name or f"Rep {n}", email=f"rep{n}@acme.test", **fields
        )

    return make


@pytest.fixture
def meeting_rule(workspace):
    """A meeting rule on link `demo`; tests add segments and set its fallback."""
    rule = actions.create_rule(workspace, kind="meeting", name="Demo requests")
    actions.create_link(workspace, slug="demo", name="Demo", channel="Web", meeting_rule=rule)
    return rule


@pytest.fixture
def with_booking(meeting_rule):
    """Set the fallback's booking (min notice 0 unless given)."""

    def set_booking(**booking):
        booking.setdefault("min_notice", 0)
        fallback = meeting_rule.segments.get(is_fallback=True)
        actions.update_segment(fallback, booking=booking)
        return fallback

    return set_booking


def ask(api, email="lead@bigco.com", **extra):
    body = {"link": "demo", "lead": {"email": email}, **window(), **extra}
    return api.post(AVAILABILITY, body, format="json")


def book(api, availability, start, **headers):
    body = {"availability": availability, "start": start}
    return api.post(MEETINGS, body, format="json", **headers)
