"""The chat-routing contract (SPEC 8): input validation and the answer's shape."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from routing.models import Chat, Decision

from .copied_fields import CopiedFieldsMixin
from .strict import json_type_errors

INTENT_TYPES = ["buying", "partnership", "support", "job_seeker", "unknown"]
INTENT_SCORES = ["high", "medium", "low"]
# Ids are 64-bit (BigAutoField): a larger number is a 400 here, not a database overflow.
MAX_ID = 2**63 - 1


class StrictSerializer(serializers.Serializer):
    """Rejects unknown keys, so a typo ("emial") is a 400 rather than silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field."] for name in sorted(unknown)}
                )
            wrong_types = json_type_errors(self.fields, data)  # a JSON "5" is not the number 5
            if wrong_types:
                raise serializers.ValidationError(wrong_types)
        return super().to_internal_value(data)


class LeadInSerializer(CopiedFieldsMixin, StrictSerializer):
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    country = serializers.CharField(max_length=100, required=False, allow_blank=True)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CompanyInSerializer(CopiedFieldsMixin, StrictSerializer):
    name = serializers.CharField(max_length=200, required=False, allow_null=True)
    domain = serializers.CharField(max_length=200, required=False, allow_null=True)
    industry = serializers.CharField(max_length=200, required=False, allow_null=True)
    employees = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    revenue = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    country = serializers.CharField(max_length=100, required=False, allow_null=True)
    hq_city = serializers.CharField(max_length=100, required=False, allow_null=True)
    tech = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=200, required=False
    )


# Bounds on free-form input (README "Limits"): with the 256 KB body limit they keep
# one chat's context, decision row and answer small.
MAX_CUSTOM_FIELDS = 50
MAX_CUSTOM_VALUE = 2000  # characters per custom string value
MAX_CUSTOM_LIST = 100  # items per custom list value


class FoldedChoiceField(serializers.ChoiceField):
    """A choice a widget may send in its own case or with spaces ("SUPPORT", " Mobile "):
    trimmed and case-folded as the condition language treats strings. Unknown: a 400."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.strip().casefold()
        return super().to_internal_value(data)


class SessionInSerializer(CopiedFieldsMixin, StrictSerializer):
    device = FoldedChoiceField(["desktop", "mobile", "tablet"], required=False)
    country = serializers.CharField(max_length=100, required=False)
    city = serializers.CharField(max_length=100, required=False)
    page_url = serializers.CharField(max_length=2000, required=False)
    referrer = serializers.CharField(max_length=2000, required=False)
    pages_viewed = serializers.IntegerField(min_value=0, required=False)
    time_on_site = serializers.IntegerField(min_value=0, required=False)
    is_returning = serializers.BooleanField(required=False)


class UtmInSerializer(CopiedFieldsMixin, StrictSerializer):
    source = serializers.CharField(max_length=200, required=False, allow_blank=True)
    medium = serializers.CharField(max_length=200, required=False, allow_blank=True)
    campaign = serializers.CharField(max_length=200, required=False, allow_blank=True)
    term = serializers.CharField(max_length=200, required=False, allow_blank=True)
    content = serializers.CharField(max_length=200, required=False, allow_blank=True)


class IntentInSerializer(CopiedFieldsMixin, StrictSerializer):
    type = FoldedChoiceField(INTENT_TYPES, required=False)
    score = FoldedChoiceField(INTENT_SCORES, required=False)


class CustomField(serializers.DictField):
    """Qualification answers: short keys, scalar or list-of-scalar values."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if len(data) > MAX_CUSTOM_FIELDS:
            raise serializers.ValidationError(f"At most {MAX_CUSTOM_FIELDS} custom fields.")
        for key, value in data.items():
            if not key or len(key) > 100 or "." in key:
                raise serializers.ValidationError(f"Bad custom field name {key!r}.")
            items = value if isinstance(value, list) else [value]
            if not all(isinstance(v, str | int | float | bool) or v is None for v in items):
                raise serializers.ValidationError(f"{key}: use a string, number, bool or list.")
            if isinstance(value, list) and len(value) > MAX_CUSTOM_LIST:
                raise serializers.ValidationError(
                    {key: [f"At most {MAX_CUSTOM_LIST} items in a list."]}
                )
            if any(isinstance(v, str) and len(v) > MAX_CUSTOM_VALUE for v in items):
                raise serializers.ValidationError(
                    {key: [f"At most {MAX_CUSTOM_VALUE} characters per value."]}
                )
        return data


class ChatCreateSerializer(CopiedFieldsMixin, StrictSerializer):
    link = serializers.SlugField(max_length=80, required=False, allow_null=True)
    lead = LeadInSerializer()
    message = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    session = SessionInSerializer(required=False)
    utm = UtmInSerializer(required=False)
    referrer = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    company = CompanyInSerializer(required=False)
    intent = IntentInSerializer(required=False)
    custom = CustomField(required=False)


@extend_schema_field(
    {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": ["draft"]}]}
)
class SimulatedVersionField(serializers.Field):
    """Which version a simulation runs: "draft" (the rule's draft) or a version number."""

    default_error_messages = {
        "invalid": 'Give "draft" (the rule\'s draft) or a version number (a whole number from 1).'
    }

    def to_internal_value(self, data):
        if data == "draft":
            return data
        if isinstance(data, int) and not isinstance(data, bool) and 1 <= data <= MAX_ID:
            return data
        self.fail("invalid")

    def to_representation(self, value):
        return value


VERSION_HELP = (
    'The version to simulate: "draft" (the rule\'s draft, before it is published) or an '
    "earlier version's number; the live version when left out."
)


class SimulateSerializer(ChatCreateSerializer):
    """Either a chat-shaped body or `{"context": {...}}` with a ready context."""

    lead = LeadInSerializer(required=False)
    context = serializers.DictField(required=False)
    version = SimulatedVersionField(required=False, help_text=VERSION_HELP)

    def validate(self, attrs):
        if "context" in attrs and "lead" in attrs:
            raise serializers.ValidationError("Give either `context` or a chat body, not both.")
        if "context" not in attrs and "lead" not in attrs:
            raise serializers.ValidationError({"lead": ["This field is required."]})
        return attrs


# -- output ---------------------------------------------------------------------
class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RecordedRefSerializer(serializers.Serializer):
    """A reference a decision recorded: the name stays, the id is null once the
    rule, segment, rep or agent is deleted (the foreign keys are SET_NULL)."""

    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class RuleRefSerializer(RecordedRefSerializer):
    version = serializers.IntegerField(
        allow_null=True, help_text="null in a simulation of the rule's draft."
    )
    draft = serializers.BooleanField(
        required=False, help_text="In a simulation: true when it ran the rule's draft."
    )


class PoolRefSerializer(RefSerializer):
    strategy = serializers.CharField()


class AssigneeOutSerializer(serializers.Serializer):
    type = serializers.ChoiceField(["rep", "ai_agent"])
    id = serializers.IntegerField(allow_null=True, help_text="null once the rep or agent is gone")
    name = serializers.CharField()
    pool = PoolRefSerializer(required=False)


class LeadOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()


class LinkRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


def assignee_data(decision: Decision) -> dict:
    data = {
        "type": decision.assignee_type,
        "id": decision.rep_id if decision.assignee_type == "rep" else decision.ai_agent_id,
        "name": decision.assignee_name,
    }
    pool = decision.trace.get("result", {}).get("assignee", {}).get("pool")
    if pool:
        data["pool"] = pool
    return data


class RoutedFieldsMixin(serializers.Serializer):
    """lead, link, rule, segment and assignee: shared by a decision and its chat."""

    lead = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField()
    rule = serializers.SerializerMethodField()
    segment = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()

    def decision_of(self, obj) -> Decision:
        return obj

    @extend_schema_field(LeadOutSerializer)
    def get_lead(self, obj):
        return {"id": obj.lead_id, "email": obj.lead.email, "name": obj.lead.name}

    @extend_schema_field(LinkRefSerializer(allow_null=True))
    def get_link(self, obj):
        if obj.link is None:
            return None
        return {"id": obj.link_id, "slug": obj.link.slug, "name": obj.link.name}

    @extend_schema_field(RuleRefSerializer)
    def get_rule(self, obj):
        d = self.decision_of(obj)
        return {"id": d.rule_id, "name": d.rule_name, "version": d.rule_version}

    @extend_schema_field(RecordedRefSerializer(allow_null=True))
    def get_segment(self, obj):
        d = self.decision_of(obj)
        return {"id": d.segment_id, "name": d.segment_name} if d.via == "segment" else None

    @extend_schema_field(AssigneeOutSerializer)
    def get_assignee(self, obj):
        return assignee_data(self.decision_of(obj))


class DecisionSerializer(RoutedFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = [
            "id", "kind", "chat", "lead", "link", "rule", "segment", "via", "assignee",
            "context", "trace", "duration_ms", "created_at",
        ]  # fmt: skip


def _ref(obj):
    return {"id": obj.id, "name": obj.name} if obj is not None else None


class ChatSerializer(CopiedFieldsMixin, RoutedFieldsMixin, serializers.ModelSerializer):
    """A routed chat: its decision's fields flattened, plus ownership."""

    via = serializers.CharField(source="decision.via", read_only=True)
    context = serializers.JSONField(source="decision.context", read_only=True)
    trace = serializers.JSONField(source="decision.trace", read_only=True)
    decision = serializers.IntegerField(source="decision.id", read_only=True)
    rep_owner = serializers.SerializerMethodField()
    ai_owner = serializers.SerializerMethodField()
    responding_rep = serializers.SerializerMethodField()

    class Meta:
        model = Chat
        fields = [
            "id", "decision", "lead", "link", "rule", "segment", "assignee", "via", "context",
            "trace", "status", "message", "rep_owner", "ai_owner", "responding_rep",
            "first_response_at", "response_time_minutes", "created_at",
        ]  # fmt: skip

    def decision_of(self, obj) -> Decision:
        return obj.decision

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_rep_owner(self, obj):
        return _ref(obj.rep_owner)

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_ai_owner(self, obj):
        return _ref(obj.ai_owner)

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_responding_rep(self, obj):
        return _ref(obj.responding_rep)


class SimulationSerializer(serializers.Serializer):
    simulated = serializers.BooleanField()
    rule = RuleRefSerializer()
    segment = RefSerializer(allow_null=True)
    via = serializers.CharField()
    assignee = AssigneeOutSerializer()
    context = serializers.DictField()
    trace = serializers.DictField()
    duration_ms = serializers.FloatField()
