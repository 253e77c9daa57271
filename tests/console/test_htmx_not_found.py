"""An htmx request whose object is gone gets a fragment its target can show (the
Test button of a deleted rule, the polled card of a replay run that is gone), not the
site's 404 page inside a card; a page still gets the 404 page."""

import pytest

from routing import actions

from .conftest import url

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_test_button_of_a_deleted_rule_says_so(console, workspace, rule):
    path = url(workspace, f"rules/{rule.id}/test/")
    rule_id = rule.id
    actions.delete_rule(rule)
    response = console.post(path, {"email": "lead@bigco.com"}, **HTMX)
    assert response.status_code == 404
    body = response.content.decode()
    assert 'data-testid="not-found"' in body and "Nothing was changed." in body
    assert "<html" not in body  # a fragment for #test-output, not a page
    assert not workspace.rules.filter(id=rule_id).exists()


def test_a_polled_replay_run_that_is_gone_stops_polling(console, workspace, rule):
    response = console.get(url(workspace, f"rules/{rule.id}/replay/999999/progress/"), **HTMX)
    assert response.status_code == 404
    body = response.content.decode()
    assert 'data-testid="not-found"' in body and "hx-trigger" not in body


def test_a_page_still_gets_the_404_page(console, workspace):
    response = console.get(url(workspace, "rules/999999/"))
    assert response.status_code == 404
    body = response.content.decode()
    assert "<html" in body and "This page does not exist" in body
