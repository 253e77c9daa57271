"""SlackEvent / SlackInteraction are pruned after the retention window by a periodic
task (notifications/pruning.py), like the auto-close; recent rows and events still
waiting for their thread are kept."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notifications import pruning
from notifications.models import SlackEvent, SlackInteraction
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db


def event(n, hours_ago, processed=True):
    row = SlackEvent.objects.create(event_id=f"Ev{n}", payload={"event": {}})
    at = timezone.now() - timedelta(hours=hours_ago)
    SlackEvent.objects.filter(id=row.id).update(
        received_at=at, processed_at=at if processed else None
    )
    return row


def click(n, hours_ago):
    row = SlackInteraction.objects.create(key=f"k{n}", action_id="knock_join")
    SlackInteraction.objects.filter(id=row.id).update(
        received_at=timezone.now() - timedelta(hours=hours_ago)
    )
    return row


def _waiting():
    path = "notifications.pruning.prune_tick"
    return DBTaskResult.objects.filter(task_path=path, status="READY")


def test_prune_deletes_only_what_is_past_the_window(settings):
    settings.SLACK_SEEN_RETENTION_HOURS = 72
    old, recent = event(1, 100), event(2, 1)
    waiting = event(3, 100, processed=False)  # a reply waiting for its alert's thread
    forgotten = event(4, 24 * 31, processed=False)  # no alert will come after a month
    old_click, new_click = click(1, 80), click(2, 70)
    assert pruning.prune() == {"events": 2, "interactions": 1}
    assert set(SlackEvent.objects.values_list("id", flat=True)) == {recent.id, waiting.id}
    assert list(SlackInteraction.objects.values_list("id", flat=True)) == [new_click.id]
    assert not SlackEvent.objects.filter(id__in=[old.id, forgotten.id]).exists()
    assert not SlackInteraction.objects.filter(id=old_click.id).exists()
    assert pruning.prune() == {"events": 0, "interactions": 0}  # idempotent


def test_deletes_in_batches(settings, monkeypatch):
    monkeypatch.setattr(pruning, "BATCH", 2)
    for n in range(5):
        click(n, 100)
    assert pruning.prune()["interactions"] == 5
    assert not SlackInteraction.objects.exists()


def test_the_periodic_task_prunes_and_queues_the_next_tick():
    click(1, 100)
    call_command("prune_slack_seen", "--schedule", "--every", "60", stdout=io.StringIO())
    assert pruning.schedule(60, delay=0) is False  # idempotent: one tick waits
    run_tasks()
    assert not SlackInteraction.objects.exists()
    nxt = _waiting().get()
    assert nxt.run_after > timezone.now() + timedelta(seconds=50)


def test_the_command_runs_once_now_and_refuses_a_silly_interval(capsys):
    click(1, 100)
    call_command("prune_slack_seen")
    assert "Deleted 0 Slack events and 1 interactions." in capsys.readouterr().out
    assert not _waiting().exists()
    with pytest.raises(CommandError):
        call_command("prune_slack_seen", "--schedule", "--every", "1")
