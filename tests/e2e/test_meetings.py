"""Meetings in the browser (issue 13 item 10): build a meeting rule with the editor
(a round-robin segment and a disqualified fallback), attach it to a link, book through
the public page as a lead in Tokyo, find the meeting in the console and the feed, cancel it.
Screenshots of every new page go to docs/screenshots/ (UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from calendars.models import BusyBlock, Meeting

from .conftest import VIEWPORT, nav, screenshot, toast
from .test_rule_drafts import run_draft_test

BUSINESS = {"field": "lead.is_personal_email", "op": "is_false"}
PHONE = {"width": 375, "height": 812}


def card(page: Page, name: str):
    return page.get_by_test_id("segment-card").filter(
        has=page.locator(".seg-name", has_text=re.compile(f"^{name}$"))
    )


def lead_context(browser, live_server, **options):
    """A lead's browser in Tokyo; JavaScript errors fail the test."""
    context = browser.new_context(
        base_url=live_server.url, timezone_id="Asia/Tokyo", locale="ja-JP", **options
    )
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return context, page


def build_meeting_rule(page: Page, acme) -> None:
    page.goto(f"{acme.ws}/rules/?kind=meeting")
    page.get_by_label("Name").fill("Demo requests")
    page.get_by_role("button", name="Create rule").click()
    expect(page.get_by_role("heading", name="Demo requests")).to_be_visible()

    page.get_by_role("link", name="+ Add segment").click()
    page.get_by_label("Segment name").fill("Business emails")
    page.get_by_role("button", name="Edit as JSON").click()
    page.get_by_label("Conditions JSON").fill(json.dumps(BUSINESS))
    expect(page.get_by_label("Booking logic")).to_have_value("round_robin")
    page.get_by_label("Dana Whitfield").check()
    page.get_by_label("Marcus Chen").check()
    page.get_by_label("Buffer after (minutes)").fill("10")
    page.get_by_role("button", name="Add segment").click()
    expect(toast(page)).to_have_text("Added segment “Business emails”.")
    expect(card(page, "Business emails").get_by_test_id("booking-summary")).to_have_text(
        "Round robin · Dana Whitfield, Marcus Chen · 30 min, 120 min notice, 10 min after, "
        "14 days ahead"
    )

    card(page, "Fallback").get_by_role("link", name="Edit").click()
    page.get_by_label("Disqualified: no slots, no meeting").check()
    expect(
        page.get_by_label("Booking logic")
    ).to_be_hidden()  # a disqualified fallback books nobody
    page.get_by_label("Reason").fill("Personal email")
    page.get_by_role("button", name="Save segment").click()
    expect(toast(page)).to_have_text("Saved segment “Fallback”.")
    expect(card(page, "Fallback").get_by_test_id("booking-summary")).to_have_text(
        "Disqualified: Personal email"
    )


def test_meeting_rule_link_booking_console_cancel(logged_in_page, acme, browser, live_server):
    page = logged_in_page
    build_meeting_rule(page, acme)

    # Test a lead: the segment, the slots on the lead's clock, who is free, the trace.
    test = page.locator("#test-lead")
    test.get_by_label("Email").fill("ana@bigco.com")
    test.get_by_label("Lead's time zone").fill("Asia/Tokyo")
    test.get_by_role("button", name="Run test").click()
    result = page.get_by_test_id("test-result")
    expect(result.get_by_test_id("matched-segment")).to_have_text("Business emails")
    expect(result).to_contain_text("round_robin")
    expect(page.get_by_test_id("test-slots")).to_be_visible()
    expect(page.get_by_test_id("rep-entries")).to_contain_text(
        "Free, but not first in the rotation"
    )
    expect(page.get_by_test_id("trace")).to_contain_text("Business emails")
    screenshot(page, "meeting-rule-editor.png")

    # Attach it to a new link.
    nav(page, "Knock Links").click()
    page.get_by_role("link", name="+ New link").click()
    page.get_by_label("Name").fill("Book a demo")
    page.get_by_label("Slug").fill("demo")
    page.get_by_label("Channel").fill("Website")
    page.get_by_label("Meeting rule").select_option(label="Demo requests")
    page.get_by_role("button", name="Create link").click()
    expect(toast(page)).to_have_text("Created link “Book a demo”.")

    # A lead in Tokyo books through the public page, with the keyboard where it matters.
    context, lead = lead_context(browser, live_server, viewport=VIEWPORT)
    lead.goto(f"/l/{acme.workspace.slug}/demo/?utm_source=newsletter")
    lead.get_by_role("link", name="Book a meeting").click()
    expect(lead.get_by_role("heading", name="Book a meeting")).to_be_visible()
    lead.get_by_label("Work email").fill("ken@bigco.jp")
    lead.get_by_label("Your name (optional)").fill("Ken Sato")
    lead.get_by_label("Company (optional)").fill("BigCo KK")
    lead.get_by_label("Company (optional)").press("Enter")
    heading = lead.get_by_role("heading", name="Pick a time")
    expect(heading).to_be_focused()
    expect(lead.get_by_test_id("zone")).to_have_text("Asia/Tokyo")
    first = lead.get_by_test_id("slots").locator("button.slot").first
    expect(first).to_have_attribute("value", re.compile(r"\+09:00$"))
    start = datetime.fromisoformat(first.get_attribute("value"))
    shown = first.inner_text()
    assert shown == f"{start:%H:%M}"
    screenshot(lead, "public-booking.png")
    first.focus()
    lead.keyboard.press("Enter")
    confirmation = lead.get_by_test_id("confirmation")
    expect(lead.get_by_role("heading", name="You're booked")).to_be_focused()
    expect(confirmation).to_contain_text(f"at {shown}")
    expect(confirmation).to_contain_text("Asia/Tokyo")
    meeting = Meeting.objects.get()
    owner = meeting.owner.name
    expect(confirmation.get_by_test_id("owner")).to_have_text(owner)
    assert meeting.start == start and meeting.lead.email == "ken@bigco.jp"
    assert meeting.decision.context["attribution"]["source"] == "newsletter"
    assert not lead.errors, lead.errors
    context.close()

    # At a phone's width: the slots fit, and a personal email is politely disqualified.
    context, phone = lead_context(browser, live_server, viewport=PHONE, is_mobile=True)
    phone.goto(f"/l/{acme.workspace.slug}/demo/book/")
    phone.get_by_label("Work email").fill("yuki@bigco.jp")
    phone.get_by_role("button", name="See available times").click()
    expect(phone.get_by_role("heading", name="Pick a time")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    slots = phone.get_by_test_id("slots").locator("button.slot")
    box = slots.nth(min(5, slots.count() - 1)).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["height"] >= 32  # a finger-sized target
    screenshot(phone, "public-booking-phone.png")
    phone.get_by_role("link", name="Start over").click()
    phone.get_by_label("Work email").fill("yuki@gmail.com")
    phone.get_by_role("button", name="See available times").click()
    expect(phone.get_by_test_id("disqualified")).to_be_visible()
    phone.get_by_role("link", name="Send us a message").click()
    expect(phone.get_by_role("heading", name="Talk to our team")).to_be_visible()
    assert not phone.errors, phone.errors
    context.close()

    # The console: the Meetings page, the meeting with its decision and trace, the feed.
    nav(page, "Meetings").click()
    row = page.get_by_test_id("meetings").locator(f'tr[data-meeting="{meeting.id}"]')
    expect(row).to_contain_text("Ken Sato")
    expect(row).to_contain_text(owner)
    expect(row).to_contain_text("Book a demo")
    expect(row.locator(".badge", has_text="Booked")).to_be_visible()
    screenshot(page, "meetings.png")
    page.get_by_label("Status").select_option("cancelled")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No meetings")).to_be_visible()
    page.get_by_role("link", name="Clear").click()

    page.get_by_test_id("meetings").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name=re.compile(f"Ken Sato with {owner}"))).to_be_visible()
    tokyo = meeting.start.astimezone(ZoneInfo("Asia/Tokyo"))
    expect(page.locator(".page-head .sub")).to_contain_text(f"{tokyo:%H:%M} Asia/Tokyo")
    expect(page.get_by_test_id("trace")).to_contain_text("Business emails")
    expect(page.get_by_role("link", name=f"Decision #{meeting.decision_id}")).to_be_visible()
    expect(page.locator("#reschedule input[name=start]").first).to_be_visible()
    screenshot(page, "meeting-detail.png")

    nav(page, "Live feed").click()
    expect(page.locator(f'tr[data-decision="{meeting.decision_id}"]')).to_contain_text(
        "ken@bigco.jp"
    )

    # Cancel it, with a reason.
    page.goto(f"{acme.ws}/meetings/{meeting.id}/")
    page.get_by_label("Reason (optional)").fill("Lead asked to move it")
    page.get_by_role("button", name="Cancel the meeting").click()
    expect(toast(page)).to_have_text("Meeting cancelled; the slot is free again.")
    expect(page.get_by_role("heading").locator(".badge", has_text="Cancelled")).to_be_visible()
    expect(page.get_by_text("Lead asked to move it")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.status == "cancelled" and meeting.cancel_reason == "Lead asked to move it"


def test_rep_calendar_busy_blocks(logged_in_page, acme):
    page = logged_in_page
    nav(page, "Reps").click()
    page.get_by_role("link", name="Dana Whitfield's calendar").click()
    expect(page.get_by_role("heading", name="Dana Whitfield's calendar")).to_be_visible()
    expect(page.get_by_label("Calendar", exact=True)).to_have_value("local")
    expect(page.get_by_label("Calendar", exact=True).locator("option")).to_have_text(
        ["No calendar", "Local calendar", "Google Calendar"]
    )

    form = page.get_by_role("form", name="Add a busy block")
    form.get_by_label("Start").fill("2030-01-07T09:00")
    form.get_by_label("End").fill("2030-01-07T08:00")
    form.get_by_role("button", name="Add busy block").click()
    expect(page.get_by_text("The end must be after the start.")).to_be_visible()
    assert not BusyBlock.objects.exists()

    form = page.get_by_role("form", name="Add a busy block")
    form.get_by_label("Start").fill("2030-01-07T09:00")
    form.get_by_label("End").fill("2030-01-07T10:30")
    form.get_by_label("Title").fill("Team sync")
    form.get_by_role("button", name="Add busy block").click()
    expect(toast(page)).to_have_text("Busy block added.")
    expect(page.get_by_test_id("busy-blocks")).to_contain_text("Team sync")

    page.get_by_label("Calendar", exact=True).select_option("google")
    page.get_by_label("Calendar id").fill("dana@acme.test")
    page.get_by_role("button", name="Save calendar").click()
    expect(toast(page)).to_have_text("Saved Dana Whitfield's calendar.")
    expect(page.get_by_label("Calendar", exact=True)).to_have_value("google")
    page.get_by_label("Calendar", exact=True).select_option("local")
    page.get_by_role("button", name="Save calendar").click()
    expect(toast(page)).to_have_text("Saved Dana Whitfield's calendar.")
    page.reload()  # the picture without the toast
    expect(page.get_by_label("Calendar", exact=True)).to_have_value("local")
    screenshot(page, "rep-calendar.png")

    page.get_by_role("button", name=re.compile("Delete busy block Team sync")).click()
    expect(toast(page)).to_have_text("Busy block removed.")
    assert not BusyBlock.objects.exists()


def test_test_a_lead_on_a_meeting_rules_draft(logged_in_page, acme):
    """Edit as draft: Marcus leaves the segment in the draft only. Test a lead on the
    draft's page offers Dana alone, says it ran the draft, and the live rule still
    offers both."""
    page = logged_in_page
    build_meeting_rule(page, acme)
    page.get_by_role("button", name="Edit as draft").click()
    expect(page.get_by_test_id("draft-badge")).to_have_text("Draft")
    card(page, "Business emails").get_by_role("link", name="Edit").click()
    page.get_by_label("Marcus Chen").uncheck()
    page.get_by_role("button", name="Save in draft").click()
    expect(toast(page)).to_have_text("Saved “Business emails” in the draft.")

    result = run_draft_test(page, "ana@bigco.com")
    expect(result.get_by_test_id("matched-segment")).to_have_text("Business emails")
    entries = page.get_by_test_id("rep-entries")
    expect(entries).to_contain_text("Dana Whitfield")
    expect(entries).not_to_contain_text("Marcus Chen")
    screenshot(page, "meeting-rule-draft-test.png")

    page.get_by_role("link", name="live rule").click()  # the draft card's link
    test = page.locator("#test-lead")
    test.get_by_label("Email").fill("ana@bigco.com")
    test.get_by_role("button", name="Run test").click()
    expect(page.get_by_test_id("test-result").locator(".result-line")).not_to_contain_text(
        "the draft"
    )
    expect(page.get_by_test_id("rep-entries")).to_contain_text("Marcus Chen")
