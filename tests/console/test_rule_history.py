"""The rule page's History card, a version's page, the diff page and Roll back (issue 17)."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from routing import actions
from routing.models import Decision, RuleVersion, Segment

from .conftest import url

pytestmark = pytest.mark.django_db

BIG = {"field": "company.employees", "op": "gt", "value": 200}


def _versions(rule):
    return list(RuleVersion.objects.filter(rule=rule).order_by("version"))


def test_console_edits_are_signed_and_listed(console, workspace, rule):
    big, support, _ = Segment.objects.filter(rule=rule).order_by("order")
    response = console.post(
        url(workspace, f"rules/{rule.id}/reorder/"),
        json.dumps({"order": [support.id, big.id]}),
        content_type="application/json",
    )
    assert response.status_code == 200
    response = console.post(
        url(workspace, f"rules/{rule.id}/settings/"),
        {"name": "Inbound", "monitoring_channel": "#x"},
    )
    assert response.status_code == 302
    last_two = _versions(rule)[-2:]
    assert [(v.author, v.summary) for v in last_two] == [
        ("console: ops", "Moved “Big”"),  # a swap of two: one of them moved
        ("console: ops", "Settings: monitoring channel"),
    ]
    page = console.get(url(workspace, f"rules/{rule.id}/")).content.decode()
    assert 'data-testid="rule-history"' in page
    assert page.count('data-testid="history-row"') == len(_versions(rule))
    assert "console: ops" in page and "Moved “Big”" in page
    # Earlier versions have a Roll back button (confirmed first); the live one does not.
    assert page.count('name="version"') == len(_versions(rule)) - 1
    assert "confirm('Roll back to v" in page


def test_admin_edits_are_signed(rule):
    root = Client()
    root.force_login(get_user_model().objects.create_superuser("root", "r@x.test", "pw"))
    big, support, fallback = Segment.objects.filter(rule=rule).order_by("order")
    data = {
        "name": rule.name,
        "monitoring_channel": "#admin",
        "segments-TOTAL_FORMS": "3",
        "segments-INITIAL_FORMS": "3",
        "segments-MIN_NUM_FORMS": "0",
        "segments-MAX_NUM_FORMS": "1000",
    }
    for i, seg in enumerate((big, support, fallback)):
        data.update({f"segments-{i}-id": seg.id, f"segments-{i}-rule": rule.id})
        data[f"segments-{i}-position"] = i
    response = root.post(f"/admin/routing/routingrule/{rule.id}/change/", data)
    assert response.status_code == 302
    assert _versions(rule)[-1].author == "admin: root"


def test_roll_back_from_the_page(console, workspace, rule):
    big = Segment.objects.get(rule=rule, name="Big")
    actions.delete_segment(big)
    deleted_at = rule.versions.count()  # v4: Big removed
    response = console.post(
        url(workspace, f"rules/{rule.id}/rollback/"), {"version": deleted_at - 1}
    )
    assert response.status_code == 302
    newest = _versions(rule)[-1]
    assert newest.version == deleted_at + 1
    assert newest.author == "console: ops"
    assert newest.summary == f"Rolled back to v{deleted_at - 1}: Added “Big”"
    names = list(Segment.objects.filter(rule=rule).order_by("order").values_list("name", flat=True))
    assert names == ["Big", "Support", "Fallback"]
    assert Segment.objects.get(rule=rule, name="Big").id == big.id
    page = console.get(url(workspace, f"rules/{rule.id}/")).content.decode()
    assert f"now live as v{newest.version}" in page


@pytest.mark.parametrize("version", ["99", "abc", ""])
def test_bad_roll_back_is_an_error_message_and_writes_nothing(console, workspace, rule, version):
    before = RuleVersion.objects.count()
    response = console.post(url(workspace, f"rules/{rule.id}/rollback/"), {"version": version})
    assert response.status_code == 302
    assert RuleVersion.objects.count() == before
    page = console.get(url(workspace, f"rules/{rule.id}/")).content.decode()
    assert "no version" in page or "valid integer" in page


def test_diff_page_side_by_side(console, workspace, rule):
    response = console.get(url(workspace, f"rules/{rule.id}/diff/?from=1&to=3"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="diff-table"' in page
    assert page.count('data-status="added"') == 2
    assert "Company employees &gt; 200" in page and "Rep Dana" in page
    assert "Added “Big”; added “Support”" in page


@pytest.mark.parametrize("query", ["from=2&to=2", "from=1&to=99", "from=x&to=2", ""])
def test_bad_diff_is_400_with_the_reason(console, workspace, rule, query):
    response = console.get(url(workspace, f"rules/{rule.id}/diff/?{query}"))
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_version_page_shows_its_segments_and_a_decision_links_to_it(console, workspace, rule):
    actions.create_link(workspace, slug="g2", name="G2", chat_rule=rule.id)
    routed = actions.route_chat(
        workspace, {"link": "g2", "lead": {"email": "l@x.com"}, "company": {"employees": 500}}
    )
    decision = Decision.objects.get(chat=routed.chat)
    ran_on = decision.rule_version
    actions.update_segment(Segment.objects.get(rule=rule, name="Big"), name="Large")
    version_url = url(workspace, f"rules/{rule.id}/versions/{ran_on}/")
    detail = console.get(url(workspace, f"decisions/{decision.id}/")).content.decode()
    assert f'href="{version_url}"' in detail
    page = console.get(version_url).content.decode()
    assert 'data-testid="version-segments"' in page
    assert "Big" in page and "Large" not in page  # the segments as they were then
    assert "Company employees &gt; 200" in page
    assert console.get(url(workspace, f"rules/{rule.id}/versions/99/")).status_code == 404


def test_other_workspace_rule_is_404(console, rule):
    other, _ = actions.create_workspace("Globex")
    other_rule = other.rules.first()
    for path in (f"rules/{other_rule.id}/versions/1/", f"rules/{other_rule.id}/diff/?from=1&to=2"):
        assert console.get(url(rule.workspace, path)).status_code == 404
    before = RuleVersion.objects.count()
    response = console.post(url(rule.workspace, f"rules/{other_rule.id}/rollback/"), {"version": 1})
    assert response.status_code == 404
    assert RuleVersion.objects.count() == before


def test_history_and_version_times_show_the_viewers_zone(console, workspace, rule):
    user = get_user_model().objects.get(username="ops")
    actions.set_viewer_time_zone(user, "Asia/Tokyo")
    page = console.get(url(workspace, f"rules/{rule.id}/")).content.decode()
    history = page.split('data-testid="rule-history"', 1)[1]
    assert " JST</td>" in history
    version = _versions(rule)[-1].version
    page = console.get(url(workspace, f"rules/{rule.id}/versions/{version}/")).content.decode()
    assert " JST ·" in page
