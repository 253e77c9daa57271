"""Issue 14 item 10 in the browser: reorder segments from the keyboard (Move up /
Move down beside the drag handle), the version badge follows the saved order,
and deactivating a link asks first."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from routing.models import KnockLink

from .conftest import screenshot
from .test_console_rules import card, db_order, expect_order, make_rule, open_rule, version


def test_keyboard_reorder_updates_the_version_badge(logged_in_page, acme):
    page = logged_in_page
    rule = make_rule(acme, segments=("G2 enterprise", "Support", "France"))
    before = version(rule)
    open_rule(page, acme, rule)
    badge = page.get_by_test_id("rule-version")
    expect(badge).to_have_text(f"v{before}")
    # The first card cannot go up; the fallback has no buttons at all.
    expect(
        card(page, "G2 enterprise").get_by_role("button", name="Move G2 enterprise up")
    ).to_be_disabled()
    expect(page.get_by_role("button", name=re.compile("Move Fallback"))).to_have_count(0)

    # Keyboard only: focus "Move France up" and press Enter twice.
    up = page.get_by_role("button", name="Move France up")
    up.focus()
    with page.expect_response(re.compile(r"/reorder/$")):
        page.keyboard.press("Enter")
    expect(badge).to_have_text(f"v{before + 1}")
    expect(up).to_be_focused()
    with page.expect_response(re.compile(r"/reorder/$")):
        page.keyboard.press("Enter")
    expect(badge).to_have_text(f"v{before + 2}")
    expect_order(page, ["France", "G2 enterprise", "Support", "Fallback"])
    assert db_order(rule) == ["France", "G2 enterprise", "Support", "Fallback"]
    assert version(rule) == before + 2
    # At the top the focus moves to the button that still works.
    expect(page.get_by_role("button", name="Move France down")).to_be_focused()
    expect(card(page, "France").locator(".pos")).to_have_text("1")

    # Down from the last movable card is refused in the page: the fallback stays last.
    expect(page.get_by_role("button", name="Move Support down")).to_be_disabled()
    screenshot(page, "console-rule-editor-move-buttons.png")

    page.reload()
    expect(badge).to_have_text(f"v{before + 2}")
    expect_order(page, ["France", "G2 enterprise", "Support", "Fallback"])


def test_deactivating_a_link_asks_for_confirmation(logged_in_page, acme):
    page = logged_in_page
    link = KnockLink.objects.create(workspace=acme.workspace, name="Website", slug="website")
    page.goto(f"{acme.ws}/links/")
    row = page.get_by_role("row").filter(has_text="Website")

    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    row.get_by_role("button", name="Deactivate").click()
    expect(row.get_by_role("button", name="Deactivate")).to_be_visible()
    assert asked and "Deactivate “Website”?" in asked[0]
    link.refresh_from_db()
    assert link.is_active  # dismissed: nothing changed

    page.once("dialog", lambda d: d.accept())
    row.get_by_role("button", name="Deactivate").click()
    expect(row.get_by_role("button", name="Activate")).to_be_visible()
    link.refresh_from_db()
    assert not link.is_active
    # Activating again needs no confirmation.
    row.get_by_role("button", name="Activate").click()
    expect(row.get_by_role("button", name="Deactivate")).to_be_visible()
