"""Knock Links: create one with its own chat rule, see it on the rule, deactivate it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from routing import actions
from routing.models import KnockLink

from .conftest import nav, toast


def link_row(page, name: str):
    return page.locator("tbody tr", has=page.locator("strong", has_text=re.compile(f"^{name}$")))


def test_attach_a_rule_to_a_new_link(logged_in_page, acme, live_server):
    page = logged_in_page
    rule = actions.create_rule(acme.workspace, kind="chat", name="G2 inbound")

    nav(page, "Knock Links").click()
    expect(page.get_by_role("heading", name="Knock Links")).to_be_visible()
    expect(page.get_by_text("No links yet")).to_be_visible()
    page.get_by_role("link", name="+ New link").click()
    expect(page.get_by_role("heading", name="New Knock Link")).to_be_visible()
    page.get_by_label("Name").fill("G2 listing")
    page.get_by_label("Slug").fill("g2-listing")
    page.get_by_label("Channel").fill("G2")
    page.get_by_label("Chat rule").select_option(label="G2 inbound")
    page.get_by_role("button", name="Create link").click()

    expect(toast(page)).to_have_text("Created link “G2 listing”.")
    row = link_row(page, "G2 listing")
    expect(row).to_contain_text("g2-listing")
    expect(row.get_by_role("link", name="G2 inbound")).to_be_visible()
    expect(row).to_contain_text("Default meeting rule")
    expect(row.locator(".badge", has_text="Active")).to_be_visible()
    public_url = f"{live_server.url}/l/{acme.workspace.slug}/g2-listing/"
    path = f"/l/{acme.workspace.slug}/g2-listing/"
    expect(row.get_by_role("link", name=path)).to_have_attribute("href", public_url)
    expect(row.get_by_role("button", name="Copy")).to_have_attribute("data-copy", public_url)

    link = KnockLink.objects.get(workspace=acme.workspace, slug="g2-listing")
    assert (link.name, link.channel, link.chat_rule_id, link.meeting_rule_id) == (
        "G2 listing",
        "G2",
        rule.id,
        None,
    )

    # The public page answers at that URL.
    assert page.request.get(public_url).status == 200

    # The rule editor says who uses the rule; so does the rules list.
    row.get_by_role("link", name="G2 inbound").click()
    expect(page.get_by_role("heading", name="G2 inbound")).to_be_visible()
    used_by = page.locator(".page-head .sub")
    expect(used_by).to_contain_text("Used by")
    expect(used_by.locator(".badge")).to_have_text(["G2 listing"])
    nav(page, "Routing rules").click()
    rules_row = page.locator("tbody tr", has=page.get_by_role("link", name="G2 inbound"))
    expect(rules_row.locator(".badge")).to_have_text(["G2 listing"])


def test_a_duplicate_slug_is_refused_on_the_form(logged_in_page, acme):
    page = logged_in_page
    actions.create_link(acme.workspace, slug="g2-listing", name="G2 listing", channel="G2")
    page.goto(f"{acme.ws}/links/new/")
    page.get_by_label("Name").fill("G2 again")
    page.get_by_label("Slug").fill("g2-listing")
    page.get_by_role("button", name="Create link").click()
    expect(page.locator(".field-error")).to_contain_text("A link with this slug already exists")
    expect(page.get_by_label("Name")).to_have_value("G2 again")
    assert KnockLink.objects.filter(workspace=acme.workspace).count() == 1


def test_deactivate_and_reactivate_a_link(logged_in_page, acme, live_server):
    page = logged_in_page
    link = actions.create_link(acme.workspace, slug="event-qr", name="Event QR", channel="Events")
    public_url = f"{live_server.url}/l/{acme.workspace.slug}/event-qr/"
    nav(page, "Knock Links").click()
    row = link_row(page, "Event QR")
    expect(row.locator("td").nth(5)).to_have_text("Active")

    # Deactivating asks first (issue 14 item 10; test_console_polish.py covers cancelling).
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Deactivate").click()
    expect(toast(page)).to_have_text("Link “Event QR” deactivated.")
    expect(row.locator("td").nth(5)).to_have_text("Inactive")
    expect(row.get_by_role("button", name="Activate")).to_be_visible()
    link.refresh_from_db()
    assert link.is_active is False
    assert page.request.get(public_url).status == 404

    row.get_by_role("button", name="Activate").click()
    expect(toast(page)).to_have_text("Link “Event QR” activated.")
    expect(row.locator("td").nth(5)).to_have_text("Active")
    link.refresh_from_db()
    assert link.is_active is True


def test_link_form_rule_menus_have_distinct_choices(logged_in_page, acme):
    page = logged_in_page
    page.goto(f"{acme.ws}/links/new/")
    for menu in ("Chat rule", "Meeting rule"):
        labels = page.get_by_label(menu).locator("option").all_text_contents()
        assert len(labels) == len(set(labels)), labels
