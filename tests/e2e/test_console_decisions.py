"""The decision log: filter it, open a decision, and read why the lead went where it went."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from routing import actions
from routing.models import Decision, Workspace

from .conftest import log_in, nav
from .test_console_rules import make_rule

LEADS = [
    # email, employees, intent
    ("ana@northwind.com", 1200, "buying"),
    ("ben@globex.com", 5400, "buying"),
    ("chloe@initech.io", 340, "buying"),
    ("dev@tinyshop.io", 12, "support"),
    ("eli@petitatelier.fr", 50, "buying"),
]


@pytest.fixture
def routed(acme):
    """Five chats through the G2 link: three to the pool, one to the AI agent, one to the
    fallback (the workspace's default rep, Priya)."""
    rule = make_rule(acme)
    actions.create_link(
        acme.workspace, slug="g2-listing", name="G2 listing", channel="G2", chat_rule=rule
    )
    actions.update_workspace(acme.workspace, default_rep=acme.reps["Priya"].id)
    acme.workspace.refresh_from_db()
    for email, employees, intent in LEADS:
        actions.route_chat(
            acme.workspace,
            {
                "link": "g2-listing",
                "lead": {"email": email},
                "company": {"name": email.split("@")[1], "employees": employees},
                "intent": {"type": intent},
                "message": "Hello",
            },
        )
    return rule


def decision_rows(page):
    return page.locator("tbody tr[data-decision]")


def test_filter_the_log_by_rep_and_read_a_trace(logged_in_page, acme, routed):
    page = logged_in_page
    nav(page, "Decisions").click()
    expect(page.get_by_role("heading", name="Decisions")).to_be_visible()
    expect(decision_rows(page)).to_have_count(5)
    expect(page.locator(".pager")).to_contain_text("5 decisions")
    # Newest first.
    expect(decision_rows(page).first).to_contain_text("eli@petitatelier.fr")

    # Filter by each pool member: exactly the decisions that went to them.
    for rep in ("Dana", "Marcus"):
        expected = sorted(
            Decision.objects.filter(rep=acme.reps[rep]).values_list("lead__email", flat=True)
        )
        assert expected, f"the pool gave {rep} nothing"
        page.get_by_label("Rep").select_option(label=acme.reps[rep].name)
        page.get_by_role("button", name="Filter").click()
        expect(page).to_have_url(re.compile(rf"rep={acme.reps[rep].id}"))
        expect(decision_rows(page)).to_have_count(len(expected))
        chips = decision_rows(page).locator(".chip")
        expect(chips).to_have_text([acme.reps[rep].name] * len(expected))
        emails = sorted(decision_rows(page).locator("td.lead a").all_text_contents())
        assert emails == expected
        expect(page.get_by_label("Rep")).to_have_value(str(acme.reps[rep].id))

    # Priya got the one lead that matched no segment.
    page.get_by_label("Rep").select_option(label="Priya Raman")
    page.get_by_role("button", name="Filter").click()
    expect(decision_rows(page)).to_have_count(1)
    row = decision_rows(page).first
    expect(row).to_contain_text("eli@petitatelier.fr")
    expect(row).to_contain_text("Fallback")
    expect(row).to_contain_text("G2 listing")
    expect(page.locator(".pager")).to_contain_text("1 decision")

    row.get_by_role("link", name="eli@petitatelier.fr").click()
    expect(page.get_by_role("heading", name="eli@petitatelier.fr → Priya Raman")).to_be_visible()
    expect(page.locator(".page-head .sub")).to_contain_text(f"G2 enterprise v{routed.version}")

    trace = page.get_by_test_id("trace")
    segments = trace.locator(".trace-seg")
    expect(segments.locator(".head > span:first-child")).to_have_text(
        ["1. G2 enterprise", "2. Support", "3. Fallback"]
    )
    expect(segments.locator(".head .badge")).to_have_text(["no match", "no match", "assigned"])

    def condition_rows(index):
        return segments.nth(index).locator(".cond-table tbody tr")

    # Each condition with the value it saw, and whether it held.
    expect(condition_rows(0)).to_have_count(2)
    expect(condition_rows(0).nth(0).locator("td")).to_have_text(
        ["Attribution channel is one of G2", "G2", "✓"]
    )
    expect(condition_rows(0).nth(1).locator("td")).to_have_text(
        ["Company employees > 200", "50", "✗"]
    )
    expect(condition_rows(1).locator("td")).to_have_text(["Intent type is support", "buying", "✗"])
    expect(condition_rows(2)).to_contain_text("No conditions (every lead)")

    # The context it was evaluated on.
    context = page.locator(".card", has=page.get_by_role("heading", name="Context"))
    expect(context.locator(".ns h3")).to_contain_text(["lead", "company", "attribution"])
    company = context.locator(".ns", has=page.get_by_role("heading", name="company", exact=True))
    expect(company.locator("dt", has_text="employees")).to_have_count(1)
    expect(company.locator("dd")).to_contain_text(["50"])


def test_the_trace_of_a_pool_assignment(logged_in_page, acme, routed):
    page = logged_in_page
    decision = Decision.objects.get(lead__email="ana@northwind.com")
    page.goto(f"{acme.ws}/decisions/{decision.id}/")
    expect(page.get_by_role("heading", name=f"ana@northwind.com → {decision.assignee_name}"))
    trace = page.get_by_test_id("trace")
    expect(trace.locator(".trace-seg")).to_have_count(1)
    expect(trace.locator(".trace-seg .head .badge")).to_have_text("assigned")
    expect(trace.locator(".cond-table tbody tr td:nth-child(2)")).to_have_text(["G2", "1200"])
    expect(trace).to_contain_text("2 segments below were not reached.")
    expect(trace.locator(".trace-lines li").first).to_be_visible()


def test_clear_resets_the_filters(logged_in_page, acme, routed):
    page = logged_in_page
    page.goto(f"{acme.ws}/decisions/?rep={acme.reps['Priya'].id}")
    expect(decision_rows(page)).to_have_count(1)
    page.get_by_role("link", name="Clear").click()
    expect(decision_rows(page)).to_have_count(5)
    expect(page.get_by_label("Rep")).to_have_value("")


def test_a_decision_of_another_workspace_is_404(logged_in_page, acme, routed):
    page = logged_in_page
    other_rep = acme.other.reps.get()
    actions.update_workspace(acme.other, default_rep=other_rep.id)
    acme.other.refresh_from_db()
    routed_b = actions.route_chat(acme.other, {"lead": {"email": "zoe@secret.example"}})
    response = page.goto(f"{acme.ws}/decisions/{routed_b.decision.id}/")
    assert response.status == 404
    page.goto(f"{acme.ws}/decisions/")
    expect(decision_rows(page)).to_have_count(5)
    expect(page.locator("tbody")).not_to_contain_text("zoe@secret.example")


def test_demo_fallback_decisions_go_to_the_workspace_default_rep(page, transactional_db):
    call_command("seed_demo", chats=40, stdout=io.StringIO())
    demo = Workspace.objects.get(slug="demo-co")
    assert demo.default_rep.name == "Priya Raman"
    log_in(page, "demo", "knock-demo")
    page.goto(f"/w/{demo.id}/decisions/")
    page.get_by_label("Rule").select_option(label="Default chat rule")
    page.get_by_role("button", name="Filter").click()
    rows = decision_rows(page)
    expect(rows.first).to_be_visible()
    # The default chat rule has only its fallback, which routes to the workspace default rep.
    assignees = rows.locator(".chip").all_text_contents()
    assert assignees and set(assignees) == {"Priya Raman"}, assignees
