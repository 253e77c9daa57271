import json

import pytest

from routing.models import Chat, Decision, RuleVersion, Segment

from .conftest import url

pytestmark = pytest.mark.django_db


def _order(rule):
    return list(Segment.objects.filter(rule=rule).order_by("order").values_list("name", flat=True))


def test_editor_shows_cards_in_order_with_summaries(console, workspace, rule):
    page = console.get(url(workspace, f"rules/{rule.id}/")).content.decode()
    assert page.index("Big") < page.index("Support") < page.index("Fallback")
    assert "Company employees &gt; 200" in page


def test_reorder_saves_the_full_order_and_bumps_the_version(console, workspace, rule):
    big, support, fallback = Segment.objects.filter(rule=rule).order_by("order")
    response = console.post(
        url(workspace, f"rules/{rule.id}/reorder/"),
        json.dumps({"order": [support.id, big.id]}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "order": [support.id, big.id, fallback.id],
        "version": rule.version + 1,
    }
    assert _order(rule) == ["Support", "Big", "Fallback"]


@pytest.mark.parametrize(
    "body",
    ["not json", json.dumps({"order": "x"}), json.dumps([1, 2]), json.dumps({"order": [1]})],
)
def test_bad_reorder_changes_nothing(console, workspace, rule, body):
    versions = RuleVersion.objects.count()
    response = console.post(
        url(workspace, f"rules/{rule.id}/reorder/"), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert _order(rule) == ["Big", "Support", "Fallback"]
    assert RuleVersion.objects.count() == versions


def test_the_fallback_cannot_be_moved_above_others(console, workspace, rule):
    big, support, fallback = Segment.objects.filter(rule=rule).order_by("order")
    response = console.post(
        url(workspace, f"rules/{rule.id}/reorder/"),
        json.dumps({"order": [fallback.id, big.id, support.id]}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "fallback" in json.dumps(response.json()).lower()
    assert _order(rule) == ["Big", "Support", "Fallback"]


def test_reorder_over_get_is_refused(console, workspace, rule):
    assert console.get(url(workspace, f"rules/{rule.id}/reorder/")).status_code == 405


def test_add_segment_with_an_invalid_tree_shows_the_error_and_saves_nothing(
    console, workspace, rule
):
    versions = RuleVersion.objects.count()
    bad = {"all": [{"field": "company.employees", "op": "gt", "value": "many"}]}
    response = console.post(
        url(workspace, f"rules/{rule.id}/segments/new/"),
        {"name": "Broken", "conditions": json.dumps(bad), "assignee_type": "crm_owner"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="conditions-error"' in page
    assert "all[0]" in page and 'data-error-path="all[0]"' in page
    assert Segment.objects.filter(rule=rule).count() == 3
    assert RuleVersion.objects.count() == versions


def test_add_segment_goes_above_the_fallback(console, workspace, rule):
    tree = {"field": "lead.country", "op": "in", "value": ["FR", "DE"]}
    response = console.post(
        url(workspace, f"rules/{rule.id}/segments/new/"),
        {"name": "EMEA", "conditions": json.dumps(tree), "assignee_type": "workspace_default"},
    )
    assert response.status_code == 302
    assert _order(rule) == ["Big", "Support", "EMEA", "Fallback"]


def test_assignee_must_be_picked(console, workspace, rule):
    response = console.post(
        url(workspace, f"rules/{rule.id}/segments/new/"),
        {"name": "X", "conditions": "", "assignee_type": "pool"},
    )
    assert response.status_code == 400
    assert "Pick one." in response.content.decode()


def test_duplicate_puts_the_copy_below_the_original(console, workspace, rule):
    big = Segment.objects.get(rule=rule, name="Big")
    assert console.post(url(workspace, f"segments/{big.id}/duplicate/")).status_code == 302
    assert _order(rule) == ["Big", "Big (copy)", "Support", "Fallback"]
    copy = Segment.objects.get(rule=rule, name="Big (copy)")
    assert (copy.conditions, copy.assignee_rep_id) == (big.conditions, big.assignee_rep_id)
    before = rule.version
    rule.refresh_from_db()
    assert rule.version == before + 1  # one version for the copy and its place


def test_fallback_cannot_be_deleted_from_the_console(console, workspace, rule):
    fallback = Segment.objects.get(rule=rule, is_fallback=True)
    console.post(url(workspace, f"segments/{fallback.id}/delete/"))
    assert Segment.objects.filter(id=fallback.id).exists()


def test_test_a_lead_has_no_side_effects(console, workspace, rule):
    response = console.post(
        url(workspace, f"rules/{rule.id}/test/"),
        {"email": "ana@bigco.com", "employees": "500"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="matched-segment">Big<' in page
    assert "saw 500" in page
    assert Chat.objects.count() == 0 and Decision.objects.count() == 0


def test_test_a_lead_with_pasted_context(console, workspace, rule):
    response = console.post(
        url(workspace, f"rules/{rule.id}/test/"),
        {"context_json": json.dumps({"intent": {"type": "support"}})},
    )
    assert 'data-testid="matched-segment">Support<' in response.content.decode()


def test_test_a_lead_with_bad_json_says_so(console, workspace, rule):
    response = console.post(url(workspace, f"rules/{rule.id}/test/"), {"context_json": "{"})
    assert response.status_code == 400
    assert "This is not valid JSON" in response.content.decode()


def test_default_rule_cannot_be_deleted(console, workspace):
    default = workspace.rules.get(kind="chat", is_default=True)
    console.post(url(workspace, f"rules/{default.id}/delete/"))
    assert workspace.rules.filter(id=default.id).exists()


def test_a_refused_delete_explains_itself_in_plain_words(console, workspace, rule):
    from routing import actions

    actions.create_link(workspace, slug="g2", name="G2", chat_rule=rule.id)
    response = console.post(url(workspace, f"rules/{rule.id}/delete/"), follow=True)
    page = response.content.decode()
    assert "The rule is used by links: G2. Detach it first." in page
    assert "[&#x27;" not in page and "['" not in page


# -- monitoring channels and segment names ----------------------------------------------
def _not_a_channel(value):
    return (
        f"“{value}” is not a Slack channel: give a name like #leads (lowercase letters, "
        "digits, - and _) or a channel id like C0123456789."
    )


SEGMENT_NAME_TAKEN = "A segment with this name already exists in this rule."


def _segments(rule):
    return list(Segment.objects.filter(rule=rule).order_by("order").values())


def test_segment_form_refuses_a_bad_monitoring_channel(console, workspace, rule):
    big = Segment.objects.get(rule=rule, name="Big")
    before, versions = _segments(rule), RuleVersion.objects.count()
    form = {
        "name": "EMEA",
        "conditions": json.dumps(big.conditions),
        "assignee_type": "workspace_default",
        "monitoring_channel": "not a channel!!",
    }
    for path in (f"segments/{big.id}/edit/", f"rules/{rule.id}/segments/new/"):
        response = console.post(url(workspace, path), form)
        assert response.status_code == 400, path
        assert response.context["form"].errors == {
            "monitoring_channel": [_not_a_channel("not a channel!!")]
        }
        assert _not_a_channel("not a channel!!") in response.content.decode()
    assert _segments(rule) == before and RuleVersion.objects.count() == versions


def test_meeting_segment_form_refuses_a_bad_monitoring_channel(console, workspace):
    from routing import actions

    rule = actions.create_rule(workspace, kind="meeting", name="Demos")
    fallback = Segment.objects.get(rule=rule)
    before, versions = _segments(rule), RuleVersion.objects.count()
    response = console.post(
        url(workspace, f"segments/{fallback.id}/edit/"),
        {"name": "Fallback", "outcome": "disqualified", "monitoring_channel": "#Demo Requests"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "monitoring_channel": [_not_a_channel("#Demo Requests")]
    }
    assert _segments(rule) == before and RuleVersion.objects.count() == versions


def test_rule_settings_refuse_a_bad_monitoring_channel(console, workspace, rule):
    from routing.models import RoutingRule

    before = RoutingRule.objects.values().get(id=rule.id)
    response = console.post(
        url(workspace, f"rules/{rule.id}/settings/"),
        {"name": "Inbound", "monitoring_channel": "not a channel!!"},
    )
    assert response.status_code == 400
    assert response.context["settings_form"].errors == {
        "monitoring_channel": [_not_a_channel("not a channel!!")]
    }
    assert RoutingRule.objects.values().get(id=rule.id) == before
    # Blank is no channel (the workspace's default): still fine.
    response = console.post(
        url(workspace, f"rules/{rule.id}/settings/"), {"name": "Inbound", "monitoring_channel": ""}
    )
    assert response.status_code == 302


def test_segment_form_refuses_a_name_the_rule_already_has(console, workspace, rule):
    form = {"name": "to ooo", "conditions": "", "assignee_type": "workspace_default"}
    new = url(workspace, f"rules/{rule.id}/segments/new/")
    assert console.post(new, form).status_code == 302
    before, versions = _segments(rule), RuleVersion.objects.count()
    response = console.post(new, {**form, "name": "To OOO "})
    assert response.status_code == 400
    assert response.context["form"].errors == {"name": [SEGMENT_NAME_TAKEN]}
    assert SEGMENT_NAME_TAKEN in response.content.decode()
    support = Segment.objects.get(rule=rule, name="Support")
    response = console.post(url(workspace, f"segments/{support.id}/edit/"), {**form, "name": "BIG"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"name": [SEGMENT_NAME_TAKEN]}
    assert _segments(rule) == before and RuleVersion.objects.count() == versions


def test_twin_segments_stored_before_the_check_still_render_and_edit(console, workspace, rule):
    big, support = Segment.objects.filter(rule=rule, is_fallback=False).order_by("order")
    Segment.objects.filter(id=support.id).update(name="big")  # a legacy twin of "Big"
    assert console.get(url(workspace, f"rules/{rule.id}/")).status_code == 200
    edit = url(workspace, f"segments/{support.id}/edit/")
    assert console.get(edit).status_code == 200
    form = {"name": "big", "conditions": "", "assignee_type": "crm_owner"}
    assert console.post(edit, form).status_code == 302  # kept its name, changed the rest
    assert Segment.objects.get(id=support.id).assignee_type == "crm_owner"
    response = console.post(edit, {**form, "name": "BIG"})  # a changed name is checked
    assert response.status_code == 400
    assert response.context["form"].errors == {"name": [SEGMENT_NAME_TAKEN]}


def test_duplicating_twice_names_the_copies_apart(console, workspace, rule):
    big = Segment.objects.get(rule=rule, name="Big")
    for _ in range(2):
        assert console.post(url(workspace, f"segments/{big.id}/duplicate/")).status_code == 302
    assert _order(rule) == ["Big", "Big (copy 2)", "Big (copy)", "Support", "Fallback"]


@pytest.mark.parametrize("channel", ["not a channel!!", "#Leads Team", "leads?"])
def test_the_slack_default_channel_follows_the_same_rule(channel):
    """One function (routing/slack_channels.py) for the default and monitoring channels."""
    from notifications.forms import SlackSettingsForm
    from routing.console.forms import RuleSettingsForm

    slack = SlackSettingsForm({"default_channel": channel})
    settings = RuleSettingsForm({"name": "Inbound", "monitoring_channel": channel})
    assert not slack.is_valid() and not settings.is_valid()
    assert slack.errors == {"default_channel": [_not_a_channel(channel.strip())]}
    assert settings.errors == {"monitoring_channel": [_not_a_channel(channel.strip())]}
    for good in ("#leads", "sales-emea", "C0123456789", ""):
        assert SlackSettingsForm({"default_channel": good}).is_valid()
        assert RuleSettingsForm({"name": "Inbound", "monitoring_channel": good}).is_valid()
