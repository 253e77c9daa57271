"""The console's decision filters: a bad filter is a form error over an empty list."""

from datetime import UTC, datetime

import pytest

from routing import actions
from routing.models import Decision

from .conftest import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_decisions(workspace, rule):
    actions.create_link(workspace, slug="g2", name="G2", chat_rule=rule.id)
    for n, day in enumerate((1, 3)):
        routed = actions.route_chat(
            workspace,
            {"link": "g2", "lead": {"email": f"l{n}@x.com"}, "company": {"employees": 500}},
        )
        Decision.objects.filter(chat=routed.chat).update(
            created_at=datetime(2030, 1, day, 12, tzinfo=UTC)
        )


def page(console, workspace, query):
    response = console.get(url(workspace, "decisions/?" + query))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("rep=999999", "No such rep in this workspace."),
        ("rule=999999", "No such rule in this workspace."),
        ("ai_agent=999999", "No such AI agent in this workspace."),
        ("rep=abc", "Give the id: a positive whole number."),
        ("rep=" + str(2**64), "Give the id: a positive whole number."),
        ("link=nowhere", "No such link in this workspace."),
        ("since=banana", "Enter a date (YYYY-MM-DD)"),
        ("until=2030-02-30", "Enter a date (YYYY-MM-DD)"),
        ("since=2030-01-03&until=2030-01-01", "Must be after since."),
        ("kind=email", "Select a valid choice."),
    ],
)
def test_a_bad_filter_is_a_form_error_and_lists_nothing(
    console, workspace, two_decisions, query, error
):
    html = page(console, workspace, query)
    assert error in html
    assert "l0@x.com" not in html and "l1@x.com" not in html
    assert "0 decisions" in html


def test_the_empty_list_says_why_it_is_empty(console, workspace, two_decisions):
    # A bad filter, a filter nothing matches, and no decisions at all read differently.
    bad = page(console, workspace, "since=2030-01-03&until=2030-01-01")
    assert "Fix the filter above to see decisions." in bad and "No decisions yet" not in bad
    none = page(console, workspace, "since=2031-01-01")
    assert "No decisions match these filters" in none and "No decisions yet" not in none
    Decision.objects.all().delete()
    assert "No decisions yet" in page(console, workspace, "")


def test_blank_fields_mean_any(console, workspace, two_decisions):
    html = page(console, workspace, "link=&rule=&rep=&ai_agent=&kind=&since=&until=")
    assert "l0@x.com" in html and "l1@x.com" in html
    assert "errorlist" not in html


def test_filters_by_date_link_and_kind(console, workspace, two_decisions):
    html = page(console, workspace, "since=2030-01-02")
    assert "l1@x.com" in html and "l0@x.com" not in html
    html = page(console, workspace, "until=2030-01-01")  # the whole day, inclusive
    assert "l0@x.com" in html and "l1@x.com" not in html
    html = page(console, workspace, "link=G2&kind=chat")
    assert "l0@x.com" in html and "l1@x.com" in html


def test_another_workspaces_rep_is_unknown_here(console, workspace, two_decisions):
    _, _ = actions.create_workspace("Globex")
    from routing.models import Rep, Workspace

    globex = Workspace.objects.get(name="Globex")
    foreign = actions.create_rep(globex, name="Gus", email="gus@globex.test")
    assert Rep.objects.filter(id=foreign.id).exists()
    html = page(console, workspace, f"rep={foreign.id}")
    assert "No such rep in this workspace." in html


TOO_LATE = "Too late: give a date before 9999-12-31, or leave it out."
TOO_EARLY = "Too early: give a date after 0001-01-01, or leave it out."


@pytest.mark.parametrize(
    ("zone", "query", "error"),
    [
        ("UTC", "until=9999-12-31", TOO_LATE),
        ("Europe/Berlin", "until=9999-12-31", TOO_LATE),
        ("America/New_York", "until=9999-12-31", TOO_LATE),
        # The start of 0001-01-01 in Tokyo is before year 1 in UTC.
        ("Asia/Tokyo", "since=0001-01-01", TOO_EARLY),
        ("Asia/Tokyo", "since=2030-01-01&until=9999-12-31", TOO_LATE),
    ],
)
def test_a_day_at_the_end_of_the_calendar_is_a_form_error(
    console, staff, workspace, two_decisions, zone, query, error
):
    """Until = 12/31/9999 on the Decisions page was a 500 (its end does not exist)."""
    actions.set_viewer_time_zone(staff, zone)
    html = page(console, workspace, query)
    assert error in html
    assert "l0@x.com" not in html and "l1@x.com" not in html
    assert "0 decisions" in html
    assert Decision.objects.count() == 2


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/New_York"])
def test_the_first_and_last_days_a_zone_can_show_still_filter(
    console, staff, workspace, two_decisions, zone
):
    actions.set_viewer_time_zone(staff, zone)
    html = page(console, workspace, "since=9999-12-31")
    assert "errorlist" not in html and "0 decisions" in html
    html = page(console, workspace, "since=0001-01-02&until=9999-12-30")
    assert "errorlist" not in html
    assert "l0@x.com" in html and "l1@x.com" in html
