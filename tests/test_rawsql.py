"""knock/rawsql.py: written-out reads and inserts give what the ORM gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from knock import rawsql
from routing import actions
from routing.models import Rep, Workspace

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_insert_sets_the_key_and_auto_now_add_and_writes_what_save_would(workspace):
    rep = Rep(
        workspace=workspace,
        name="Dana",
        email="dana@x.test",
        working_hours={"mon": [["09:00", "17:00"]]},
        crm_user_ids=["005A"],
        out_of_office_until=datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    rawsql.insert(rep)
    assert rep.pk is not None and rep.created_at is not None
    assert rep._state.adding is False and rep._state.db == "default"
    assert _fields(Rep.objects.get(pk=rep.pk)) == _fields(rep)


def test_insert_many_returns_each_key_in_order(workspace):
    reps = [Rep(workspace=workspace, name=f"R{i}", email=f"r{i}@x.test") for i in range(3)]
    rawsql.insert_many(reps)
    assert [Rep.objects.get(pk=r.pk).email for r in reps] == ["r0@x.test", "r1@x.test", "r2@x.test"]
    rawsql.insert_many([])  # nothing to do, no statement


def test_a_refused_insert_raises_and_writes_nothing(workspace):
    actions.create_rep(workspace, name="A", email="same@x.test")
    before = Rep.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        rawsql.insert(Rep(workspace=workspace, name="B", email="same@x.test"))
    assert Rep.objects.count() == before


def test_instances_match_the_orm_and_a_null_key_is_none(workspace):
    rep = actions.create_rep(
        workspace, name="Eli", email="eli@x.test", working_hours={"tue": [["10:00", "12:00"]]}
    )
    sql = (  # noqa: S608 - a test's fixed text
        f"SELECT {rawsql.columns(Rep, 'r', connection)}, "
        f"{rawsql.columns(Workspace, 'w', connection)} "
        "FROM routing_rep r LEFT JOIN routing_workspace w ON w.id = r.workspace_id AND 1 = 0 "
        "WHERE r.id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [rep.pk])
        row = cursor.fetchone()
    got, missing = rawsql.instances(row, [(Rep, "r"), (Workspace, "w")], connection)
    assert missing is None
    assert _fields(got) == _fields(Rep.objects.get(pk=rep.pk))
    assert got.working_hours == {"tue": [["10:00", "12:00"]]}  # JSON converted, not a string
    assert got._state.adding is False


def test_insert_rows_writes_keyed_rows_the_last_group_and_the_statements_before(workspace):
    from django.test.utils import CaptureQueriesContext

    from routing.models import Chat, Lead

    rep = actions.create_rep(workspace, name="Dana", email="dana@chain.test")
    lead = Lead.objects.touch(
        workspace, "lead@chain.test", name="", first_touch={}, now=timezone.now(),
        next_ids=(Chat, Chat),
    )  # fmt: skip
    first = Chat(workspace=workspace, lead=lead, message="hello", rep_owner=rep)
    second = Chat(workspace=workspace, lead=lead, message="again")
    stamp = timezone.now() - timedelta(seconds=5)
    if connection.vendor == "postgresql":
        first.pk, second.pk = lead.next_ids  # taken by the touch
        first.created_at = stamp  # a stamp set already is kept on a keyed row
    else:
        assert lead.next_ids == ()
    third = Chat(workspace=workspace, lead=lead, message="keys from the database")
    before = [("UPDATE routing_rep SET name = %s WHERE id = %s", ["Dana B.", rep.id])]
    with CaptureQueriesContext(connection) as ctx:
        rawsql.insert_rows([first], [second], [third], before=before)
    # PostgreSQL: one statement; elsewhere the statements one by one.
    assert len(ctx.captured_queries) == (1 if connection.vendor == "postgresql" else 4)
    for chat in (first, second, third):
        assert chat.pk and not chat._state.adding and chat._state.db == "default"
        assert _fields(Chat.objects.get(pk=chat.pk)) == _fields(chat)
    assert len({first.pk, second.pk, third.pk}) == 3
    assert Rep.objects.get(pk=rep.pk).name == "Dana B."
    if connection.vendor == "postgresql":
        assert Chat.objects.get(pk=first.pk).created_at == stamp
        assert Chat.objects.get(pk=second.pk).created_at > stamp


def test_insert_rows_refuses_an_unsaved_relation_and_a_mixed_group(workspace):
    from routing.models import Chat, Lead

    lead = Lead.objects.create(workspace=workspace, email="x@chain.test")
    unsaved_rep = Rep(workspace=workspace, name="Nobody", email="n@chain.test")
    with pytest.raises(ValueError, match="rep_owner"), transaction.atomic():
        rawsql.insert_rows([Chat(workspace=workspace, lead=lead, rep_owner=unsaved_rep)])
    assert not Chat.objects.filter(lead=lead).exists()
    if connection.vendor == "postgresql":  # checked before any statement is sent
        keyed = Chat(workspace=workspace, lead=lead, pk=10**9)
        with pytest.raises(ValueError, match="all keyed or none"), transaction.atomic():
            rawsql.insert_rows([keyed, Chat(workspace=workspace, lead=lead)])
        assert not Chat.objects.filter(lead=lead).exists()


def test_a_write_of_110_parameters_has_its_placeholders_converted_once():
    """psycopg parses a statement's %s into $n again for every execution above its
    parameter bound; rawsql raises the bound past the chat's one write (75 to 110)."""
    from psycopg import _queries as psycopg_queries
    from psycopg.adapt import Transformer

    assert psycopg_queries.MAX_CACHED_STATEMENT_PARAMS >= rawsql.CACHED_STATEMENT_PARAMS
    sql = "SELECT " + ", ".join(["%s"] * 110) + " -- test_rawsql"
    params = list(range(110))
    before = psycopg_queries._query2pg.cache_info()
    for _ in range(3):
        query = psycopg_queries.PostgresQuery(Transformer())
        query.convert(sql, params)
        assert query.query.startswith(b"SELECT $1, $2")
    after = psycopg_queries._query2pg.cache_info()
    assert after.misses - before.misses == 1
    assert after.hits - before.hits == 2
