"""A chat with its lifecycle (SPEC 8): closed_at / closed_by and every reassignment
(who, when, why, from -> to), for GET /api/v1/chats/{id}/ and close/reopen/reassign.

A reassignment is a Decision of its own (`Decision.reassigned_chat`); its trace's
`reassigned` block (routing.actions.lifecycle.reassign_chat) says who did it and why.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from routing.actions.lifecycle import MAX_REASON
from routing.models import Chat, Decision

from .chats import MAX_ID, ChatSerializer, DecisionSerializer, StrictSerializer


class OwnerRefSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="rep or ai_agent")
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReassignmentOutSerializer(serializers.Serializer):
    decision = serializers.IntegerField(help_text="The reassignment's own decision.")
    at = serializers.DateTimeField()
    by = serializers.CharField(help_text="Who reassigned it: a console user or an API token.")
    reason = serializers.CharField(help_text="Empty when none was given.")
    from_ = OwnerRefSerializer(allow_null=True, help_text="The owner before (null: nobody).")
    to = OwnerRefSerializer()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # `from` is a Python keyword
        return fields


def reassignment_data(decision: Decision) -> dict:
    moved = (decision.trace or {}).get("reassigned") or {}
    return {
        "decision": decision.id,
        "at": decision.created_at,
        "by": moved.get("by", ""),
        "reason": moved.get("reason", ""),
        "from": moved.get("from"),
        "to": moved.get("to")
        or {"type": decision.assignee_type, "id": decision.rep_id, "name": decision.assignee_name},
    }


def ordered_reassignments(chat: Chat) -> list[Decision]:
    """Oldest first; uses a prefetch (`reassignments`) when the queryset made one."""
    cached = getattr(chat, "_prefetched_objects_cache", {}).get("reassignments")
    rows = list(cached) if cached is not None else list(chat.reassignments.all())
    return sorted(rows, key=lambda d: (d.created_at, d.id))


class LifecycleChatSerializer(ChatSerializer):
    """A chat with its lifecycle: when and by whom it was closed, its reassignments."""

    closed_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When it was closed; null while open."
    )
    closed_by = serializers.CharField(
        read_only=True,
        help_text="Who closed it: a console user, an API token, Slack, or the auto-close.",
    )
    last_activity_at = serializers.DateTimeField(read_only=True, allow_null=True)
    reassignments = serializers.SerializerMethodField()

    class Meta(ChatSerializer.Meta):
        fields = [*ChatSerializer.Meta.fields, "closed_at", "closed_by", "last_activity_at",
                  "reassignments"]  # fmt: skip

    @extend_schema_field(ReassignmentOutSerializer(many=True))
    def get_reassignments(self, obj):
        rows = [reassignment_data(d) for d in ordered_reassignments(obj)]
        return ReassignmentOutSerializer(rows, many=True).data


class ReassignSerializer(StrictSerializer):
    rep = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_REASON, trim_whitespace=True
    )


class ReassignedSerializer(LifecycleChatSerializer):
    """The chat after a reassignment, with the reassignment's own decision."""

    reassignment = DecisionSerializer(read_only=True)

    class Meta(LifecycleChatSerializer.Meta):
        fields = [*LifecycleChatSerializer.Meta.fields, "reassignment"]
