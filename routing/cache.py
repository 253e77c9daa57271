"""Per-process caches of what every routed chat reads, valid across processes.

Each workspace row carries `routing_stamp`, a random token replaced (`touch`)
in the transaction of every write that changes how its chats are routed or
what they send: rules, segments, versions, links, reps, AI agents, pools,
workspace settings, and the slices' settings (CRM, enrichment, Slack, CRM
owner mappings). The API reads the stamp for free, with the workspace, in
the token's query; an entry cached here is used only while the stamp it was
loaded under is still the workspace's stamp. So an edit made by any process
is seen by the next chat of every process, with no message between them and
nothing to clear (entries of an old stamp are simply never matched again and
age out of the LRU).

A random token rather than a counter: ids are reused after a rollback (SQLite,
tests), and a (workspace id, counter) pair could name another database's state.
Values are shared between threads: never mutate what `get` returns.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any

SIZE = 4096

_entries: OrderedDict[tuple, tuple[str, Any]] = OrderedDict()
_lock = Lock()


def new_stamp() -> str:
    return uuid.uuid4().hex


def get(
    workspace,
    kind: str,
    key: Hashable,
    load: Callable[[], Any],
    keep: Callable[[Any], bool] | None = None,
) -> Any:
    """`load()`'s value for (workspace, kind, key), cached under the workspace's stamp
    (unless `keep(value)` says not to, e.g. an error worth asking again).

    A workspace object without a stamp (not read from the database) is never cached.
    """
    stamp = getattr(workspace, "routing_stamp", "")
    if not stamp:
        return load()
    slot = (workspace.pk, kind, key)
    with _lock:
        hit = _entries.get(slot)
        if hit is not None and hit[0] == stamp:
            _entries.move_to_end(slot)
            return hit[1]
    value = load()
    if keep is not None and not keep(value):
        return value
    with _lock:
        _entries[slot] = (stamp, value)
        _entries.move_to_end(slot)
        while len(_entries) > SIZE:
            _entries.popitem(last=False)
    return value


def touch(workspace) -> None:
    """Mark `workspace` (an object or an id) as changed: call it inside the writer's
    transaction, so the new stamp commits (or rolls back) with the change."""
    from .models import Workspace

    stamp = new_stamp()
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    Workspace.objects.filter(pk=workspace_id).update(routing_stamp=stamp)
    if isinstance(workspace, Workspace):
        workspace.routing_stamp = stamp


def refresh(workspace) -> None:
    """Read `workspace`'s stamp again (a caller whose object may be old)."""
    from .models import Workspace

    workspace.routing_stamp = (
        Workspace.objects.filter(pk=workspace.pk).values_list("routing_stamp", flat=True).first()
        or ""
    )


def clear() -> None:
    """Forget every entry (tests that want a cold process)."""
    with _lock:
        _entries.clear()


__all__ = ["clear", "get", "new_stamp", "refresh", "touch"]
