"""Browser tests of the ops console: Playwright (sync API) against pytest-django's live server.

Run them as their own pytest process (Playwright runs an event loop of its own):

    .venv/bin/pytest tests/e2e -q

Each test gets a fresh browser context (1440x900) on one Chromium shared by the
whole session, a live server with its static files, and data made through
``routing.actions``, as the console and the API make it.
"""

from __future__ import annotations

import os

# Playwright's sync API keeps an event loop running in this thread; Django's
# ORM refuses to run beside one unless told it is safe (it is: we never await).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import re  # noqa: E402
import tempfile  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from routing import actions  # noqa: E402
from routing.models import Membership, Workspace  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1440, "height": 900}
# `UPDATE_SCREENSHOTS=1 make test-e2e` refreshes the README's pictures; otherwise
# they are taken (the pages still render and are checked) into a scratch folder.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "knock-screenshots"
)
PASSWORD = "correct horse battery staple"

expect.set_options(timeout=10_000)


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("KNOCK_REQUIRE_BROWSER"):
            pytest.fail(message + " and KNOCK_REQUIRE_BROWSER is set")
        pytest.skip(message)
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page(browser, live_server):
    """A fresh context and page, with relative URLs resolved against the live server.

    A JavaScript error on any page fails the test.
    """
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server.url)
    context.set_default_timeout(10_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


# --------------------------------------------------------------------------- data


@dataclass
class Acme:
    """Workspace A (the logged-in user's), workspace B (someone else's), and the people."""

    workspace: Workspace
    other: Workspace
    user: Any
    reps: dict = field(default_factory=dict)
    pool: Any = None
    agent: Any = None
    other_rule: Any = None

    @property
    def ws(self) -> str:
        return f"/w/{self.workspace.id}"


def make_user(username: str, *, staff=True, superuser=False, workspaces=()):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_staff=staff, is_superuser=superuser
    )
    for ws in workspaces:
        Membership.objects.create(workspace=ws, user=user)
    return user


@pytest.fixture
def acme(transactional_db) -> Acme:
    workspace, _ = actions.create_workspace("Acme Inc")
    other, _ = actions.create_workspace("Globex")
    reps = {}
    for name, email in [
        ("Dana Whitfield", "dana@acme.test"),
        ("Marcus Chen", "marcus@acme.test"),
        ("Priya Raman", "priya@acme.test"),
    ]:
        reps[name.split()[0]] = actions.create_rep(
            workspace, name=name, email=email, timezone="UTC"
        )
    pool = actions.create_pool(
        workspace,
        name="Enterprise",
        strategy="round_robin",
        respect_working_hours=False,
        members=[{"rep": reps["Dana"].id, "weight": 1}, {"rep": reps["Marcus"].id, "weight": 1}],
    )
    agent = actions.create_ai_agent(workspace, name="Support Bot", specialty="support")
    actions.create_rep(other, name="Gina Globex", email="gina@globex.test")
    other_rule = actions.create_rule(other, kind="chat", name="Globex secret rule")
    user = make_user("ops", workspaces=[workspace])
    return Acme(
        workspace=workspace,
        other=other,
        user=user,
        reps=reps,
        pool=pool,
        agent=agent,
        other_rule=other_rule,
    )


# --------------------------------------------------------------------------- helpers


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Log in through the real form at /login/ and wait to leave it."""
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


@pytest.fixture
def logged_in_page(page, acme) -> Page:
    log_in(page, acme.user.username)
    expect(page).to_have_url(re.compile(rf"/w/{acme.workspace.id}/$"))
    return page


def toast(page: Page):
    """The flash message of the page (it fades out after 4 s, hence not by its role)."""
    return page.locator(".toasts .toast")


def nav(page: Page, name: str):
    """A link of the sidebar's navigation."""
    return page.get_by_role("navigation").get_by_role("link", name=name, exact=True)


def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG in docs/screenshots/ (1440 wide)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path
