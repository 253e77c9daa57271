"""A lead's row per inbound chat: Lead.objects.touch, one INSERT ... ON CONFLICT ... RETURNING
(#16 item 1: it replaced a read, then an insert or an update, and a retry on a race)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from routing import actions
from routing.models import Chat, Lead

pytestmark = pytest.mark.django_db


def touch(workspace, email="lea@bigco.com", *, name="", first_touch=None, now=None):
    with CaptureQueriesContext(connection) as ctx:
        lead = Lead.objects.touch(
            workspace, email, name=name, first_touch=first_touch or {}, now=now or timezone.now()
        )
    assert len(ctx.captured_queries) == 1, [q["sql"] for q in ctx.captured_queries]
    return lead


def test_a_new_lead_is_inserted_with_its_first_touch_in_one_statement(workspace):
    now = timezone.now()
    lead = touch(workspace, name="Lea", first_touch={"source": "google"}, now=now)
    assert not lead.existed and lead.prior_chats == 0 and lead.previous_seen_at is None
    stored = Lead.objects.get(pk=lead.pk)
    assert (stored.email, stored.name, stored.first_touch) == (
        "lea@bigco.com",
        "Lea",
        {"source": "google"},
    )
    assert stored.created_at == stored.last_seen_at == now == lead.created_at
    assert lead.workspace == workspace


def test_a_known_lead_keeps_its_first_touch_and_says_what_it_was(workspace):
    first = timezone.now() - timedelta(days=3)
    created = touch(workspace, name="Lea", first_touch={"source": "google"}, now=first)
    Chat.objects.create(workspace=workspace, lead=created)
    Chat.objects.create(workspace=workspace, lead=created)
    now = timezone.now()
    lead = touch(workspace, first_touch={"source": "bing"}, now=now)
    assert lead.pk == created.pk and lead.existed
    assert lead.prior_chats == 2 and lead.previous_seen_at == first and lead.last_seen_at == now
    assert lead.first_touch == {"source": "google"}  # locked once set (SPEC 6)
    assert lead.name == "Lea"  # no name given: kept
    assert touch(workspace, name="Lea Park").name == "Lea Park"
    assert Lead.objects.count() == 1


def test_a_known_lead_without_a_first_touch_gets_this_one(workspace):
    Lead.objects.create(workspace=workspace, email="lea@bigco.com")
    lead = touch(workspace, first_touch={"source": "g2"})
    assert lead.existed and Lead.objects.get().first_touch == {"source": "g2"}


def test_the_same_email_in_two_workspaces_is_two_leads(workspace):
    other, _ = actions.create_workspace("Other Co")
    assert touch(workspace).pk != touch(other).pk
    assert not touch(other, "new@bigco.com").existed


def test_a_returning_lead_is_routed_as_known_with_its_history(workspace, make_rep):
    make_rep("Dana")
    actions.route_chat(
        workspace, {"lead": {"email": "back@bigco.com"}, "utm": {"source": "google"}}
    )
    Lead.objects.update(last_seen_at=timezone.now() - timedelta(days=2))
    routed = actions.route_chat(
        workspace, {"lead": {"email": "back@bigco.com", "name": "Rae"}, "utm": {"source": "bing"}}
    )
    lead = Lead.objects.get(email="back@bigco.com")
    assert lead.name == "Rae" and routed.chat.lead_id == lead.id
    assert routed.context["session"]["is_returning"] is True
    assert routed.context["attribution"]["source"] == "google"
    assert Chat.objects.filter(lead=lead).count() == 2
    new = actions.route_chat(workspace, {"lead": {"email": "new@bigco.com"}})
    assert new.context["session"]["is_returning"] is False
    # Two days away and one chat before count for the returning lead's engagement.
    assert (
        routed.context["signals"]["engagement_score"] != new.context["signals"]["engagement_score"]
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_first_chats_of_one_lead_at_once_make_one_lead():
    """No read-then-insert window left: eight threads send the same new lead's first chat."""
    workspace, _ = actions.create_workspace("Race Co")
    actions.create_rep(workspace, name="Dana", email="dana@race.test")
    barrier, errors, routed = threading.Barrier(8), [], []

    def worker():
        try:
            barrier.wait()
            routed.append(actions.route_chat(workspace, {"lead": {"email": "race@bigco.com"}}))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert Lead.objects.filter(workspace=workspace).count() == 1
    assert Chat.objects.filter(workspace=workspace).count() == 8
    returning = sorted(r.context["session"]["is_returning"] for r in routed)
    assert returning == [False] + [True] * 7
