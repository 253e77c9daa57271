"""Time-boxed CRM lookups (SPEC 9: a slow or dead CRM never blocks a routing).

The lookup runs in a worker of a small shared thread pool and the caller waits
at most `timeout` seconds. A lookup that overruns keeps running in its worker
until its own HTTP timeouts end it (the clients set per-request timeouts), so
the pool is bounded by those, not by the caller.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings

from knock import request_gate

from .backends.base import CrmBackend, CrmError, CrmRecord

logger = logging.getLogger(__name__)

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=int(getattr(settings, "CRM_LOOKUP_WORKERS", 8)),
                thread_name_prefix="crm-lookup",
            )
        return _executor


def _run(backend: CrmBackend, email: str, domain: str | None) -> CrmRecord:
    try:
        return backend.lookup(email, domain)
    except CrmError:
        raise
    except Exception as exc:
        # A bug or an unexpected library error must not fail the routing either.
        logger.exception("CRM lookup on %s crashed", backend.name)
        raise CrmError(
            f"{backend.name} lookup failed: {exc.__class__.__name__}: {exc}",
            permanent=False,
            code="unexpected",
        ) from exc


def lookup_with_timeout(
    backend: CrmBackend, email: str, domain: str | None = None, timeout: float | None = None
) -> CrmRecord:
    """`backend.lookup(email, domain)`, returning within `timeout` seconds
    (default: the workspace's lookup timeout).

    Raises only CrmError: `CrmError("timeout after 1.5 s", permanent=False,
    code="timeout")` when the box runs out, the backend's own CrmError
    otherwise. Backends with `needs_time_box = False` (the local CRM, which
    reads this database) run inline.
    """
    if timeout is None:
        timeout = backend.lookup_timeout
    if not backend.needs_time_box:
        return _run(backend, email, domain)
    future = _pool().submit(_run, backend, email, domain)
    try:
        with request_gate.outside():  # a remote CRM's wait holds no place in the gate
            return future.result(timeout=timeout)
    except FutureTimeout:
        future.cancel()  # drops it if it never started (a saturated pool)
        raise CrmError(f"timeout after {timeout:g} s", permanent=False, code="timeout") from None


def lookup_for_workspace(workspace, email: str, domain: str | None = None) -> CrmRecord:
    """The workspace's backend, looked up within its time box. Raises CrmError."""
    from .backends import backend_for_workspace

    backend = backend_for_workspace(workspace)
    return lookup_with_timeout(backend, email, domain)
