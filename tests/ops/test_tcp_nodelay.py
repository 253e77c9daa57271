"""uvicorn --workers answers without Nagle's delay (knock/tcp.py, issue 16 item 5), on
asyncio's loop and on uvloop's, which the production server runs."""

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


def test_uvloop_sets_nodelay_on_a_connection_accepted_on_a_proto_0_socket():
    """The production server runs uvloop (requirements.txt; uvicorn's --loop auto): its
    transports set TCP_NODELAY themselves, also on uvicorn's proto-0 listening socket,
    where asyncio's would not without knock/tcp.py."""
    import asyncio

    import uvloop

    seen = {}

    class Protocol(asyncio.Protocol):
        def connection_made(self, transport):
            sock = transport.get_extra_info("socket")
            seen["nodelay"] = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            seen["accepted"].set()

    async def main():
        seen["accepted"] = asyncio.Event()
        with socket.socket(family=socket.AF_INET) as sock:
            assert sock.proto == 0
            sock.bind(("127.0.0.1", 0))
            sock.listen()
            server = await asyncio.get_running_loop().create_server(Protocol, sock=sock)
            _, writer = await asyncio.open_connection(*sock.getsockname())
            await asyncio.wait_for(seen["accepted"].wait(), 10)
            writer.close()
            server.close()

    uvloop.run(main())
    assert seen["nodelay"] != 0
