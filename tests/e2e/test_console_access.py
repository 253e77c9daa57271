"""Who gets into the console, and which workspace they see."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import PASSWORD, log_in, make_user, nav


def expect_on_overview(page, workspace):
    """The workspace's home page (the overview, or the live feed that replaces it)."""
    home = f"/w/{workspace.id}/"
    expect(page.locator(".nav a.active")).to_have_attribute("href", home)
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("main .page-head")).to_contain_text(workspace.name)


def test_wrong_password_shows_an_error_and_the_right_one_lands_on_the_overview(page, acme):
    page.goto("/login/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Username").fill("ops")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_label("Username")).to_have_value("ops")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(rf"/w/{acme.workspace.id}/$"))
    expect_on_overview(page, acme.workspace)
    expect(page.get_by_role("button", name="Log out ops")).to_be_visible()


def test_logged_out_visitor_is_sent_to_login_and_back(page, acme):
    rules_url = f"{acme.ws}/rules/"
    page.goto(rules_url)
    expect(page).to_have_url(re.compile(r"/login/\?next=" + re.escape(rules_url) + "$"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    page.get_by_label("Username").fill("ops")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(rules_url) + "$"))
    expect(page.get_by_role("heading", name="Routing rules")).to_be_visible()


def test_log_out_ends_the_session(logged_in_page, acme):
    page = logged_in_page
    page.get_by_role("button", name="Log out ops").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    page.goto(f"{acme.ws}/pools/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))


def test_non_staff_user_gets_403(page, acme):
    make_user("viewer", staff=False, workspaces=[acme.workspace])
    log_in(page, "viewer")
    for url in ("/", f"{acme.ws}/", f"{acme.ws}/rules/", f"{acme.ws}/decisions/"):
        response = page.goto(url)
        assert response.status == 403, url
        expect(page.get_by_role("navigation")).to_have_count(0)


def test_staff_user_never_sees_another_workspace(logged_in_page, acme):
    page = logged_in_page
    b_rule = acme.other_rule

    for url in (
        f"/w/{acme.other.id}/rules/{b_rule.id}/",  # B's rule, in B
        f"/w/{acme.other.id}/",  # B's overview
        f"{acme.ws}/rules/{b_rule.id}/",  # B's rule, through A's URL
    ):
        response = page.goto(url)
        assert response.status == 404, url
        expect(page.get_by_text("Globex secret rule")).to_have_count(0)

    # A member of one workspace has no switcher, just its name.
    page.goto(f"{acme.ws}/")
    expect(page.get_by_label("Workspace")).to_have_count(0)
    expect(page.locator(".switcher")).to_have_text("Acme Inc")

    # B's rule appears in none of A's lists and menus.
    nav(page, "Routing rules").click()
    expect(page.locator("table.table tbody tr")).to_have_count(1)
    expect(page.locator("table.table")).to_contain_text("Default chat rule")
    page.get_by_role("link", name="Meeting rules").click()
    expect(page.locator("table.table")).to_contain_text("Default meeting rule")
    expect(page.locator("table.table tbody tr")).to_have_count(1)

    nav(page, "Knock Links").click()
    page.get_by_role("link", name="+ New link").click()
    for menu in ("Chat rule", "Meeting rule"):
        expect(page.get_by_label(menu).locator("option")).not_to_have_count(0)
        expect(page.get_by_label(menu).locator("option", has_text="Globex")).to_have_count(0)

    nav(page, "Decisions").click()
    rule_options = page.get_by_label("Rule").locator("option")
    expect(rule_options.filter(has_text="Default")).to_have_text(
        ["Default chat rule", "Default meeting rule"]
    )
    expect(rule_options.filter(has_text="Globex")).to_have_count(0)
    rep_options = page.get_by_label("Rep").locator("option")
    expect(rep_options.filter(has_text="Dana Whitfield")).to_have_count(1)
    expect(rep_options.filter(has_text="Gina Globex")).to_have_count(0)

    nav(page, "Reps").click()
    expect(page.locator("table.table")).not_to_contain_text("Gina Globex")


def test_superuser_sees_both_workspaces_and_switches(page, acme):
    make_user("root", superuser=True)  # a member of nothing: superusers see every workspace
    log_in(page, "root")
    expect(page).to_have_url(re.compile(rf"/w/{acme.workspace.id}/$"))

    switcher = page.get_by_label("Workspace")
    expect(switcher.locator("option")).to_have_text(["Acme Inc", "Globex"])
    expect(switcher).to_have_value(str(acme.workspace.id))

    switcher.select_option(label="Globex")
    expect(page).to_have_url(re.compile(rf"/w/{acme.other.id}/$"))
    expect_on_overview(page, acme.other)
    expect(page.get_by_label("Workspace")).to_have_value(str(acme.other.id))

    nav(page, "Routing rules").click()
    expect(page).to_have_url(re.compile(rf"/w/{acme.other.id}/rules/$"))
    expect(page.get_by_role("link", name="Globex secret rule")).to_be_visible()

    # "/" remembers the last workspace used.
    page.goto("/")
    expect(page).to_have_url(re.compile(rf"/w/{acme.other.id}/$"))
