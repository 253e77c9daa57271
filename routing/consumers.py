"""The live feed websocket: `/ws/workspaces/<id>/feed/`.

Authorisation happens in connect() (paperless-ngx's StatusConsumer pattern):
only an authenticated staff member of the workspace, or a superuser, joins
the workspace's group. Anyone else is accepted, then closed with a specific code
(4401, 4403) and a log line: a refusal at the handshake would be an HTTP 403 that
a browser does not show the page. An open socket re-checks that its user may
still see the workspace (active, staff, member) before it forwards an event, at
most every FEED_RECHECK_SECONDS, and closes with 4403 once they may not. The
re-check is shared by the process's sockets of one user on one workspace: one
database trip per user and period, however many sockets (a trip per socket, all
due at once, stalled a 500-socket fan-out: docs/benchmarks.md section 4).
"""

import asyncio
import logging
import time

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user_model

from .console.access import workspaces_for
from .events import feed_group

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


@database_sync_to_async
def _can_see(user, workspace_id: int, *, reload: bool = False) -> bool:
    if reload:  # the scope's user is from the handshake: is_active or is_staff may be stale
        user = get_user_model().objects.filter(pk=user.pk, is_active=True).first()
        if user is None:
            return False
    return workspaces_for(user).filter(id=workspace_id).exists()


# (user id, workspace id) -> (monotonic time of the check, its answer), per process.
_checked: dict[tuple[int, int], tuple[float, bool]] = {}
# The check under way for a key, per event loop (a test may run several loops).
_running: dict[tuple[int, int, int], asyncio.Future] = {}


async def _still_can_see(user, workspace_id: int) -> bool:
    """`_can_see(reload=True)`, answered from the last check of the same user and
    workspace if it is under FEED_RECHECK_SECONDS old; concurrent callers share one trip."""
    key = (user.pk, workspace_id)
    seen = _checked.get(key)
    if seen is not None and time.monotonic() - seen[0] < settings.FEED_RECHECK_SECONDS:
        return seen[1]
    running_key = (id(asyncio.get_running_loop()), *key)
    running = _running.get(running_key)
    if running is None:
        running = _running[running_key] = asyncio.ensure_future(
            _can_see(user, workspace_id, reload=True)
        )
        running.add_done_callback(lambda _: _running.pop(running_key, None))
        answer = await running
        _checked[key] = (time.monotonic(), answer)
        return answer
    return await asyncio.shield(running)


# Events this consumer only forwards: no database access, so no database-thread hop.
FORWARDED = frozenset({"decision.created", "chat.updated", "delivery.updated", "meeting.updated"})


class FeedConsumer(AsyncJsonWebsocketConsumer):
    group = None
    checked_at = 0.0  # time.monotonic() of the last membership check

    async def dispatch(self, message):
        # channels' dispatch awaits aclose_old_connections() before every handler: a trip
        # to the one shared sync thread, per event per socket. With 500 sockets that hop
        # serialised the fan-out (p50 723 ms -> 84 ms without it; docs/benchmarks.md).
        if message.get("type") in FORWARDED:
            if await self._still_allowed():
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
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not await _can_see(user, workspace_id):
            logger.warning("feed: refused user %s (not a staff member) for workspace %s",
                           user.pk, workspace_id)  # fmt: skip
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.checked_at = time.monotonic()
        self.group = feed_group(workspace_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def _still_allowed(self) -> bool:
        """False (and the socket closed with 4403) once the user lost the workspace.

        Checked at most every FEED_RECHECK_SECONDS per socket, and per user and
        workspace in the process (_still_can_see), so a fan-out to many sockets
        stays free of database trips between checks."""
        if self.group is None:
            return False
        if time.monotonic() - self.checked_at < settings.FEED_RECHECK_SECONDS:
            return True
        workspace_id = int(self.scope["url_route"]["kwargs"]["workspace_id"])
        if await _still_can_see(self.scope["user"], workspace_id):
            self.checked_at = time.monotonic()
            return True
        logger.warning("feed: closing user %s's socket: no longer a staff member of %s",
                       self.scope["user"].pk, workspace_id)  # fmt: skip
        await self.channel_layer.group_discard(self.group, self.channel_name)
        self.group = None
        await self.close(code=CLOSE_FORBIDDEN)
        return False

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    # -- handlers: one per event type; the event is JSON already (routing.events.send) --
    async def decision_created(self, event):
        await self.send(text_data=event["text"])

    async def chat_updated(self, event):
        await self.send(text_data=event["text"])

    async def delivery_updated(self, event):
        await self.send(text_data=event["text"])

    async def meeting_updated(self, event):  # sent by calendars (booked, moved, cancelled...)
        await self.send(text_data=event["text"])
