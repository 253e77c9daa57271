"""Feed events for deliveries and chats (sent after commit, like decision.created)."""

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


def chat_updated(chat, change: str) -> None:
    """`change`: "rep_owner", "responding_rep" (first human reply)."""

    def ref(obj):
        return {"id": obj.id, "name": obj.name} if obj is not None else None

    event = {
        "type": "chat.updated",
        "change": change,
        "chat": {
            "id": chat.id,
            "decision": getattr(getattr(chat, "decision", None), "id", None),
            "rep_owner": ref(chat.rep_owner),
            "ai_owner": ref(chat.ai_owner),
            "responding_rep": ref(chat.responding_rep),
            "response_time_minutes": chat.response_time_minutes,
        },
    }
    transaction.on_commit(lambda: send(chat.workspace_id, event), robust=True)
