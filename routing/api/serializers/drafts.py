"""A rule's draft (issue 17 items 1, 6): GET|PUT|DELETE /rules/{id}/draft/, POST .../publish/.

In: the ordered segments, the fallback last with no conditions, each like a
segment of POST /rules/{id}/segments/ plus an optional `id` (a live segment's,
or a draft one's, to keep it; without one a segment of the same name is kept).
Out: the draft in the shape of a version's segments, and its changes from live.
"""

from rest_framework import serializers

from routing.actions.drafts import draft_changes, snapshot_of
from routing.slack_channels import channel_validator

from .chats import MAX_ID, StrictSerializer
from .shapes import ASSIGNEE_OR_BOOKING, AssigneeInField, BookingField, ConditionsField
from .versions import VersionSegmentSerializer, snapshot_segments

MAX_DRAFT_SEGMENTS = 500


class DraftSegmentInSerializer(StrictSerializer):
    id = serializers.IntegerField(
        required=False,
        min_value=-MAX_ID,
        max_value=MAX_ID,
        help_text="Keep this segment (a live one's id, or a draft one's, negative until "
        "published). Without it, the segment of the same name is kept, else it is new.",
    )
    name = serializers.CharField(max_length=200)
    conditions = ConditionsField(
        required=False, help_text="A condition tree; none (or {}) on the fallback."
    )
    assignee = AssigneeInField(
        required=False, help_text='A chat segment\'s: {"type": "rep", "id": 3}.'
    )
    booking = BookingField(
        required=False, allow_null=True, help_text="A meeting segment's booking (SPEC 5a)."
    )
    monitoring_channel = serializers.CharField(
        max_length=100, required=False, allow_blank=True, validators=[channel_validator]
    )

    request_schema_extra = ASSIGNEE_OR_BOOKING


class DraftInSerializer(StrictSerializer):
    segments = DraftSegmentInSerializer(
        many=True, allow_empty=False, max_length=MAX_DRAFT_SEGMENTS,
        help_text="In order; the last is the fallback (no conditions).",
    )  # fmt: skip

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # DRF lists one entry per segment ({} for good ones); the actions name
            # the bad ones by index, {"segments": {"2": {...}}}: answer one shape.
            detail = exc.detail
            items = detail.get("segments") if isinstance(detail, dict) else None
            if isinstance(items, list) and items and all(isinstance(i, dict) for i in items):
                detail["segments"] = {str(k): v for k, v in enumerate(items) if v}
            elif isinstance(items, dict):
                detail["segments"] = {str(k): v for k, v in items.items()}
            raise serializers.ValidationError(detail) from exc


class DraftSerializer(serializers.Serializer):
    rule = serializers.IntegerField(help_text="The rule's id.")
    base_version = serializers.IntegerField(help_text="The live version the draft started from.")
    live_version = serializers.IntegerField(help_text="The rule's live version now.")
    changes = serializers.IntegerField(
        help_text="Segments added, removed, moved or changed from the live version."
    )
    summary = serializers.CharField(help_text="What publishing would change, in words.")
    author = serializers.CharField(allow_blank=True, help_text="Who changed the draft last.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    segments = VersionSegmentSerializer(many=True)


def draft_data(rule, draft) -> dict:
    """The draft as GET /rules/{id}/draft/ answers it (a few queries, whatever its size)."""
    snapshot = snapshot_of(rule, draft)
    changes = draft_changes(rule, snapshot)
    return {
        "rule": rule.id,
        "base_version": draft.base_version,
        "live_version": rule.version,
        "changes": changes["count"] if changes else 0,
        "summary": changes["summary"] if changes else "",
        "author": draft.author,
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
        "segments": snapshot_segments(snapshot),
    }
