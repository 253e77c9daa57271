"""The periodic auto-close: a self-re-enqueuing task on django-tasks-db."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from routing import actions, tasks
from routing.models import Chat
from tests.tasks import run_tasks


def _stale_chat(workspace, hours=30):
    actions.create_rep(workspace, name="Amy", email="amy@acme.test")
    routed = actions.route_chat(workspace, {"lead": {"email": "idle@x.com"}})
    Chat.objects.filter(id=routed.chat.id).update(
        created_at=timezone.now() - timedelta(hours=hours)
    )
    return routed.chat


def _waiting():
    return DBTaskResult.objects.filter(task_path="routing.tasks.autoclose_tick", status="READY")


def test_schedule_is_idempotent(db):
    assert tasks.schedule(60, delay=0) is True
    assert tasks.schedule(60, delay=0) is False
    assert _waiting().count() == 1


def test_a_tick_closes_idle_chats_and_queues_the_next_one(workspace):
    chat = _stale_chat(workspace)
    call_command("autoclose_chats", "--schedule", "--every", "60", stdout=io.StringIO())
    run_tasks()
    assert Chat.objects.get(id=chat.id).status == "closed"
    nxt = _waiting().get()
    assert nxt.run_after > timezone.now() + timedelta(seconds=50)  # the next tick, later


def test_two_chains_collapse_into_one(workspace):
    tasks.autoclose_tick.enqueue(60)
    tasks.autoclose_tick.enqueue(60)
    run_tasks()
    assert _waiting().count() == 1


def test_the_command_runs_once_now(workspace, capsys):
    chat = _stale_chat(workspace)
    call_command("autoclose_chats")
    assert "Closed 1 idle chat." in capsys.readouterr().out
    assert Chat.objects.get(id=chat.id).closed_by.startswith("auto-close")
    assert not _waiting().exists()
