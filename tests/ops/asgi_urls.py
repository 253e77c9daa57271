"""A URLconf for tests/ops/test_asgi_http.py: views that report the thread they ran on."""

import threading
import time

from django.http import JsonResponse, StreamingHttpResponse
from django.urls import path

from knock import request_gate

# Two requests meet here: each waits until the other has arrived (tests reset it).
meeting = threading.Barrier(2, timeout=5)


def where(request):
    return JsonResponse({"view": threading.get_ident(), "middleware": request.seen_by})


async def async_where(request):
    return JsonResponse({"view": threading.get_ident(), "middleware": request.seen_by})


def meet(request):
    meeting.wait()  # a BrokenBarrierError (a 500) unless another request is in flight
    return JsonResponse({"view": threading.get_ident()})


def meet_outside(request):
    """As meet, the wait given up to the gate as a CRM lookup's wait is."""
    with request_gate.outside():
        meeting.wait()
    return JsonResponse({"view": threading.get_ident()})


class Inside:
    """How many requests are in the `inside` view at once, at most (tests reset it)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.now = self.most = 0

    def reset(self):
        self.now = self.most = 0


inside_count = Inside()


def inside(request):
    with inside_count.lock:
        inside_count.now += 1
        inside_count.most = max(inside_count.most, inside_count.now)
    time.sleep(0.05)  # long enough for every request sent together to arrive
    with inside_count.lock:
        inside_count.now -= 1
    return JsonResponse({"view": threading.get_ident()})


def stream(request):
    return StreamingHttpResponse(f"part {i};" for i in range(3))


# Set by the test once it has received the first part of /stream-held/.
first_part_received = threading.Event()


def stream_held(request):
    def parts():
        yield "first;"
        # Read all at once (into a list) before sending, this part would wait here
        # with nothing sent, and come out as "unsent;".
        yield "second;" if first_part_received.wait(5) else "unsent;"

    return StreamingHttpResponse(parts())


def boom(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("where/", where),
    path("async-where/", async_where),
    path("meet/", meet),
    path("meet-outside/", meet_outside),
    path("inside/", inside),
    path("stream/", stream),
    path("stream-held/", stream_held),
    path("boom/", boom),
]


class ThreadMiddleware:
    """Records the thread the middleware ran on, in the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.seen_by = threading.get_ident()
        return self.get_response(request)
