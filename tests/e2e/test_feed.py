"""The live feed in a real browser, served by a real ASGI server (HTTP + websockets).

pytest-django's live server speaks WSGI only, so these tests run the project's
ASGI application under uvicorn in a thread. Chats are routed through the real
HTTP API of that server, so the websocket event comes from the server's
process (the in-memory channel layer under `make test`, Redis in CI).
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request

import pytest
import uvicorn
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from playwright.sync_api import expect

from routing.models import ApiToken, Decision

from .conftest import VIEWPORT, log_in


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


@pytest.fixture
def feed_page(browser, asgi_url, acme):
    context = browser.new_context(viewport=VIEWPORT, base_url=asgi_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, acme.user.username)
    page.goto(f"/w/{acme.workspace.id}/")
    expect(page.locator("#feed-status")).to_have_attribute("data-state", "live")
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def post_chat(asgi_url: str, key: str, email: str, company: str = "BigCo") -> dict:
    body = json.dumps({"lead": {"email": email}, "company": {"name": company}}).encode()
    request = urllib.request.Request(
        f"{asgi_url}/api/v1/chats/",
        data=body,
        headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        assert response.status == 201
        return json.loads(response.read())


def chart_total(page) -> int:
    return page.evaluate("knockFeedChart.data.datasets[0].data.reduce((a, b) => a + b, 0)")


def test_a_chat_routed_through_the_api_appears_within_two_seconds(feed_page, asgi_url, acme):
    page = feed_page
    _, key = ApiToken.issue(acme.workspace)
    before_rows = page.locator("tr[data-decision]").count()
    before_chart = chart_total(page)
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
    assert chart_total(page) == before_chart + 1
    assert chat["assignee"]["name"] in page.evaluate("knockFeedChart.data.labels")


def test_after_a_disconnect_the_page_catches_up_over_http(feed_page, asgi_url, acme):
    page = feed_page
    _, key = ApiToken.issue(acme.workspace)
    # Drop the socket, then route while the page is away: the event is missed...
    page.evaluate("knockFeed.socket.close()")
    expect(page.locator("#feed-status")).not_to_have_attribute("data-state", "live")
    missed = post_chat(asgi_url, key, "missed@bigco.com", company="Missed Co")
    # ...and the reconnect (backoff about 1 s) fetches it over HTTP.
    expect(page.locator("#feed-status")).to_have_attribute("data-state", "live", timeout=8000)
    expect(page.locator(f'tr[data-decision="{missed["decision"]}"]')).to_be_visible()
    assert Decision.objects.filter(id=missed["decision"]).exists()
