"""Full-page screenshots of the console's main pages, on the demo data, for docs/screenshots/.

The live server of these tests speaks HTTP only (the real server, daphne, also serves the
feed's websocket), so the feed's socket is answered by the browser itself: the page shows
"Live", as it does when deployed, and gets no pushed events.
"""

from __future__ import annotations

import io
import re
import struct

from django.core.management import call_command
from playwright.sync_api import Page, expect

from routing import actions
from routing.models import Decision, Pool, RoutingRule, Segment, Workspace

from .conftest import VIEWPORT, log_in, nav, screenshot

NESTED = {
    "all": [
        {"field": "company.employees", "op": "gt", "value": 1000},
        {
            "any": [
                {"field": "attribution.channel", "op": "in", "value": ["LinkedIn Ads", "G2"]},
                {"field": "intent.score", "op": "eq", "value": "high"},
            ]
        },
        {"not": {"field": "lead.is_personal_email", "op": "is_true"}},
    ]
}


def png_size(path) -> tuple[int, int]:
    with open(path, "rb") as f:
        header = f.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", header[16:24])


def shoot(page: Page, name: str) -> None:
    path = screenshot(page, name)
    width, height = png_size(path)
    assert width == VIEWPORT["width"], (name, width)
    assert height >= VIEWPORT["height"], (name, height)


def test_screenshots_of_the_main_pages(page, transactional_db):
    call_command("seed_demo", chats=60, stdout=io.StringIO())
    demo = Workspace.objects.get(slug="demo-co")
    pricing = RoutingRule.objects.get(workspace=demo, name="Pricing page")
    actions.add_segment(
        pricing,
        name="Enterprise buyers from paid channels",
        conditions=NESTED,
        assignee={"type": "pool", "id": Pool.objects.get(workspace=demo, name="Enterprise AEs").id},
    )
    nested = Segment.objects.get(rule=pricing, name="Enterprise buyers from paid channels")
    page.route_web_socket(re.compile(r"/ws/"), lambda socket: None)
    # As a visitor who asked for less motion: the feed's chart is drawn at once, so the
    # screenshot does not catch its bars growing.
    page.emulate_media(reduced_motion="reduce")
    ws = f"/w/{demo.id}"

    page.goto("/login/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    shoot(page, "login.png")

    log_in(page, "demo", "knock-demo")
    expect(page).to_have_url(re.compile(rf"{ws}/$"))
    expect(page.locator("tbody tr[data-decision]").first).to_be_visible()
    if page.locator("#feed-status").count():
        expect(page.locator("#feed-status")).to_have_text(re.compile("Live"))
    shoot(page, "overview.png")

    nav(page, "Routing rules").click()
    expect(page.get_by_role("link", name="Inbound chat")).to_be_visible()
    shoot(page, "rules.png")

    page.get_by_role("link", name="Inbound chat").click()
    expect(page.get_by_test_id("segment-card")).to_have_count(7)
    form = page.locator("#test-lead")
    form.get_by_label("Email").fill("maya@hooli.xyz")
    form.get_by_label("Company", exact=True).fill("Hooli")
    form.get_by_label("Employees").fill("25000")
    form.get_by_label("Link").select_option(label="G2 listing")
    form.get_by_role("button", name="Run test").click()
    expect(page.get_by_test_id("matched-segment")).to_have_text("Enterprise from G2 / LinkedIn")
    shoot(page, "rule-editor.png")

    page.goto(f"{ws}/segments/{nested.id}/edit/")
    expect(page.locator(".cb-group")).to_have_count(2)
    expect(page.locator(".cb-condition")).to_have_count(4)
    shoot(page, "segment-form.png")

    nav(page, "Knock Links").click()
    expect(page.locator("tbody tr")).to_have_count(6)
    shoot(page, "links.png")

    nav(page, "Pools").click()
    expect(page.locator("tbody tr")).to_have_count(3)
    shoot(page, "pools.png")

    page.get_by_role("link", name="EMEA team").click()
    expect(page.locator("tbody tr[data-rep]")).to_have_count(4)
    shoot(page, "pool-detail.png")

    nav(page, "Reps").click()
    expect(page.locator("tbody tr")).to_have_count(8)
    shoot(page, "reps.png")

    nav(page, "Decisions").click()
    expect(page.locator("tbody tr[data-decision]")).to_have_count(50)
    shoot(page, "decisions.png")

    # A decision that went down several segments before one matched.
    decision = (
        Decision.objects.filter(workspace=demo, segment_name="EMEA").order_by("-id").first()
        or Decision.objects.filter(workspace=demo).order_by("-id").first()
    )
    page.goto(f"{ws}/decisions/{decision.id}/")
    expect(page.get_by_test_id("trace").locator(".trace-seg").first).to_be_visible()
    shoot(page, "decision-detail.png")
