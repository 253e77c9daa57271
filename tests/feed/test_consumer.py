"""The live feed socket: who may connect, and events only after commit.

Runs on the in-memory channel layer under `make test` and on the real Redis
layer in CI (REDIS_URL set), through the full ASGI stack (origin check,
session auth, URL router).
"""

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from knock.asgi import application
from routing import actions
from routing.models import Membership

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]
ORIGIN = (b"origin", b"http://localhost")
HOST = (b"host", b"localhost")


@database_sync_to_async
def _setup():
    workspace, _ = actions.create_workspace("Acme Inc")
    other, _ = actions.create_workspace("Globex")
    actions.create_rep(workspace, name="Dana", email="dana@acme.test")
    users = {}
    for name, ws, staff in (
        ("ops", workspace, True),
        ("spy", other, True),
        ("rep", workspace, False),
    ):
        user = get_user_model().objects.create_user(name, password="pw", is_staff=staff)
        Membership.objects.create(workspace=ws, user=user)
        client = Client()
        client.force_login(user)
        users[name] = client.cookies["sessionid"].value
    return workspace, users


def _socket(workspace, session=None, origin=ORIGIN, host=HOST):
    headers = [h for h in (origin, host) if h]
    if session:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    return WebsocketCommunicator(application, f"/ws/workspaces/{workspace.id}/feed/", headers)


async def _closed_with(socket) -> int:
    """Refusals are accepted, then closed with a code the client can read (a close
    before accept would be an HTTP 403 at the handshake, which browsers hide)."""
    connected, _ = await socket.connect()
    assert connected, "refusals accept the handshake, then close with a code"
    message = await socket.receive_output(timeout=3)
    assert message["type"] == "websocket.close"
    return message["code"]


async def test_anonymous_is_refused_with_4401():
    workspace, _ = await _setup()
    assert await _closed_with(_socket(workspace)) == 4401


async def test_staff_of_another_workspace_and_non_staff_are_refused_with_4403():
    workspace, users = await _setup()
    for name in ("spy", "rep"):
        assert await _closed_with(_socket(workspace, users[name])) == 4403, name


async def test_a_foreign_origin_is_refused():
    workspace, users = await _setup()
    socket = _socket(workspace, users["ops"], origin=(b"origin", b"http://evil.example"))
    assert await _closed_with(socket) == 4403


async def test_decision_arrives_after_commit_with_the_row_partial():
    workspace, users = await _setup()
    socket = _socket(workspace, users["ops"])
    connected, _ = await socket.connect()
    assert connected
    routed = await database_sync_to_async(actions.route_chat)(
        workspace, {"lead": {"email": "ana@bigco.com"}, "company": {"name": "BigCo"}}
    )
    event = await socket.receive_json_from(timeout=3)
    assert event["type"] == "decision.created"
    assert event["decision"]["id"] == routed.decision.id
    assert event["decision"]["assignee"] == {"type": "rep", "id": routed.decision.rep_id,
                                             "name": "Dana", "pool": None}  # fmt: skip
    assert event["decision"]["company"] == "BigCo"
    assert event["decision"]["lead"]["email"] == "ana@bigco.com"
    assert "html" not in event  # a hint: the page fetches its rows rendered for its viewer
    await socket.disconnect()


def failing_planner(event, **data):
    raise RuntimeError("boom")


async def test_nothing_is_sent_for_a_rolled_back_decision():
    workspace, users = await _setup()
    socket = _socket(workspace, users["ops"])
    assert (await socket.connect())[0]

    def route_then_fail():
        # route_chat's transaction is its own (durable): fail inside it, in a planner.
        with override_settings(KNOCK_OUTBOX_PLANNERS=[f"{__name__}.failing_planner"]):
            actions.route_chat(workspace, {"lead": {"email": "ghost@bigco.com"}})

    with pytest.raises(RuntimeError, match="boom"):
        await sync_to_async(route_then_fail)()
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


async def test_other_workspaces_events_do_not_arrive():
    workspace, users = await _setup()
    socket = _socket(workspace, users["ops"])
    assert (await socket.connect())[0]

    @database_sync_to_async
    def route_elsewhere():
        other, _ = actions.create_workspace("Initech")
        actions.route_chat(other, {"lead": {"email": "x@initech.io"}})

    await route_elsewhere()
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()
