"""Pool rotation: which member of a pool gets the next lead.

`round_robin` is nginx's smooth weighted round robin: each pick adds every
available member's weight to its running `current_weight`, takes the largest,
and subtracts the total from the winner. With equal weights it is strict
rotation; with weights 3:1 it interleaves (A A B A, not A A A B).

`load_balanced` takes the member with the fewest open chats; ties go to the
one assigned least recently.

The picker only reads: `pick()` returns the pick and a `Rotation` delta (the
members' new current_weight values, who got the lead and when), and
`rotation_statements` is the UPDATE that writes it, which `route_chat` alone
runs (in the statement that inserts its chat and decision); a simulation drops
the delta, so it cannot move a rotation.

Concurrency: with `for_update=True` (route_chat), `PoolPicker.lock` reads the
members (with their pool and rep) of every pool a routing may touch with
`SELECT ... FOR UPDATE OF routing_poolmember`, in (pool, member) id order, one
query, and the delta is applied
in the same transaction; the engine asks for that lock only when it reaches the
first pool it resolves, and route_chat decides last (after the lead's write and
its context), so the lock is held for the pick and the statements that must
follow it: the rotation update and the chat, decision and deliveries' inserts;
concurrent routings into one pool therefore run their picks one after another
and see each other's committed rotation (READ COMMITTED re-reads after the
lock). SQLite has no row locks; there `transaction_mode=IMMEDIATE` (settings)
serialises writers instead. A simulation reads without the lock: it never
waits for, or holds up, a live routing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache

from django.db import connections, router
from django.db.models import Count

from knock import rawsql

from .availability import unavailable_reason
from .engine import Resolution, Rotation
from .models import Chat, Pool, PoolMember, Rep
from .picks import Candidate, least_loaded_pick, pick_member, smooth_weighted_pick

__all__ = [
    "Candidate",
    "PoolPicker",
    "least_loaded_pick",
    "rotation_statements",
    "smooth_weighted_pick",
]


class PoolPicker:
    def __init__(
        self,
        workspace_id: int,
        now: datetime,
        *,
        for_update: bool = False,
        known: Callable[[], tuple[dict, dict]] | None = None,
    ):
        """`for_update`: lock the pools read (a caller that will apply the deltas must).
        `known()`: ({rep id: Rep}, {pool id: Pool}) of the workspace as the caller holds
        them (route_chat: its caches, under the workspace's routing stamp); the lock then
        reads the member rows alone, which carry the rotation state."""
        self.workspace_id = workspace_id
        self.now = now
        self.for_update = for_update
        self._known = known
        self._pools: dict[int, Pool] = {}
        self._members: dict[int, list[PoolMember]] = {}

    def lock(self, pool_ids: list[int]) -> None:
        """Read (and with `for_update`, lock) these pools with their members: one query."""
        wanted = sorted({p for p in pool_ids if p not in self._pools})
        if not wanted:
            return
        for m in self._read(wanted):
            pool = self._pools.setdefault(m.pool_id, m.pool)
            m.pool = pool
            self._members.setdefault(pool.id, []).append(m)
        empty = [p for p in wanted if p not in self._pools]
        if empty:  # no member to pick, so no rotation to guard: read, do not lock
            for pool in Pool.objects.filter(workspace_id=self.workspace_id, id__in=empty):
                self._pools[pool.id] = pool
                self._members[pool.id] = []

    def _read(self, pool_ids: list[int]) -> list[PoolMember]:
        """The members of these pools with their pool and rep attached. With `known`,
        the statement that locks them returns their own columns only: every row it
        returns costs Python time while the lock is held, and the pools and reps are
        in hand. A member whose rep or pool the caller does not know (written after
        its stamp was read) has them read with the members again (already locked)."""
        if self._known is None:
            return _members_with_pool_and_rep(self.workspace_id, pool_ids, self.for_update)
        members = _members_only(self.workspace_id, pool_ids, self.for_update)
        reps, pools = self._known()
        if not all(m.rep_id in reps and m.pool_id in pools for m in members):
            return _members_with_pool_and_rep(self.workspace_id, pool_ids, self.for_update)
        for m in members:
            m.pool, m.rep = pools[m.pool_id], reps[m.rep_id]  # shared: never mutated
        return members

    def loaded_pool(self, pool_id: int) -> Pool | None:
        return self._pools.get(pool_id)

    def loaded_reps(self) -> dict:
        """The reps read with the pools' members (for the planners: no second read)."""
        return {m.rep_id: m.rep for ms in self._members.values() for m in ms}

    def pick(self, pool_id: int) -> Resolution:
        """The member who gets the lead, and (in `rotation`) what that changes. Writes nothing."""
        pool = self._pools.get(pool_id)
        if pool is None:
            self.lock([pool_id])
            pool = self._pools.get(pool_id)
        if pool is None:
            return Resolution(None, f"pool #{pool_id} no longer exists")
        return pick_member(pool.id, pool.name, pool.strategy, self._candidates(pool), self.now)

    def _candidates(self, pool: Pool) -> list[Candidate]:
        members = self._members.get(pool.id, [])
        needs_load = pool.strategy == "load_balanced" or any(
            m.rep.max_open_chats is not None for m in members
        )
        open_chats: dict[int, int] = {}
        if needs_load and members:
            open_chats = dict(
                Chat.objects.filter(
                    workspace_id=self.workspace_id,
                    status="open",
                    rep_owner_id__in=[m.rep_id for m in members],
                )
                .values("rep_owner_id")
                .annotate(n=Count("id"))
                .values_list("rep_owner_id", "n")
            )
        candidates = []
        for m in members:
            rep = m.rep
            count = open_chats.get(rep.id, 0)
            skip = unavailable_reason(
                is_active=rep.is_active,
                is_paused=m.is_paused,
                out_of_office_until=rep.out_of_office_until,
                working_hours=rep.working_hours,
                timezone=rep.timezone,
                max_open_chats=rep.max_open_chats,
                open_chats=count,
                now=self.now,
                check_hours=pool.respect_working_hours,
            )
            candidates.append(
                Candidate(
                    member_id=m.id,
                    rep_id=rep.id,
                    name=rep.name,
                    weight=m.weight,
                    current_weight=m.current_weight,
                    last_assigned_at=m.last_assigned_at,
                    open_chats=count,
                    skip=skip,
                )
            )
        return candidates


def _members_only(workspace_id: int, pool_ids: list[int], for_update: bool) -> list[PoolMember]:
    """`_members_with_pool_and_rep` without the pool's and rep's columns (the same rows,
    order and lock)."""
    return _member_rows(workspace_id, pool_ids, for_update, [(PoolMember, "m")])


def _members_with_pool_and_rep(workspace_id: int, pool_ids: list[int], for_update: bool):
    """The members of these pools of the workspace, each with its pool and rep, in
    (pool, member) id order; with `for_update`, the member rows locked.

    The member rows, not the pool's: PostgreSQL re-reads the rows it locks after
    waiting for another routing's commit, but the other tables of a join come from
    the statement's older snapshot, and the rotation state lives in the members.
    Pool edits (actions.update_pool) lock the pool, then write members: no lock cycle
    with this one. Written out (knock/rawsql.py): built by the ORM (select_related,
    select_for_update) it cost more CPU than it takes PostgreSQL to run it, on every
    routed chat into a pool.
    """
    members = []
    parts = [(PoolMember, "m"), (Pool, "p"), (Rep, "r")]
    for member, pool, rep in _member_rows(workspace_id, pool_ids, for_update, parts):
        member.pool, member.rep = pool, rep
        members.append(member)
    return members


def _member_rows(workspace_id: int, pool_ids: list[int], for_update: bool, parts) -> list:
    """The rows of `_members_with_pool_and_rep`'s statement as instances of `parts`
    ([(model, alias)], PoolMember first; the join to the rep only when it is read)."""
    connection = connections[router.db_for_write(PoolMember)]
    sql = _member_sql(connection.alias, tuple(parts), len(pool_ids), for_update)
    with connection.cursor() as cursor:
        cursor.execute(sql, [workspace_id, *pool_ids])
        rows = cursor.fetchall()
    if len(parts) == 1:
        return [rawsql.instance(PoolMember, "m", row, connection) for row in rows]
    return [rawsql.instances(row, parts, connection) for row in rows]


@lru_cache(maxsize=64)
def _member_sql(using: str, parts: tuple, count: int, for_update: bool) -> str:
    """The text of `_member_rows`' statement, built once per shape and process (it runs
    while the pool lock is held, so every microsecond of it counts)."""
    connection = connections[using]
    lock = for_update and connection.features.has_select_for_update
    join_rep = any(model is Rep for model, _ in parts)
    return (  # noqa: S608 - identifiers from _meta; values are parameters
        "SELECT {} FROM {} m JOIN {} p ON p.id = m.pool_id{} "
        "WHERE p.workspace_id = %s AND m.pool_id IN ({}) ORDER BY m.pool_id, m.id{}"
    ).format(
        ", ".join(rawsql.columns(model, alias, connection) for model, alias in parts),
        PoolMember._meta.db_table,
        Pool._meta.db_table,
        f" JOIN {Rep._meta.db_table} r ON r.id = m.rep_id" if join_rep else "",
        ", ".join(["%s"] * count),
        (" FOR UPDATE OF m" if connection.features.has_select_for_update_of else " FOR UPDATE")
        if lock
        else "",
    )


def rotation_statements(rotations: Iterable[Rotation]) -> list[tuple[str, list]]:
    """The pick deltas' writes, [(sql, params)]: one UPDATE per pool pick, whatever the
    pool's size. route_chat runs them in the statement that inserts the chat and its
    decision (knock.rawsql.insert_rows).

    Only for deltas read by a `PoolPicker(for_update=True)` in the caller's
    still-open transaction: the values are absolute, right only under that lock.
    The statement is written out (`rotation_update`): the same UPDATE built from
    Case/When expressions cost ~30 times its run time in Django's expression
    resolution, on every routed chat (docs/benchmarks.md).
    """
    connection = connections[router.db_for_write(PoolMember)]
    at_field = PoolMember._meta.get_field("last_assigned_at")
    return [
        rotation_update(rotation, at_field.get_db_prep_save(rotation.at, connection))
        for rotation in rotations
    ]


def rotation_update(rotation: Rotation, at) -> tuple[str, list]:
    """The UPDATE of one pick's delta, and its parameters (`at` ready for the database).

    The table and column names are PoolMember's (Meta.db_table unset); only numbers and
    `at` are parameters, so the text depends on the number of members alone.
    """
    weights = rotation.current_weights
    ids = sorted({rotation.member_id, *weights})
    sql = [
        "UPDATE routing_poolmember SET",
        " assigned_count = assigned_count + CASE WHEN id = %s THEN 1 ELSE 0 END,",
        " last_assigned_at = CASE WHEN id = %s THEN %s ELSE last_assigned_at END",
    ]
    params: list = [rotation.member_id, rotation.member_id, at]
    if weights:
        sql.append(", current_weight = CASE id")
        for member_id, weight in weights.items():
            sql.append(" WHEN %s THEN %s")
            params += [member_id, weight]
        sql.append(" ELSE current_weight END")
    sql.append(" WHERE pool_id = %s AND id IN (" + ", ".join(["%s"] * len(ids)) + ")")
    params += [rotation.pool_id, *ids]
    return "".join(sql), params
