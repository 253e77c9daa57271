"""A small HTTP/1.1 load generator: N keep-alive connections, each sending its next
request as soon as the previous answer is in (a closed loop, like ``wrk``); each
connection is replaced by a new one every ``RECONNECT_EVERY`` requests, so that
the server's worker processes share the connections.

One asyncio loop, raw sockets, requests built by the caller; it records, per
request, when it was sent, when the whole answer was read, and the status.
Used for the product and the floor alike, so its own cost is the same for both.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Result:
    started: float
    finished: float
    samples: list[tuple[float, float, int]] = field(default_factory=list)  # (sent, done, status)

    @property
    def seconds(self) -> float:
        return self.finished - self.started


def request_bytes(method: str, path: str, port: int, body: bytes, headers: dict) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines += [f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            chunks.append(chunk[:-2])
        body = b"".join(chunks)
    else:
        body = await reader.read()
    return status, body


async def _connection(port, make_request, until, samples, first_error, reconnect_every, delay):
    # Staggered opening: a burst of connects is accepted by whichever server process wakes
    # first (asyncio accepts up to its backlog per wake-up), one at a time spreads them.
    await asyncio.sleep(delay)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent_here = 0
    try:
        while time.perf_counter() < until:
            if reconnect_every and sent_here == reconnect_every:
                # A new connection now and then, as real clients make: with several server
                # processes on one listening socket, keep-alive connections opened in one
                # burst are all accepted by one process; reconnecting spreads them.
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                sent_here = 0
            data = make_request()
            sent = time.perf_counter()
            writer.write(data)
            status, body = await _read_response(reader)
            samples.append((sent, time.perf_counter(), status))
            sent_here += 1
            if status >= 400 and not first_error:
                first_error.append(f"{status}: {body[:500]!r}")
    finally:
        writer.close()


async def _run(port, make_request, connections, seconds, reconnect_every):
    samples: list[tuple[float, float, int]] = []
    first_error: list[str] = []
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(
        *(
            _connection(port, make_request, until, samples, first_error, reconnect_every, i * 0.005)
            for i in range(connections)
        )
    )
    return Result(started, time.perf_counter(), samples), first_error


# Requests per connection before it is replaced by a new one (see _connection).
RECONNECT_EVERY = 5


def run(
    port: int,
    make_request: Callable[[], bytes],
    *,
    connections: int,
    seconds: float,
    reconnect_every: int | None = RECONNECT_EVERY,
) -> Result:
    """Drive the server for ``seconds`` from ``connections`` connections, each replaced
    by a new one after ``reconnect_every`` requests (None: keep-alive to the end)."""
    result, errors = asyncio.run(_run(port, make_request, connections, seconds, reconnect_every))
    if errors:
        raise RuntimeError(f"the server answered an error: {errors[0]}")
    return result
