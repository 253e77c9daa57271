"""Issue 14 end to end, in Chromium on the real ASGI server (HTTP + the feed socket):
a new user adds reps and an AI agent, sets the workspace defaults and an intent
override, a lead starts a chat on the public page, and the chat is closed from the
console while the live feed shows it. Screenshots of each new page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from routing import actions
from routing.models import Chat, Rep

from .conftest import VIEWPORT, log_in, screenshot
from .test_feed import asgi_url  # noqa: F401 - the uvicorn server fixture


@pytest.fixture
def pages(browser, asgi_url, acme):  # noqa: F811
    context = browser.new_context(viewport=VIEWPORT, base_url=asgi_url)
    errors: list[str] = []
    context.on("page", lambda p: p.on("pageerror", lambda exc: errors.append(str(exc))))
    page = context.new_page()
    log_in(page, acme.user.username)
    feed = context.new_page()
    yield page, feed
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_console_lifecycle(pages, acme, asgi_url):  # noqa: F811
    page, feed = pages
    ws = acme.ws
    support_rule = actions.create_rule(acme.workspace, kind="chat", name="Support desk")
    actions.create_link(acme.workspace, slug="website", name="Website", channel="Web")

    # -- a rep by hand, with two intervals on Monday ---------------------------------
    page.goto(f"{ws}/reps/")
    page.get_by_role("link", name="+ Add rep").click()
    page.get_by_label("Name").fill("Olivia Ops")
    page.get_by_label("Email").fill("olivia@acme.test")
    page.get_by_label("Timezone").select_option("Europe/Paris")
    page.get_by_label("mon start").fill("09:00")
    page.get_by_label("mon end").fill("12:00")
    page.get_by_role("button", name="Add a Monday interval").click()
    page.get_by_label("mon start").nth(1).fill("13:00")
    page.get_by_label("mon end").nth(1).fill("17:30")
    page.get_by_label("tue start").fill("22:00")
    page.get_by_label("tue end").fill("02:00")
    expect(page.get_by_label("Always available")).not_to_be_checked()  # times were typed
    page.get_by_role("heading", name="New rep").click()  # no focused field in the picture
    screenshot(page, "rep-form.png")
    page.get_by_role("button", name="Add rep").click()
    expect(page.locator(".toasts .toast")).to_contain_text("Added Olivia Ops")
    olivia = Rep.objects.get(email="olivia@acme.test")
    assert olivia.working_hours == {
        "mon": [["09:00", "12:00"], ["13:00", "17:30"]],
        "tue": [["22:00", "02:00"]],
    }
    # Saving it unchanged keeps both intervals.
    page.goto(f"{ws}/reps/{olivia.id}/")
    expect(page.get_by_label("mon start")).to_have_count(2)
    page.get_by_role("button", name="Save rep").click()
    olivia.refresh_from_db()
    assert len(olivia.working_hours["mon"]) == 2

    # -- an AI agent -------------------------------------------------------------------
    page.get_by_role("navigation").get_by_role("link", name="AI agents").click()
    page.get_by_role("link", name="+ New AI agent").click()
    page.get_by_label("Name").fill("Billing Bot")
    page.get_by_label("Specialty").select_option("support")
    page.get_by_role("button", name="Create agent").click()
    row = page.locator("tr", has_text="Billing Bot")
    row.get_by_role("button", name="Make default").click()
    expect(page.locator("tr", has_text="Billing Bot")).to_contain_text("Default")
    screenshot(page, "ai-agents.png")

    # -- workspace defaults and an intent override ----------------------------------------
    page.get_by_role("navigation").get_by_role("link", name="Workspace settings").click()
    page.get_by_label("Default rep").select_option(label="Olivia Ops")
    page.get_by_label("Default AI agent").select_option(label="Billing Bot")
    page.get_by_label("Auto-close after (hours)").fill("12")
    page.get_by_label("Intent “Support”").select_option(label="Support desk")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".toasts .toast")).to_contain_text("Workspace settings saved")
    acme.workspace.refresh_from_db()
    assert acme.workspace.intent_rules == {"support": support_rule.id}
    assert acme.workspace.default_rep_id == olivia.id and acme.workspace.auto_close_hours == 12
    screenshot(page, "workspace-settings.png")

    # -- a lead starts a chat on the public page; the feed is open ------------------------
    feed.goto(f"{ws}/")
    expect(feed.locator("#feed-status")).to_have_attribute("data-state", "live")
    lead = feed.context.new_page()
    lead.goto(f"/l/{acme.workspace.slug}/website/")
    lead.get_by_label("Work email").fill("casey@bigco.com")
    lead.get_by_label("How can we help?").fill("Our support ticket is broken, we need help")
    lead.get_by_role("button", name="Start chat").click()
    expect(lead.get_by_role("heading", name="Thanks!")).to_be_visible()
    lead.close()
    chat = Chat.objects.get(lead__email="casey@bigco.com")
    assert chat.decision.rule_id == support_rule.id  # the intent override won
    row = feed.locator(f'tr[data-decision="{chat.decision.id}"]')
    expect(row).to_be_visible()

    # -- close it from the console; the feed shows it --------------------------------------
    page.goto(f"{ws}/chats/")
    page.get_by_role("link", name="casey@bigco.com").click()
    expect(page.get_by_test_id("chat-status")).to_have_text("Open")
    expect(page.get_by_text("Our support ticket is broken")).to_be_visible()
    expect(page.get_by_test_id("trace")).to_contain_text("Support desk")
    page.get_by_label("Reassign to").select_option(label="Marcus Chen")
    page.get_by_label("Reason").fill("Marcus knows this account")
    page.get_by_role("button", name="Reassign").click()
    moved = page.get_by_test_id("reassignment")
    expect(moved).to_contain_text("Reason: Marcus knows this account.")
    expect(moved).to_contain_text("Reassigned by ops (console)")
    page.get_by_role("button", name="Close chat").click()
    expect(page.get_by_test_id("chat-status")).to_have_text("Closed")
    expect(page.get_by_test_id("chat-details")).to_contain_text("ops (console)")
    screenshot(page, "chat-detail.png")
    assert Chat.objects.get(id=chat.id).status == "closed"

    expect(row.locator("[data-chat-state]")).to_contain_text("Closed")
    notes = feed.locator("#chat-changes")
    expect(notes).to_contain_text("casey@bigco.com: closed by ops (console)")
    expect(notes).to_contain_text("now owned by Marcus Chen")
    # The reassignment is a decision row of its own, not a new chat.
    expect(feed.locator("tr[data-decision]").first).to_contain_text("Reassigned")
    expect(feed.locator('[data-stat="chats"]')).to_have_text("1")
    screenshot(feed, "feed-chat-closed.png")

    # Reopen from the list's closed tab.
    page.goto(f"{ws}/chats/?status=closed")
    page.get_by_role("link", name="casey@bigco.com").click()
    page.get_by_role("button", name="Reopen chat").click()
    expect(page.get_by_test_id("chat-status")).to_have_text("Open")
    expect(feed.locator("#chat-changes li").first).to_contain_text("reopened")
