"""routing.feed_redis: the sender's synchronous PUBLISH is what channels_redis's
group_send would have sent, so the layer's own subscribers (the feed sockets)
receive it. Against the real Redis of the machine (CI starts one for both passes)."""

import asyncio
import os
import socket
import uuid
from urllib.parse import urlsplit

import pytest
from channels.layers import InMemoryChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer

from routing import feed_redis
from tests.channel_layers import PROBE, subscribe

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
WORKSPACE = 987_654_321  # no test workspace has this id: nothing else sends to its group
GROUP = f"workspace.{WORKSPACE}.feed"


def _redis_is_up() -> bool:
    parts = urlsplit(REDIS_URL)
    try:
        socket.create_connection((parts.hostname, parts.port or 6379), timeout=1).close()
        return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(
    not _redis_is_up() and not os.environ.get("KNOCK_REQUIRE_POSTGRES"),
    reason=f"no Redis at {REDIS_URL} (CI has one and runs these)",
)


@pytest.fixture
def redis_layer(settings):
    from routing import events

    events.flush(10)  # what earlier tests queued goes out on their layer, not this one
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    config = {"hosts": [REDIS_URL], "prefix": prefix}
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": config}
    }
    return RedisPubSubChannelLayer(**config)


def receive_published(layer, publish, count):
    """Subscribe through the layer (as a feed socket does), run `publish()` in a thread
    (the sender's), and return the `count` messages the subscriber receives."""

    async def main():
        name = await subscribe(layer, GROUP)
        await asyncio.to_thread(publish)
        got = []
        while len(got) < count:
            message = await asyncio.wait_for(layer.receive(name), 5)
            if message["type"] != PROBE:
                got.append(message)
        await layer.group_discard(GROUP, name)
        await layer.flush()
        return got

    return asyncio.run(main())


def test_a_batch_reaches_the_layers_subscribers_in_order(redis_layer):
    publisher = feed_redis.for_layer(redis_layer)
    assert publisher is not None
    batch = [(GROUP, {"type": "decision.created", "text": f'{{"n": {n}}}'})
             for n in range(3)]  # fmt: skip
    batch.insert(1, ("workspace.2.feed", {"type": "decision.created", "text": "other"}))
    try:
        got = receive_published(redis_layer, lambda: publisher.publish(batch), 3)
    finally:
        publisher.close()
    # Only this group's messages, in the order they were queued, exactly as sent.
    assert got == [message for group, message in batch if group == GROUP]


def test_one_event_alone_is_one_publish(redis_layer):
    publisher = feed_redis.for_layer(redis_layer)
    message = {"type": "chat.updated", "text": '{"change": "closed"}'}
    try:
        got = receive_published(redis_layer, lambda: publisher.publish([(GROUP, message)]), 1)
    finally:
        publisher.close()
    assert got == [message]


def test_other_layers_keep_their_group_send(settings):
    assert feed_redis.for_layer(InMemoryChannelLayer()) is None
    sharded = {"hosts": ["redis://127.0.0.1:6379/0", "redis://127.0.0.1:6380/0"]}
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": sharded}
    }
    assert feed_redis.for_layer(RedisPubSubChannelLayer(**sharded)) is None


def test_the_channel_name_is_channels_redis_own(redis_layer):
    async def name():
        return redis_layer._get_layer()._get_group_channel_name("workspace.9.feed")

    prefix = redis_layer._kwargs["prefix"]
    assert feed_redis.group_channel(prefix, "workspace.9.feed") == asyncio.run(name())


def test_the_sender_thread_publishes_through_it(redis_layer, settings):
    from channels.layers import get_channel_layer

    from routing import events

    settings.FEED_SEND_IN_BACKGROUND = True
    layer = get_channel_layer()  # the settings' Redis layer, as the sockets use it
    assert isinstance(layer, RedisPubSubChannelLayer)

    def send_two():
        events.send(WORKSPACE, {"type": "decision.created", "decision": {"id": 1}})
        events.send(WORKSPACE, {"type": "chat.updated", "change": "closed"})
        assert events.flush(10)

    got = receive_published(layer, send_two, 2)
    assert [m["type"] for m in got] == ["decision.created", "chat.updated"]
    assert got[1]["text"] == '{"type": "chat.updated", "change": "closed"}'
