"""TCP_NODELAY on every connection the production server accepts (issue 16 item 5).

asyncio turns Nagle's algorithm off for a TCP connection only when the socket says
``proto == IPPROTO_TCP``. ``uvicorn --workers N`` binds its listening socket itself
with ``socket.socket(family=...)``, whose proto is 0, and so does every connection
it accepts: Nagle stays on, and an answer written in two pieces (headers, then the
body) waits for the client's delayed ACK, about 40 ms, on every request. Measured
with bench/: a floor request on one connection took 52 ms with 2 workers against
16 ms with one; with this, 19 ms. One process (``--workers 1``) was not affected
(its sockets come from getaddrinfo, proto 6).

``ensure_nodelay()`` makes asyncio set TCP_NODELAY on any stream socket of the
inet families, whatever its proto. It is called when the ASGI app is imported,
before a worker accepts connections.
"""

from __future__ import annotations

import socket
from asyncio import base_events


def _set_nodelay(sock: socket.socket) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def ensure_nodelay() -> None:
    """Idempotent: asyncio's socket transports call ``base_events._set_nodelay``."""
    if hasattr(socket, "TCP_NODELAY"):
        base_events._set_nodelay = _set_nodelay
