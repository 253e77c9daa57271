"""Issue 14 items 7-10: the console speaks the page's terms, once, beside the field."""

import json
import re

import pytest

from notifications.models import SlackSettings
from routing import actions
from routing.availability import WorkingHoursError, parse_working_hours
from routing.models import KnockLink, PoolMember, Segment

from .conftest import url

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- item 7
def test_pool_weight_error_names_the_rep(console, workspace, make_rep):
    dana = make_rep("Dana Whitfield")
    pool = actions.create_pool(workspace, name="P", members=[{"rep": dana.id}])
    response = console.post(
        url(workspace, f"pools/{pool.id}/members/{dana.id}/"), {"weight": "0"}, follow=True
    )
    page = response.content.decode()
    assert "Dana Whitfield&#x27;s weight must be a whole number from 1 to 1000." in page
    assert f"rep {dana.id}" not in page
    assert PoolMember.objects.get().weight == 1


def test_working_hours_errors_name_the_weekday():
    with pytest.raises(WorkingHoursError) as info:
        parse_working_hours({"mon": [["09:00", "09:00"]]})
    assert str(info.value) == "Monday: an interval cannot start and end at the same time (09:00)"


def test_test_a_lead_bad_json_is_a_sentence_beside_the_json_box(console, workspace, rule):
    response = console.post(url(workspace, f"rules/{rule.id}/test/"), {"context_json": "{"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "context_json:" not in page
    # Re-rendered out of band into the form, in the JSON box's row, once.
    fields = page[page.index('id="test-fields"') :]
    row = re.search(r'<div class="form-row field-error">.*?</div>', fields, re.S).group(0)
    assert 'name="context_json"' in row and "This is not valid JSON" in row
    assert page.count("This is not valid JSON") == 1


def test_test_a_lead_missing_email_is_shown_once_beside_the_field(console, workspace, rule):
    response = console.post(url(workspace, f"rules/{rule.id}/test/"), {"email": ""})
    page = response.content.decode()
    assert "email:" not in page
    assert page.count("Give an email, or paste a context.") == 1
    row = re.search(r'<div class="form-row field-error">.*?</div>', page, re.S).group(0)
    assert 'name="email"' in row and "Give an email" in row
    assert 'hx-swap-oob="true"' in page


def test_condition_error_uses_catalog_labels_and_keeps_the_node(console, workspace, rule):
    bad = {"all": [{"field": "company.employees", "op": "gt", "value": "many"}]}
    response = console.post(
        url(workspace, f"rules/{rule.id}/segments/new/"),
        {"name": "Broken", "conditions": json.dumps(bad), "assignee_type": "crm_owner"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-error-path="all[0]"' in page
    assert "all[0] (company.employees gt)" not in page
    assert "The condition “Company employees &gt;”: value must be a number" in page
    assert not Segment.objects.filter(name="Broken").exists()


def test_unknown_field_error_suggests_the_label(console, workspace, rule):
    bad = {"any": [{"field": "company.employes", "op": "gt", "value": 5}]}
    response = console.post(
        url(workspace, f"rules/{rule.id}/segments/new/"),
        {"name": "Typo", "conditions": json.dumps(bad), "assignee_type": "crm_owner"},
    )
    page = response.content.decode()
    assert 'data-error-path="any[0]"' in page
    assert "did you mean Company employees?" in page


# --------------------------------------------------------------------------- item 10
def test_editor_has_move_buttons_and_a_version_badge(console, workspace, rule):
    page = console.get(url(workspace, f"rules/{rule.id}/")).content.decode()
    assert 'aria-label="Move Big up"' in page and 'aria-label="Move Support down"' in page
    assert 'aria-label="Move Fallback' not in page  # the fallback stays last
    assert f'data-testid="rule-version">v{rule.version}<' in page


def test_sync_is_disabled_with_its_reason_without_a_token(console, workspace, settings):
    settings.SLACK_BOT_TOKEN = ""
    page = console.get(url(workspace, "slack/")).content.decode()
    button = re.search(r"<button[^>]*>Sync reps from Slack</button>", page).group(0)
    assert "disabled" in button and 'aria-describedby="sync-reason"' in button
    assert "Needs a Slack bot token" in page


@pytest.mark.parametrize("channel", ["not a channel!!", "#Leads Team", "leads?"])
def test_slack_default_channel_must_be_a_channel(console, workspace, channel):
    response = console.post(url(workspace, "slack/settings/"), {"default_channel": channel})
    assert response.status_code == 400
    page = response.content.decode()
    # Beside the field (inside its form-row), kept as typed, and not a flash message.
    row = re.search(r'<div class="form-row field-error">.*?</div>', page, re.S).group(0)
    assert 'name="default_channel"' in row and "is not a Slack channel" in row
    assert 'class="toasts"' not in page
    assert not SlackSettings.objects.filter(workspace=workspace).exists()
    # The next page view has no leftover flash either.
    assert "is not a Slack channel" not in console.get(url(workspace, "slack/")).content.decode()


@pytest.mark.parametrize("channel", ["#leads", "sales-emea", "C0123456789"])
def test_slack_default_channel_accepts_names_and_ids(console, workspace, channel):
    console.post(url(workspace, "slack/settings/"), {"default_channel": channel})
    assert SlackSettings.objects.get(workspace=workspace).default_channel == channel


def test_a_refused_pool_weight_shows_beside_the_members_weight(console, workspace, make_rep):
    dana, omar = make_rep("Dana"), make_rep("Omar")
    pool = actions.create_pool(workspace, name="P", members=[{"rep": dana.id}, {"rep": omar.id}])
    response = console.post(url(workspace, f"pools/{pool.id}/members/{omar.id}/"), {"weight": "0"})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="member-error-{omar.id}"' in page and f'id="member-error-{dana.id}"' not in page
    assert "Omar&#x27;s weight must be a whole number from 1 to 1000." in page
    assert 'class="toasts"' not in page
    assert sorted(pool.members.values_list("weight", flat=True)) == [1, 1]


def test_deactivating_a_link_asks_first(console, workspace):
    KnockLink.objects.create(workspace=workspace, name="Website", slug="website")
    page = console.get(url(workspace, "links/")).content.decode()
    assert "return confirm(" in page and "Deactivate “Website”?" in page


def test_overnight_interval_is_said_in_the_form(console, workspace):
    rep = actions.create_rep(
        workspace, name="Nia", email="nia@acme.test", working_hours={"fri": [["22:00", "06:00"]]}
    )
    page = console.get(url(workspace, f"reps/{rep.id}/")).content.decode()
    shown = re.findall(r"<span class=\"muted\" data-overnight ?(hidden)?>", page)
    assert shown.count("") == 1  # the Friday 22:00-06:00 interval, not the blank rows
    assert "overnight shift (ends next day)" in page


# --------------------------------------------------------------------------- item 8
def test_pool_assignee_is_not_called_round_robin(console, workspace, rule):
    page = console.get(url(workspace, f"rules/{rule.id}/segments/new/")).content.decode()
    assert "round-robin pool" not in page.lower()
    assert "A pool (round robin or load balanced)" in page
    assert dict(Segment._meta.get_field("assignee_type").choices)["pool"] == (
        "Pool (round robin or load balanced)"
    )


def test_decision_context_names_the_crm_owner_rep(console, workspace, rule):
    from routing.models import Chat, Decision

    dana = rule.segments.first().assignee_rep
    actions.create_link(workspace, slug="g2", name="G2", chat_rule=rule.id)
    actions.route_chat(workspace, {"link": "g2", "lead": {"email": "l@x.com"}})
    decision = Chat.objects.get(lead__email="l@x.com").decision
    context = {**decision.context, "crm": {"exists": True, "owner_rep": dana.id}}
    Decision.objects.filter(pk=decision.pk).update(context=context)
    page = console.get(url(workspace, f"decisions/{decision.id}/")).content.decode()
    assert f"<dt>owner_rep</dt><dd>Dana (rep #{dana.id})</dd>" in page


def test_one_local_contact_is_singular(console, workspace):
    from crm.models import LocalContact

    LocalContact.objects.create(workspace=workspace, email="a@x.com")
    page = console.get(url(workspace, "crm/")).content.decode()
    assert "1 local contact<" in page


def test_failed_import_shows_its_counts_not_0_of_0(console, workspace):
    from crm.models import CrmImport

    CrmImport.objects.create(
        workspace=workspace, filename="bad.csv", content="", status="failed", total=3,
        errors=["line 2: email: not an email", "line 4: email: not an email"],
    )  # fmt: skip
    CrmImport.objects.create(
        workspace=workspace, filename="empty.csv", content="", status="failed",
        errors=["the file has no header row"],
    )  # fmt: skip
    page = console.get(url(workspace, "crm/")).content.decode()
    assert "3 rows read, 2 errors: nothing imported" in page
    assert "The file could not be read: nothing imported." in page
    assert "the file has no header row" in page
    assert ">0/0<" not in page


def test_crm_field_help_is_each_fields_own(console, workspace):
    page = console.get(url(workspace, "crm/")).content.decode()
    assert "Knock_Rep_Owner__c on Salesforce" in page
    assert "Knock_Responding_Rep__c on Salesforce" in page
    assert "Knock_Meeting_Status__c on Salesforce" in page
    assert page.count("Knock_Rep_Owner__c") == 1
