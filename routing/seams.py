"""The two seams through which routing calls out (docs/architecture.md).

Routing never imports crm/, notifications/ or calendars/. It reaches them here,
through dotted paths configured in settings (no registration by import side
effects):

- KNOCK_FACT_PROVIDERS {name: "pkg.module.fn"}: fn(workspace, *, email, domain)
  -> facts object. Called BEFORE the routing transaction opens: a slow vendor
  must not hold locks. Each provider time-boxes itself and never raises for a
  vendor failure (it returns facts with an error instead).
- KNOCK_OUTBOX_PLANNERS {"pkg.module.fn": events}: fn(event: str, **data) -> None,
  where `events` is "*" (every event) or the list of events it plans for (a plain
  list of paths means "*" for each). Called INSIDE the caller's transaction, so
  the deliveries a decision causes commit with it or not at all. A planner
  ignores the events it does not know. KNOCK_OUTBOX_BATCH ("pkg.module.fn", a
  context manager, optional, taking an optional `insert` callable) wraps the
  planners of one event: the outbox inserts what they planned in one statement,
  or hands it to `insert`.

Events: "chat.routed" (decision, rule, segment, context, message),
"chat.owner_changed" (chat), "chat.replied" (chat, owner_changed),
"meeting.booked", "meeting.rescheduled", "meeting.cancelled", "meeting.no_show"
(meeting, decision).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string


# Keyed on the configured paths, so override_settings in tests takes effect
# and a path is imported once per process.
@lru_cache(maxsize=32)
def _resolve(paths: tuple[str, ...]) -> tuple[Callable, ...]:
    return tuple(import_string(path) for path in paths)


def _providers() -> list[tuple[str, Callable]]:
    configured = dict(getattr(settings, "KNOCK_FACT_PROVIDERS", {}))
    names = tuple(configured)
    return list(zip(names, _resolve(tuple(configured[n] for n in names)), strict=True))


def _planners(event: str) -> tuple[Callable, ...]:
    configured = getattr(settings, "KNOCK_OUTBOX_PLANNERS", ())
    if not isinstance(configured, dict):
        configured = dict.fromkeys(configured, "*")
    return _resolve(
        tuple(path for path, events in configured.items() if events == "*" or event in events)
    )


def fetch_facts(workspace, *, email: str, domain: str | None) -> dict[str, object]:
    """{provider name: facts} for one lead. Call it outside any transaction."""
    return {name: fn(workspace, email=email, domain=domain) for name, fn in _providers()}


def _batch(insert=None):
    path = getattr(settings, "KNOCK_OUTBOX_BATCH", None)
    if path:
        return _resolve((path,))[0](insert)
    return _then(insert) if insert is not None else nullcontext()


@contextmanager
def _then(insert):
    yield
    insert([], True)


def plan_outbox(event: str, *, insert=None, **data) -> None:
    """Let every planner record the deliveries `event` causes (caller's transaction).

    `insert(deliveries, last)`: writes the deliveries the planners left to the batch
    (all of a fresh decision's), setting their ids, and is called once even when
    there are none; `last`: nothing is written after it (route_chat then commits in
    the same round trip). route_chat writes them in the statement that writes its
    chat and decision. Without a batch configured the planners insert their own,
    and `insert([], True)` runs after them."""
    with _batch(insert):
        for plan in _planners(event):
            plan(event, **data)


__all__ = ["fetch_facts", "plan_outbox"]
