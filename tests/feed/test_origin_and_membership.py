"""Issue 10 item 16: the feed socket's origin check compares scheme, host and port
(an allowed host on another scheme or port is refused unless trusted), and an open
socket stops receiving a workspace's events once its user may not see it any more."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model

from knock.ws_origin import origin_allowed
from routing import actions
from routing.models import Membership

from .test_consumer import _closed_with, _setup, _socket

pytestmark = pytest.mark.django_db(transaction=True)


def _scope(origin, host="localhost:8000", scheme="ws", **headers):
    raw = [(b"host", host.encode())] if host else []
    if origin is not None:
        raw.append((b"origin", origin.encode()))
    raw += [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    return {"type": "websocket", "scheme": scheme, "headers": raw}


SAME_ORIGIN = [
    ("http://localhost:8000", {}),
    ("http://LOCALHOST:8000", {}),
    ("https://localhost:8000", {"scheme": "wss"}),
    ("http://localhost", {"host": "localhost"}),
    ("http://localhost:80", {"host": "localhost"}),
    ("http://[::1]:8000", {"host": "[::1]:8000"}),
]
REFUSED = [
    ("https://localhost:8000", {}),  # another scheme than the socket's
    ("http://localhost:8001", {}),  # another port
    ("http://localhost", {}),  # port 80, the server is on 8000
    ("http://localhost:8000", {"scheme": "wss"}),  # an http page on a TLS socket
    ("http://evil.example:8000", {}),
    ("http://localhost.evil.example:8000", {}),
    ("http://evil.example:8000", {"host": "evil.example:8000"}),  # not in ALLOWED_HOSTS
    (None, {}),  # no Origin at all
    ("null", {}),
    ("file://localhost:8000", {}),
    ("http://localhost:99999", {}),
    ("http://localhost:8000", {"host": ""}),  # no Host
]


@pytest.mark.parametrize(("origin", "how"), SAME_ORIGIN)
def test_same_origin_is_allowed(origin, how):
    assert origin_allowed(_scope(origin, **how))


@pytest.mark.parametrize(("origin", "how"), REFUSED)
def test_another_scheme_port_or_host_is_refused(origin, how):
    assert not origin_allowed(_scope(origin, **how))


def test_trusted_origins_are_allowed_on_their_own_scheme_and_port_only(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://knock.example.com", "https://*.acme.test:8443"]
    proxied = {"host": "127.0.0.1:8000"}  # a proxy in front, TLS ended there
    assert origin_allowed(_scope("https://knock.example.com", **proxied))
    assert origin_allowed(_scope("https://knock.example.com:443", **proxied))
    assert origin_allowed(_scope("https://eu.acme.test:8443", **proxied))
    assert origin_allowed(_scope("https://acme.test:8443", **proxied))
    assert not origin_allowed(_scope("http://knock.example.com", **proxied))
    assert not origin_allowed(_scope("https://knock.example.com:8443", **proxied))
    assert not origin_allowed(_scope("https://eu.acme.test", **proxied))
    assert not origin_allowed(_scope("https://evilacme.test:8443", **proxied))


def test_the_proxy_ssl_header_makes_the_socket_https(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert origin_allowed(_scope("https://localhost:8000", x_forwarded_proto="https"))
    assert not origin_allowed(_scope("http://localhost:8000", x_forwarded_proto="https"))
    assert origin_allowed(_scope("http://localhost:8000", x_forwarded_proto="http"))


@pytest.mark.asyncio
async def test_a_refused_origin_is_closed_with_4403_through_the_stack():
    workspace, users = await _setup()
    for origin in (b"https://localhost", b"http://localhost:8000"):
        socket = _socket(workspace, users["ops"], origin=(b"origin", origin))
        assert await _closed_with(socket) == 4403, origin


async def _route(workspace):
    await database_sync_to_async(actions.route_chat)(workspace, {"lead": {"email": "a@b.co"}})


@pytest.mark.asyncio
@pytest.mark.parametrize("how", ["membership removed", "deactivated", "staff removed"])
async def test_an_open_socket_is_closed_once_its_user_loses_the_workspace(how, settings):
    settings.FEED_RECHECK_SECONDS = 0  # re-check on every event
    workspace, users = await _setup()
    socket = _socket(workspace, users["ops"])
    assert (await socket.connect())[0]
    await _route(workspace)
    assert (await socket.receive_json_from(timeout=3))["type"] == "decision.created"

    @database_sync_to_async
    def revoke():
        user = get_user_model().objects.get(username="ops")
        if how == "membership removed":
            Membership.objects.filter(user=user).delete()
        elif how == "deactivated":
            get_user_model().objects.filter(pk=user.pk).update(is_active=False)
        else:
            user.is_staff = False
            user.save()

    await revoke()
    await _route(workspace)
    message = await socket.receive_output(timeout=3)
    assert message == {"type": "websocket.close", "code": 4403}
    await _route(workspace)
    assert await socket.receive_nothing(timeout=0.3)


@pytest.mark.asyncio
async def test_the_membership_check_is_cached_between_events(settings):
    settings.FEED_RECHECK_SECONDS = 60
    workspace, users = await _setup()
    socket = _socket(workspace, users["ops"])
    assert (await socket.connect())[0]

    @database_sync_to_async
    def remove():
        Membership.objects.filter(user__username="ops").delete()

    await remove()
    await _route(workspace)  # within the cache window: still delivered
    assert (await socket.receive_json_from(timeout=3))["type"] == "decision.created"
    await socket.disconnect()


@pytest.mark.asyncio
async def test_sockets_of_one_user_share_one_recheck(settings, monkeypatch):
    """Twenty sockets of one user, all due for their re-check at the same event: one
    database trip between them (a trip each stalled the 500-socket fan-out), and the
    answer still closes every one of them once the user lost the workspace."""
    import asyncio

    from routing import consumers

    settings.FEED_RECHECK_SECONDS = 0.2
    workspace, users = await _setup()
    trips = []
    real = consumers._can_see

    async def counted(user, workspace_id, *, reload=False):
        trips.append(reload)
        return await real(user, workspace_id, reload=reload)

    monkeypatch.setattr(consumers, "_can_see", counted)
    sockets = [_socket(workspace, users["ops"]) for _ in range(20)]
    for socket in sockets:
        assert (await socket.connect())[0]
    assert trips == [False] * 20  # the handshake checks each socket
    trips.clear()
    await asyncio.sleep(0.25)
    await _route(workspace)
    for socket in sockets:
        assert (await socket.receive_json_from(timeout=3))["type"] == "decision.created"
    assert trips == [True]

    @database_sync_to_async
    def remove():
        Membership.objects.filter(user__username="ops").delete()

    await remove()
    trips.clear()
    await asyncio.sleep(0.25)
    await _route(workspace)
    for socket in sockets:
        assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}
    assert trips == [True]
