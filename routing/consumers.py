"""The live feed websocket: `/ws/workspaces/<id>/feed/`.

Authorisation happens in connect() (paperless-ngx's StatusConsumer pattern):
only an authenticated staff member of the workspace, or a superuser, joins
the workspace's group. Anyone else is closed with a specific code and a log line.
"""

import logging

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .console.access import workspaces_for
from .events import feed_group

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


@database_sync_to_async
def _can_see(user, workspace_id: int) -> bool:
    return workspaces_for(user).filter(id=workspace_id).exists()


# Events this consumer only forwards: no database access, so no database-thread hop.
FORWARDED = frozenset({"decision.created", "chat.updated", "delivery.updated"})


class FeedConsumer(AsyncJsonWebsocketConsumer):
    group = None

    async def dispatch(self, message):
        # channels' dispatch awaits aclose_old_connections() before every handler: a trip
        # to the one shared sync thread, per event per socket. With 500 sockets that hop
        # serialised the fan-out (p50 723 ms -> 84 ms without it; docs/benchmarks.md).
        if message.get("type") in FORWARDED:
            await getattr(self, get_handler_name(message))(message)
        else:
            await super().dispatch(message)

    async def connect(self):
        user = self.scope.get("user")
        workspace_id = int(self.scope["url_route"]["kwargs"]["workspace_id"])
        client = self.scope.get("client") or ["?"]
        if user is None or not user.is_authenticated:
            logger.warning("feed: refused anonymous socket from %s for workspace %s",
                           client[0], workspace_id)  # fmt: skip
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not await _can_see(user, workspace_id):
            logger.warning("feed: refused user %s (not a staff member) for workspace %s",
                           user.pk, workspace_id)  # fmt: skip
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = feed_group(workspace_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    # -- handlers: one per event type ----------------------------------------
    async def decision_created(self, event):
        await self.send_json(event)

    async def chat_updated(self, event):
        await self.send_json(event)

    async def delivery_updated(self, event):
        await self.send_json(event)
