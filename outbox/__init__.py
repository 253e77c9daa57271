"""The outbox: every side effect of a decision or a meeting is a Delivery, recorded in
the caller's transaction and run by a worker with backoff (outbox/runner.py).

    outbox.enqueue(workspace, kind="slack.alert", key=..., backend=..., target=..., payload=...)

Handlers: settings.KNOCK_OUTBOX_HANDLERS (outbox/registry.py); their one error type:
outbox.errors.DeliveryError. outbox imports routing's models only, never a slice.
"""


def enqueue(workspace, **fields):
    """Record a delivery and enqueue its task in the caller's transaction (idempotent on
    `key`): outbox.runner.enqueue, imported here when called (the models are not ready
    when Django imports this package)."""
    from .runner import enqueue as _enqueue

    return _enqueue(workspace, **fields)


def batch(insert=None):
    """A block whose fresh deliveries are inserted together, by `insert(deliveries,
    last)` when given (outbox.runner.batch)."""
    from .runner import batch as _batch

    return _batch(insert)
