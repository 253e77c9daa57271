"""uvicorn --workers answers without Nagle's delay (knock/tcp.py, issue 16 item 5)."""

import socket
from asyncio import base_events

from knock.tcp import ensure_nodelay


def test_a_listening_socket_bound_as_uvicorn_binds_it_gets_nodelay():
    ensure_nodelay()
    import knock.asgi  # noqa: F401 - the app imports it too, before any connection

    # uvicorn's Config.bind_socket(): socket.socket(family=...), so proto is 0.
    with socket.socket(family=socket.AF_INET) as sock:
        assert sock.proto == 0
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        base_events._set_nodelay(sock)  # what every accepted connection's transport calls
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
