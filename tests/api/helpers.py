"""Plain helpers for the API tests (fixtures live in conftest.py)."""

from routing.models import (
    Chat,
    Decision,
    IdempotencyRecord,
    KnockLink,
    Lead,
    PoolMember,
    RoutingRule,
    RuleVersion,
    Segment,
)

CHATS = "/api/v1/chats/"


def counts() -> dict:
    """Row counts of everything a bad request must not write."""
    return {
        "chats": Chat.objects.count(),
        "decisions": Decision.objects.count(),
        "leads": Lead.objects.count(),
        "segments": Segment.objects.count(),
        "rule_versions": RuleVersion.objects.count(),
        "rules": RoutingRule.objects.count(),
        "links": KnockLink.objects.count(),
        "idempotency": IdempotencyRecord.objects.count(),
    }


def rotation_state() -> list[tuple]:
    return list(
        PoolMember.objects.order_by("id").values_list(
            "id", "current_weight", "assigned_count", "last_assigned_at"
        )
    )


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, getattr(response, "data", None))
    return response.data


def chat(api, email="lead@bigco.com", **body):
    """POST /chats/ and return the 201 answer."""
    payload = {"lead": {"email": email}, **body}
    return ok(api.post(CHATS, payload, format="json"), 201)


def assignee_of(api, email="lead@bigco.com", **body):
    data = chat(api, email, **body)
    return data["assignee"]["type"], data["assignee"]["id"]


def get_rule(api, rule_id):
    return ok(api.get(f"/api/v1/rules/{rule_id}/"))


def segment_ids(api, rule_id):
    return [s["id"] for s in get_rule(api, rule_id)["segments"]]
