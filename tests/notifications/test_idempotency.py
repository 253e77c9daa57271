"""Item 2's idempotency: a delivery that runs twice posts once, even when the worker
died between posting to Slack and recording that it did."""

from datetime import timedelta

import pytest
from django.utils import timezone

from outbox import runner
from outbox.models import Delivery
from routing import actions

from .conftest import ready_tasks, run_tasks, time_passes, user_id


class WorkerDied(BaseException):
    """The process went away (SIGKILL, OOM, deploy): no `except Exception` catches it."""


@pytest.fixture
def dies_after_posting(monkeypatch):
    """The first delivery of `kind` to finish dies after its Slack call succeeded and
    before `_done` records the result."""
    real_done = runner._done
    state = {"kind": None, "died": 0}

    def done(delivery, result):
        if delivery.kind == state["kind"] and not state["died"]:
            state["died"] += 1
            raise WorkerDied
        return real_done(delivery, result)

    monkeypatch.setattr(runner, "_done", done)

    def arm(kind):
        state["kind"] = kind

    return arm


def with_key(messages, key):
    return [
        m
        for m in messages
        if m.get("metadata", {}).get("event_payload", {}).get("knock_key") == key
    ]


def make_stuck(delivery, minutes=6):
    Delivery.objects.filter(id=delivery.id).update(
        updated_at=timezone.now() - timedelta(minutes=minutes)
    )


@pytest.mark.parametrize(
    "kind,channel_id",
    [("slack.alert", "C0LEADS01"), ("slack.rep_dm", "D000000001")],
    ids=["channel given as #name", "DM"],
)
def test_the_worker_dies_after_posting_and_the_message_still_appears_once(
    slack, team, route, dies_after_posting, kind, channel_id
):
    route()
    delivery = Delivery.objects.get(kind=kind)
    dies_after_posting(kind)
    with pytest.raises(WorkerDied):
        runner.run(delivery.id)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("running", 1)
    [first] = with_key(slack.messages_in(channel_id), delivery.key)  # Slack has it
    assert "ts" not in delivery.result  # ...but we never recorded it

    # Another worker picks the task up while the first is presumed alive: hands off.
    runner.run(delivery.id)
    assert runner.requeue_stuck() == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("running", 1)

    # Five minutes later the delivery counts as stuck and goes back to the queue.
    make_stuck(delivery)
    ready_tasks().delete()  # only the requeue may bring it back
    assert runner.requeue_stuck() == 1
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    [task] = ready_tasks("deliver")
    assert task.args_kwargs["args"] == [delivery.id]

    run_tasks()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("done", 2)
    assert delivery.result == {"channel": channel_id, "ts": first["ts"], "recovered": True}
    assert len(with_key(slack.messages_in(channel_id), delivery.key)) == 1
    posts = [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.params["metadata"]["event_payload"]["knock_key"] == delivery.key
    ]
    assert len(posts) == 1
    [history] = slack.calls_to("conversations.history")
    assert history.params["channel"] == channel_id
    if kind == "slack.alert":
        assert slack.calls_to("conversations.list")  # "#leads" resolved to its id
    else:
        assert len(slack.calls_to("conversations.open")) == 1  # the DM channel was remembered
        assert delivery.target == {"user": user_id(1), "rep": team.dana.id}


def test_a_stuck_delivery_is_found_again_in_a_busy_channel(slack, team, route, dies_after_posting):
    """A leads channel gets many alerts; the recovery must look past the newest page."""
    route()
    alert = Delivery.objects.get(kind="slack.alert")
    dies_after_posting("slack.alert")
    with pytest.raises(WorkerDied):
        runner.run(alert.id)
    other = slack.client()
    for n in range(250):
        other.chat_postMessage(channel="C0LEADS01", text=f"other lead {n}")
    make_stuck(alert)
    runner.requeue_stuck()
    run_tasks()
    alert.refresh_from_db()
    assert alert.status == "done" and alert.result["recovered"] is True
    assert len(with_key(slack.messages_in("C0LEADS01"), alert.key)) == 1


def test_the_stuck_requeue_runs_at_the_start_of_any_delivery(
    slack, team, route, dies_after_posting
):
    route(email="one@bigco.com")
    first = Delivery.objects.get(kind="slack.alert")
    dies_after_posting("slack.alert")
    with pytest.raises(WorkerDied):
        runner.run(first.id)
    make_stuck(first)
    route(email="two@bigco.com")  # the next decision's task also sweeps stuck deliveries
    run_tasks()
    first.refresh_from_db()
    assert first.status == "done" and first.result["recovered"] is True
    assert len(with_key(slack.messages, first.key)) == 1
    assert len(slack.messages_in("C0LEADS01")) == 2


def test_running_the_same_delivery_twice_posts_once(slack, team, route):
    route()
    alert = Delivery.objects.get(kind="slack.alert")
    runner.deliver.enqueue(alert.id)  # a duplicate task for the same delivery
    assert run_tasks() == 2  # the decision's one task (alert and DM), and the duplicate
    runner.run(alert.id)
    runner.run(alert.id)
    assert len(slack.messages_in("C0LEADS01")) == 1
    assert len(slack.calls_to("chat.postMessage")) == 2  # the alert and the DM, once each
    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == ("done", 1)


def test_creating_a_delivery_twice_keeps_one_row_and_one_task(slack, team):
    make = lambda: runner.enqueue(  # noqa: E731
        team.workspace, kind="slack.alert", key="decision:1:alert", backend="slack",
        target={"channel": "#leads"}, payload={"text": "hi"},
    )  # fmt: skip
    assert make().id == make().id
    assert Delivery.objects.count() == 1 and ready_tasks().count() == 1


def test_a_retry_after_a_failure_before_posting_posts_once(slack, team, route):
    actions.update_rule(team.rule, monitoring_channel="C0LEADS01")
    route()
    slack.fail_next("chat.postMessage", status=500)
    run_tasks()
    time_passes()
    run_tasks()
    alert = Delivery.objects.get(kind="slack.alert")
    assert alert.status == "done" and "recovered" not in alert.result
    assert len(with_key(slack.messages_in("C0LEADS01"), alert.key)) == 1
