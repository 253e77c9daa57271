"""route_chat on PostgreSQL: one statement writes the rotation, chat, decision and
deliveries, and carries the transaction's COMMIT when nothing follows it (issue 16
item 4: the pool lock is released in that round trip).

Transactional tests: inside a test's own transaction route_chat's block is a
savepoint, and the COMMIT is left to the block (knock.rawsql._outermost).
"""

import threading

import pytest
from django.db import IntegrityError, connection
from django_tasks_db.models import DBTaskResult
from psycopg import pq

from notifications.models import SlackSettings
from outbox.models import Delivery
from routing import actions, events
from routing.models import Chat, Decision, IdempotencyRecord, Lead, PoolMember

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHATS = "/api/v1/chats/"


class RecordingLayer:
    """Stands in for the channel layer: what the on_commit feed hook sends."""

    def __init__(self):
        self.sent = []

    async def group_send(self, group, event):
        self.sent.append((group, event["type"]))


@pytest.fixture
def layer(monkeypatch):
    recording = RecordingLayer()
    monkeypatch.setattr(events, "get_channel_layer", lambda: recording)
    return recording


@pytest.fixture
def pooled():
    workspace, key = actions.create_workspace("Commit Co")
    reps = [actions.create_rep(workspace, name=f"Rep {i}", email=f"r{i}@c.test") for i in range(3)]
    pool = actions.create_pool(workspace, name="Everyone", members=[{"rep": r.id} for r in reps])
    rule = actions.create_rule(workspace, kind="chat", name="All to pool")
    actions.add_segment(
        rule, name="Everyone", conditions={"all": []}, assignee={"type": "pool", "id": pool.id}
    )
    actions.create_link(workspace, slug="web", name="Web", channel="Web", chat_rule=rule)
    return workspace, key, pool


def _statements(fn):
    """fn()'s result, and (verb, pipeline mode on?) of each statement it ran."""
    seen = []

    def record(execute, sql, params, many, context):
        on = connection.connection.pgconn.pipeline_status != pq.PipelineStatus.OFF
        seen.append((sql.split(None, 1)[0].upper(), on))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        return fn(), seen


def _counted_elsewhere(workspace) -> dict:
    """The rows another connection sees: only what was committed."""
    out = {}

    def read():
        try:
            out["chats"] = Chat.objects.filter(workspace=workspace).count()
            out["decisions"] = Decision.objects.filter(workspace=workspace).count()
            out["deliveries"] = Delivery.objects.filter(workspace=workspace).count()
            out["leads"] = Lead.objects.filter(workspace=workspace).count()
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return out


def _route(workspace, email):
    return actions.route_chat(workspace, {"link": "web", "lead": {"email": email}})


def test_the_write_carries_the_commit_and_the_hooks_run_after_it(pooled, layer):
    workspace, _, pool = pooled
    routed, seen = _statements(lambda: _route(workspace, "a@lead.test"))
    # The first statement of the transaction (the lead upsert) is sent with its BEGIN,
    # the last is the one write, sent with its COMMIT; both in pipeline mode.
    assert [s for s in seen if s[1]] == [("INSERT", True), ("WITH", True)]
    assert seen[-1] == ("WITH", True)
    assert connection.connection.info.transaction_status == pq.TransactionStatus.IDLE
    assert not connection.in_atomic_block
    # Committed: another connection sees every row, with the keys the upsert took.
    assert _counted_elsewhere(workspace) == {"chats": 1, "decisions": 1, "deliveries": 1,
                                             "leads": 1}  # fmt: skip
    decision = Decision.objects.get(workspace=workspace)
    assert decision.pk == routed.decision.pk and decision.chat_id == routed.chat.pk
    assert decision.created_at == routed.decision.created_at
    delivery = Delivery.objects.get(workspace=workspace)
    assert delivery.kind == "slack.rep_dm" and delivery.decision_id == decision.pk
    assert delivery.key == f"decision:{decision.pk}:rep_dm" and delivery.chat_id == routed.chat.pk
    assert sum(PoolMember.objects.filter(pool=pool).values_list("assigned_count", flat=True)) == 1
    # The feed's on_commit hook ran once the block ended.
    assert layer.sent == [(f"workspace.{workspace.id}.feed", "decision.created")]
    # The connection goes on: the next chat takes the next member.
    again = _route(workspace, "b@lead.test")
    assert again.decision.rep_id != routed.decision.rep_id


def test_a_failed_write_leaves_nothing_and_sends_nothing(pooled, layer):
    workspace, _, pool = pooled
    _route(workspace, "first@lead.test")
    # The chat's next key is taken already: the one write fails on it.
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM routing_chat_id_seq")
        (last,) = cursor.fetchone()
    lead = Lead.objects.get(workspace=workspace)
    Chat.objects.create(pk=last + 1, workspace=workspace, lead=lead)
    before = list(PoolMember.objects.filter(pool=pool).values_list("id", "current_weight"))
    layer.sent.clear()
    with pytest.raises(IntegrityError, match="routing_chat_pkey"):  # Django's, as always
        _route(workspace, "second@lead.test")
    assert not Lead.objects.filter(email="second@lead.test").exists()
    assert Decision.objects.filter(workspace=workspace).count() == 1
    assert Delivery.objects.filter(workspace=workspace).count() == 1
    assert list(PoolMember.objects.filter(pool=pool).values_list("id", "current_weight")) == before
    assert layer.sent == []
    assert _route(workspace, "third@lead.test").decision.pk  # the connection is usable


def test_a_delivery_that_leaves_the_building_keeps_its_task_in_the_transaction(pooled, layer):
    workspace, _, _ = pooled
    own = SlackSettings(workspace=workspace, default_channel="#leads")
    own.bot_token = "xoxb-test"
    own.save()
    routed, seen = _statements(lambda: _route(workspace, "slack@lead.test"))
    # The task is written after the deliveries (it names their ids): the write is not
    # the last statement, so the block commits as usual.
    assert ("WITH", False) in seen and seen[-1] == ("INSERT", False)
    ids = sorted(
        Delivery.objects.filter(decision_id=routed.decision.pk).values_list("id", flat=True)
    )
    assert len(ids) == 2  # the channel alert and the rep's DM
    task = DBTaskResult.objects.get(task_path="outbox.runner.deliver_all")
    assert task.args_kwargs["args"] == [ids]
    assert layer.sent == [(f"workspace.{workspace.id}.feed", "decision.created")]


def test_with_an_idempotency_key_the_record_commits_with_the_chat(pooled, layer, client):
    workspace, key, _ = pooled
    headers = {"HTTP_AUTHORIZATION": f"Token {key}", "HTTP_IDEMPOTENCY_KEY": "k-1"}
    body = '{"link": "web", "lead": {"email": "key@lead.test"}}'
    first, seen = _statements(
        lambda: client.post(CHATS, body, content_type="application/json", **headers)
    )
    assert first.status_code == 201, first.content
    assert ("WITH", False) in seen  # the record is written after it: no COMMIT with it
    record = IdempotencyRecord.objects.get()
    assert record.response["id"] == first.json()["id"]
    again = client.post(CHATS, body, content_type="application/json", **headers)
    assert again.json()["id"] == first.json()["id"]
    assert Chat.objects.filter(workspace=workspace).count() == 1
