"""Publish live-feed events to Redis with the synchronous redis-py client.

The feed's sender thread (routing.events) used to run channels_redis's
`group_send` in an event loop of its own, one loop iteration (and a task, a lock
and the asyncio client) per event: about 6% of a routed chat's server CPU. This
does what that `group_send` does on Redis, `PUBLISH <prefix>__group__<group>
<layer.serialize(message)>` (channels_redis.pubsub), with the plain client,
several events in one round trip when they queued up. Subscribers are the
layer's own, unchanged (the consumers' `group_add` and `receive`).

Only for `channels_redis.pubsub.RedisPubSubChannelLayer` on one Redis host
(the production settings): for anything else `for_layer` returns None and the
sender keeps calling the layer's `group_send`.
"""

from __future__ import annotations

import redis
from channels_redis.pubsub import RedisPubSubChannelLayer
from channels_redis.utils import decode_hosts
from django.conf import settings

# A dead Redis must not hold the sender thread for long: the events are hints.
SOCKET_TIMEOUT = 2.0


def group_channel(prefix: str, group: str) -> str:
    """The Redis channel a group's messages go to (channels_redis.pubsub's naming)."""
    return f"{prefix}__group__{group}"


class RedisPublisher:
    def __init__(self, layer: RedisPubSubChannelLayer, client: redis.Redis, prefix: str):
        self.layer, self.client, self.prefix = layer, client, prefix

    def publish(self, batch: list[tuple[str, dict]]) -> None:
        """Publish every (group, message) of `batch`, in order, in one round trip."""
        if len(batch) == 1:
            [(group, message)] = batch
            self.client.publish(group_channel(self.prefix, group), self.layer.serialize(message))
            return
        pipe = self.client.pipeline(transaction=False)
        for group, message in batch:
            pipe.publish(group_channel(self.prefix, group), self.layer.serialize(message))
        pipe.execute()

    def close(self) -> None:
        self.client.close()


def for_layer(layer, alias: str = "default") -> RedisPublisher | None:
    """A synchronous publisher equivalent to `layer.group_send`, or None when the layer
    is not a single-host RedisPubSubChannelLayer configured in CHANNEL_LAYERS[alias]."""
    if not isinstance(layer, RedisPubSubChannelLayer):
        return None
    config = settings.CHANNEL_LAYERS.get(alias, {}).get("CONFIG", {})
    hosts = decode_hosts(config.get("hosts"))
    if len(hosts) != 1:  # sharded: channels_redis hashes each name to a host
        return None
    host = dict(hosts[0])
    if "master_name" in host:  # Sentinel: left to channels_redis
        return None
    options = {"socket_timeout": SOCKET_TIMEOUT, "socket_connect_timeout": SOCKET_TIMEOUT}
    if "address" in host:
        client = redis.Redis.from_url(host.pop("address"), **{**options, **host})
    else:
        client = redis.Redis(**{**options, **host})
    return RedisPublisher(layer, client, config.get("prefix", "asgi"))
