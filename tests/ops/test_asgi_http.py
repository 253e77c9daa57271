"""The ASGI HTTP handler runs the middleware chain and the view in one thread (knock/asgi_http.py).

Driven through asgiref's ApplicationCommunicator, as an ASGI server would drive it.
"""

import asyncio
import json
import threading

import pytest
from asgiref.testing import ApplicationCommunicator
from django.test import override_settings

from knock.asgi_http import SyncChainASGIHandler

TEST_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tests.ops.asgi_urls.ThreadMiddleware",
]


def scope(path, method="GET", headers=()):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }


async def request(app, path, method="GET", body=b"", headers=()):
    """(status, headers dict, body) of one request through the ASGI app."""
    communicator = ApplicationCommunicator(app, scope(path, method, headers))
    await communicator.send_input({"type": "http.request", "body": body})
    start = await communicator.receive_output(10)
    content = b""
    while True:
        message = await communicator.receive_output(10)
        content += message.get("body", b"")
        if not message.get("more_body"):
            break
    await communicator.wait(10)
    return start["status"], {k.lower(): v for k, v in start["headers"]}, content


def call(app, path, method="GET", body=b"", headers=()):
    return asyncio.run(request(app, path, method, body, headers))


@override_settings(ROOT_URLCONF="tests.ops.asgi_urls", MIDDLEWARE=TEST_MIDDLEWARE)
def test_the_middleware_chain_is_sync_and_runs_with_the_view_in_one_worker_thread():
    handler = SyncChainASGIHandler()
    assert not asyncio.iscoroutinefunction(handler._middleware_chain)
    status, headers, body = call(handler, "/where/")
    assert status == 200
    seen = json.loads(body)
    assert seen["view"] == seen["middleware"]  # no hop between the middleware and the view
    assert seen["view"] != threading.get_ident()  # and not on the event loop's thread
    assert headers[b"x-frame-options"] == b"DENY"  # Django's middleware ran as usual


@override_settings(ROOT_URLCONF="tests.ops.asgi_urls", MIDDLEWARE=TEST_MIDDLEWARE)
def test_requests_in_flight_each_get_their_own_thread():
    """Each request runs in its own ThreadSensitiveContext: two requests in flight
    meet at a barrier in their views, which one shared thread could never do."""
    from tests.ops import asgi_urls

    asgi_urls.meeting.reset()
    handler = SyncChainASGIHandler()

    async def both():
        return await asyncio.gather(request(handler, "/meet/"), request(handler, "/meet/"))

    (status_a, _, body_a), (status_b, _, body_b) = asyncio.run(both())
    assert (status_a, status_b) == (200, 200)
    assert json.loads(body_a)["view"] != json.loads(body_b)["view"]


@override_settings(ROOT_URLCONF="tests.ops.asgi_urls", MIDDLEWARE=TEST_MIDDLEWARE)
def test_an_async_view_still_works_under_the_sync_chain():
    status, _, body = call(SyncChainASGIHandler(), "/async-where/")
    assert status == 200
    assert json.loads(body)["middleware"]  # the middleware ran before it


@override_settings(ROOT_URLCONF="tests.ops.asgi_urls", MIDDLEWARE=TEST_MIDDLEWARE, DEBUG=False)
def test_an_exception_in_a_view_is_a_500_page_and_an_unknown_path_a_404():
    handler = SyncChainASGIHandler()
    assert call(handler, "/boom/")[0] == 500
    assert call(handler, "/nowhere/")[0] == 404


@pytest.mark.django_db(transaction=True)
def test_a_routed_chat_through_the_production_asgi_app(workspace_and_key):
    """knock.asgi (the app uvicorn serves) with the real middleware: 201 and the chat."""
    from knock.asgi import application
    from routing.models import Chat

    _, key = workspace_and_key
    body = json.dumps({"lead": {"email": "ada@example.com"}}).encode()
    headers = [
        (b"authorization", f"Token {key}".encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    status, answer_headers, content = call(application, "/api/v1/chats/", "POST", body, headers)
    assert status == 201, content[:500]
    assert Chat.objects.filter(id=json.loads(content)["id"]).exists()
    assert answer_headers[b"x-content-type-options"] == b"nosniff"
