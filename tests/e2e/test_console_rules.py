"""Routing rules in the console: build segments with the condition builder, order them by
drag and drop, test a lead, and refuse invalid conditions."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from routing import actions
from routing.models import Chat, Decision, Lead, PoolMember, RoutingRule, Segment

from .conftest import nav, toast

G2_ENTERPRISE = {
    "all": [
        {"field": "attribution.channel", "op": "in", "value": ["G2"]},
        {"field": "company.employees", "op": "gt", "value": 200},
    ]
}
REP_LABEL = re.compile(r"^Rep:?$")  # Django's label_tag adds the colon
SUPPORT = {"all": [{"field": "intent.type", "op": "eq", "value": "support"}]}


# --------------------------------------------------------------------------- helpers


def cards(page: Page):
    return page.get_by_test_id("segment-card")


def card(page: Page, name: str):
    return cards(page).filter(has=page.locator(".seg-name", has_text=re.compile(f"^{name}$")))


def expect_order(page: Page, names: list[str]) -> None:
    expect(cards(page).locator(".seg-name")).to_have_text(names)


def db_order(rule: RoutingRule) -> list[str]:
    return list(Segment.objects.filter(rule=rule).order_by("order").values_list("name", flat=True))


def version(rule: RoutingRule) -> int:
    rule.refresh_from_db()
    return rule.version


def condition_row(page: Page, path: str):
    return page.locator(f'.cb-condition[data-cb-path="{path}"]')


def add_condition(page: Page):
    """Click the root group's own "Add condition" button."""
    root = page.locator('.cb-group[data-cb-path=""]')
    root.locator(":scope > .cb-group-actions").get_by_role("button", name="Add condition").click()


def open_rule(page: Page, acme, rule: RoutingRule) -> None:
    page.goto(f"{acme.ws}/rules/{rule.id}/")
    expect(page.get_by_role("heading", name=rule.name)).to_be_visible()


def make_rule(acme, name="G2 enterprise", segments=("G2 enterprise", "Support")) -> RoutingRule:
    rule = actions.create_rule(acme.workspace, kind="chat", name=name)
    specs = {
        "G2 enterprise": (G2_ENTERPRISE, {"type": "pool", "id": acme.pool.id}),
        "Support": (SUPPORT, {"type": "ai_agent", "id": acme.agent.id}),
    }
    for seg in segments:
        tree, assignee = specs.get(
            seg,
            (
                {"field": "lead.country", "op": "eq", "value": seg[:2].upper()},
                {"type": "rep", "id": acme.reps["Priya"].id},
            ),
        )
        actions.add_segment(rule, name=seg, conditions=tree, assignee=assignee)
    rule.refresh_from_db()
    return rule


# --------------------------------------------------------------------------- building


def test_build_a_rule_with_two_segments_in_the_condition_builder(logged_in_page, acme):
    page = logged_in_page
    nav(page, "Routing rules").click()
    page.get_by_label("Name").fill("G2 enterprise")
    page.get_by_role("button", name="Create rule").click()

    expect(toast(page)).to_have_text("Created rule “G2 enterprise”. Add segments below.")
    expect(page.get_by_role("heading", name="G2 enterprise")).to_be_visible()
    rule = RoutingRule.objects.get(workspace=acme.workspace, name="G2 enterprise")
    expect_order(page, ["Fallback"])

    # Segment 1: attribution.channel is one of G2 AND company.employees > 200 -> Enterprise pool.
    page.get_by_role("link", name="+ Add segment").click()
    expect(page.get_by_role("heading", name="New segment")).to_be_visible()
    page.get_by_label("Segment name").fill("G2 enterprise")
    expect(page.get_by_text("No conditions: every lead matches")).to_be_visible()

    add_condition(page)
    channel = condition_row(page, "all[0]")
    channel.get_by_label("Field", exact=True).select_option(label="Attribution channel")
    channel.get_by_label("Operator", exact=True).select_option(label="is one of")
    values = channel.get_by_label("Values", exact=True)
    values.fill("G2")
    values.press("Enter")
    expect(channel.locator(".cb-chip")).to_have_text(["G2"])

    add_condition(page)
    employees = condition_row(page, "all[1]")
    employees.get_by_label("Field", exact=True).select_option(label="Company employees")
    employees.get_by_label("Operator", exact=True).select_option(label=">")
    employees.get_by_label("Value", exact=True).fill("200")
    expect(page.locator(".cb-summary")).to_have_text("2 conditions")

    page.get_by_label("Assignee").select_option(label="A pool (round robin or load balanced)")
    expect(page.get_by_label(REP_LABEL)).to_be_hidden()
    page.get_by_label("Pool").select_option(label="Enterprise")
    page.get_by_role("button", name="Add segment").click()

    expect(toast(page)).to_have_text("Added segment “G2 enterprise”.")
    expect_order(page, ["G2 enterprise", "Fallback"])

    # Segment 2: intent.type = support -> an AI agent.
    page.get_by_role("link", name="+ Add segment").click()
    page.get_by_label("Segment name").fill("Support")
    add_condition(page)
    intent = condition_row(page, "all[0]")
    intent.get_by_label("Field", exact=True).select_option(label="Intent type")
    intent.get_by_label("Operator", exact=True).select_option(label="is")
    intent.get_by_label("Value", exact=True).select_option("support")
    page.get_by_label("Assignee").select_option(label="An AI agent")
    page.get_by_label("AI agent").select_option(label="Support Bot")
    page.get_by_role("button", name="Add segment").click()

    expect(toast(page)).to_have_text("Added segment “Support”.")
    expect_order(page, ["G2 enterprise", "Support", "Fallback"])
    expect(cards(page).locator(".pos")).to_have_text(["1", "2", "∞"])
    expect(cards(page).locator(".summary")).to_have_text(
        [
            "Attribution channel is one of G2 AND Company employees > 200",
            "Intent type is support",
            "Every lead that matches nothing above",
        ]
    )
    expect(cards(page).locator(".assign .chip")).to_have_text(
        [
            re.compile(r"Pool\s+Enterprise"),
            re.compile(r"AI agent\s+Support Bot"),
            re.compile(r"Default\s+Workspace default rep"),
        ]
    )
    expect(cards(page).last).to_have_class(re.compile(r"\bis-fallback\b"))
    expect(page.locator("h1 .badge", has_text=re.compile(r"^v\d+$"))).to_have_text("v3")

    # What was stored is exactly the tree that was built.
    segments = list(Segment.objects.filter(rule=rule).order_by("order"))
    assert [s.name for s in segments] == ["G2 enterprise", "Support", "Fallback"]
    assert segments[0].conditions == G2_ENTERPRISE
    assert (segments[0].assignee_type, segments[0].assignee_pool_id) == ("pool", acme.pool.id)
    assert segments[1].conditions == SUPPORT
    assert (segments[1].assignee_type, segments[1].assignee_agent_id) == ("ai_agent", acme.agent.id)
    assert segments[2].is_fallback
    assert version(rule) == 3

    # The rules list counts them.
    nav(page, "Routing rules").click()
    row = page.locator("tbody tr", has=page.get_by_role("link", name="G2 enterprise"))
    expect(row.locator("td").nth(1)).to_have_text("3")
    expect(row.locator("td").nth(3)).to_have_text("v3")


def test_edit_a_segment_shows_its_tree_and_saves_a_change(logged_in_page, acme):
    page = logged_in_page
    rule = make_rule(acme)
    before = version(rule)
    open_rule(page, acme, rule)
    card(page, "G2 enterprise").get_by_role("link", name="Edit").click()

    expect(page.get_by_role("heading", name="Edit segment")).to_be_visible()
    expect(page.get_by_label("Segment name")).to_have_value("G2 enterprise")
    employees = condition_row(page, "all[1]")
    expect(employees.get_by_label("Field", exact=True)).to_have_value("company.employees")
    expect(employees.get_by_label("Value", exact=True)).to_have_value("200")
    expect(page.get_by_label("Pool")).to_have_value(str(acme.pool.id))

    employees.get_by_label("Value", exact=True).fill("1000")
    page.get_by_role("button", name="Save segment").click()

    expect(toast(page)).to_have_text("Saved segment “G2 enterprise”.")
    expect(card(page, "G2 enterprise").locator(".summary")).to_have_text(
        "Attribution channel is one of G2 AND Company employees > 1000"
    )
    segment = Segment.objects.get(rule=rule, name="G2 enterprise")
    assert segment.conditions["all"][1] == {"field": "company.employees", "op": "gt", "value": 1000}
    assert version(rule) == before + 1


# --------------------------------------------------------------------------- ordering


def test_drag_the_bottom_segment_to_the_top(logged_in_page, acme):
    page = logged_in_page
    rule = make_rule(acme, name="Inbound", segments=("Alpha", "Bravo", "Charlie"))
    before = version(rule)
    open_rule(page, acme, rule)
    expect_order(page, ["Alpha", "Bravo", "Charlie", "Fallback"])

    card(page, "Charlie").locator(".handle").drag_to(card(page, "Alpha").locator(".handle"))

    expect(page.locator("#save-state")).to_have_text(f"Order saved · version {before + 1}")
    expect_order(page, ["Charlie", "Alpha", "Bravo", "Fallback"])
    expect(cards(page).locator(".pos")).to_have_text(["1", "2", "3", "∞"])

    page.reload()
    expect_order(page, ["Charlie", "Alpha", "Bravo", "Fallback"])
    expect(page.locator("h1 .badge", has_text=re.compile(r"^v\d+$"))).to_have_text(f"v{before + 1}")
    assert db_order(rule) == ["Charlie", "Alpha", "Bravo", "Fallback"]
    assert version(rule) == before + 1


def test_the_fallback_cannot_be_dragged(logged_in_page, acme):
    page = logged_in_page
    rule = make_rule(acme, name="Inbound", segments=("Alpha", "Bravo", "Charlie"))
    before = version(rule)
    open_rule(page, acme, rule)
    fallback = cards(page).last
    # The fallback has no visible handle: grab its card where the handle would be, then its
    # body, and drop it on the top segment.
    expect(fallback.locator(".handle")).to_have_attribute("aria-label", "Fallback (fixed)")
    expect(fallback.locator(".handle")).to_be_hidden()
    fallback.locator(".pos").drag_to(card(page, "Alpha").locator(".handle"))
    fallback.locator(".summary").drag_to(card(page, "Alpha"))
    expect_order(page, ["Alpha", "Bravo", "Charlie", "Fallback"])
    expect(page.locator("#save-state")).to_have_text("")

    page.reload()
    expect_order(page, ["Alpha", "Bravo", "Charlie", "Fallback"])
    assert db_order(rule) == ["Alpha", "Bravo", "Charlie", "Fallback"]
    assert version(rule) == before

    # A real move afterwards saves exactly one new version: the attempts above saved nothing.
    card(page, "Charlie").locator(".handle").drag_to(card(page, "Alpha").locator(".handle"))
    expect(page.locator("#save-state")).to_have_text(f"Order saved · version {before + 1}")

    page.reload()
    expect_order(page, ["Charlie", "Alpha", "Bravo", "Fallback"])
    assert db_order(rule) == ["Charlie", "Alpha", "Bravo", "Fallback"]
    assert version(rule) == before + 1


def test_a_segment_dropped_below_the_fallback_stays_above_it(logged_in_page, acme):
    page = logged_in_page
    rule = make_rule(acme, name="Inbound", segments=("Alpha", "Bravo", "Charlie"))
    before = version(rule)
    open_rule(page, acme, rule)
    fallback = cards(page).last
    box = fallback.bounding_box()

    # Drop the top segment on the lower edge of the fallback card: it may only land above it.
    card(page, "Alpha").locator(".handle").drag_to(
        fallback, target_position={"x": box["width"] / 2, "y": box["height"] - 4}
    )
    expect_order(page, ["Bravo", "Charlie", "Alpha", "Fallback"])
    expect(page.locator("#save-state")).to_have_text(f"Order saved · version {before + 1}")
    expect(cards(page).locator(".pos")).to_have_text(["1", "2", "3", "∞"])

    page.reload()
    expect_order(page, ["Bravo", "Charlie", "Alpha", "Fallback"])
    assert db_order(rule) == ["Bravo", "Charlie", "Alpha", "Fallback"]
    assert version(rule) == before + 1


def test_the_server_refuses_an_order_with_the_fallback_moved(logged_in_page, acme):
    """What the page would post if the fallback were dragged up: refused, nothing saved."""
    page = logged_in_page
    rule = make_rule(acme, name="Inbound", segments=("Alpha", "Bravo"))
    before = version(rule)
    open_rule(page, acme, rule)
    fallback_id = int(cards(page).last.get_attribute("data-id"))
    ids = [int(i) for i in cards(page).evaluate_all("els => els.map(e => e.dataset.id)")]
    answer = page.evaluate(
        """async (order) => {
            const list = document.getElementById("segments");
            const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
            const res = await fetch(list.dataset.reorderUrl, {
                method: "POST",
                headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
                body: JSON.stringify({order}),
            });
            return {status: res.status, body: await res.json()};
        }""",
        [fallback_id, *[i for i in ids if i != fallback_id]],
    )
    assert answer["status"] == 400
    assert answer["body"] == {"errors": {"order": ["The fallback segment stays last."]}}
    assert db_order(rule) == ["Alpha", "Bravo", "Fallback"]
    assert version(rule) == before


# --------------------------------------------------------------------------- test a lead


def test_test_a_lead_shows_segment_and_assignee_without_side_effects(logged_in_page, acme):
    page = logged_in_page
    rule = make_rule(acme)
    actions.create_link(
        acme.workspace, slug="g2-listing", name="G2 listing", channel="G2", chat_rule=rule
    )
    rotation = list(PoolMember.objects.order_by("id").values())
    counts = (Chat.objects.count(), Decision.objects.count(), Lead.objects.count())
    before = version(rule)
    open_rule(page, acme, rule)

    form = page.locator("#test-lead")
    form.get_by_label("Email").fill("ana@bigco.com")
    form.get_by_label("Employees").fill("500")
    form.get_by_label("Link").select_option(label="G2 listing")
    form.get_by_role("button", name="Run test").click()

    result = page.get_by_test_id("test-result")
    expect(result.get_by_test_id("matched-segment")).to_have_text("G2 enterprise")
    expect(result.get_by_test_id("matched-segment")).to_have_text(
        card(page, "G2 enterprise").locator(".seg-name").inner_text()
    )
    expect(result.locator(".who")).to_contain_text("Dana Whitfield")
    expect(result.locator(".who")).to_contain_text("from pool Enterprise")
    expect(result).to_contain_text(f"rule v{before}")
    trace = page.locator("#test-output").get_by_test_id("trace")
    first = trace.locator(".trace-seg").first
    expect(first.locator(".head")).to_contain_text("1. G2 enterprise")
    expect(first.locator(".head .badge")).to_have_text("assigned")
    expect(first.locator(".cond-table tbody tr")).to_have_text(
        [re.compile(r"Attribution channel is one of G2\s+G2"), re.compile(r"> 200\s+500")]
    )

    # Same lead, small company, asking for support: the Support segment.
    form.get_by_label("Employees").fill("20")
    form.get_by_label("Intent").select_option(label="Support")
    form.get_by_role("button", name="Run test").click()
    expect(result.get_by_test_id("matched-segment")).to_have_text("Support")
    expect(result.locator(".who")).to_contain_text("Support Bot")
    expect(result.locator(".who .badge")).to_have_text("AI agent")
    expect(trace.locator(".trace-seg .head .badge")).to_have_text(["no match", "assigned"])

    # No side effects: nothing written, no pool rotation, same rule version.
    assert (Chat.objects.count(), Decision.objects.count(), Lead.objects.count()) == counts
    assert list(PoolMember.objects.order_by("id").values()) == rotation
    assert version(rule) == before


def test_test_a_lead_without_email_explains_what_is_missing(logged_in_page, acme):
    page = logged_in_page
    rule = make_rule(acme)
    open_rule(page, acme, rule)
    form = page.locator("#test-lead")
    form.get_by_label("Email").fill("")
    with page.expect_response(re.compile(r"/test/$")):
        form.get_by_role("button", name="Run test").click()
    # Once, beside the Email field; the output only points at it.
    expect(form.locator(".form-row.field-error")).to_contain_text(
        "Give an email, or paste a context.", timeout=3000
    )
    expect(page.locator("#test-output").get_by_role("alert")).to_contain_text("fix the field")
    expect(page.get_by_test_id("test-result")).to_have_count(0)


def test_test_a_lead_on_a_rule_deleted_in_another_tab_says_so(logged_in_page, acme):
    page = logged_in_page
    rule = make_rule(acme)
    open_rule(page, acme, rule)
    actions.delete_rule(rule)  # another tab, another user or the API
    form = page.locator("#test-lead")
    form.get_by_label("Email").fill("ana@bigco.com")
    with page.expect_response(re.compile(r"/test/$")) as answer:
        form.get_by_role("button", name="Run test").click()
    assert answer.value.status == 404
    message = page.locator("#test-output").get_by_test_id("not-found")
    expect(message).to_contain_text("it was deleted")
    expect(message.get_by_role("link", name="Reload the page")).to_be_visible()
    page.locator("#test-output").screenshot(path="/tmp/not-found.png")


# --------------------------------------------------------------------------- invalid input


def test_a_non_number_for_employees_is_refused_and_nothing_is_saved(logged_in_page, acme):
    page = logged_in_page
    rule = make_rule(acme)
    before = (version(rule), Segment.objects.filter(rule=rule).count())
    open_rule(page, acme, rule)
    page.get_by_role("link", name="+ Add segment").click()
    page.get_by_label("Segment name").fill("Big companies")
    add_condition(page)
    row = condition_row(page, "all[0]")
    row.get_by_label("Field", exact=True).select_option(label="Company employees")
    row.get_by_label("Operator", exact=True).select_option(label=">")
    row.get_by_label("Value", exact=True).fill("lots")
    expect(row.get_by_label("Value", exact=True)).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Assignee").select_option(label="A rep")
    page.get_by_label(REP_LABEL).select_option(label="Priya Raman")
    page.get_by_role("button", name="Add segment").click()

    errors = page.get_by_test_id("conditions-error")
    # Said once, beside the condition (the list below hides), in the catalog's words.
    expect(errors).to_be_hidden()
    expect(errors).to_contain_text("The condition “Company employees >”")
    # The builder points at the offending condition and keeps what was typed.
    bad = condition_row(page, "all[0]")
    expect(bad).to_have_class(re.compile(r"\bcb-error\b"))
    expect(bad.locator(".cb-error-msg")).to_be_visible()
    expect(bad.get_by_label("Value", exact=True)).to_have_value("lots")
    expect(page.get_by_label("Segment name")).to_have_value("Big companies")
    expect(page.get_by_role("heading", name="New segment")).to_be_visible()

    assert (version(rule), Segment.objects.filter(rule=rule).count()) == before
    assert not Segment.objects.filter(name="Big companies").exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ('{"all": [{"field": "company.employees", "op": "bigger", "value": 5}]}', "bigger"),
        ('{"all": [', "not valid JSON"),
    ],
    ids=["unknown-operator", "broken-json"],
)
def test_invalid_json_conditions_are_refused(logged_in_page, acme, typed, message):
    page = logged_in_page
    rule = make_rule(acme)
    segment = Segment.objects.get(rule=rule, name="Support")
    stored = segment.conditions
    before = (version(rule), Segment.objects.filter(rule=rule).count())
    open_rule(page, acme, rule)
    card(page, "Support").get_by_role("link", name="Edit").click()

    page.get_by_role("button", name="Edit as JSON").click()
    page.get_by_label("Conditions JSON").fill(typed)
    page.get_by_role("button", name="Save segment").click()

    errors = page.get_by_test_id("conditions-error")
    expect(errors).to_contain_text(message)
    expect(page.get_by_role("heading", name="Edit segment")).to_be_visible()
    segment.refresh_from_db()
    assert segment.conditions == stored
    assert (version(rule), Segment.objects.filter(rule=rule).count()) == before
