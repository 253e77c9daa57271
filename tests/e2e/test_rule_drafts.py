"""Issue 17 in the browser: edit a rule as a draft while the live version keeps routing,
read the diff, publish, then roll back; discard a draft."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from routing import actions
from routing.models import Chat, RuleDraft

from .conftest import screenshot, toast
from .test_console_rules import (
    add_condition,
    card,
    cards,
    condition_row,
    db_order,
    expect_order,
    version,
)

BIGCO = {"field": "lead.domain", "op": "eq", "value": "bigco.com"}
SUPPORT = {"field": "intent.type", "op": "eq", "value": "support"}


def make_rule(acme):
    """Inbound on link `website`: BigCo -> Dana, Support -> the bot, then the fallback."""
    rule = actions.create_rule(acme.workspace, kind="chat", name="Inbound")
    actions.add_segment(
        rule, name="BigCo", conditions=BIGCO, assignee={"type": "rep", "id": acme.reps["Dana"].id}
    )
    actions.add_segment(
        rule, name="Support", conditions=SUPPORT, assignee={"type": "ai_agent", "id": acme.agent.id}
    )
    actions.create_link(acme.workspace, slug="website", name="Website", chat_rule=rule.id)
    rule.refresh_from_db()
    return rule


def chat_on_public_page(page: Page, acme, email: str) -> Chat:
    lead = page.context.new_page()
    lead.goto(f"/l/{acme.workspace.slug}/website/")
    lead.get_by_label("Work email").fill(email)
    lead.get_by_label("How can we help?").fill("We want a demo")
    lead.get_by_role("button", name="Start chat").click()
    expect(lead.get_by_role("heading", name="Thanks!")).to_be_visible()
    lead.close()
    return Chat.objects.select_related("decision").get(lead__email=email)


def routed_to(acme, email: str) -> int:
    routed = actions.route_chat(acme.workspace, {"link": "website", "lead": {"email": email}})
    return routed.chat.decision.rep_id


def run_draft_test(page: Page, email: str):
    """Test a lead on a draft's page (its card says it runs the draft); the result."""
    test = page.locator("#test-lead")
    expect(test.locator(".card-note")).to_have_text("Runs the draft · no side effects")
    test.get_by_label("Email").fill(email)
    test.get_by_role("button", name="Run test").click()
    result = page.get_by_test_id("test-result")
    expect(result.locator(".result-line")).to_contain_text("the draft")
    return result


def confirm_next(page: Page, expected: str) -> None:
    def accept(dialog):
        assert expected in dialog.message, dialog.message
        dialog.accept()

    page.once("dialog", accept)


def test_edit_as_draft_publish_and_roll_back(logged_in_page, acme):
    page = logged_in_page
    rule = make_rule(acme)
    live_version = version(rule)  # v3
    dana, marcus = acme.reps["Dana"], acme.reps["Marcus"]
    page.goto(f"{acme.ws}/rules/{rule.id}/")
    page.get_by_role("button", name="Edit as draft").click()
    expect(page).to_have_url(re.compile(rf"/rules/{rule.id}/draft/$"))
    expect(page.get_by_test_id("draft-badge")).to_have_text("Draft")
    expect(page.get_by_test_id("draft-changes")).to_have_text("Draft: 0 changes")

    # 1. BigCo goes to Marcus instead of Dana (the live editor's form, saving into the draft).
    card(page, "BigCo").get_by_role("link", name="Edit").click()
    expect(page.get_by_test_id("draft-badge")).to_be_visible()
    page.get_by_label("Rep", exact=True).select_option(label="Marcus Chen")
    page.get_by_role("button", name="Save in draft").click()
    expect(toast(page)).to_have_text("Saved “BigCo” in the draft.")
    expect(card(page, "BigCo").locator(".chip")).to_contain_text("Marcus Chen")
    expect(page.get_by_test_id("draft-changes")).to_have_text("Draft: 1 change")

    # 2. Delete Support from the draft (confirmed first).
    confirm_next(page, "from the draft")
    card(page, "Support").get_by_role("button", name="Delete").click()
    expect(toast(page)).to_have_text("Deleted the segment from the draft.")

    # 3. Add a segment, then move it to the top with the keyboard's ↑ button.
    page.get_by_role("link", name="+ Add segment").click()
    page.get_by_label("Segment name").fill("Partners")
    add_condition(page)
    channel = condition_row(page, "all[0]")
    channel.get_by_label("Field", exact=True).select_option(label="Attribution channel")
    channel.get_by_label("Operator", exact=True).select_option(label="is one of")
    values = channel.get_by_label("Values", exact=True)
    values.fill("Partners")
    values.press("Enter")
    page.get_by_label("Rep", exact=True).select_option(label="Priya Raman")
    page.get_by_role("button", name="Add to draft").click()
    expect(toast(page)).to_have_text("Added “Partners” to the draft.")
    with page.expect_response(re.compile(r"/draft/reorder/$")):
        page.get_by_role("button", name="Move Partners up").click()
    expect_order(page, ["Partners", "BigCo", "Fallback"])
    expect(page.get_by_test_id("draft-changes")).to_have_text("Draft: 3 changes")
    expect(page.locator("#save-state")).to_have_text("Order saved in the draft")
    page.reload()
    expect_order(page, ["Partners", "BigCo", "Fallback"])
    expect(page.get_by_test_id("draft-summary")).to_contain_text(
        "Added “Partners”; changed “BigCo” (assignee); removed “Support”"
    )
    expect(card(page, "Partners").locator(".summary")).to_have_text(
        "Attribution channel is one of Partners"
    )
    screenshot(page, "rule-draft-editor.png")

    # Test a lead against the draft before publishing: there BigCo goes to Marcus.
    result = run_draft_test(page, "quinn@bigco.com")
    expect(result.get_by_test_id("matched-segment")).to_have_text("BigCo")
    expect(result.locator(".who")).to_contain_text("Marcus Chen")
    result.scroll_into_view_if_needed()
    screenshot(page, "rule-draft-test.png")
    assert not Chat.objects.filter(lead__email="quinn@bigco.com").exists()

    # The live version still routes: nothing live moved, a BigCo lead goes to Dana.
    assert db_order(rule) == ["BigCo", "Support", "Fallback"]
    assert version(rule) == live_version
    chat = chat_on_public_page(page, acme, "casey@bigco.com")
    assert chat.decision.rep_id == dana.id
    assert chat.decision.rule_version == live_version

    # The diff, side by side: live v3 against the draft.
    page.get_by_role("link", name="View diff").click()
    expect(page.get_by_test_id("diff-title")).to_have_text(f"v{live_version} → Draft")
    rows = page.get_by_test_id("diff-table").locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_have_attribute("data-status", "added")
    expect(rows.nth(1)).to_contain_text("Assignee: Rep Dana Whitfield → Rep Marcus Chen")
    expect(page.locator('tr[data-status="removed"]')).to_contain_text("Support")
    screenshot(page, "rule-draft-diff.png")

    # Publish (confirmed): one new version, which routes BigCo to Marcus.
    page.get_by_role("link", name="Draft", exact=True).click()
    confirm_next(page, "Publish the draft?")
    page.get_by_role("button", name="Publish").click()
    expect(toast(page)).to_have_text(f"Published the draft: live as v{live_version + 1}.")
    expect(page.get_by_test_id("rule-version")).to_have_text(f"v{live_version + 1}")
    expect_order(page, ["Partners", "BigCo", "Fallback"])
    history = page.get_by_test_id("history-row")
    expect(history.first).to_contain_text("Published draft: Added “Partners”")
    expect(history.first).to_contain_text("console: ops")
    assert not RuleDraft.objects.filter(rule=rule).exists()
    assert routed_to(acme, "drew@bigco.com") == marcus.id

    # Roll back to v3 from the History card: live again as v5, BigCo back to Dana.
    row = history.filter(has=page.get_by_role("link", name=f"v{live_version}", exact=True))
    confirm_next(page, f"Roll back to v{live_version}?")
    row.get_by_role("button", name="Roll back").click()
    expect(toast(page)).to_have_text(
        f"Rolled back to v{live_version}: now live as v{live_version + 2}."
    )
    expect_order(page, ["BigCo", "Support", "Fallback"])
    assert routed_to(acme, "erin@bigco.com") == dana.id


def test_discard_a_draft(logged_in_page, acme):
    page = logged_in_page
    rule = make_rule(acme)
    page.goto(f"{acme.ws}/rules/{rule.id}/")
    page.get_by_role("button", name="Edit as draft").click()
    confirm_next(page, "from the draft")
    card(page, "BigCo").get_by_role("button", name="Delete").click()
    expect(page.get_by_test_id("draft-changes")).to_have_text("Draft: 1 change")
    # The live page says a draft is waiting.
    page.goto(f"{acme.ws}/rules/{rule.id}/")
    expect(page.get_by_test_id("pending-draft")).to_contain_text("Draft: 1 change")
    page.get_by_role("link", name="Continue draft (1 change)").click()
    confirm_next(page, "Discard this draft?")
    page.get_by_role("button", name="Discard draft").click()
    expect(toast(page)).to_have_text("Discarded the draft; the live rule is unchanged.")
    expect(cards(page)).to_have_count(3)
    expect(page.get_by_role("button", name="Edit as draft")).to_be_visible()
    assert db_order(rule) == ["BigCo", "Support", "Fallback"]
