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
