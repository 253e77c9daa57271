"""A URLconf for tests/ops/test_asgi_http.py: views that report the thread they ran on."""

import threading

from django.http import HttpResponse, JsonResponse
from django.urls import path


def where(request):
    return JsonResponse({"view": threading.get_ident(), "middleware": request.seen_by})


async def async_where(request):
    return JsonResponse({"view": threading.get_ident(), "middleware": request.seen_by})


def boom(request):
    raise RuntimeError("boom")


def ok(request):
    return HttpResponse("ok")


urlpatterns = [
    path("where/", where),
    path("async-where/", async_where),
    path("boom/", boom),
    path("ok/", ok),
]


class ThreadMiddleware:
    """Records the thread the middleware ran on, in the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.seen_by = threading.get_ident()
        return self.get_response(request)
