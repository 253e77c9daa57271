"""POST /api/v1/rules/{id}/replay/ (issue 17 item 3): the body and the answer."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from routing.actions.replay import MAX_DECISIONS

from .chats import MAX_ID, StrictSerializer


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            {"type": "string", "enum": ["draft"]},
        ],
        "description": 'A version number of the rule, or "draft".',
    }
)
class VersionField(serializers.Field):
    default_error_messages = {
        "invalid": 'Give a version number (a whole number from 1) or "draft".',
    }

    def to_internal_value(self, data):
        if data == "draft":
            return data
        if isinstance(data, bool) or not isinstance(data, int) or not 1 <= data <= MAX_ID:
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class ReplayInSerializer(StrictSerializer):
    """Which version to replay over which window of the rule's past decisions."""

    version = VersionField()
    since = serializers.DateTimeField(
        required=False, help_text="Start of the window (default: `until` minus 7 days)."
    )
    until = serializers.DateTimeField(required=False, help_text="End of the window (default: now).")
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_DECISIONS,
        help_text=f"At most this many, the newest of the window (default {MAX_DECISIONS}).",
    )

    def validate(self, attrs):
        if "since" in attrs and "until" in attrs and attrs["since"] >= attrs["until"]:
            raise serializers.ValidationError({"until": ["Must be after since."]})
        return attrs


class ReplayAssigneeSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="rep or ai_agent")
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class ReplaySegmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReplaySideSerializer(serializers.Serializer):
    segment = ReplaySegmentSerializer(
        allow_null=True, help_text="null: CRM owner first or the last resort"
    )
    assignee = ReplayAssigneeSerializer()


class ReplayLeadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.CharField()


class ReplayChangeSerializer(serializers.Serializer):
    decision = serializers.IntegerField(help_text="The stored decision replayed.")
    lead = ReplayLeadSerializer()
    at = serializers.DateTimeField(help_text="When the lead was routed.")
    before = ReplaySideSerializer()
    after = ReplaySideSerializer()


class ReplayShareSerializer(serializers.Serializer):
    assignee = ReplayAssigneeSerializer()
    before = serializers.IntegerField(help_text="Leads it got in the window.")
    after = serializers.IntegerField(help_text="Leads it would have got.")


class ReplayMoveSerializer(serializers.Serializer):
    to = ReplayAssigneeSerializer()
    count = serializers.IntegerField()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = ReplayAssigneeSerializer()  # a Python keyword
        return {"from": fields.pop("from"), **fields}


class ReplayResultSerializer(serializers.Serializer):
    version = serializers.CharField(help_text='"v7" or "draft": what was replayed.')
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    decisions = serializers.IntegerField(help_text="Decisions replayed.")
    changed = serializers.IntegerField(help_text="Leads whose segment or assignee would change.")
    segment_changed = serializers.IntegerField()
    assignee_changed = serializers.IntegerField()
    by_assignee = ReplayShareSerializer(many=True)
    moves = ReplayMoveSerializer(many=True, help_text="Leads that would change assignee.")
    changes = ReplayChangeSerializer(many=True, help_text="The first 100 changed leads.")
