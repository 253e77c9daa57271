"""How many requests of one server process run their Python at once.

Every request of the production server runs in a thread of the process's pool
(knock/asgi_http.py, KNOCK_REQUEST_THREADS, default 40: enough for the
requests that wait on a CRM or a calendar at the same time). All of them share
the process's one GIL, and each database round trip hands it over: with many
requests in flight at once, a thread whose answer has come back from
PostgreSQL waits for the GIL behind the others, and a request that holds a
pool's row lock (routing.pools) holds it that much longer. The gate lets at
most KNOCK_REQUEST_CONCURRENCY requests (default 3) run at once; the others
wait for a place before they touch the database.

A request gives its place up (`outside()`) while it waits on a service outside
this machine (a CRM lookup, an enrichment provider, a calendar's free/busy), so
a slow CRM never holds the gate, and while it does work that may take seconds
(an API replay of up to 50,000 decisions), so chats keep being routed beside
it. Afterwards it takes a place again if one is free, else it goes on without
one (`outside()` says why).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

DEFAULT_CONCURRENCY = 3

_local = threading.local()


def positive_setting(name: str, value: str | None, default: int, what: str) -> int:
    """The positive integer an environment variable `name` asks for (`default` when it
    is unset or blank); a ValueError naming it and `what` it counts otherwise."""
    if value is None or not value.strip():
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError(f"{name}={value!r}: a positive number of {what}.")
    return number


def request_concurrency(value: str | None) -> int:
    """The number of places KNOCK_REQUEST_CONCURRENCY asks for (a positive integer)."""
    return positive_setting(
        "KNOCK_REQUEST_CONCURRENCY", value, DEFAULT_CONCURRENCY, "requests at once"
    )


class Gate:
    """At most `places` holders at once; `outside()` lends a holder's place out."""

    def __init__(self, places: int):
        self.places = places
        self._semaphore = threading.Semaphore(places)

    @contextmanager
    def admitted(self):
        """Hold a place for the block (the whole of one request), unless `outside()`
        gave it up meanwhile and found none free after."""
        self._semaphore.acquire()
        _local.gate = self
        try:
            yield
        finally:
            if _local.gate is self:
                _local.gate = None
                self._semaphore.release()


def holding() -> Gate | None:
    """The gate this thread holds a place in, if any."""
    return getattr(_local, "gate", None)


@contextmanager
def outside():
    """Around a wait on an outside service, or work of seconds: the place is free
    meanwhile. After it the request takes a place again if one is free, and
    otherwise goes on without one: it must never wait for the gate while it holds
    a database connection (taken by its token query) that the holders may be
    waiting for in the connection pool. So the gate is exceeded only by requests
    that waited on a CRM, a provider or a calendar, as when there was no gate.

    A no-op in a thread that holds no place (tests, the task worker, management
    commands, the WSGI server)."""
    gate = holding()
    if gate is None:
        yield
        return
    _local.gate = None
    gate._semaphore.release()
    try:
        yield
    finally:
        if gate._semaphore.acquire(blocking=False):
            _local.gate = gate
