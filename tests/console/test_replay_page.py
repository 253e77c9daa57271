"""The rule's Replay page (issue 17 item 3): the form, errors beside fields, a run's results,
the task's progress bar, and a changed lead's two traces."""

import re
from datetime import UTC, datetime

import pytest

from routing import actions
from routing.models import Decision, ReplayRun
from tests.replay_seed import seed
from tests.tasks import run_tasks

from .conftest import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(workspace):
    return seed(workspace, n=9)


def page(workspace, seeded, path=""):
    return url(workspace, f"rules/{seeded.rule.id}/replay/{path}")


def test_the_rule_page_links_to_replay(console, workspace, seeded):
    html = console.get(url(workspace, f"rules/{seeded.rule.id}/")).content.decode()
    assert f'href="/w/{workspace.id}/rules/{seeded.rule.id}/replay/"' in html


def test_the_form_offers_every_version_and_says_how_pools_start(console, workspace, seeded):
    response = console.get(page(workspace, seeded))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{seeded.new_version}" selected>v{seeded.new_version} (live)' in html
    assert "The draft" not in html  # no draft on this branch
    assert "Pools start from their rotation state at the start of the window" in html
    assert ' style="' not in html.split("<main", 1)[-1]


def test_a_run_shows_counts_matrix_shares_and_changes(console, workspace, seeded):
    response = console.post(page(workspace, seeded), {"version": str(seeded.new_version)})
    assert response.status_code == 302
    run = ReplayRun.objects.get()
    assert response["Location"] == page(workspace, seeded, f"{run.id}/")
    html = console.get(response["Location"]).content.decode()
    assert run.status == "done"
    assert re.search(r'data-testid="replay-changed">4 <span class="replay-pct">\(44.4%\)', html)
    matrix = html.split('data-testid="replay-matrix"', 1)[1].split("</table>", 1)[0]
    assert '<th scope="row">Priya</th>' in matrix and ">3</td>" in matrix
    assert 'id="replay-chart-data"' in html
    assert html.count("Both traces") == 4
    assert "hx-trigger" not in html  # done: nothing polls


def test_bad_input_is_shown_beside_the_field(console, workspace, seeded):
    before = Decision.objects.count()
    response = console.post(
        page(workspace, seeded),
        {"version": "99", "since": "2026-11-02T00:00", "until": "2026-11-01T00:00", "limit": "0"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "Must be after From." in html
    assert "greater than or equal to 1" in html
    assert not ReplayRun.objects.exists() and Decision.objects.count() == before


@pytest.mark.parametrize(
    ("zone", "field", "value", "instant"),
    [
        ("Asia/Tokyo", "since", "0001-01-01T00:00", "0001-01-01T00:00:00+09:00"),
        ("America/New_York", "until", "9999-12-31T23:59", "9999-12-31T23:59:00-05:00"),
    ],
)
def test_a_time_before_year_1_or_after_9999_in_utc_is_shown_beside_the_field(
    console, api, staff, workspace, seeded, zone, field, value, instant
):
    """From = 0001-01-01T00:00 in Tokyo was an OverflowError; the API's answer to the same
    instant is a 400 "Datetime value out of range.", and so is the console's form error."""
    body = {"version": seeded.new_version, field: instant}
    answer = api.post(f"/api/v1/rules/{seeded.rule.id}/replay/", body, format="json")
    assert answer.status_code == 400 and answer.data == {field: ["Datetime value out of range."]}
    actions.set_viewer_time_zone(staff, zone)
    before = Decision.objects.count()
    response = console.post(
        page(workspace, seeded), {"version": str(seeded.new_version), field: value}
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field] == ["Datetime value out of range."]
    assert "Datetime value out of range." in response.content.decode()
    assert not ReplayRun.objects.exists() and Decision.objects.count() == before


def test_the_window_is_read_in_the_viewers_zone(console, staff, workspace, seeded):
    actions.set_viewer_time_zone(staff, "Asia/Tokyo")
    body = {"version": str(seeded.new_version), "since": "2000-01-01T09:00"}
    assert console.post(page(workspace, seeded), body).status_code == 302
    assert ReplayRun.objects.get().since == datetime(2000, 1, 1, tzinfo=UTC)


def test_a_window_started_at_year_1_shows_in_utc_where_the_zone_cannot(
    console, staff, workspace, seeded
):
    """A New York viewer may run From = 0001-01-01T00:00 (04:56 UTC: local mean time then);
    the run's window cannot be shown in Los Angeles (before year 1 there): UTC, not an
    OverflowError."""
    actions.set_viewer_time_zone(staff, "America/New_York")
    body = {"version": str(seeded.new_version), "since": "0001-01-01T00:00"}
    assert console.post(page(workspace, seeded), body).status_code == 302
    run = ReplayRun.objects.get()
    actions.set_viewer_time_zone(staff, "America/Los_Angeles")
    for path in ("", f"{run.id}/"):
        response = console.get(page(workspace, seeded, path))
        assert response.status_code == 200
        assert "Jan 1, 1, 04:56 UTC" in response.content.decode()


def test_draft_is_refused_without_a_draft(console, workspace, seeded):
    response = console.post(page(workspace, seeded), {"version": "draft"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_a_long_run_polls_a_progress_bar_until_the_results(console, workspace, seeded, settings):
    settings.KNOCK_REPLAY_INLINE_MAX = 0
    response = console.post(page(workspace, seeded), {"version": str(seeded.new_version)})
    run = ReplayRun.objects.get()
    html = console.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in html and "<progress" in html
    progress = page(workspace, seeded, f"{run.id}/progress/")
    assert "Waiting for a worker" in console.get(progress).content.decode()
    run_tasks()
    html = console.get(progress).content.decode()
    assert "hx-trigger" not in html and 'data-testid="replay-matrix"' in html


def test_a_changed_lead_shows_both_traces(console, workspace, seeded):
    console.post(page(workspace, seeded), {"version": str(seeded.new_version)})
    run = ReplayRun.objects.get()
    change = run.result["changes"][0]
    response = console.get(page(workspace, seeded, f"{run.id}/leads/{change['decision']}/"))
    assert response.status_code == 200
    html = response.content.decode()
    before, after = html.split('data-testid="trace-after"', 1)
    assert "Assigned to Priya" in before
    assert "Assigned to Marcus" in after and "Enterprise" in after
    unlisted = Decision.objects.exclude(id__in=[c["decision"] for c in run.result["changes"]])
    missing = page(workspace, seeded, f"{run.id}/leads/{unlisted.first().id}/")
    assert console.get(missing).status_code == 404


def test_another_workspace_cannot_see_a_run(console, workspace, seeded, other_api):
    console.post(page(workspace, seeded), {"version": str(seeded.new_version)})
    run = ReplayRun.objects.get()
    other = f"/w/{other_api.workspace.id}/rules/{seeded.rule.id}/replay/{run.id}/"
    assert console.get(other).status_code == 404


def test_the_draft_editor_links_to_a_replay_of_the_draft(console, workspace, seeded):
    from routing.actions import drafts

    drafts.start_draft(seeded.rule)
    html = console.get(url(workspace, f"rules/{seeded.rule.id}/draft/")).content.decode()
    assert f'href="/w/{workspace.id}/rules/{seeded.rule.id}/replay/?version=draft"' in html
    html = console.get(page(workspace, seeded, "?version=draft")).content.decode()
    assert '<option value="draft" selected>' in html
