"""Item 2: transient failures are retried with exponential backoff and jitter (a new
task row with run_after), permanent ones fail at once and wait in the console for the
Retry button; a bounded number of attempts, then failed."""

import functools
import random
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notifications.slack import client as slack_client
from outbox import runner
from outbox.models import Delivery
from outbox.runner import BASE_DELAY, MAX_DELAY, backoff
from routing import actions

from .conftest import feed_events, ready_tasks, run_tasks, time_passes


def the_alert() -> Delivery:
    return Delivery.objects.get(kind="slack.alert")


def posted(fake):
    return fake.calls_to("chat.postMessage")


# -- transient: retried ---------------------------------------------------------------
def test_a_server_error_is_retried_later_then_succeeds(slack, ai_first, route):
    route()
    slack.fail_next("chat.postMessage", status=500)
    started = timezone.now()
    assert run_tasks() == 1

    alert = the_alert()
    assert (alert.status, alert.attempts) == ("pending", 1)
    assert alert.last_error == "Slack server error 500"
    # first retry after 2.5-5 s (full jitter below BASE_DELAY)
    wait = (alert.next_attempt_at - started).total_seconds()
    assert BASE_DELAY / 2 <= wait <= BASE_DELAY + 2
    [retry] = ready_tasks("deliver")
    assert retry.args_kwargs["args"] == [alert.id]
    assert retry.run_after == alert.next_attempt_at
    assert slack.messages == []

    # an early copy of the task (e.g. the stuck-requeue) does not jump the queue
    runner.run(alert.id)
    assert the_alert().attempts == 1 and len(posted(slack)) == 1
    assert run_tasks() == 0  # the retry is not due yet

    time_passes()
    assert run_tasks() == 1
    alert = the_alert()
    assert (alert.status, alert.attempts, alert.last_error) == ("done", 2, "")
    assert alert.next_attempt_at is None
    [message] = slack.messages_in("C0LEADS01")
    assert alert.result == {"channel": "C0LEADS01", "ts": message["ts"]}
    # a later attempt first looks for its own message (none here) before posting
    assert slack.calls_to("conversations.history")
    assert len(posted(slack)) == 2


def test_a_429_is_retried_no_sooner_than_retry_after(slack, ai_first, route):
    route()
    slack.fail_next("chat.postMessage", status=429, retry_after=7)
    started, clock = timezone.now(), time.monotonic()
    run_tasks()
    assert time.monotonic() - clock < 3, "the worker must not sleep through a long Retry-After"
    alert = the_alert()
    assert (alert.status, alert.attempts) == ("pending", 1)
    assert alert.last_error == "Slack rate limit (429)"
    assert alert.next_attempt_at >= started + timedelta(seconds=7)
    assert ready_tasks("deliver").get().run_after == alert.next_attempt_at
    time_passes()
    run_tasks()
    assert the_alert().status == "done" and len(slack.messages) == 1


def test_a_short_retry_after_is_waited_out_in_the_same_attempt(slack, ai_first, route):
    route()
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    run_tasks()
    alert = the_alert()
    assert (alert.status, alert.attempts) == ("done", 1)
    assert len(posted(slack)) == 2 and len(slack.messages) == 1


def test_a_timeout_is_transient_and_the_retry_finds_the_late_post(
    slack, ai_first, route, monkeypatch
):
    """Slack answered too late: the message was posted although the client gave up.
    The retry finds it by its knock_key instead of posting it again."""
    monkeypatch.setattr(
        "notifications.slack.deliver.client_for",
        functools.partial(slack_client.client_for, timeout=0.3),
    )
    route()
    slack.delay("chat.postMessage", 1.0)
    run_tasks()
    alert = the_alert()
    assert (alert.status, alert.attempts) == ("pending", 1)
    assert alert.last_error.startswith("Slack unreachable:"), alert.last_error
    deadline = time.monotonic() + 3
    while not slack.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    [late] = slack.messages  # Slack did post it
    slack.delay("chat.postMessage", 0)

    time_passes()
    run_tasks()
    alert = the_alert()
    assert alert.status == "done" and alert.attempts == 2
    assert alert.result == {"channel": "C0LEADS01", "ts": late["ts"], "recovered": True}
    assert len(slack.messages) == 1 and len(posted(slack)) == 1


def test_a_dropped_connection_is_transient(slack, ai_first, route):
    route()
    # the SDK retries one dropped connection itself; the second one reaches us
    slack.drop_connection_next("chat.postMessage", times=2)
    run_tasks()
    alert = the_alert()
    assert (alert.status, alert.attempts) == ("pending", 1)
    assert alert.last_error.startswith("Slack unreachable:"), alert.last_error
    assert alert.next_attempt_at is not None and slack.messages == []
    time_passes()
    run_tasks()
    assert the_alert().status == "done" and len(slack.messages) == 1


def test_after_max_attempts_the_delivery_fails(slack, ai_first, route):
    route()
    Delivery.objects.update(max_attempts=3)
    slack.fail_next("chat.postMessage", status=503, times=10)
    with feed_events(ai_first.workspace) as events:
        for _ in range(3):
            run_tasks()
            time_passes()
    alert = the_alert()
    assert (alert.status, alert.attempts) == ("failed", 3)
    assert alert.last_error == "Slack server error 503"
    assert alert.next_attempt_at is None
    assert not ready_tasks().exists()
    assert len(posted(slack)) == 3 and slack.messages == []
    assert [e["delivery"]["status"] for e in events if e["type"] == "delivery.updated"] == [
        "failed"
    ]


def test_an_unexpected_crash_is_retried_within_the_limit(slack, ai_first):
    delivery = runner.enqueue(
        ai_first.workspace, kind="slack.alert", key="broken", backend="slack",
        target={"channel": "#leads"}, payload={"blocks": []},
    )  # fmt: skip
    Delivery.objects.filter(id=delivery.id).update(max_attempts=2)
    run_tasks()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error == "KeyError: 'text'"
    time_passes()
    run_tasks()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 2)


# -- permanent: failed at once ----------------------------------------------------------
PERMANENT = ["channel_not_found", "not_in_channel", "invalid_auth", "user_not_found"]


@pytest.fixture
def broken(request, slack, settings, team):
    """Make Slack answer the given permanent error, the way real Slack would."""
    error = request.param
    if error == "channel_not_found":
        actions.update_rule(team.rule, monitoring_channel="#no-such-channel")
    elif error == "not_in_channel":
        slack.add_channel("C0PRIV001", "private-leads", member=False)
        actions.update_rule(team.rule, monitoring_channel="#private-leads")
    elif error == "invalid_auth":
        settings.SLACK_BOT_TOKEN = "xoxb-revoked"
    elif error == "user_not_found":
        actions.update_rep(team.dana, slack_user_id="U0DEPARTED")
    kind = "slack.rep_dm" if error == "user_not_found" else "slack.alert"
    return error, kind


@pytest.mark.parametrize("broken", PERMANENT, indirect=True)
def test_permanent_errors_fail_at_once_and_show_in_the_console(broken, team, route, console):
    error, kind = broken
    route()
    run_tasks()
    failed = Delivery.objects.get(kind=kind)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.last_error == f"Slack error: {error}"
    assert failed.next_attempt_at is None
    assert not ready_tasks().exists()  # not retried

    html = console.get(f"/w/{team.workspace.id}/slack/?status=failed").content.decode()
    assert f"Slack error: {error}" in html
    retry_url = f"/w/{team.workspace.id}/deliveries/{failed.id}/retry/"
    assert f'action="{retry_url}"' in html and ">Retry<" in html
    assert "Failed (" in html


def test_retry_requeues_and_succeeds_once_the_fault_is_gone(slack, ai_first, route, console):
    team = ai_first
    actions.update_rule(team.rule, monitoring_channel="#new-leads")
    route()
    run_tasks()
    alert = the_alert()
    assert alert.status == "failed" and alert.last_error == "Slack error: channel_not_found"

    slack.add_channel("C0NEW0001", "new-leads")  # someone creates the channel and invites the bot
    url = f"/w/{team.workspace.id}/deliveries/{alert.id}/retry/"
    assert console.get(url).status_code == 405
    response = console.post(url)
    assert response.status_code == 302 and response["Location"] == f"/w/{team.workspace.id}/slack/"
    alert = the_alert()
    assert (alert.status, alert.attempts, alert.max_attempts) == ("pending", 1, 4)
    assert ready_tasks("deliver").count() == 1

    run_tasks()
    alert = the_alert()
    assert (alert.status, alert.attempts, alert.last_error) == ("done", 2, "")
    [message] = slack.messages_in("C0NEW0001")
    assert alert.result == {"channel": "C0NEW0001", "ts": message["ts"]}
    html = console.get(f"/w/{team.workspace.id}/slack/").content.decode()
    assert ">Sent<" in html and ">Retry<" not in html

    console.post(url)  # Retry on a delivery that is not failed changes nothing
    assert the_alert().status == "done" and not ready_tasks().exists()


def test_retry_is_scoped_to_the_workspace(slack, ai_first, route, console, other_api):
    foreign = runner.enqueue(
        other_api.workspace, kind="slack.alert", key="x", backend="slack",
        target={"channel": "#nope"}, payload={"text": "x"},
    )  # fmt: skip
    Delivery.objects.filter(id=foreign.id).update(status="failed")
    url = f"/w/{ai_first.workspace.id}/deliveries/{foreign.id}/retry/"
    assert console.post(url).status_code == 404
    assert Delivery.objects.get(id=foreign.id).status == "failed"


def test_retry_does_not_redirect_off_site(slack, ai_first, route, console):
    actions.update_rule(ai_first.rule, monitoring_channel="#nope")
    route()
    run_tasks()
    url = f"/w/{ai_first.workspace.id}/deliveries/{the_alert().id}/retry/"
    for off_site in ("https://evil.example/phish", "//evil.example/", "javascript:alert(1)"):
        response = console.post(url, {"next": off_site})
        assert response.status_code == 302
        assert response["Location"] == f"/w/{ai_first.workspace.id}/slack/", off_site
    back = f"/w/{ai_first.workspace.id}/slack/?status=failed"
    assert console.post(url, {"next": back})["Location"] == back


# -- backoff ---------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(20))
def test_backoff_grows_exponentially_with_full_jitter(seed):
    rng = random.Random(seed)
    for attempt in range(1, 16):
        ceiling = min(MAX_DELAY, BASE_DELAY * 2 ** (attempt - 1))
        delay = backoff(attempt, rng=rng)
        assert ceiling / 2 <= delay <= ceiling
    assert backoff(40, rng=rng) <= MAX_DELAY  # capped (15 minutes), never overflows
    assert backoff(0, rng=rng) <= BASE_DELAY


def test_backoff_is_jittered_and_its_mean_grows():
    rng = random.Random(1)
    means = []
    for attempt in range(1, 9):
        samples = [backoff(attempt, rng=rng) for _ in range(200)]
        assert len(set(samples)) > 150  # jitter: workers do not retry in lockstep
        means.append(sum(samples) / len(samples))
    assert means == sorted(means) and means[-1] > 50 * means[0]
    assert backoff(3, rng=random.Random(5)) == backoff(3, rng=random.Random(5))


@pytest.mark.parametrize("seed", range(10))
def test_backoff_honours_retry_after(seed):
    rng = random.Random(seed)
    for attempt in range(1, 10):
        for retry_after in (0.5, 7, 30, 120, 3600):
            delay = backoff(attempt, retry_after, rng=rng)
            assert delay >= retry_after
            assert delay <= max(retry_after, min(MAX_DELAY, BASE_DELAY * 2 ** (attempt - 1)))


def test_done_and_failed_are_final(slack, ai_first, route):
    route()
    run_tasks()
    alert = the_alert()
    for status in ("done", "failed"):
        Delivery.objects.filter(id=alert.id).update(status=status)
        runner.run(alert.id)
        assert the_alert().attempts == 1
    assert runner.run(10**9) is None
    assert len(posted(slack)) == 1


def test_task_rows_record_every_attempt(slack, ai_first, route):
    route()
    slack.fail_next("chat.postMessage", status=500)
    run_tasks()
    time_passes()
    run_tasks()
    rows = DBTaskResult.objects.filter(task_path="outbox.runner.deliver")
    assert rows.count() == 2 and set(rows.values_list("status", flat=True)) == {"SUCCESSFUL"}
