"""routing 0016: a decision's trace digest (what the replay reads) is written with it,
on every path that writes a decision, and the migration fills it for older rows."""

import pytest
from django.core.management import call_command
from django.db import connection

from routing import actions, replay
from routing.models import Decision

pytestmark = pytest.mark.django_db


def _routed(workspace, make_rep, email="digest@lead.test"):
    make_rep("Dana")
    return actions.route_chat(workspace, {"lead": {"email": email}}).decision


def test_a_routed_chats_decision_stores_the_digest_of_its_trace(workspace, make_rep):
    decision = _routed(workspace, make_rep)
    stored = Decision.objects.get(pk=decision.pk)
    assert stored.trace == decision.trace
    assert stored.trace_digest == replay.digest(stored.trace)
    assert stored.trace_digest["result"] == stored.trace["result"]
    assert "segments" not in stored.trace_digest


def test_bulk_created_decisions_get_their_digest_too(workspace, make_rep):
    decision = Decision.objects.get(pk=_routed(workspace, make_rep).pk)
    trace = {**decision.trace, "lines": ["last resort: (default rep Bo is paused)"]}
    copy = Decision(
        **{
            f.attname: getattr(decision, f.attname)
            for f in Decision._meta.concrete_fields
            if f.attname not in ("id", "chat_id", "trace", "trace_digest")
        },
        trace=trace,
    )
    Decision.objects.bulk_create([copy])
    stored = Decision.objects.exclude(pk=decision.pk).get()
    assert stored.trace_digest["lines"] == ["last resort: (default rep Bo is paused)"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_digest_of_older_decisions(workspace, make_rep):
    decision = _routed(workspace, make_rep, "older@lead.test")
    call_command("migrate", "routing", "0015", verbosity=0)
    try:
        with connection.cursor() as cursor:
            columns = connection.introspection.get_table_description(cursor, "routing_decision")
        assert "trace_digest" not in {c.name for c in columns}  # gone on the way back
    finally:
        call_command("migrate", "routing", verbosity=0)
    stored = Decision.objects.get(pk=decision.pk)
    assert stored.trace_digest == replay.digest(stored.trace)
    assert stored.trace_digest["reasons"]  # the chosen segment's reason, at least
