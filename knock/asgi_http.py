"""Django's HTTP side for ASGI, with one thread hop per request instead of one per middleware.

Django's own ASGIHandler builds its middleware chain in async mode. Our chain is
sync code (sessions, CSRF, auth, messages, WhiteNoise, and every view), so in
async mode each MiddlewareMixin runs its process_request and process_response
through sync_to_async, and the sync-only WhiteNoise is wrapped back with
async_to_sync: about sixteen hand-overs between the event loop and a worker
thread per request, each a future, a wake-up and a turn of the loop. This
handler builds the chain in sync mode (as under WSGI) and runs the whole of it
in the request's thread with one sync_to_async. Everything else is Django's:
reading the body, the request object, signals, disconnects, streaming the
answer. The thread is the request's own (ASGIHandler.__call__ opens a
ThreadSensitiveContext), so requests still run side by side.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class SyncChainASGIHandler(ASGIHandler):
    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


def get_asgi_application() -> SyncChainASGIHandler:
    """As django.core.asgi.get_asgi_application, with the handler above."""
    import django

    django.setup(set_prefix=False)
    return SyncChainASGIHandler()
