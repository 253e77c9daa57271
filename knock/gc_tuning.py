"""The cyclic garbage collector's thresholds for a server process.

A routed chat builds its trace and answer (thousands of small dicts and lists)
and DRF ties them into reference cycles (a serializer and its bound fields, the
view, request and response), so they are freed by the cyclic collector, not by
reference counting. With CPython's default thresholds (700, 10, 10) a worker
ran a young collection every request or two, while other requests' objects
were still alive: those were promoted, and full collections of the whole heap
(~200 ms each) followed every few seconds. Measured under `make bench`'s load
on a server process: 4.3 ms of collector CPU per routed chat, 0.9 ms per floor
request. With (50_000, 20, 100) young collections come about once per hundred
requests, objects that die young are not promoted, and full collections are
rare; a process holds at most ~50,000 objects of garbage more (a few MB).

`KNOCK_GC_THRESHOLDS=700,10,10` gives CPython's defaults back; `off` leaves
them alone.
"""

from __future__ import annotations

import gc
import os

DEFAULT = (50_000, 20, 100)


def thresholds(value: str | None) -> tuple[int, ...] | None:
    """The thresholds `value` asks for (None: leave the interpreter's own)."""
    if value is None or not value.strip():
        return DEFAULT
    if value.strip().lower() == "off":
        return None
    try:
        parts = tuple(int(p) for p in value.split(","))
    except ValueError:
        parts = ()
    if not 1 <= len(parts) <= 3 or any(p < 0 for p in parts):
        raise ValueError(
            f"KNOCK_GC_THRESHOLDS={value!r}: up to three non-negative integers "
            "separated by commas (e.g. 50000,20,100), or 'off'."
        )
    return parts


def tune(environ=os.environ) -> tuple[int, ...]:
    """Set the thresholds from KNOCK_GC_THRESHOLDS; return those in force."""
    wanted = thresholds(environ.get("KNOCK_GC_THRESHOLDS"))
    if wanted is not None:
        gc.set_threshold(*wanted)
    return gc.get_threshold()
