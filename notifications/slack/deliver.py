"""Slack delivery handlers: post, DM, update. Each is idempotent.

Every message carries `metadata.event_payload.knock_key` = the delivery key.
A first attempt posts and records the ts. A later attempt of the same
delivery (the worker died between posting and recording) first looks for
that key in the channel's recent history and, if found, records that ts
instead of posting again: a retry never posts twice.
"""

from __future__ import annotations

from outbox.errors import DeliveryError
from outbox.models import Delivery
from outbox.runner import save_progress

from . import tasks
from .client import classify, client_for

EVENT_TYPE = "knock_delivery"


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except Exception as exc:
        raise classify(exc) from exc


def _channel_for(client, delivery: Delivery) -> str:
    """The channel id (DMs: conversations.open once, remembered for retries)."""
    if delivery.result.get("channel"):
        return delivery.result["channel"]
    target = delivery.target
    if target.get("user"):
        opened = _call(client.conversations_open, users=target["user"])
        channel = opened["channel"]["id"]
        save_progress(delivery, channel=channel)
        return channel
    if not target.get("channel"):
        raise DeliveryError("no channel to post to", permanent=True)
    return target["channel"]


def _resolve_channel_id(client, channel: str) -> str | None:
    if not channel.startswith("#"):
        return channel
    name = channel[1:]
    cursor = None
    while True:
        page = _call(
            client.conversations_list,
            types="public_channel,private_channel",
            limit=1000,
            cursor=cursor,
            exclude_archived=True,
        )
        for ch in page["channels"]:
            if ch.get("name") == name:
                return ch["id"]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None


def _already_posted(client, delivery: Delivery, channel: str) -> dict | None:
    channel_id = _resolve_channel_id(client, channel)
    if channel_id is None:
        return None
    cursor = None
    while True:  # every page since the delivery was created: a busy channel has many
        history = _call(
            client.conversations_history,
            channel=channel_id,
            oldest=f"{delivery.created_at.timestamp() - 60:.6f}",
            limit=200,
            include_all_metadata=True,
            cursor=cursor,
        )
        for message in history.get("messages", []):
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("knock_key") == delivery.key:
                return {"channel": channel_id, "ts": message["ts"], "recovered": True}
        cursor = (history.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None


def _post(delivery: Delivery) -> dict:
    client = client_for(delivery.workspace)
    channel = _channel_for(client, delivery)
    if delivery.attempts > 1:
        found = _already_posted(client, delivery, channel)
        if found:
            return found
    body = delivery.payload
    response = _call(
        client.chat_postMessage,
        channel=channel,
        text=body["text"],
        blocks=body.get("blocks"),
        thread_ts=delivery.target.get("thread_ts"),
        metadata={"event_type": EVENT_TYPE, "event_payload": {"knock_key": delivery.key}},
        unfurl_links=False,
        unfurl_media=False,
    )
    return {"channel": response["channel"], "ts": response["ts"]}


def post_alert(delivery: Delivery) -> dict:
    result = _post(delivery)
    tasks.alert_posted(delivery)  # replies that came before the ts was known are replayed
    return result


def post_rep_dm(delivery: Delivery) -> dict:
    if not delivery.target.get("user"):
        raise DeliveryError("the rep has no Slack user id (sync reps from Slack)", permanent=True)
    return _post(delivery)


def post_owner_dm(delivery: Delivery) -> dict:
    if not delivery.target.get("user"):
        raise DeliveryError("the CRM owner has no Slack user id", permanent=True)
    return _post(delivery)


def update_message(delivery: Delivery) -> dict:
    """chat.update is naturally idempotent: same ts, same content."""
    client = client_for(delivery.workspace)
    body = delivery.payload
    response = _call(
        client.chat_update,
        channel=delivery.target["channel"],
        ts=delivery.target["ts"],
        text=body["text"],
        blocks=body.get("blocks"),
    )
    return {"channel": response["channel"], "ts": response["ts"]}
