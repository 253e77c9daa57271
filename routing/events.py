"""Live-feed events: typed payloads, sent to the workspace's group after commit.

`type` names the consumer handler (Channels maps "decision.created" to
`decision_created`). Events are hints: a page that missed some reloads its
state over HTTP (see the feed's catch-up endpoint), so a lost event loses
nothing. Nothing is ever sent for a transaction that rolled back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import queue
import threading
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.loader import render_to_string

from routing import feed_redis

logger = logging.getLogger(__name__)


def feed_group(workspace_id: int) -> str:
    return f"workspace.{workspace_id}.feed"


def decision_payload(decision) -> dict:
    trace_assignee = (decision.trace or {}).get("result", {}).get("assignee", {})
    company = (decision.context or {}).get("company", {})
    return {
        "id": decision.id,
        "kind": decision.kind,
        "created_at": decision.created_at.isoformat(),
        "lead": {"id": decision.lead_id, "email": decision.lead.email, "name": decision.lead.name},
        "company": company.get("name") if isinstance(company, dict) else None,
        "link": {"slug": decision.link.slug, "name": decision.link.name} if decision.link else None,
        "rule": {
            "id": decision.rule_id,
            "name": decision.rule_name,
            "version": decision.rule_version,
        },
        "segment": {"id": decision.segment_id, "name": decision.segment_name}
        if decision.via == "segment"
        else None,
        "via": decision.via,
        "assignee": {
            "type": decision.assignee_type,
            "id": decision.rep_id or decision.ai_agent_id,
            "name": decision.assignee_name,
            "pool": trace_assignee.get("pool"),
        },
    }


def render_decision_row(decision) -> str:
    """The same partial the feed page renders on first load."""
    return render_to_string(
        "console/partials/_decision_row.html", {"d": decision, "workspace": decision.workspace}
    )


class _Sender:
    """One thread per process, started on first use: it hands the events to the channel
    layer so that no request waits on it. On Redis pub/sub with the plain client, the
    events queued up at that moment in one round trip (routing.feed_redis); on any
    other layer through its group_send, in an event loop of the thread's own.
    Bounded: when Redis is down and the queue is full, events are dropped (logged);
    they are hints, a page catches up over HTTP."""

    SIZE = 10_000

    def __init__(self):
        self._lock = threading.Lock()
        self._queue: queue.Queue | None = None
        self._pid = None

    def submit(self, group: str, event: dict) -> None:
        with self._lock:
            if self._queue is None or self._pid != os.getpid():  # first use, or forked
                self._queue, self._pid = queue.Queue(self.SIZE), os.getpid()
                threading.Thread(
                    target=self._run, args=(self._queue,), name="feed-sender", daemon=True
                ).start()
            q = self._queue
        try:
            q.put_nowait((group, event))
        except queue.Full:
            logger.warning("live feed queue full: dropped %s", event.get("type"))

    BATCH = 100  # events queued up behind the first go to Redis in one round trip

    @staticmethod
    def _run(q: queue.Queue) -> None:
        loop = asyncio.new_event_loop()
        layer = publisher = None  # the layer last seen, and its RedisPublisher (or None)
        while True:
            batch = [q.get()]
            while len(batch) < _Sender.BATCH:
                try:
                    batch.append(q.get_nowait())
                except queue.Empty:
                    break
            try:
                current = get_channel_layer()
                if current is not layer:  # first use, or the layer was replaced
                    if publisher is not None:
                        publisher.close()
                        publisher = None
                    layer, publisher = current, feed_redis.for_layer(current)
                _Sender._hand_over(loop, layer, publisher, batch)
            except Exception:  # the feed is a hint; keep serving the next events
                logger.exception("could not send %d live feed events", len(batch))
            finally:
                for _ in batch:
                    q.task_done()

    @staticmethod
    def _hand_over(loop, layer, publisher, batch) -> None:
        if publisher is not None:
            publisher.publish(batch)  # redis-py reconnects on the next call after a failure
            return
        for group, event in batch:
            try:
                loop.run_until_complete(layer.group_send(group, event))
            except Exception:
                logger.exception("could not send %s to the live feed", event.get("type"))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every event submitted so far has been handed to the layer (or
        `timeout` seconds pass): False if some were still waiting. For a worker that is
        about to exit, and for tests that read what the feed received."""
        with self._lock:
            q = self._queue if self._pid == os.getpid() else None
        if q is None:
            return True
        done = threading.Event()

        def wait():
            q.join()
            done.set()

        threading.Thread(target=wait, name="feed-flush", daemon=True).start()
        return done.wait(timeout)


_sender = _Sender()


def flush(timeout: float = 5.0) -> bool:
    """Wait for the background sender to hand over what it holds (see _Sender.flush)."""
    return _sender.flush(timeout)


def _in_background(layer) -> bool:
    """FEED_SEND_IN_BACKGROUND (default: yes, unless the layer is the in-memory one,
    which lives in the caller's process and event loop: tests and development)."""
    configured = getattr(settings, "FEED_SEND_IN_BACKGROUND", None)
    if configured is not None:
        return bool(configured)
    return not isinstance(layer, InMemoryChannelLayer)


def send(workspace_id: int, event: dict) -> None:
    """Send one event to the workspace's feed group; never raises.

    Encoded to JSON once, here: the group message is {"type", "text"}, and each socket's
    consumer writes `text` as it is (no json.dumps per socket: 500 sockets made 500)."""
    layer = get_channel_layer()
    if layer is None:  # pragma: no cover - CHANNEL_LAYERS is always configured
        return
    try:
        event = {"type": event["type"], "text": json.dumps(event, cls=DjangoJSONEncoder)}
        if _in_background(layer):
            _sender.submit(feed_group(workspace_id), event)
        else:
            async_to_sync(layer.group_send)(feed_group(workspace_id), event)
    except Exception:  # the feed is a hint; routing must never fail because of it
        logger.exception("could not send %s to the live feed", event.get("type"))


def decision_created_on_commit(decision) -> None:
    """Queue a `decision.created` event for when (and only if) the transaction commits.

    A hint and the decision's summary (`decision_payload`), no row HTML: the feed page
    fetches its rows rendered for its viewer (their time zone) when an event arrives,
    so a row rendered here, in the server's zone, went unused on every routed chat.
    """

    def _send():
        send(
            decision.workspace_id,
            {"type": "decision.created", "decision": decision_payload(decision)},
        )

    transaction.on_commit(_send, robust=True)


def chat_updated_on_commit(chat, change: str) -> None:
    """`chat.updated` after commit. `change`: "rep_owner", "responding_rep" (first human
    reply), "closed", "reopened"."""

    def ref(obj):
        return {"id": obj.id, "name": obj.name} if obj is not None else None

    event = {
        "type": "chat.updated",
        "change": change,
        "chat": {
            "id": chat.id,
            "status": chat.status,
            "closed_by": chat.closed_by,
            "lead": {"id": chat.lead_id, "email": chat.lead.email},
            "decision": getattr(getattr(chat, "decision", None), "id", None),
            "rep_owner": ref(chat.rep_owner),
            "ai_owner": ref(chat.ai_owner),
            "responding_rep": ref(chat.responding_rep),
            "response_time_minutes": chat.response_time_minutes,
        },
    }
    transaction.on_commit(lambda: send(chat.workspace_id, event), robust=True)


def send_on_commit(workspace_id: int, build: Callable[[], dict]) -> None:
    """Send the event `build()` returns once (and only if) the transaction commits.

    For the slices' own events (calendars' "meeting.updated"): they render their payload
    and row HTML in `build`, so routing sends them without importing the slice. The
    consumer forwards only the types it lists (routing.consumers.FORWARDED).
    """
    transaction.on_commit(lambda: send(workspace_id, build()), robust=True)
