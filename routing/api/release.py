"""Undo DRF's reference cycles once an answer is out, so it is freed at once.

DRF ties a request's objects into cycles: the view holds its request and its
response, whose `renderer_context` holds the view, the request and the
response again; `serializer.data` is a ReturnDict pointing back at its
serializer, which keeps it as `_data` beside the instance it read. Whatever
they hold (for a routed chat, the 40 KB answer with its context and trace) then
waits for the cyclic garbage collector instead of being freed by reference
counting when the response is sent: a server process carried every in-flight
chat's trace through its young collections and promoted them (knock/gc_tuning.py).
"""

from __future__ import annotations

from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer


def detached(serializer) -> dict:
    """`serializer.data` as a plain dict; the serializer keeps neither it nor its
    instance, and is unbound."""
    data = dict(serializer.data)
    serializer.__dict__.pop("_data", None)
    serializer.instance = None
    unbind(serializer)
    return data


def unbind(serializer) -> None:
    """Undo `bind`: each field (nested serializers' too) forgets its parent, and the
    serializer its fields (a BindingDict pointing back at it). For a serializer that
    is done with: it rebuilds its fields if asked again."""
    fields = serializer.__dict__.pop("fields", None)  # DRF's cached_property
    if fields is None:
        return
    fields.serializer = None
    for field in fields.values():
        field.parent = None
        child = getattr(field, "child", None)  # a ListField's or ListSerializer's
        for part in (field, child):
            if isinstance(part, BaseSerializer):
                unbind(part)


def release_after_sending(view, response) -> None:
    """Once `response` is sent (Django calls its closers), drop the references between
    it, `view` and the view's request. Its data stays readable (the test client's)."""
    if not isinstance(response, Response):
        return

    def release() -> None:
        response.renderer_context = None
        view.__dict__.pop("response", None)
        request = view.__dict__.get("request")
        if request is not None and hasattr(request, "parser_context"):
            request.parser_context = None

    response._resource_closers.append(release)
