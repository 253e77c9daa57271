"""The handler registry: settings.KNOCK_OUTBOX_HANDLERS is the whole list of kinds.

A delivery whose kind has no handler (or whose handler does not import) fails at once,
permanently, with the reason; it is not retried (it used to be a KeyError, retried six
times). Runs through the real worker (db_worker --batch) on django-tasks-db.
"""

from __future__ import annotations

import inspect

import pytest
from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

import outbox
from outbox.models import Delivery
from tests.tasks import run_tasks


def enqueue(workspace, kind: str, key: str = "k1") -> Delivery:
    with transaction.atomic():
        return outbox.enqueue(
            workspace, kind=kind, key=key, backend="slack",
            target={"channel": "#leads"}, payload={"text": "hi"},
        )  # fmt: skip


def ready() -> int:
    return DBTaskResult.objects.filter(status="READY").count()


def test_an_unknown_kind_fails_permanently_at_once(workspace):
    delivery = enqueue(workspace, "teams.post")
    assert ready() == 1
    assert run_tasks() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.FAILED, 1)
    assert delivery.last_error == (
        "no handler for the kind 'teams.post' (settings.KNOCK_OUTBOX_HANDLERS)"
    )
    assert delivery.next_attempt_at is None and ready() == 0  # no retry scheduled


def test_a_handler_path_that_does_not_import_fails_permanently(workspace, settings):
    settings.KNOCK_OUTBOX_HANDLERS = {
        **settings.KNOCK_OUTBOX_HANDLERS,
        "slack.alert": "notifications.slack.deliver.no_such_function",
    }
    delivery = enqueue(workspace, "slack.alert")
    run_tasks()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.FAILED, 1)
    assert delivery.last_error.startswith(
        "the handler of 'slack.alert' does not import: notifications.slack.deliver.no_such_function"
    )
    assert ready() == 0


def test_every_kind_the_console_names_has_a_handler_and_no_other():
    kinds = {kind for kind, _ in Delivery.KINDS}
    assert kinds == set(settings.KNOCK_OUTBOX_HANDLERS)
    for kind, path in settings.KNOCK_OUTBOX_HANDLERS.items():
        handler = import_string(path)
        assert list(inspect.signature(handler).parameters) == ["delivery"], kind


@pytest.mark.parametrize("app", ["notifications", "crm", "calendars", "outbox"])
def test_no_app_registers_handlers_when_it_is_ready(app):
    from django.apps import AppConfig, apps

    # Handlers are found through the settings when a delivery runs, not by importing.
    assert type(apps.get_app_config(app)).ready is AppConfig.ready
