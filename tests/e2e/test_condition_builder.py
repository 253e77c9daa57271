"""Browser tests of the condition builder (static/js/condition-builder.js).

No server and no database: each test loads a harness page (the JS and CSS files
inlined, plus a catalog built from ``routing.catalog`` in the shape the console
renders) into headless Chromium and drives it like a person would: clicks,
selects and typing. The only thing read through JavaScript is the value of the
form's ``conditions`` textarea, which is what the page posts.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from routing import catalog, conditions

ROOT = Path(__file__).resolve().parents[2]
JS = (ROOT / "static/js/condition-builder.js").read_text()
CSS = (ROOT / "static/css/condition-builder.css").read_text()
SCREENSHOT = Path("/tmp/condition-builder.png")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def catalog_json() -> dict:
    """The catalog in the shape the segment form renders into #condition-catalog."""
    return {
        "fields": [
            {"path": f.path, "label": f.label, "type": f.type, "choices": list(f.choices)}
            for f in catalog.FIELDS.values()
        ],
        "operators": {
            t: [[op, catalog.OPERATOR_LABELS[op]] for op in ops]
            for t, ops in catalog.OPERATORS_BY_TYPE.items()
        },
        "open_prefixes": [["custom.", "Custom field"], ["crm.fields.", "CRM field"]],
    }


def harness(tree, error_path=None, error_message=None, raw_text=None, extra_css="") -> str:
    text = raw_text if raw_text is not None else json.dumps(tree)
    attrs = ""
    if error_path is not None:
        attrs += f' data-error-path="{html.escape(error_path)}"'
    if error_message is not None:
        attrs += f' data-error-message="{html.escape(error_message)}"'
    # "</" cannot appear inside a <script> element.
    catalog_text = json.dumps(catalog_json()).replace("</", "<\\/")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Condition builder</title>
<style>{extra_css}</style>
<style>body {{ margin: 0; padding: 24px; background: #f6f7fb; }}
form {{ max-width: 920px; }}</style>
<style>{CSS}</style>
</head><body>
<form id="segment-form" onsubmit="return false">
  <div class="condition-builder" data-condition-builder{attrs}>
    <textarea name="conditions" hidden>{html.escape(text)}</textarea>
  </div>
</form>
<script id="condition-catalog" type="application/json">{catalog_text}</script>
<script>{JS}</script>
</body></html>"""


# `browser` is the session's Chromium from conftest.py: Playwright's sync API
# cannot run twice at once in one process.


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def load(page: Page, tree=None, **kw) -> Page:
    page.set_content(harness({"all": []} if tree is None else tree, **kw))
    expect(page.locator(".cb-ui")).to_have_count(1)
    return page


def posted(page: Page):
    """The tree the form would post (the textarea's current value)."""
    return json.loads(page.locator('textarea[name="conditions"]').input_value())


def posted_valid(page: Page):
    tree = posted(page)
    conditions.validate(tree)  # raises ConditionError if the server would refuse it
    return tree


def group(page: Page, path: str = ""):
    return page.locator(f'.cb-group[data-cb-path="{path}"]')


def row(page: Page, path: str):
    return page.locator(f'.cb-condition[data-cb-path="{path}"]')


def actions(page: Page, path: str = ""):
    return group(page, path).locator(":scope > .cb-group-actions")


def add_condition(page: Page, path: str = ""):
    actions(page, path).get_by_role("button", name="Add condition").click()


def add_group(page: Page, path: str = ""):
    actions(page, path).get_by_role("button", name="Add group").click()


def label(locator, text: str):
    return locator.get_by_label(text, exact=True)


def option_values(select) -> list[str]:
    return select.locator("option").evaluate_all("els => els.map(e => e.value)")


# --------------------------------------------------------------------------- building


EXAMPLE = {
    "all": [
        {"field": "company.employees", "op": "gt", "value": 200},
        {
            "any": [
                {"field": "attribution.channel", "op": "in", "value": ["LinkedIn Ads", "G2"]},
                {"field": "intent.type", "op": "eq", "value": "buying"},
            ]
        },
    ]
}


def build_example(page: Page) -> None:
    add_condition(page)
    first = row(page, "all[0]")
    label(first, "Field").select_option("company.employees")
    label(first, "Operator").select_option(label=">")
    label(first, "Value").fill("200")

    add_group(page)
    label(group(page, "all[1]"), "Match").select_option("any")
    channel = row(page, "all[1].any[0]")
    label(channel, "Field").select_option(label="Attribution channel")
    label(channel, "Operator").select_option(label="is one of")
    values = label(channel, "Values")
    values.fill("LinkedIn Ads, G2")
    values.press("Enter")

    add_condition(page, "all[1]")
    intent = row(page, "all[1].any[1]")
    label(intent, "Field").select_option("intent.type")
    label(intent, "Operator").select_option(label="is")
    label(intent, "Value").select_option("buying")


def test_build_example_tree_from_empty(page):
    load(page)
    expect(page.get_by_text("No conditions: every lead matches")).to_be_visible()
    assert posted_valid(page) == {"all": []}

    build_example(page)

    expect(page.get_by_text("No conditions: every lead matches")).to_have_count(0)
    assert posted_valid(page) == EXAMPLE
    channel = row(page, "all[1].any[0]")
    expect(channel.locator(".cb-chip")).to_have_text(["LinkedIn Ads", "G2"])
    expect(page.locator(".cb-summary")).to_have_text("3 conditions")
    assert conditions.describe(posted(page)) == (
        "Company employees > 200 AND (Attribution channel is one of LinkedIn Ads, G2"
        " OR Intent type is buying)"
    )


def test_screenshot_of_a_built_tree(page):
    console_css = ROOT / "static/css/console.css"
    extra = console_css.read_text() if console_css.exists() else ""
    tree = {
        "all": [
            {"field": "company.employees", "op": "between", "value": [200, 5000]},
            {
                "any": [
                    {"field": "attribution.channel", "op": "in", "value": ["LinkedIn Ads", "G2"]},
                    {"field": "intent.type", "op": "eq", "value": "buying"},
                    {"not": {"field": "lead.domain", "op": "domain_in", "value": ["gmail.com"]}},
                ]
            },
            {"field": "custom.plan", "op": "eq", "value": "enterprise"},
            {"field": "crm.exists", "op": "is_true"},
            {"not": {"all": [{"field": "session.device", "op": "in", "value": ["mobile"]}]}},
        ]
    }
    load(page, tree, error_path="all[2]", error_message="value must not be empty", extra_css=extra)
    page.locator(".condition-builder").screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000
    assert posted_valid(page) == tree


# --------------------------------------------------------------------------- round trips


ROUND_TRIPS = [
    {"all": []},
    {"any": []},
    EXAMPLE,
    {
        "all": [
            {"not": {"field": "lead.is_personal_email", "op": "is_true"}},
            {"not": {"any": [{"field": "crm.exists", "op": "is_false"}]}},
            {"field": "company.revenue", "op": "between", "value": [1000000, 50000000]},
            {"field": "lead.email", "op": "exists"},
            {"field": "crm.owner_rep", "op": "not_exists"},
        ]
    },
    {
        "any": [
            {"field": "custom.plan", "op": "eq", "value": "enterprise"},
            {"field": "crm.fields.Industry__c", "op": "in", "value": ["SaaS", "Fintech"]},
            {"field": "company.sic_code", "op": "starts_with", "value": "73"},
            {"field": "lead.domain", "op": "domain_in", "value": ["acme.com", "example.org"]},
            {"field": "lead.email", "op": "matches", "value": "^ceo@"},
        ]
    },
    {"not": {"all": [{"field": "session.pages_viewed", "op": "gte", "value": 3}]}},
    {
        "all": [
            {
                "any": [
                    {"all": [{"field": "signals.engagement_score", "op": "lt", "value": 10}]},
                    {"any": []},
                ]
            },
            {"field": "session.device", "op": "neq", "value": "mobile"},
            {"field": "company.tech", "op": "contains", "value": "Salesforce"},
            {"field": "company.employees", "op": "in", "value": [10, 20, 50]},
            {"field": "session.time_on_site", "op": "lte", "value": 2.5},
        ]
    },
    # A bare leaf and a negated leaf at the root are valid trees too.
    {"field": "lead.country", "op": "eq", "value": "FR"},
    {"not": {"field": "intent.score", "op": "eq", "value": "low"}},
    # Values the widgets would not produce themselves are kept as they are.
    {
        "all": [
            {"field": "lead.title", "op": "eq", "value": True},
            {"field": "intent.type", "op": "eq", "value": "Buying"},
            {"field": "company.name", "op": "gt", "value": 5},
            {"not": {"not": {"field": "link.slug", "op": "eq", "value": "demo"}}},
        ]
    },
]


@pytest.mark.parametrize("tree", ROUND_TRIPS, ids=lambda t: json.dumps(t)[:60])
def test_round_trip(page, tree):
    conditions.validate(tree)
    load(page, tree)
    assert posted_valid(page) == tree
    # ... and again after a trip through the JSON view.
    toggle = page.get_by_role("button", name="Edit as JSON")
    toggle.click()
    assert json.loads(page.get_by_label("Conditions JSON").input_value()) == tree
    toggle.click()
    assert posted_valid(page) == tree


def test_round_trip_shows_the_tree(page):
    load(page, ROUND_TRIPS[3])
    leaf = row(page, "all[0]")
    expect(label(leaf, "Negate condition")).to_be_checked()
    expect(label(leaf, "Field")).to_have_value("lead.is_personal_email")
    expect(label(leaf, "Operator")).to_have_value("is_true")
    expect(label(leaf, "Value")).to_have_count(0)
    expect(label(group(page, "all[1]"), "Negate group")).to_be_checked()
    between = row(page, "all[2]")
    expect(label(between, "From")).to_have_value("1000000")
    expect(label(between, "To")).to_have_value("50000000")

    load(page, ROUND_TRIPS[4])
    plan = row(page, "any[0]")
    expect(label(plan, "Field")).to_have_value("__custom__")
    expect(label(plan, "Custom field prefix")).to_have_value("custom.")
    expect(label(plan, "Custom field name")).to_have_value("plan")
    expect(label(plan, "Value")).to_have_value("enterprise")
    industry = row(page, "any[1]")
    expect(label(industry, "Custom field prefix")).to_have_value("crm.fields.")
    expect(label(industry, "Custom field name")).to_have_value("Industry__c")
    expect(industry.locator(".cb-chip")).to_have_text(["SaaS", "Fintech"])
    sic = row(page, "any[2]")
    expect(label(sic, "Custom field prefix")).to_have_value("")
    expect(label(sic, "Custom field name")).to_have_value("company.sic_code")
    expect(label(sic, "Operator")).to_have_value("starts_with")


def test_unrepresentable_nodes_are_kept(page):
    # Not valid (the server would name all[0] and all[1]), but a re-rendered
    # form must post back exactly what the user submitted.
    tree = {"all": [{"field": "lead.email", "op": "eq", "value": "a", "note": "x"}, 5]}
    load(page, tree, error_path="all[0]", error_message="unknown key(s): 'note'")
    assert posted(page) == tree
    raw = row(page, "all[0]")
    expect(raw).to_have_class(lambda_has("cb-error"))
    fixed = label(raw, "Raw condition JSON")
    fixed.fill('{"field": "lead.email", "op": "eq", "value": "a"}')
    fixed.press("Tab")
    expect(label(row(page, "all[0]"), "Field")).to_have_value("lead.email")
    label(row(page, "all[1]"), "Remove condition").click()
    assert posted_valid(page) == {"all": [{"field": "lead.email", "op": "eq", "value": "a"}]}


def lambda_has(cls: str):
    import re

    return re.compile(rf"(^|\s){re.escape(cls)}(\s|$)")


# ------------------------------------------------------------------ field / operator / value


def test_operator_list_follows_the_field_type(page):
    load(page)
    add_condition(page)
    r = row(page, "all[0]")
    field, op = label(r, "Field"), label(r, "Operator")

    field.select_option("company.employees")
    assert option_values(op) == list(catalog.OPERATORS_BY_TYPE["int"])
    field.select_option("lead.is_personal_email")
    assert option_values(op) == list(catalog.OPERATORS_BY_TYPE["bool"])
    expect(op).to_have_value("is_true")
    field.select_option("lead.email")
    assert option_values(op) == list(catalog.OPERATORS_BY_TYPE["email"])
    field.select_option("company.tech")
    assert option_values(op) == list(catalog.OPERATORS_BY_TYPE["list"])
    field.select_option("session.device")
    assert option_values(op) == list(catalog.OPERATORS_BY_TYPE["choice"])
    field.select_option("lead.name")
    assert option_values(op) == list(catalog.OPERATORS_BY_TYPE["string"])
    # A string field holding a domain also offers domain_in, like the server.
    field.select_option("company.domain")
    assert option_values(op) == list(catalog.operators_for("company.domain"))
    assert "domain_in" in option_values(op)

    # Custom fields are strings; typing a name ending in "domain" adds domain_in.
    field.select_option(label="Custom field…")
    expect(label(r, "Custom field name")).to_be_focused()
    assert option_values(op) == list(catalog.OPERATORS_BY_TYPE["string"])
    label(r, "Custom field name").fill("company_domain")
    assert "domain_in" in option_values(op)
    label(r, "Custom field prefix").select_option("crm.fields.")
    assert posted(page)["all"][0]["field"] == "crm.fields.company_domain"

    # Field options are grouped by namespace.
    groups = label(r, "Field").locator("optgroup").evaluate_all("els => els.map(e => e.label)")
    assert groups == [
        "Lead",
        "Company",
        "Session",
        "Attribution",
        "Intent",
        "CRM",
        "Signals",
        "Link",
        "Custom",
    ]


def test_value_input_follows_the_operator(page):
    load(page)
    add_condition(page)
    r = row(page, "all[0]")
    label(r, "Field").select_option("company.employees")
    op = label(r, "Operator")

    op.select_option("eq")
    expect(label(r, "Value")).to_have_attribute("inputmode", "decimal")
    label(r, "Value").fill("250")
    assert posted_valid(page)["all"][0] == {"field": "company.employees", "op": "eq", "value": 250}

    op.select_option("between")
    expect(label(r, "Value")).to_have_count(0)
    expect(label(r, "From")).to_have_value("250")
    label(r, "To").fill("1000")
    assert posted_valid(page)["all"][0]["value"] == [250, 1000]

    op.select_option("in")
    expect(label(r, "Values")).to_be_visible()
    label(r, "Values").fill("10, 20,")
    label(r, "Values").press_sequentially("30")
    # The range's bounds are kept as the first items.
    expect(r.locator(".cb-chip")).to_have_text(["250", "1000", "10", "20"])
    assert posted_valid(page)["all"][0]["value"] == [250, 1000, 10, 20, 30]
    label(r, "Values").press("Enter")
    r.get_by_role("button", name="Remove 250").click()
    r.get_by_role("button", name="Remove 1000").click()
    expect(r.locator(".cb-chip")).to_have_text(["10", "20", "30"])
    assert posted_valid(page)["all"][0]["value"] == [10, 20, 30]

    op.select_option("exists")
    for name in ("Value", "Values", "From", "To"):
        expect(label(r, name)).to_have_count(0)
    assert posted_valid(page)["all"][0] == {"field": "company.employees", "op": "exists"}

    # A choice field offers its choices; text operators get a text box.
    label(r, "Field").select_option("session.device")
    label(r, "Operator").select_option("eq")
    assert option_values(label(r, "Value")) == ["desktop", "mobile", "tablet"]
    label(r, "Value").select_option("tablet")
    device = {"field": "session.device", "op": "eq", "value": "tablet"}
    assert posted_valid(page)["all"][0] == device

    label(r, "Field").select_option("lead.title")
    label(r, "Operator").select_option("contains")
    label(r, "Value").fill("VP")
    assert posted_valid(page)["all"][0] == {"field": "lead.title", "op": "contains", "value": "VP"}
    label(r, "Field").select_option("lead.is_personal_email")
    expect(label(r, "Value")).to_have_count(0)
    assert posted_valid(page)["all"][0] == {"field": "lead.is_personal_email", "op": "is_true"}


def test_bad_numbers_are_posted_as_typed(page):
    load(page)
    add_condition(page)
    r = row(page, "all[0]")
    label(r, "Field").select_option("company.employees")
    label(r, "Operator").select_option("gt")
    label(r, "Value").fill("2OO")
    expect(label(r, "Value")).to_have_attribute("aria-invalid", "true")
    tree = posted(page)
    assert tree["all"][0]["value"] == "2OO"
    with pytest.raises(conditions.ConditionError) as err:
        conditions.validate(tree)
    assert err.value.path == "all[0]"
    label(r, "Value").fill(" 1e3 ")
    expect(label(r, "Value")).not_to_have_attribute("aria-invalid", "true")
    assert posted_valid(page)["all"][0]["value"] == 1000


def test_negation_checkboxes(page):
    load(page)
    add_condition(page)
    r = row(page, "all[0]")
    label(r, "Field").select_option("crm.exists")
    label(r, "Negate condition").check()
    assert posted_valid(page) == {"all": [{"not": {"field": "crm.exists", "op": "is_true"}}]}
    label(group(page), "Negate group").check()
    negated_leaf = {"not": {"field": "crm.exists", "op": "is_true"}}
    assert posted_valid(page) == {"not": {"all": [negated_leaf]}}
    # Paths follow the server's format: the root's children now sit under "not".
    r = row(page, "not.all[0]")
    expect(label(r, "Negate condition")).to_be_checked()
    label(r, "Negate condition").uncheck()
    label(group(page), "Negate group").uncheck()
    r = row(page, "all[0]")
    assert posted_valid(page) == {"all": [{"field": "crm.exists", "op": "is_true"}]}
    # An empty root "any" matches nobody, and the hint says so.
    label(r, "Remove condition").click()
    label(group(page), "Match").select_option("any")
    expect(page.get_by_text("No conditions: no lead matches")).to_be_visible()
    assert posted_valid(page) == {"any": []}


# --------------------------------------------------------------------------- removing


def test_removing_rows_and_groups(page):
    load(page)
    build_example(page)
    label(row(page, "all[1].any[0]"), "Remove condition").click()
    assert posted_valid(page) == {
        "all": [
            EXAMPLE["all"][0],
            {"any": [{"field": "intent.type", "op": "eq", "value": "buying"}]},
        ]
    }
    # The next row moved up: its path follows.
    expect(label(row(page, "all[1].any[0]"), "Field")).to_have_value("intent.type")

    group(page, "all[1]").get_by_role("button", name="Remove group").click()
    assert posted_valid(page) == {"all": [EXAMPLE["all"][0]]}
    expect(page.locator(".cb-group")).to_have_count(1)
    expect(group(page).get_by_role("button", name="Remove group")).to_have_count(0)

    label(row(page, "all[0]"), "Remove condition").click()
    assert posted_valid(page) == {"all": []}
    expect(page.get_by_text("No conditions: every lead matches")).to_be_visible()
    expect(page.locator(".cb-summary")).to_have_text("No conditions")


def test_nested_group_in_group(page):
    load(page)
    add_group(page)
    add_group(page, "all[0]")
    inner = row(page, "all[0].any[1].all[0]")
    label(inner, "Field").select_option("lead.country")
    label(inner, "Value").fill("DE")
    label(row(page, "all[0].any[0]"), "Field").select_option("lead.is_personal_email")
    label(row(page, "all[0].any[0]"), "Operator").select_option("is_false")
    assert posted_valid(page) == {
        "all": [
            {
                "any": [
                    {"field": "lead.is_personal_email", "op": "is_false"},
                    {"all": [{"field": "lead.country", "op": "eq", "value": "DE"}]},
                ]
            }
        ]
    }


# --------------------------------------------------------------------------- server errors


def test_error_path_is_highlighted_with_its_message(page):
    tree = {
        "all": [
            {"field": "company.employees", "op": "gt", "value": 200},
            {
                "any": [
                    {"not": {"field": "lead.email", "op": "matches", "value": "(("}},
                    {"field": "intent.type", "op": "eq", "value": "buying"},
                ]
            },
        ]
    }
    with pytest.raises(conditions.ConditionError) as err:
        conditions.validate(tree)
    assert err.value.path == "all[1].any[0].not"
    load(page, tree, error_path=err.value.path, error_message=err.value.message)
    bad = row(page, "all[1].any[0]")
    expect(bad).to_have_class(lambda_has("cb-error"))
    expect(page.locator(".cb-error")).to_have_count(1)
    alert = bad.get_by_role("alert")
    expect(alert).to_contain_text("invalid pattern")
    expect(alert).to_be_visible()
    assert posted(page) == tree

    # Fixing the node clears its error.
    label(bad, "Value").fill("^ceo@")
    expect(page.locator(".cb-error")).to_have_count(0)
    expect(page.get_by_role("alert")).to_have_count(0)
    assert posted_valid(page)["all"][1]["any"][0] == {
        "not": {"field": "lead.email", "op": "matches", "value": "^ceo@"}
    }


def test_error_on_a_group_and_on_the_root(page):
    load(page, {"all": [{"any": []}]}, error_path="all[0]", error_message="too deep")
    expect(group(page, "all[0]")).to_have_class(lambda_has("cb-error"))
    expect(group(page, "all[0]").get_by_role("alert")).to_have_text("too deep")

    load(page, {"all": []}, error_path="", error_message="more than 200 conditions")
    expect(group(page)).to_have_class(lambda_has("cb-error"))
    expect(page.get_by_role("alert")).to_have_text("more than 200 conditions")

    # A path that matches nothing still shows its message, above the builder; without the
    # developer's path: server messages name the node in the page's terms (issue 14 item 7).
    load(page, {"all": []}, error_path="all[7]", error_message="gone")
    expect(page.get_by_role("alert")).to_have_text("gone")

    # An empty field from "Add condition" is reported by the server at its path.
    load(page)
    add_condition(page)
    with pytest.raises(conditions.ConditionError) as err:
        conditions.validate(posted(page))
    assert err.value.path == "all[0]"


# --------------------------------------------------------------------------- JSON view


def test_json_toggle(page):
    load(page)
    build_example(page)
    toggle = page.get_by_role("button", name="Edit as JSON")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    editor = page.get_by_label("Conditions JSON")
    assert editor.input_value() == json.dumps(EXAMPLE, indent=2)
    expect(page.locator(".cb-tree")).to_be_hidden()

    edited = {"any": [{"field": "lead.country", "op": "in", "value": ["FR", "BE"]}]}
    editor.fill(json.dumps(edited, indent=2))
    assert posted_valid(page) == edited  # the form posts what the JSON view shows
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(editor).to_be_hidden()
    expect(label(group(page), "Match")).to_have_value("any")
    expect(row(page, "any[0]").locator(".cb-chip")).to_have_text(["FR", "BE"])
    assert posted_valid(page) == edited


def test_json_toggle_with_invalid_json(page):
    load(page, EXAMPLE)
    toggle = page.get_by_role("button", name="Edit as JSON")
    toggle.click()
    editor = page.get_by_label("Conditions JSON")
    editor.fill('{"all": [')
    toggle.click()
    expect(editor).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Not valid JSON")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    editor.fill("[1, 2]")
    toggle.click()
    expect(editor).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("must be a JSON object")

    editor.fill('{"all": []}')
    expect(page.get_by_role("alert")).to_have_count(0)
    toggle.click()
    expect(editor).to_be_hidden()
    expect(page.get_by_text("No conditions: every lead matches")).to_be_visible()
    assert posted_valid(page) == {"all": []}


def test_invalid_json_from_the_server_opens_the_json_view(page):
    load(page, raw_text='{"all": [oops]}', error_message="Conditions are not valid JSON.")
    editor = page.get_by_label("Conditions JSON")
    expect(editor).to_be_visible()
    assert editor.input_value() == '{"all": [oops]}'
    assert page.locator('textarea[name="conditions"]').input_value() == '{"all": [oops]}'
    expect(page.get_by_text("Conditions are not valid JSON.")).to_be_visible()


# --------------------------------------------------------------------------- init


def test_init_is_idempotent_and_works_on_late_elements(page):
    load(page, EXAMPLE)
    page.evaluate(
        """() => {
          const form = document.getElementById('segment-form');
          const el = document.createElement('div');
          el.className = 'condition-builder';
          el.id = 'late';
          el.setAttribute('data-condition-builder', '');
          el.innerHTML = '<textarea name="conditions" hidden>{"any": []}</textarea>';
          form.append(el);
          const a = window.initConditionBuilder(el);
          const b = window.initConditionBuilder(el);
          window.initConditionBuilders(document);
          return a === b;
        }"""
    )
    late = page.locator("#late")
    expect(late.locator(".cb-ui")).to_have_count(1)
    expect(page.locator(".cb-ui")).to_have_count(2)
    expect(late.get_by_text("No conditions: no lead matches")).to_be_visible()
    late.get_by_role("button", name="Add condition").click()
    assert json.loads(late.locator("textarea[name=conditions]").input_value()) == {
        "any": [{"field": "", "op": "eq", "value": ""}]
    }
    first = page.locator(".condition-builder").first.locator("textarea[name=conditions]")
    assert json.loads(first.input_value()) == EXAMPLE
