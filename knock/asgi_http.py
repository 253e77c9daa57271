"""Django's HTTP side for ASGI: one hand-over per request, to a persistent thread.

Django's own ASGIHandler builds its middleware chain in async mode. Our chain is
sync code (sessions, CSRF, auth, messages, WhiteNoise, and every view), so in
async mode each MiddlewareMixin runs its process_request and process_response
through sync_to_async, and the sync-only WhiteNoise is wrapped back with
async_to_sync: about sixteen hand-overs between the event loop and a worker
thread per request. Around that, its handler opens an asgiref
ThreadSensitiveContext per request (a new executor, so a new thread started
and joined for every request) and sends request_started and request_finished
with `Signal.asend`, one more hand-over per sync receiver.

This handler builds the chain in sync mode (as under WSGI) and runs, in one
hand-over to a thread of the process's pool (KNOCK_REQUEST_THREADS, default
40), request_started, the request object, the middleware chain and the view,
and for an answer that is not streamed its close() (request_finished: the
database connection goes back to its pool) in that same thread, as a threaded
WSGI server would. The event loop reads the body and sends the answer. At
most KNOCK_REQUEST_CONCURRENCY of those threads run a request at once (the
gate of knock/request_gate.py). A streamed answer (WhiteNoise's static
files) is sent part by part, each part of a sync iterator read in the pool
as it is sent, and closed in the pool afterwards.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse
from django.urls import set_script_prefix

from knock.request_gate import Gate, positive_setting, request_concurrency

DEFAULT_THREADS = 40


def request_threads(value: str | None) -> int:
    """The pool's size KNOCK_REQUEST_THREADS asks for (a positive integer)."""
    return positive_setting("KNOCK_REQUEST_THREADS", value, DEFAULT_THREADS, "threads")


class SyncChainASGIHandler(ASGIHandler):
    def __init__(self):
        super().__init__()
        self._pool = ThreadPoolExecutor(
            request_threads(os.environ.get("KNOCK_REQUEST_THREADS")),
            thread_name_prefix="request",
        )
        self._gate = Gate(request_concurrency(os.environ.get("KNOCK_REQUEST_CONCURRENCY")))
        self._respond_async = sync_to_async(
            self._respond, thread_sensitive=False, executor=self._pool
        )
        self._close_async = sync_to_async(self._close, thread_sensitive=False, executor=self._pool)
        self._next_async = sync_to_async(next, thread_sensitive=False, executor=self._pool)

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        response = await self._respond_async(scope, body_file)
        if not response.streaming:
            await self.send_response(response, send)
            return
        try:
            if not response.is_async:
                response.streaming_content = self._pulled(response.streaming_content)
            await self.send_response(response, send)
        finally:
            await self._close_async(response, body_file)

    async def _pulled(self, parts):
        """A sync iterator's parts, each read in the pool as it is sent. Django would
        read all of it into a list first (and warn), a whole file in memory."""
        parts, done = iter(parts), object()
        while (part := await self._next_async(parts, done)) is not done:
            yield part

    def _respond(self, scope, body_file):
        """Everything of one request that is sync code, in one pool thread, with a
        place in the process's gate (knock/request_gate.py)."""
        with self._gate.admitted():
            return self._respond_admitted(scope, body_file)

    def _respond_admitted(self, scope, body_file):
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if not response.streaming:
            self._close(response, body_file)  # its content is bytes already
        return response

    @staticmethod
    def _close(response, body_file) -> None:
        body_file.close()
        response.close()  # request_finished (Django connects close_old_connections)


def get_asgi_application() -> SyncChainASGIHandler:
    """As django.core.asgi.get_asgi_application, with the handler above."""
    import django

    django.setup(set_prefix=False)
    return SyncChainASGIHandler()
