"""Item 3: reps from Slack's users.list: cursor pagination, bots/deleted/guests skipped,
create/update/deactivate by Slack user id, progress in the command and the console."""

import io
import math

import pytest
from django.core.management import CommandError, call_command

from notifications.models import SlackSync
from notifications.slack.sync import PAGE_SIZE, sync_users
from outbox.errors import DeliveryError
from routing import actions
from routing.models import Rep
from tests.fakes.slack import FakeSlack, make_users

from .conftest import TOKEN, ready_tasks, run_tasks


def members(users):
    return [u for u in users if u["id"] != "USLACKBOT" and not u.get("is_bot") and not u["deleted"]
            and not u.get("is_restricted")]  # fmt: skip


@pytest.fixture
def big_slack(settings):
    users = make_users(10_000, bots=40, deleted=150, guests=300, slackbot=True)
    with FakeSlack(users=users) as fake:
        settings.SLACK_BOT_TOKEN = TOKEN
        settings.SLACK_API_URL = fake.url
        yield fake


def test_ten_thousand_users_become_reps(big_slack, workspace):
    pages = []
    result = sync_users(workspace, progress=lambda r: pages.append(r.seen))

    real = members(big_slack.users)
    assert len(real) == 10_000 - 40 - 150 - 300
    assert (result.seen, result.created, result.updated, result.deactivated) == (
        10_001,
        len(real),
        0,
        0,
    )
    assert result.skipped == {"bots": 41, "deleted": 150, "guests": 300}  # USLACKBOT is a bot
    assert Rep.objects.filter(workspace=workspace, is_active=True).count() == len(real)
    assert not Rep.objects.filter(slack_user_id="USLACKBOT").exists()

    calls = big_slack.calls_to("users.list")
    assert len(calls) == math.ceil(10_001 / PAGE_SIZE) == 51
    assert all(int(c.params["limit"]) == PAGE_SIZE for c in calls)
    assert "cursor" not in calls[0].params or not calls[0].params["cursor"]
    assert all(c.params["cursor"] for c in calls[1:])  # cursor pagination
    assert pages[:3] == [200, 400, 600] and pages[-1] == 10_001

    by_id = {r.slack_user_id: r for r in Rep.objects.filter(workspace=workspace)}
    for user in real[::97]:
        rep = by_id[user["id"]]
        assert rep.name == user["profile"]["real_name"]
        assert rep.email == user["profile"]["email"]
        assert rep.timezone == user["tz"]
    skipped_ids = {u["id"] for u in big_slack.users} - {u["id"] for u in real}
    assert not skipped_ids & set(by_id)

    # a second run: a few profiles changed, a few users left or were deactivated
    for user in real[:5]:
        user["profile"]["real_name"] += " Jr."
    for user in real[5:8]:
        big_slack.users.remove(user)
    for user in real[8:10]:
        user["deleted"] = True
    big_slack.calls.clear()
    again = sync_users(workspace)
    assert (again.created, again.updated, again.deactivated) == (0, 5, 5)
    assert len(big_slack.calls_to("users.list")) == math.ceil((10_001 - 3) / PAGE_SIZE)
    assert Rep.objects.filter(workspace=workspace, is_active=True).count() == len(real) - 5
    assert Rep.objects.get(slack_user_id=real[0]["id"]).name.endswith(" Jr.")


@pytest.fixture
def small_slack(settings):
    with FakeSlack(users=make_users(30, bots=2, deleted=2, guests=2, slackbot=True)) as fake:
        settings.SLACK_BOT_TOKEN = TOKEN
        settings.SLACK_API_URL = fake.url
        yield fake


def test_a_second_run_updates_and_deactivates(small_slack, workspace):
    first = sync_users(workspace)
    assert first.created == 24
    real = members(small_slack.users)
    renamed, moved, gone, deleted = real[0], real[1], real[2], real[3]
    renamed["profile"]["real_name"] = "Ana Okafor-Lee"
    renamed["profile"]["email"] = "Ana.New@Knock-Test.example.com"
    moved["tz"] = "Asia/Tokyo"
    small_slack.users.remove(gone)
    deleted["deleted"] = True

    second = sync_users(workspace)
    assert (second.created, second.updated, second.deactivated) == (0, 2, 2)
    rep = Rep.objects.get(slack_user_id=renamed["id"])
    assert (rep.name, rep.email) == ("Ana Okafor-Lee", "ana.new@knock-test.example.com")
    assert Rep.objects.get(slack_user_id=moved["id"]).timezone == "Asia/Tokyo"
    assert not Rep.objects.get(slack_user_id=gone["id"]).is_active
    assert not Rep.objects.get(slack_user_id=deleted["id"]).is_active
    assert Rep.objects.filter(is_active=True).count() == 22

    third = sync_users(workspace)  # nothing changed: nothing written
    assert (third.created, third.updated, third.deactivated) == (0, 0, 0)

    deleted["deleted"] = False  # reactivated in Slack
    fourth = sync_users(workspace)
    assert (fourth.created, fourth.updated) == (0, 1)
    assert Rep.objects.get(slack_user_id=deleted["id"]).is_active


def test_existing_reps_are_matched_by_email_and_manual_reps_are_kept(small_slack, workspace):
    user = members(small_slack.users)[0]
    known = actions.create_rep(
        workspace, name="Typed By Hand", email=user["profile"]["email"].upper()
    )
    manual = actions.create_rep(workspace, name="Not In Slack", email="contractor@elsewhere.test")
    sync_users(workspace)
    known.refresh_from_db()
    assert known.slack_user_id == user["id"] and known.name == user["profile"]["real_name"]
    assert Rep.objects.filter(email=known.email).count() == 1
    manual.refresh_from_db()
    assert manual.is_active  # no Slack id: not the sync's to deactivate


def test_odd_profiles(small_slack, workspace):
    a, b, c = members(small_slack.users)[:3]
    a["tz"] = "Mars/Olympus_Mons"
    del b["profile"]["email"]
    c["profile"]["real_name"] = c["real_name"] = ""
    result = sync_users(workspace)
    assert Rep.objects.get(slack_user_id=a["id"]).timezone == "UTC"
    assert not Rep.objects.filter(slack_user_id=b["id"]).exists()
    assert result.skipped["no email"] == 1
    assert Rep.objects.get(slack_user_id=c["id"]).name == c["profile"]["display_name"]


def test_a_rate_limited_page_is_waited_out(small_slack, workspace):
    small_slack.fail_next("users.list", status=429, retry_after=1)
    result = sync_users(workspace)
    assert result.created == 24
    calls = small_slack.calls_to("users.list")
    assert len(calls) == 2 and calls[0].params == calls[1].params  # the same page again


def test_a_revoked_token_fails_the_sync(small_slack, settings, workspace):
    settings.SLACK_BOT_TOKEN = "xoxb-revoked"
    with pytest.raises(DeliveryError, match="invalid_auth") as exc:
        sync_users(workspace)
    assert exc.value.permanent
    assert not Rep.objects.exists()


def test_the_command_prints_a_progress_bar_and_a_summary(settings, workspace):
    with FakeSlack(users=make_users(450, bots=5, deleted=3, guests=2)) as fake:
        settings.SLACK_BOT_TOKEN = TOKEN
        settings.SLACK_API_URL = fake.url
        out = io.StringIO()
        call_command("sync_slack_users", "--workspace", workspace.slug, stdout=out)
    text = out.getvalue()
    assert "Acme Inc: reading Slack users…" in text
    assert "\r[#" in text and "] 200 users" in text and "] 450 users" in text
    assert text.rstrip().endswith(
        "Acme Inc: 450 users, 440 reps created, 0 updated, 0 deactivated; "
        "skipped 5 bots, 3 deleted, 2 guests"
    )
    assert Rep.objects.count() == 440


def test_the_command_refuses_an_unknown_workspace_and_a_bad_token(small_slack, settings, workspace):
    with pytest.raises(CommandError, match="No workspace"):
        call_command("sync_slack_users", "--workspace", "nope", stdout=io.StringIO())
    settings.SLACK_BOT_TOKEN = "xoxb-revoked"
    with pytest.raises(CommandError, match="invalid_auth"):
        call_command("sync_slack_users", stdout=io.StringIO())


# -- the console ------------------------------------------------------------------------
def test_the_console_sync_button_runs_the_sync_in_a_task(small_slack, workspace, console):
    page = f"/w/{workspace.id}/slack/"
    response = console.post(f"{page}sync/")
    assert response.status_code == 302 and response["Location"] == page
    sync = SlackSync.objects.get()
    assert sync.status == "running" and sync.seen == 0
    [task] = ready_tasks("run_sync")
    assert task.args_kwargs["args"] == [sync.id]
    console.post(f"{page}sync/")  # a second click while it runs starts nothing
    assert SlackSync.objects.count() == 1

    html = console.get(page).content.decode()
    progress_url = f"/w/{workspace.id}/slack/sync/{sync.id}/"
    assert f'hx-get="{progress_url}"' in html and 'data-status="running"' in html
    assert "Reading Slack users" in html

    run_tasks()
    sync.refresh_from_db()
    assert (sync.status, sync.seen, sync.created, sync.updated, sync.deactivated) == (
        "done",
        31,
        24,
        0,
        0,
    )
    assert sync.skipped == {"bots": 3, "deleted": 2, "guests": 2}
    assert sync.finished_at is not None
    partial = console.get(progress_url).content.decode()
    assert 'data-status="done"' in partial and "hx-get" not in partial
    assert "31 users" in partial
    assert "24 created · 0 updated · 0 deactivated" in partial
    assert "3 bots skipped" in partial and "2 guests skipped" in partial
    assert Rep.objects.filter(workspace=workspace).count() == 24


def test_a_failed_console_sync_shows_its_error(small_slack, settings, workspace, console):
    settings.SLACK_BOT_TOKEN = "xoxb-revoked"
    console.post(f"/w/{workspace.id}/slack/sync/")
    run_tasks()
    sync = SlackSync.objects.get()
    assert sync.status == "failed" and "invalid_auth" in sync.error
    partial = console.get(f"/w/{workspace.id}/slack/sync/{sync.id}/").content.decode()
    assert "Failed: Slack error: invalid_auth" in partial


def test_without_slack_the_sync_button_explains(local, workspace, console):
    response = console.post(f"/w/{workspace.id}/slack/sync/", follow=True)
    assert "Connect Slack first" in response.content.decode()
    assert not SlackSync.objects.exists()


def test_a_sync_progress_page_of_another_workspace_is_404(
    small_slack, workspace, console, other_api
):
    foreign = SlackSync.objects.create(workspace=other_api.workspace)
    assert console.get(f"/w/{workspace.id}/slack/sync/{foreign.id}/").status_code == 404
