"""The "slack.meeting" delivery: a meeting's post in the monitoring channel.

The booking's post is a top-level message (deliver._post, with its recovery from
the channel's history). A later change (moved, cancelled, no-show) replies in that
post's thread: the thread is found when the reply runs, because the booking post
may still be on its way. While it is, the reply waits (a retry); when the booking
post failed, or the reply is on its last attempts, it posts at the top level rather
than be lost. A retried reply looks for its own key in the thread before posting
(conversations.history does not list thread replies), so it never posts twice.
"""

from __future__ import annotations

from outbox.errors import DeliveryError
from outbox.models import Delivery

from .client import client_for
from .deliver import EVENT_TYPE, _call, _post


def _thread_of(delivery: Delivery) -> dict | None:
    """{"channel", "thread_ts"} of the booking post, None to post at the top level."""
    parent = (
        Delivery.objects.filter(
            workspace_id=delivery.workspace_id, key=delivery.target["thread_of"]
        )
        .only("status", "result")
        .first()
    )
    if parent is None or parent.status == Delivery.FAILED:
        return None
    if parent.status == Delivery.DONE:
        ts, channel = parent.result.get("ts"), parent.result.get("channel")
        return {"channel": channel, "thread_ts": ts} if ts and channel else None
    if delivery.attempts >= delivery.max_attempts - 1:
        return None  # do not wait for ever: a top-level post beats a lost one
    raise DeliveryError("waiting for the booking's post, to reply in its thread", permanent=False)


def _already_replied(client, delivery: Delivery) -> dict | None:
    target = delivery.target
    cursor = None
    while True:
        page = _call(
            client.conversations_replies,
            channel=target["channel"],
            ts=target["thread_ts"],
            include_all_metadata=True,
            limit=200,
            cursor=cursor,
        )
        for message in page.get("messages", []):
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("knock_key") == delivery.key:
                return {"channel": target["channel"], "ts": message["ts"], "recovered": True}
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None


def post_meeting(delivery: Delivery) -> dict:
    if delivery.target.get("thread_of") and "thread_ts" not in delivery.target:
        thread = _thread_of(delivery)
        # Remembered, so a retry replies in the same thread without asking again.
        delivery.target = {**delivery.target, **(thread or {"thread_ts": None})}
        Delivery.objects.filter(id=delivery.id).update(target=delivery.target)
    if not delivery.target.get("thread_ts"):
        if not delivery.target.get("channel"):
            raise DeliveryError("no channel to post to", permanent=True)
        return _post(delivery)
    client = client_for(delivery.workspace)
    if delivery.attempts > 1 and (found := _already_replied(client, delivery)):
        return found
    body = delivery.payload
    response = _call(
        client.chat_postMessage,
        channel=delivery.target["channel"],
        thread_ts=delivery.target["thread_ts"],
        text=body["text"],
        blocks=body.get("blocks"),
        metadata={"event_type": EVENT_TYPE, "event_payload": {"knock_key": delivery.key}},
        unfurl_links=False,
        unfurl_media=False,
    )
    return {"channel": response["channel"], "ts": response["ts"]}
