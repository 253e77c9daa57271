"""A URLconf for tests/ops/test_asgi_http.py: views that report the thread they ran on."""

import threading

from django.http import JsonResponse, StreamingHttpResponse
from django.urls import path

# Two requests meet here: each waits until the other has arrived (tests reset it).
meeting = threading.Barrier(2, timeout=5)


def where(request):
    return JsonResponse({"view": threading.get_ident(), "middleware": request.seen_by})


async def async_where(request):
    return JsonResponse({"view": threading.get_ident(), "middleware": request.seen_by})


def meet(request):
    meeting.wait()  # a BrokenBarrierError (a 500) unless another request is in flight
    return JsonResponse({"view": threading.get_ident()})


def stream(request):
    return StreamingHttpResponse(f"part {i};" for i in range(3))


def boom(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("where/", where),
    path("async-where/", async_where),
    path("meet/", meet),
    path("stream/", stream),
    path("boom/", boom),
]


class ThreadMiddleware:
    """Records the thread the middleware ran on, in the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.seen_by = threading.get_ident()
        return self.get_response(request)
