"""Listening on a channel layer group from a test, as a feed socket does."""

from __future__ import annotations

import asyncio

PROBE = "test.probe"  # the type of the probes `subscribe` sends: skip them when reading


async def subscribe(layer, group: str) -> str:
    """A new channel of `layer` in `group`, once the subscription is live: pub/sub
    subscribes asynchronously, so probes go to the group until one comes back. A probe
    sent before the one that came back may still arrive: readers skip PROBE."""
    name = await layer.new_channel()
    await layer.group_add(group, name)
    for _ in range(50):
        await layer.group_send(group, {"type": PROBE})
        try:
            if (await asyncio.wait_for(layer.receive(name), 0.1))["type"] == PROBE:
                break
        except TimeoutError:
            continue
    return name
