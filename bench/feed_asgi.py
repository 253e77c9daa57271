"""A diagnostic ASGI application for the live-feed figure (bench-only, never served by
the product): knock.asgi with a feed consumer that does not hop to the database
thread before every event.

channels' ``AsyncConsumer.dispatch`` awaits ``aclose_old_connections()`` before
each handler: ``sync_to_async(close_old_connections)``, one trip to the single
shared sync thread and back, for every event to every socket. The feed's event
handlers only forward the event and never touch the database, so the hop is
pure overhead there; this consumer skips it for them.
"""

from knock import asgi as product  # first: it sets Django up

django_asgi_app = product.django_asgi_app

from channels.auth import AuthMiddlewareStack
from channels.consumer import get_handler_name
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from routing.consumers import FeedConsumer

FORWARDED = frozenset({"decision.created", "chat.updated", "delivery.updated"})


class NoHopFeedConsumer(FeedConsumer):
    async def dispatch(self, message):
        if message.get("type") in FORWARDED:
            await getattr(self, get_handler_name(message))(message)
        else:
            await super().dispatch(message)


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(
                URLRouter(
                    [path("ws/workspaces/<int:workspace_id>/feed/", NoHopFeedConsumer.as_asgi())]
                )
            )
        ),
    }
)
