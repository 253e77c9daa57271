"""Replay in the browser (issue 17 item 3): seeded past leads, replay a widened segment as a
task with its progress bar, read the matrix and the shares, open a changed lead's two traces."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from routing.models import Chat, Decision, Lead, PoolMember, ReplayRun
from tests.replay_seed import seed
from tests.tasks import run_tasks

from .conftest import screenshot


def _rows():
    return (
        Decision.objects.count(),
        Chat.objects.count(),
        Lead.objects.count(),
        list(PoolMember.objects.order_by("id").values_list("current_weight", "assigned_count")),
    )


def test_replay_a_wider_segment_read_the_matrix_and_both_traces(
    logged_in_page: Page, acme, settings
):
    page = logged_in_page
    seeded = seed(acme.workspace, n=12, reps=acme.reps, pool=acme.pool)
    settings.KNOCK_REPLAY_INLINE_MAX = 0  # run as a task, with the progress bar
    before = _rows()

    page.goto(f"{acme.ws}/rules/{seeded.rule.id}/")
    page.locator("#rule-replay").get_by_role("link", name="Replay past leads").click()
    expect(page.get_by_role("heading", name="Replay", exact=True)).to_be_visible()
    expect(page.get_by_text("Pools start from their rotation state at the start")).to_be_visible()
    page.get_by_label("Replay").select_option(str(seeded.new_version))
    page.get_by_role("button", name="Run replay").click()

    run = page.locator("#replay-run")
    expect(run.get_by_text("Waiting for a worker")).to_be_visible()
    expect(run.locator("progress")).to_be_visible()
    assert run_tasks() == 1  # the worker, here; the page is polling meanwhile
    expect(page.locator("#replay-run")).to_have_attribute("data-status", "done")

    # 12 leads: the 4 mid-sized ones leave Priya for the pool, whose rotation then
    # hands two of the big leads to the other rep: 6 of 12 change.
    expect(page.get_by_test_id("replay-changed")).to_have_text("6 (50.0%)")
    expect(page.get_by_test_id("replay-moved")).to_have_text("6 (50.0%)")
    matrix = page.get_by_test_id("replay-matrix")
    header = matrix.locator("thead th")
    expect(header).to_have_text(["From \\ to", "Dana Whitfield", "Marcus Chen"])
    priya = matrix.locator("tbody tr", has=page.locator("th", has_text="Priya Raman"))
    expect(priya.locator("td")).to_have_text(["·", "4"])
    marcus = matrix.locator("tbody tr", has=page.locator("th", has_text="Marcus Chen"))
    expect(marcus.locator("td")).to_have_text(["2", "·"])
    shares = page.get_by_test_id("replay-shares")
    expect(shares.locator("tr", has_text="Priya Raman").locator("td")).to_have_text(
        ["Priya Raman", "8 (66.7%)", "4 (33.3%)", "-4"]
    )
    expect(page.locator("canvas[data-replay-chart]")).to_have_attribute("data-drawn", "1")
    assert _rows() == before  # replaying wrote no decision, chat, lead or rotation
    assert ReplayRun.objects.get().status == "done"
    page.locator("#replay-run").scroll_into_view_if_needed()
    shot = screenshot(page, "replay.png")
    assert shot.exists()

    changes = page.get_by_test_id("replay-changes")
    first = changes.locator("tbody tr").first
    email = first.locator("td.lead").inner_text()
    first.get_by_role("link", name="Both traces").click()
    expect(page.get_by_role("heading", name=re.compile(re.escape(email)))).to_be_visible()
    expect(page.get_by_test_id("trace-before")).to_contain_text("Assigned to Priya Raman")
    expect(page.get_by_test_id("trace-after")).to_contain_text("from pool Enterprise")
    screenshot(page, "replay-trace.png")
    page.get_by_role("link", name="The decision").click()
    expect(page).to_have_url(re.compile(r"/decisions/\d+/$"))
