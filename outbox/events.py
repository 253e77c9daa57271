"""Feed events for deliveries (sent after commit, like decision.created)."""

from django.db import transaction

from routing.events import send


def delivery_changed(delivery) -> None:
    event = {
        "type": "delivery.updated",
        "delivery": {
            "id": delivery.id,
            "kind": delivery.kind,
            "status": delivery.status,
            "decision": delivery.decision_id,
            "last_error": delivery.last_error,
        },
    }
    transaction.on_commit(lambda: send(delivery.workspace_id, event), robust=True)
