"""Hand-written SQL for the statements every routed chat runs, with the ORM's parts.

The ORM spends more CPU building some statements than the database spends running
them (docs/benchmarks.md, issue 16): a select_related read or an INSERT is compiled
again on every request. Here the text is built once per (model, alias, database
vendor) from the models' own `_meta` (table, columns, quoting), values go as
parameters prepared by the fields themselves (`get_db_prep_save`), and rows come
back as model instances through the fields' own converters and `Model.from_db`,
exactly as the ORM makes them. Cached per database alias (a process's aliases
keep their vendor). Only for plain reads and inserts: no signals are sent
(none of the models written here has receivers) and no inheritance is handled.
"""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connections, router
from psycopg import _queries as psycopg_queries
from psycopg import pq

# psycopg caches its conversion of a statement's %s placeholders into $1, $2...
# (a parse of the whole text) only for statements of at most 50 parameters (and
# 4 KB), to keep the ORM's bulk inserts of every size out of its 128-entry LRU.
# The chat's one write (rotation update, chat, decision and deliveries:
# insert_rows) has 75 to 110 parameters in about 1.5 KB, and the same text on every
# chat: without this it was parsed again each time, about 2% of a routed chat's
# server time (py-spy). The length bound still applies.
CACHED_STATEMENT_PARAMS = 200
if psycopg_queries.MAX_CACHED_STATEMENT_PARAMS < CACHED_STATEMENT_PARAMS:
    psycopg_queries.MAX_CACHED_STATEMENT_PARAMS = CACHED_STATEMENT_PARAMS


@lru_cache(maxsize=256)
def _select(model, alias: str, using: str) -> tuple[str, tuple, tuple]:
    connection = connections[using]
    fields = tuple(model._meta.concrete_fields)
    prefix = f"{alias}." if alias else ""
    sql = ", ".join(f"{prefix}{connection.ops.quote_name(f.column)}" for f in fields)
    converters = []
    for field in fields:
        col = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        converters.append((col, tuple(found)))
    return sql, tuple(f.attname for f in fields), tuple(converters)


def columns(model, alias: str, connection) -> str:
    """`alias."col1", alias."col2", ...`: every concrete column of `model`, in order
    (unqualified for an empty alias, as in a RETURNING clause)."""
    return _select(model, alias, connection.alias)[0]


def width(model) -> int:
    return len(model._meta.concrete_fields)


def instance(model, alias: str, values, connection):
    """The `model` instance of one row's slice `values` (as selected by `columns`),
    or None when its first column (the primary key) is NULL (an outer join's miss)."""
    if values[0] is None:
        return None
    _, attnames, converters = _select(model, alias, connection.alias)
    converted = []
    for (col, found), value in zip(converters, values, strict=True):
        for convert in found:
            value = convert(value, col, connection)
        converted.append(value)
    return model.from_db(connection.alias, attnames, converted)


def instances(row, parts, connection) -> list:
    """Split one row selected as `columns(m1, a1), columns(m2, a2), ...` into instances;
    `parts` is [(model, alias), ...] in the same order."""
    out, at = [], 0
    for model, alias in parts:
        n = width(model)
        out.append(instance(model, alias, row[at : at + n], connection))
        at += n
    return out


@lru_cache(maxsize=128)
def _insert(model, using: str, keyed: bool = False) -> tuple[str, str, str, tuple, bool]:
    """(head, one row's placeholders, tail, fields, returning) of `model`'s INSERT.
    Identifiers from _meta only; every value is a parameter. `keyed`: the primary key
    is among the columns (rows whose key `next_ids_sql` took), so nothing is returned."""
    connection = connections[using]
    meta = model._meta
    fields = tuple(
        f
        for f in meta.local_concrete_fields
        if (keyed or f is not meta.auto_field) and not f.generated
    )
    quote = connection.ops.quote_name
    returning = not keyed and connection.features.can_return_columns_from_insert
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    tail = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    return head + "VALUES ", row, tail, fields, returning


def insert(obj) -> None:
    """INSERT `obj` (a new instance, primary key unset) and set its primary key, as
    `obj.save(force_insert=True)` does: the fields' `pre_save` (auto_now_add, ...) and
    `get_db_prep_save`, then the instance is marked as saved."""
    insert_many([obj])


def insert_many(objs: list) -> None:
    """`insert` for several new instances of one model: one statement (as
    `bulk_create`, where the database returns the new keys)."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    head, row, tail, fields, returning = _insert(model, connection.alias)
    if len(objs) > 1 and (not returning or len(objs) * len(fields) > 900):
        model.objects.bulk_create(objs)  # SQLite's parameter limit, or no RETURNING
        return
    params = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="save")
        params += [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    sql = head + ", ".join([row] * len(objs)) + tail
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = [r[0] for r in cursor.fetchall()] if returning else [cursor.lastrowid]
    for obj, pk in zip(objs, keys, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def next_ids_sql(models, connection) -> list[str]:
    """SQL expressions that take the next primary key of each model from its
    sequence, for a statement's RETURNING clause: on PostgreSQL only (elsewhere
    []). `insert_rows` then writes the rows with those keys set, so that what
    refers to them (a delivery's key names its decision) is built before they are
    written, and all of them go in one statement."""
    if connection.vendor != "postgresql":
        return []
    quote = connection.ops.quote_name
    return [
        "nextval(pg_get_serial_sequence('{}', '{}'))".format(
            quote(m._meta.db_table).replace("'", "''"), m._meta.pk.column.replace("'", "''")
        )
        for m in models
    ]


def _group_insert(objs: list, connection) -> tuple[str, list, bool]:
    """(sql, params, returning) of one INSERT for new instances of one model, all
    with their key set (written with it) or none (the database's, returned)."""
    model = type(objs[0])
    keyed = objs[0].pk is not None
    if any((o.pk is not None) != keyed or type(o) is not model for o in objs):
        raise ValueError("insert_rows: a group is instances of one model, all keyed or none")
    head, row, tail, fields, _ = _insert(model, connection.alias, keyed)
    params = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="save")
        if keyed:
            params += [_keyed_value(f, obj, connection) for f in fields]
        else:
            params += [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    return head + ", ".join([row] * len(objs)) + tail, params, not keyed


def _keyed_value(field, obj, connection):
    """What `field` writes for a keyed new row: as an insert does (`pre_save`), except an
    `auto_now_add` stamp set already: a row planned before it is written (its key taken
    first) keeps the time those plans show."""
    if getattr(field, "auto_now_add", False) and getattr(obj, field.attname) is not None:
        return field.get_db_prep_save(getattr(obj, field.attname), connection)
    return field.get_db_prep_save(field.pre_save(obj, True), connection)


def _saved(objs: list, keys: list, connection) -> None:
    for obj, pk in zip(objs, keys, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def with_begin(connection):
    """A block whose one statement opens the caller's transaction: on PostgreSQL, when
    that transaction has not begun yet (autocommit off, nothing sent), psycopg's
    pipeline mode sends its BEGIN and the statement in one round trip (route_chat's
    lead upsert: one round trip fewer per chat). Results are read after the block.
    Elsewhere, or inside a transaction already open, it does nothing."""
    if (
        connection.vendor == "postgresql"
        and not connection.get_autocommit()
        and connection.connection is not None
        and connection.connection.info.transaction_status == pq.TransactionStatus.IDLE
    ):
        return _pipelined(connection)
    return nullcontext()


@contextmanager
def _pipelined(connection):
    """psycopg's pipeline mode, its errors (raised when the block syncs: a statement's,
    the COMMIT's deferred foreign keys) as Django's, as the cursor's are."""
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def _outermost(connection) -> bool:
    """Whether the open transaction is one atomic block of its own: no savepoint, no
    enclosing block (Django's TestCase wraps each test in one)."""
    blocks = connection.atomic_blocks
    return (
        connection.in_atomic_block
        and len(blocks) == 1
        and not connection.savepoint_ids
        and not getattr(blocks[0], "_from_testcase", False)
    )


def insert_rows(*groups: list, before=(), commit: bool = False) -> None:
    """Run `before` ([(sql, params)], e.g. a rotation UPDATE), then INSERT each group
    (a list of new instances of one model), as `insert_many` does for each.

    On PostgreSQL one statement, when every group but the last has its keys set
    (taken with `next_ids_sql`; the last group's may come from the database):

        WITH knock_s0 AS (<before[0]>), ..., knock_r0 AS (INSERT <group 0>), ...
        INSERT <last group> RETURNING id

    Data-modifying CTEs run exactly once, in the statement's one snapshot, and the
    foreign keys Django makes are deferred to the commit, so the order of the groups
    is free. One round trip where there were one per statement: route_chat writes
    its rotation, chat, decision and deliveries with it, under the pool lock.
    Elsewhere (or with a key missing before the last group), the statements one by
    one, in order. Either way the instances end as `insert` leaves them.

    `commit=True`: this is the last statement of the caller's transaction, so on
    PostgreSQL, when that transaction is the outermost atomic block (no savepoint:
    not inside a test's transaction, nor another block), its COMMIT is sent in the
    same round trip (psycopg's pipeline mode): the locks it holds (route_chat's pool
    lock) are released without waiting for this thread to get the GIL back. The
    block's own commit then finds the transaction ended and does nothing but run
    its on_commit hooks; a statement run after this one would start a new
    transaction, so nothing may. Otherwise the block commits as usual.
    """
    groups = tuple(g for g in groups if g)
    model = type(groups[0][0]) if groups else None
    connection = connections[router.db_for_write(model) if model else DEFAULT_DB_ALIAS]
    one_statement = connection.vendor == "postgresql" and all(
        g[0].pk is not None for g in groups[:-1]
    )
    if not one_statement:
        with connection.cursor() as cursor:
            for sql, params in before:
                cursor.execute(sql, params)
        for group in groups:
            insert_many(group)
        return
    parts, params = [], []
    for i, (sql, step_params) in enumerate(before):
        parts.append(f"knock_s{i} AS ({sql})")
        params += list(step_params)
    built = [_group_insert(group, connection) for group in groups]
    for j, (sql, group_params, _) in enumerate(built[:-1]):
        parts.append(f"knock_r{j} AS ({sql})")
        params += group_params
    if built:
        last_sql, last_params, returning = built[-1]
        params += last_params
    else:
        last_sql, returning = "SELECT 1", False
    sql = ("WITH " + ", ".join(parts) + " " if parts else "") + last_sql
    with connection.cursor() as cursor:
        if commit and _outermost(connection):
            with _pipelined(connection):
                cursor.execute(sql, params)
                connection.connection.commit()  # sent with it; waits for both
        else:
            cursor.execute(sql, params)
        keys = [r[0] for r in cursor.fetchall()] if returning else None
    for group in groups[:-1]:
        _saved(group, [o.pk for o in group], connection)
    if groups:
        last = groups[-1]
        _saved(last, keys if returning else [o.pk for o in last], connection)
