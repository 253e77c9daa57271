"""The ASGI HTTP handler runs a request's sync work in one pool thread (knock/asgi_http.py).

Driven through asgiref's ApplicationCommunicator, as an ASGI server would drive it.
"""

import asyncio
import json
import threading
import warnings

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core import signals
from django.test import override_settings

from knock.asgi_http import SyncChainASGIHandler, request_threads

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
    """Each request takes a thread of the pool: two requests in flight meet at a
    barrier in their views, which one shared thread could never do."""
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


class _Signals:
    """The threads request_started and request_finished were sent on, in order."""

    def __init__(self):
        self.seen = []

    def started(self, **kwargs):
        self.seen.append(("started", threading.get_ident()))

    def finished(self, **kwargs):
        self.seen.append(("finished", threading.get_ident()))

    def __enter__(self):
        signals.request_started.connect(self.started)
        signals.request_finished.connect(self.finished)
        return self

    def __exit__(self, *exc):
        signals.request_started.disconnect(self.started)
        signals.request_finished.disconnect(self.finished)


@override_settings(ROOT_URLCONF="tests.ops.asgi_urls", MIDDLEWARE=TEST_MIDDLEWARE)
def test_the_request_signals_are_sent_in_the_views_thread_once_each():
    """No hop for the signals either: request_started before the view and
    request_finished (Django's close_old_connections) after it, in its thread."""
    handler = SyncChainASGIHandler()
    with _Signals() as sent:
        status, _, body = call(handler, "/where/")
    assert status == 200
    view = json.loads(body)["view"]
    assert sent.seen == [("started", view), ("finished", view)]


@override_settings(ROOT_URLCONF="tests.ops.asgi_urls", MIDDLEWARE=TEST_MIDDLEWARE)
def test_threads_are_kept_for_the_next_requests():
    """A persistent pool: no thread started per request, and requests one after
    another are served by the pool's threads."""
    handler = SyncChainASGIHandler()
    views = [json.loads(call(handler, "/where/")[2])["view"] for _ in range(5)]
    names = {t.ident: t.name for t in threading.enumerate()}
    assert all(names.get(v, "").startswith("request") for v in views)
    assert len(set(views)) < 5  # reused, not one thread per request


@override_settings(ROOT_URLCONF="tests.ops.asgi_urls", MIDDLEWARE=TEST_MIDDLEWARE)
def test_a_streamed_answer_is_sent_whole_then_closed():
    handler = SyncChainASGIHandler()
    with _Signals() as sent:
        status, _, body = call(handler, "/stream/")
    assert status == 200
    assert body == b"part 0;part 1;part 2;"
    assert [name for name, _ in sent.seen] == ["started", "finished"]  # closed once, after


@override_settings(ROOT_URLCONF="tests.ops.asgi_urls", MIDDLEWARE=TEST_MIDDLEWARE)
def test_a_streamed_answer_is_sent_part_by_part_without_django_s_warning():
    """Each part of a sync iterator is sent before the next is read: the view's
    second part waits until the client has the first."""
    from tests.ops import asgi_urls

    asgi_urls.first_part_received.clear()

    async def client():
        communicator = ApplicationCommunicator(SyncChainASGIHandler(), scope("/stream-held/"))
        await communicator.send_input({"type": "http.request", "body": b""})
        assert (await communicator.receive_output(10))["status"] == 200
        first = await communicator.receive_output(10)
        asgi_urls.first_part_received.set()
        rest = b""
        while (message := await communicator.receive_output(10)).get("more_body"):
            rest += message["body"]
        await communicator.wait(10)
        return first["body"], rest + message.get("body", b"")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first, rest = asyncio.run(client())
    assert (first, rest) == (b"first;", b"second;")
    assert not [w for w in caught if "StreamingHttpResponse" in str(w.message)]


def test_the_pool_size_comes_from_knock_request_threads():
    assert request_threads(None) == request_threads("") == 40
    assert request_threads(" 8 ") == 8
    for bad in ("0", "-2", "many"):
        with pytest.raises(ValueError, match="KNOCK_REQUEST_THREADS"):
            request_threads(bad)


def _together(handler, path, count):
    async def all_of_them():
        return await asyncio.gather(*(request(handler, path) for _ in range(count)))

    return [status for status, _, _ in asyncio.run(all_of_them())]


@override_settings(ROOT_URLCONF="tests.ops.asgi_urls", MIDDLEWARE=TEST_MIDDLEWARE)
def test_the_gate_lets_knock_request_concurrency_requests_run_at_once(monkeypatch):
    from tests.ops import asgi_urls

    for places, expected in (("1", 1), ("3", 3)):
        monkeypatch.setenv("KNOCK_REQUEST_CONCURRENCY", places)
        asgi_urls.inside_count.reset()
        handler = SyncChainASGIHandler()
        assert _together(handler, "/inside/", 6) == [200] * 6
        assert asgi_urls.inside_count.most == expected


@override_settings(ROOT_URLCONF="tests.ops.asgi_urls", MIDDLEWARE=TEST_MIDDLEWARE)
def test_a_wait_outside_gives_the_place_up(monkeypatch):
    """With one place, two requests still meet at a barrier they wait on outside the
    gate (as a CRM lookup's wait is); waiting inside it, they could not."""
    from tests.ops import asgi_urls

    monkeypatch.setenv("KNOCK_REQUEST_CONCURRENCY", "1")
    handler = SyncChainASGIHandler()
    asgi_urls.meeting.reset()
    assert _together(handler, "/meet-outside/", 2) == [200, 200]
