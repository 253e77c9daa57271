"""The live feed in a real browser, served by a real ASGI server (HTTP + websockets).

pytest-django's live server speaks WSGI only, so these tests run the project's
ASGI application under uvicorn in a thread. Chats are routed through the real
HTTP API of that server, so the websocket event comes from the server's
process (the in-memory channel layer under `make test`, Redis in CI).

The tests read the page as a person (or a screen reader) does: rows, counters, the
chart's numbers (the table inside its canvas) and the activity notes. A dropped
connection is the test's doing, through Playwright's websocket routing, not a hook
in the page's JavaScript.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import urllib.request

import pytest
import uvicorn
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from playwright.sync_api import expect

from routing.models import ApiToken, Chat, Decision

from .conftest import VIEWPORT, log_in, screenshot


@pytest.fixture(scope="module")
def asgi_url():
    from knock.asgi import application

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        ASGIStaticFilesHandler(application),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


class Connection:
    """The page's feed socket, routed through Playwright: the test can drop it."""

    def __init__(self, page):
        self.routes = []
        page.route_web_socket(re.compile(r"/ws/workspaces/\d+/feed/"), self._route)

    def _route(self, ws):
        ws.connect_to_server()  # forwards both ways
        self.routes.append(ws)

    def drop(self):
        """What a flaky network does: the page sees its socket close."""
        self.routes[-1].close(code=4000, reason="network gone")


@pytest.fixture
def feed_page(browser, asgi_url, acme):
    context = browser.new_context(viewport=VIEWPORT, base_url=asgi_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.connection = Connection(page)
    log_in(page, acme.user.username)
    page.goto(f"/w/{acme.workspace.id}/")
    expect(page.locator("#feed-status")).to_have_attribute("data-state", "live")
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def api(asgi_url: str, key: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{asgi_url}/api/v1/{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        assert response.status in (200, 201)
        return json.loads(response.read())


def post_chat(asgi_url: str, key: str, email: str, company: str = "BigCo") -> dict:
    return api(asgi_url, key, "chats/", {"lead": {"email": email}, "company": {"name": company}})


def chart_count(page, assignee: str):
    """The chart's bar for an assignee, as the table inside the canvas gives it."""
    return page.locator(f'#feed-chart-data tr[data-assignee="{assignee}"] td')


def test_a_chat_routed_through_the_api_appears_within_two_seconds(feed_page, asgi_url, acme):
    page = feed_page
    _, key = ApiToken.issue(acme.workspace)
    before_rows = page.locator("tr[data-decision]").count()
    chats_today = int(page.locator('[data-stat="chats"]').inner_text())

    started = time.monotonic()
    chat = post_chat(asgi_url, key, "ana@bigco.com")
    row = page.locator(f'tr[data-decision="{chat["decision"]}"]')
    expect(row).to_be_visible(timeout=2000)
    assert time.monotonic() - started < 2.0

    expect(row).to_contain_text("ana@bigco.com")
    expect(row).to_contain_text(chat["assignee"]["name"])
    expect(page.locator("tr[data-decision]").first).to_have_attribute(
        "data-decision", str(chat["decision"])
    )  # newest on top
    assert page.locator("tr[data-decision]").count() == before_rows + 1
    expect(page.locator('[data-stat="chats"]')).to_have_text(str(chats_today + 1))
    expect(page.locator('[data-stat="window"]')).to_have_text(str(before_rows + 1))
    expect(chart_count(page, chat["assignee"]["name"])).to_have_text("1")


def test_counters_come_from_the_server(feed_page, asgi_url, acme):
    """Routing, an AI share and a first reply's median: each counter as the server counts it."""
    page = feed_page
    _, key = ApiToken.issue(acme.workspace)
    expect(page.locator('[data-stat="median_response"]')).to_have_text("—")
    first = post_chat(asgi_url, key, "una@bigco.com")
    second = post_chat(asgi_url, key, "dos@bigco.com")
    expect(page.locator('[data-stat="chats"]')).to_have_text("2")
    expect(page.locator('[data-stat="ai_share"]')).to_have_text("0")
    rep_id = first["assignee"]["id"]
    api(asgi_url, key, f"chats/{first['id']}/replies/", {"rep": rep_id})
    # Only the server knows the median first response: the page shows what it counted.
    minutes = Chat.objects.get(id=first["id"]).response_time_minutes
    expect(page.locator('[data-stat="median_response"]')).to_have_text(f"{round(minutes, 1)} min")
    notes = page.locator("#chat-changes")
    expect(notes).to_contain_text(f"una@bigco.com: first reply by {first['assignee']['name']}")
    row = page.locator(f'tr[data-decision="{first["decision"]}"] [data-chat-state]')
    expect(row).to_contain_text("replied in")
    names = {first["assignee"]["name"], second["assignee"]["name"]}
    total = sum(int(chart_count(page, name).inner_text()) for name in names)
    assert total == 2


def test_after_a_disconnect_the_page_catches_up_over_http(feed_page, asgi_url, acme):
    page = feed_page
    _, key = ApiToken.issue(acme.workspace)
    seen = post_chat(asgi_url, key, "seen@bigco.com", company="Seen Co")
    expect(page.locator(f'tr[data-decision="{seen["decision"]}"]')).to_be_visible()
    # Drop the socket, then route and close while the page is away: the events are missed...
    page.connection.drop()
    expect(page.locator("#feed-status")).not_to_have_attribute("data-state", "live")
    missed = post_chat(asgi_url, key, "missed@bigco.com", company="Missed Co")
    api(asgi_url, key, f"chats/{seen['id']}/close/", {})
    # ...and the reconnect (backoff about 1 s) fetches them over HTTP.
    expect(page.locator("#feed-status")).to_have_attribute("data-state", "live", timeout=8000)
    expect(page.locator(f'tr[data-decision="{missed["decision"]}"]')).to_be_visible()
    closed_row = page.locator(f'tr[data-decision="{seen["decision"]}"] [data-chat-state]')
    expect(closed_row).to_have_text("Closed")
    expect(page.locator("#chat-changes li").first).to_contain_text("seen@bigco.com: closed by")
    expect(page.locator('[data-stat="chats"]')).to_have_text("2")
    assert Decision.objects.filter(id=missed["decision"]).exists()
    screenshot(page, "feed-caught-up.png")


def test_the_viewers_time_zone_changes_the_times_shown(feed_page, asgi_url, acme):
    page = feed_page
    _, key = ApiToken.issue(acme.workspace)
    before = post_chat(asgi_url, key, "before@bigco.com")
    when = page.locator(f'tr[data-decision="{before["decision"]}"] time')
    expect(when).to_have_text(re.compile(r"^\d\d:\d\d:\d\d UTC$"))  # the workspace's zone

    page.get_by_role("link", name="Times in UTC").click()
    expect(page.get_by_role("heading", name="Your time zone")).to_be_visible()
    page.get_by_label("Show times in").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Save time zone").click()
    expect(page.locator(".toasts .toast")).to_contain_text("Time zone saved")
    screenshot(page, "time-zone.png")

    page.get_by_role("navigation").get_by_role("link", name="Live feed", exact=True).click()
    expect(page.locator("#feed-status")).to_have_attribute("data-state", "live")
    expect(when).to_have_text(re.compile(r"^(\w{3} \d+, )?\d\d:\d\d(:\d\d)? JST$"))
    # A row pushed live after the choice is rendered for this viewer too.
    after = post_chat(asgi_url, key, "after@bigco.com")
    live = page.locator(f'tr[data-decision="{after["decision"]}"] time')
    expect(live).to_have_text(re.compile(r"JST$"))
    expect(live).to_have_attribute("title", re.compile(r"Asia/Tokyo \(UTC\+09:00\)$"))
    page.get_by_role("navigation").get_by_role("link", name="Decisions", exact=True).click()
    expect(page.locator(f'tr[data-decision="{after["decision"]}"] time')).to_have_text(
        re.compile(r"JST$")
    )
