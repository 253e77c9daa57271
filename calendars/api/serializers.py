"""The meeting API's contract (SPEC 8b): input validation and the answers' shapes."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from routing.api.serializers.chats import (
    VERSION_HELP,
    CompanyInSerializer,
    CustomField,
    IntentInSerializer,
    LeadInSerializer,
    LeadOutSerializer,
    RecordedRefSerializer,
    RefSerializer,
    RuleRefSerializer,
    SessionInSerializer,
    SimulatedVersionField,
    StrictSerializer,
    UtmInSerializer,
)
from routing.api.serializers.resources import RepSerializer
from routing.api.serializers.shapes import AWARE_DATE_TIME, TimeZoneNameField
from routing.availability import valid_timezone

from ..models import DEFAULT_BACKEND, BusyBlock, Meeting


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an offset: a naive time is ambiguous for a meeting, so a 400."""

    request_schema = AWARE_DATE_TIME

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                self.fail("invalid", format="ISO 8601, e.g. 2026-12-03T10:00:00+01:00")
            if parsed.tzinfo is None or parsed.utcoffset() is None:
                raise serializers.ValidationError(
                    "Give a time zone offset (e.g. +01:00 or Z): a naive time is ambiguous."
                )
            if not 2000 <= parsed.year <= 2200:
                raise serializers.ValidationError("Give a year between 2000 and 2200.")
            # The same instant in UTC: PostgreSQL refuses offsets beyond +-15:59 (Python
            # parses up to +-23:59), and every use of these times is by instant.
            return parsed.astimezone(UTC)
        self.fail("invalid", format="ISO 8601, e.g. 2026-12-03T10:00:00+01:00")


class TimeZoneField(TimeZoneNameField):
    def to_internal_value(self, value):
        value = super().to_internal_value(value)
        if not valid_timezone(value):
            raise serializers.ValidationError(
                f"Unknown time zone {value!r} (use e.g. Europe/Berlin)."
            )
        return value


class AvailabilityRequestSerializer(StrictSerializer):
    link = serializers.SlugField(max_length=80, required=False, allow_null=True)
    lead = LeadInSerializer()
    session = SessionInSerializer(required=False)
    utm = UtmInSerializer(required=False)
    referrer = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    company = CompanyInSerializer(required=False)
    intent = IntentInSerializer(required=False)
    custom = CustomField(required=False)
    timezone = TimeZoneField(max_length=64, required=False, help_text="IANA; default UTC.")
    start = AwareDateTimeField(required=False, help_text="Window start (default: now).")
    end = AwareDateTimeField(required=False, help_text="Window end (default: the horizon).")

    def validate(self, attrs):
        if "start" in attrs and "end" in attrs and attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": ["The window must end after it starts."]})
        return attrs


class MeetingSimulateSerializer(AvailabilityRequestSerializer):
    """POST /rules/{id}/simulate/ on a meeting rule: availability's body and `version`."""

    version = SimulatedVersionField(required=False, help_text=VERSION_HELP)


class SlotSerializer(serializers.Serializer):
    start = serializers.CharField(help_text="ISO 8601 with the lead's offset.")
    end = serializers.CharField()
    reps = serializers.ListField(child=serializers.IntegerField())


class AvailabilitySerializer(serializers.Serializer):
    id = serializers.UUIDField(
        allow_null=True, help_text="Book with this id (null in a simulation)."
    )
    qualified = serializers.BooleanField()
    rule = RuleRefSerializer()
    segment = RefSerializer(allow_null=True)
    via = serializers.ChoiceField(["segment", "crm_owner"])
    logic = serializers.CharField()
    duration = serializers.IntegerField()
    timezone = serializers.CharField()
    slots = SlotSerializer(many=True)
    reason = serializers.CharField(allow_null=True)
    context = serializers.DictField()
    trace = serializers.DictField()
    expires_at = serializers.DateTimeField(allow_null=True)
    simulated = serializers.BooleanField()


class MeetingCreateSerializer(StrictSerializer):
    availability = serializers.UUIDField()
    start = AwareDateTimeField()


class CancelSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class RescheduleSerializer(StrictSerializer):
    start = AwareDateTimeField()


class MeetingFilterSerializer(serializers.Serializer):
    rep = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    status = serializers.ChoiceField([s for s, _ in Meeting.STATUSES], required=False)
    start_after = AwareDateTimeField(required=False)
    start_before = AwareDateTimeField(required=False)

    def to_internal_value(self, data):
        # DRF skips a blank query value (`?status=`); a caller who sent one meant something.
        blank = {n: ["Give a value or leave the parameter out."]
                 for n in self.fields if n in data and not str(data[n]).strip()}  # fmt: skip
        if blank:
            raise serializers.ValidationError(blank)
        return super().to_internal_value(data)


class CalendarOutSerializer(serializers.Serializer):
    backend = serializers.CharField()
    event_id = serializers.CharField(allow_blank=True)
    meet_link = serializers.CharField(allow_blank=True, help_text="Google Meet (Google only).")
    link = serializers.CharField(allow_blank=True, help_text="The event in Google Calendar.")


class MeetingSerializer(serializers.ModelSerializer):
    start = serializers.SerializerMethodField(help_text="ISO 8601 in the lead's time zone.")
    end = serializers.SerializerMethodField()
    duration = serializers.IntegerField(read_only=True)
    owner = serializers.SerializerMethodField()
    reps = serializers.SerializerMethodField()
    lead = serializers.SerializerMethodField()
    rule = serializers.SerializerMethodField()
    segment = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField()
    calendar = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id", "status", "start", "end", "duration", "owner", "reps", "lead", "link", "rule",
            "segment", "decision", "calendar", "cancel_reason", "created_at", "updated_at",
        ]  # fmt: skip

    def _local(self, obj, moment) -> str:
        tz = obj.availability.timezone if obj.availability else "UTC"
        return moment.astimezone(ZoneInfo(tz)).isoformat()

    @extend_schema_field(serializers.DateTimeField())
    def get_start(self, obj):
        return self._local(obj, obj.start)

    @extend_schema_field(serializers.DateTimeField())
    def get_end(self, obj):
        return self._local(obj, obj.end)

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_owner(self, obj):
        return {"id": obj.owner_id, "name": obj.owner.name} if obj.owner else None

    @extend_schema_field(RefSerializer(many=True))
    def get_reps(self, obj):
        reps = sorted(obj.reps.all(), key=lambda r: (r.id != obj.owner_id, r.id))
        return [{"id": r.id, "name": r.name} for r in reps]

    @extend_schema_field(LeadOutSerializer)
    def get_lead(self, obj):
        return {"id": obj.lead_id, "email": obj.lead.email, "name": obj.lead.name}

    @extend_schema_field(RuleRefSerializer)
    def get_rule(self, obj):
        d = obj.decision
        return {"id": d.rule_id, "name": d.rule_name, "version": d.rule_version}

    @extend_schema_field(RecordedRefSerializer(allow_null=True))  # id null once deleted
    def get_segment(self, obj):
        d = obj.decision
        return {"id": d.segment_id, "name": d.segment_name} if d.via == "segment" else None

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_link(self, obj):
        return {"id": obj.link_id, "name": obj.link.name} if obj.link else None

    @extend_schema_field(CalendarOutSerializer)
    def get_calendar(self, obj):
        return {
            "backend": obj.calendar_backend,
            "event_id": obj.calendar_event_ids.get(str(obj.owner_id), ""),
            "meet_link": obj.meet_link,
            "link": obj.calendar_link,
        }


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    slots = SlotSerializer(many=True)


class RepCalendarSerializer(StrictSerializer):
    """A rep's calendar connection (not a meeting's event: that is CalendarOut).
    Documents what calendars.actions.set_calendar accepts (unknown keys are a 400)."""

    backend = serializers.ChoiceField(["none", "local", "google"])
    calendar_id = serializers.CharField(
        allow_blank=True, required=False, allow_null=True, max_length=254
    )


@extend_schema_field(RepCalendarSerializer)
class CalendarField(serializers.JSONField):
    """In: {"backend": "none|local|google", "calendar_id"?}. Out: the same."""

    def to_representation(self, rep):
        connection = getattr(rep, "calendar_connection", None)
        if connection is None:
            return {"backend": DEFAULT_BACKEND, "calendar_id": ""}
        return {"backend": connection.backend, "calendar_id": connection.calendar_id}


class RepWithCalendarSerializer(RepSerializer):
    # null: leave the calendar as it is (the views skip it).
    calendar = CalendarField(
        source="*", required=False, allow_null=True, help_text='{"backend", "calendar_id"}'
    )

    class Meta(RepSerializer.Meta):
        fields = [*RepSerializer.Meta.fields, "calendar"]

    def to_internal_value(self, data):
        calendar = data.get("calendar", serializers.empty) if isinstance(data, dict) else None
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k != "calendar"}
        validated = super().to_internal_value(data)
        if calendar is not serializers.empty:
            validated["calendar"] = calendar
        return validated


class BusyBlockSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    rep = serializers.IntegerField(source="rep_id", read_only=True)
    start = AwareDateTimeField()
    end = AwareDateTimeField()
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)

    class Meta:
        model = BusyBlock

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": ["The end must be after the start."]})
        return attrs

    def to_internal_value(self, data):
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k not in ("id", "rep")}
        return super().to_internal_value(data)
