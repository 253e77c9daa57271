"""The feed event leaves the request without waiting on the channel layer (#16 item 3)."""

import json
import threading

from django.test import override_settings

from routing import events


class SlowLayer:
    """A channel layer whose group_send blocks until the test releases it."""

    def __init__(self):
        self.release = threading.Event()
        self.sent = []
        self.done = threading.Event()

    async def group_send(self, group, event):
        self.release.wait(10)  # runs in the sender thread, not the caller's
        self.sent.append((group, event, threading.current_thread().name))
        self.done.set()


@override_settings(FEED_SEND_IN_BACKGROUND=True)
def test_send_returns_before_the_layer_has_the_event(monkeypatch):
    layer = SlowLayer()
    monkeypatch.setattr(events, "get_channel_layer", lambda: layer)
    events.send(7, {"type": "decision.created", "decision": {"id": 1}})
    # The caller is back while the layer is still blocked: nothing was sent yet.
    assert layer.sent == []
    layer.release.set()
    assert layer.done.wait(10)
    [(group, event, thread)] = layer.sent
    assert group == "workspace.7.feed" and event["type"] == "decision.created"
    # Encoded once for every socket: the consumers write this text as it is.
    assert json.loads(event["text"]) == {"type": "decision.created", "decision": {"id": 1}}
    assert thread == "feed-sender"


@override_settings(FEED_SEND_IN_BACKGROUND=True)
def test_a_failing_layer_does_not_stop_the_sender(monkeypatch):
    class Broken(SlowLayer):
        async def group_send(self, group, event):
            if json.loads(event["text"])["n"] == 1:
                raise ConnectionError("redis is down")
            await super().group_send(group, event)

    layer = Broken()
    layer.release.set()
    monkeypatch.setattr(events, "get_channel_layer", lambda: layer)
    events.send(1, {"type": "decision.created", "n": 1})
    events.send(1, {"type": "decision.created", "n": 2})
    assert layer.done.wait(10)
    assert [json.loads(e["text"])["n"] for _, e, _ in layer.sent] == [2]


@override_settings(FEED_SEND_IN_BACKGROUND=True)
def test_flush_waits_until_the_layer_has_every_event(monkeypatch):
    layer = SlowLayer()
    monkeypatch.setattr(events, "get_channel_layer", lambda: layer)
    events.send(3, {"type": "decision.created", "n": 1})
    events.send(3, {"type": "decision.created", "n": 2})
    assert events.flush(0.2) is False  # the layer is still blocked: not handed over
    layer.release.set()
    assert events.flush(10) is True
    assert [json.loads(e["text"])["n"] for _, e, _ in layer.sent] == [1, 2]


def test_the_in_memory_layer_is_sent_to_in_the_caller(settings):
    from channels.layers import InMemoryChannelLayer

    assert events._in_background(InMemoryChannelLayer()) is False
    settings.FEED_SEND_IN_BACKGROUND = True
    assert events._in_background(InMemoryChannelLayer()) is True
