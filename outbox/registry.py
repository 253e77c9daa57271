"""Which function delivers which kind: settings.KNOCK_OUTBOX_HANDLERS, one dict of
kind -> dotted path (as healthchecks' TRANSPORTS), imported when a delivery runs.

No handler registers itself by being imported: the dict is the whole list. A kind
that is not in it (a typo, a row from a removed integration) or whose path does not
import fails permanently at once, with the reason, instead of being retried.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string

from .errors import DeliveryError


def handler_for(kind: str) -> Callable:
    """handler(delivery) -> result dict. Each handler must be idempotent."""
    path = getattr(settings, "KNOCK_OUTBOX_HANDLERS", {}).get(kind)
    if not path:
        raise DeliveryError(
            f"no handler for the kind {kind!r} (settings.KNOCK_OUTBOX_HANDLERS)", permanent=True
        )
    try:
        return import_string(path)
    except ImportError as exc:
        raise DeliveryError(
            f"the handler of {kind!r} does not import: {path} ({exc})", permanent=True
        ) from exc
