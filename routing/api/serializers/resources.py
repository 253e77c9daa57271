"""Serializers for the management resources (reps, agents, pools, rules, links)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from routing import conditions
from routing.models import AIAgent, KnockLink, Pool, Rep, RoutingRule, Segment, Workspace
from routing.slack_channels import channel_validator

from .chats import MAX_ID, StrictSerializer
from .shapes import (
    ASSIGNEE,
    ASSIGNEE_OR_BOOKING,
    BookingField,
    ConditionsField,
    ShapedJSONField,
    TimeZoneNameField,
    UtmDefaultsField,
    WorkingHoursField,
    refuse_odd_assignee_type,
)
from .strict import json_type_errors


class StrictModelSerializer(serializers.ModelSerializer):
    """Refuses unknown fields and read-only ones (`id`, `version`, `segments`...):
    a body that sets what cannot be set is a 400, never silently dropped."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {n: ["Unknown field."] for n in data if n not in self.fields}
            errors |= {n: ["This field is read-only."] for n in data if _read_only(self, n)}
            errors |= json_type_errors(self.fields, data)
            if errors:
                raise serializers.ValidationError(dict(sorted(errors.items())))
        return super().to_internal_value(data)


def _read_only(serializer, name) -> bool:
    field = serializer.fields.get(name)
    return field is not None and field.read_only


CHANNEL_KWARGS = {"monitoring_channel": {"validators": [channel_validator]}}


class RepSerializer(StrictModelSerializer):
    timezone = TimeZoneNameField(max_length=64, required=False)  # checked by the action
    working_hours = WorkingHoursField(required=False)
    crm_user_ids = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=20
    )

    class Meta:
        model = Rep
        fields = [
            "id", "name", "email", "slack_user_id", "crm_user_ids", "timezone", "working_hours",
            "out_of_office_until", "max_open_chats", "is_active", "created_at",
        ]  # fmt: skip
        read_only_fields = ["created_at"]
        validators = []  # uniqueness per workspace is checked by the action


class AIAgentSerializer(StrictModelSerializer):
    class Meta:
        model = AIAgent
        fields = ["id", "name", "specialty", "is_active", "created_at"]
        read_only_fields = ["created_at"]


class PoolMemberSerializer(StrictSerializer):
    rep = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    rep_name = serializers.CharField(source="rep.name", read_only=True)
    weight = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    is_paused = serializers.BooleanField(default=False)
    assigned_count = serializers.IntegerField(read_only=True)
    last_assigned_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def to_representation(self, instance):
        return {
            "rep": instance.rep_id,
            "rep_name": instance.rep.name,
            "weight": instance.weight,
            "is_paused": instance.is_paused,
            "assigned_count": instance.assigned_count,
            "last_assigned_at": serializers.DateTimeField().to_representation(
                instance.last_assigned_at
            )
            if instance.last_assigned_at
            else None,
        }


class PoolSerializer(StrictModelSerializer):
    members = PoolMemberSerializer(many=True, required=False)

    class Meta:
        model = Pool
        fields = ["id", "name", "strategy", "respect_working_hours", "members", "created_at"]
        read_only_fields = ["created_at"]


class AssigneeField(ShapedJSONField):
    """In: {"type": "rep|pool|ai_agent|crm_owner|workspace_default", "id": 3}.
    Out: the same plus the assignee's name."""

    def to_representation(self, segment):
        kind = segment.assignee_type
        data = {"type": kind}
        target = {
            "rep": segment.assignee_rep,
            "pool": segment.assignee_pool,
            "ai_agent": segment.assignee_agent,
        }.get(kind)
        if target is not None:
            data.update(id=target.id, name=target.name)
        return data

    request_schema = ASSIGNEE


class SegmentSerializer(StrictModelSerializer):
    position = serializers.IntegerField(source="order", read_only=True)
    conditions = ConditionsField(required=False)
    # null: no assignee (what a meeting segment has); refused on a chat segment by the action.
    assignee = AssigneeField(source="*", required=False, allow_null=True)
    # Meeting segments (SPEC 5a) carry a booking instead of an assignee; null on chat segments.
    booking = BookingField(required=False, allow_null=True)
    summary = serializers.SerializerMethodField()

    class Meta:
        model = Segment
        fields = [
            "id", "rule", "name", "position", "conditions", "assignee", "booking", "is_fallback",
            "monitoring_channel", "summary", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["rule", "is_fallback", "updated_at"]
        extra_kwargs = CHANNEL_KWARGS

    def get_summary(self, obj) -> str:
        return conditions.describe(obj.conditions)

    def to_internal_value(self, data):
        # `assignee` maps onto several model fields; hand it to the action as-is.
        assignee = data.get("assignee", serializers.empty) if isinstance(data, dict) else None
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k != "assignee"}
        validated = super().to_internal_value(data)
        refuse_odd_assignee_type(assignee)
        if assignee is not serializers.empty:  # null is refused by the action (400)
            validated["assignee"] = assignee
        return validated


class SegmentCreateSerializer(SegmentSerializer):
    """A chat segment needs an `assignee`, a meeting segment a `booking`:
    which one depends on the rule's kind, so actions.add_segment checks it."""

    request_schema_extra = ASSIGNEE_OR_BOOKING


class RuleSerializer(StrictModelSerializer):
    segments = SegmentSerializer(many=True, read_only=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = RoutingRule
        fields = [
            "id", "name", "kind", "is_default", "monitoring_channel", "crm_owner_first",
            "notify_crm_owner", "owner_duration", "version", "segments", "links", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = ["is_default", "version", "created_at", "updated_at"]
        extra_kwargs = CHANNEL_KWARGS

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_links(self, obj):
        links = {link.slug for link in obj.chat_links.all()}
        links |= {link.slug for link in obj.meeting_links.all()}
        return sorted(links)


class RuleUpdateSerializer(RuleSerializer):
    class Meta(RuleSerializer.Meta):
        read_only_fields = [*RuleSerializer.Meta.read_only_fields, "kind"]

    def to_internal_value(self, data):
        if isinstance(data, dict) and "kind" in data:
            if data["kind"] != self.instance.kind:
                raise serializers.ValidationError({"kind": ["A rule's kind cannot change."]})
            data = {k: v for k, v in data.items() if k != "kind"}  # restating it is fine
        return super().to_internal_value(data)


class LinkSerializer(StrictModelSerializer):
    chat_rule = serializers.IntegerField(source="chat_rule_id", required=False, allow_null=True)
    meeting_rule = serializers.IntegerField(
        source="meeting_rule_id", required=False, allow_null=True
    )
    utm_defaults = UtmDefaultsField(required=False)

    class Meta:
        model = KnockLink
        fields = [
            "id", "slug", "name", "channel", "utm_defaults", "chat_rule", "meeting_rule",
            "is_active", "created_at",
        ]  # fmt: skip
        read_only_fields = ["created_at"]
        validators = []

    def to_internal_value(self, data):
        validated = super().to_internal_value(data)
        for field in ("chat_rule", "meeting_rule"):
            if f"{field}_id" in validated:
                validated[field] = validated.pop(f"{field}_id")
        return validated


class MoveSerializer(StrictSerializer):
    position = serializers.IntegerField(min_value=0)


class ReorderSerializer(StrictSerializer):
    order = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


class WorkspaceSerializer(StrictModelSerializer):
    default_rep = serializers.IntegerField(source="default_rep_id", allow_null=True)
    default_ai_agent = serializers.IntegerField(source="default_ai_agent_id")
    intent_rules = serializers.DictField(child=serializers.IntegerField())
    auto_close_hours = serializers.IntegerField(
        min_value=0,
        max_value=24 * 90,
        help_text="Close an open chat after this many hours without activity (0: never).",
    )

    class Meta:
        model = Workspace
        fields = ["id", "name", "slug", "default_rep", "default_ai_agent", "intent_rules",
                  "auto_close_hours"]  # fmt: skip
        read_only_fields = ["slug"]

    def to_internal_value(self, data):
        validated = super().to_internal_value(data)
        for field in ("default_rep", "default_ai_agent"):
            if f"{field}_id" in validated:
                validated[field] = validated.pop(f"{field}_id")
        return validated
