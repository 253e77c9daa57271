"""Issue 14 items 8 and 10 in the browser: the outbox names the rep a DM goes to
(not a Slack user id), a CRM write is never a red "no Slack user", and a bad Slack
default channel is refused beside its field, not in a flash message."""

from __future__ import annotations

import re

from playwright.sync_api import expect

import outbox
from notifications.models import SlackSettings
from outbox.models import Delivery
from routing import actions

from .conftest import nav, screenshot


def test_the_outbox_names_the_rep_of_each_dm(logged_in_page, acme, settings):
    settings.SLACK_BOT_TOKEN = ""
    page = logged_in_page
    dana, marcus = acme.reps["Dana"], acme.reps["Marcus"]
    actions.update_rep(dana, slack_user_id="U000000003")
    actions.update_workspace(acme.workspace, default_rep=dana.id)
    acme.workspace.refresh_from_db()
    actions.route_chat(acme.workspace, {"lead": {"email": "lee@bigco.test"}, "message": "Demo"})
    actions.update_workspace(acme.workspace, default_rep=marcus.id)  # Marcus has no Slack id
    acme.workspace.refresh_from_db()
    actions.route_chat(acme.workspace, {"lead": {"email": "kim@bigco.test"}, "message": "Price"})
    outbox.enqueue(
        acme.workspace,
        kind="crm.write",
        key="crm-1",
        backend="crm:local",
        target={"record_type": "lead", "record_id": "42"},
        payload={"text": "Knock: Rep Owner = Dana Whitfield"},
    )
    assert Delivery.objects.filter(kind="slack.rep_dm").count() == 2

    nav(page, "Slack & outbox").click()
    rows = page.locator("tbody tr[data-delivery]")
    dm_dana = rows.filter(has_text="lee@bigco.test").filter(has_text="DM")
    expect(dm_dana.locator("td").nth(2)).to_have_text("DM Dana Whitfield")
    dm_marcus = rows.filter(has_text="kim@bigco.test").filter(has_text="DM")
    expect(dm_marcus.locator(".ko").first).to_have_text("DM Marcus Chen: no Slack user")
    crm = rows.filter(has_text="Knock: Rep Owner")
    expect(crm.locator("td").nth(2)).to_have_text("CRM lead 42")
    expect(crm.locator("td").nth(2).locator(".ko")).to_have_count(0)
    expect(page.get_by_text("U000000003")).to_have_count(0)
    screenshot(page, "slack-outbox.png")


def test_a_bad_default_channel_is_refused_beside_the_field(logged_in_page, acme, settings):
    settings.SLACK_BOT_TOKEN = ""
    page = logged_in_page
    page.goto(f"{acme.ws}/slack/")
    field = page.get_by_label("Default channel")
    field.fill("not a channel!!")
    page.get_by_role("button", name="Save", exact=True).click()
    row = page.locator(".form-row.field-error")
    expect(row).to_contain_text("“not a channel!!” is not a Slack channel")
    expect(row.get_by_label("Default channel")).to_have_value("not a channel!!")
    expect(page.locator(".toast")).to_have_count(0)
    assert not SlackSettings.objects.filter(workspace=acme.workspace).exists()
    screenshot(page, "slack-channel-error.png")

    # The filters still lead to the page, not to the form's URL.
    page.get_by_role("link", name=re.compile("^Failed")).click()
    expect(page).to_have_url(re.compile(rf"{acme.ws}/slack/\?status=failed$"))

    page.get_by_label("Default channel").fill("#leads")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".toast")).to_have_text("Slack settings saved.")
    assert SlackSettings.objects.get(workspace=acme.workspace).default_channel == "#leads"
