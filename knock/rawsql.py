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

from functools import lru_cache

from django.db import connections, router
from psycopg import _queries as psycopg_queries

# psycopg caches its conversion of a statement's %s placeholders into $1, $2...
# (a parse of the whole text) only for statements of at most 50 parameters, to
# keep the ORM's bulk inserts of every size out of its 128-entry LRU. The chat's
# chain (rotation updates, chat and decision, insert_chain) has 53 and the same
# text on every chat: without this it was parsed again each time, about 2% of a
# routed chat's server time (py-spy). The length bound (4 KB) still applies.
CACHED_STATEMENT_PARAMS = 120
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
def _insert(model, using: str) -> tuple[str, str, str, tuple, bool]:
    """(head, one row's placeholders, tail, fields, returning) of `model`'s INSERT.
    Identifiers from _meta only; every value is a parameter."""
    connection = connections[using]
    meta = model._meta
    fields = tuple(
        f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated
    )
    quote = connection.ops.quote_name
    returning = connection.features.can_return_columns_from_insert
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


def insert_chain(parent, child, link: str, before=()) -> None:
    """INSERT `parent`, then `child` whose foreign key `link` points at it, after running
    `before` ([(sql, params)], e.g. a rotation UPDATE): on PostgreSQL one statement,

        WITH knock_s0 AS (<before[0]>), ..., knock_parent AS (INSERT <parent> RETURNING id)
        INSERT <child> VALUES (..., (SELECT id FROM knock_parent), ...) RETURNING id, <link>

    (data-modifying CTEs run exactly once, in the statement's one snapshot), one round
    trip where they were two to four, inside the routing's pool lock. Elsewhere, the
    statements one by one. Both instances end as `insert` leaves them.
    """
    parent_model, child_model = type(parent), type(child)
    connection = connections[router.db_for_write(child_model)]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            for sql, params in before:
                cursor.execute(sql, params)
        insert(parent)
        setattr(child, link, parent)
        insert(child)
        return
    fk = child_model._meta.get_field(link)
    if fk.remote_field.model is not parent_model:
        raise ValueError(f"{child_model.__name__}.{link} does not point at {parent_model.__name__}")
    quote = connection.ops.quote_name
    p_head, p_row, _, p_fields, _ = _insert(parent_model, connection.alias)
    c_head, _, _, c_fields, _ = _insert(child_model, connection.alias)
    parent._prepare_related_fields_for_save(operation_name="save")
    # Every relation but `link`, whose key the statement itself provides.
    others = [f for f in child_model._meta.concrete_fields if f is not fk]
    child._prepare_related_fields_for_save(operation_name="save", fields=others)
    params: list = []
    parts = []
    for i, (sql, step_params) in enumerate(before):
        parts.append(f"knock_s{i} AS ({sql})")
        params += list(step_params)
    parent_pk = quote(parent_model._meta.pk.column)
    parts.append(f"knock_parent AS ({p_head}{p_row} RETURNING {parent_pk})")
    params += [f.get_db_prep_save(f.pre_save(parent, True), connection) for f in p_fields]
    values = []
    for f in c_fields:
        if f is fk:
            values.append(f"(SELECT {parent_pk} FROM knock_parent)")  # noqa: S608 - _meta names
        else:
            values.append("%s")
            params.append(f.get_db_prep_save(f.pre_save(child, True), connection))
    sql = (
        "WITH " + ", ".join(parts) + f" {c_head}(" + ", ".join(values) + ")"
        f" RETURNING {quote(child_model._meta.pk.column)}, {quote(fk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        child_pk, parent_pk_value = cursor.fetchone()
    for obj, pk in ((parent, parent_pk_value), (child, child_pk)):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    setattr(child, fk.attname, parent_pk_value)  # (this clears the cached relation...)
    fk.set_cached_value(child, parent)  # (...which is this very instance)
