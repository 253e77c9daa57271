"""Rule versions, their diff and rollback (issue 17): the shapes of the API.

The answers are built from RuleVersion snapshots (plain dicts), so these
serializers mostly document them for the OpenAPI schema.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from routing import versions

from .chats import MAX_ID, StrictSerializer


class RuleVersionListSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    author = serializers.CharField(help_text="console: <user>, api: token '<name>', admin: <user>")
    summary = serializers.CharField(help_text="What changed from the version before, in words.")


class VersionAssigneeSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)


class VersionSegmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.IntegerField()
    conditions = serializers.JSONField()
    summary = serializers.CharField(help_text="The conditions in words.")
    assignee = VersionAssigneeSerializer(help_text='type "booking" on a meeting segment')
    booking = serializers.JSONField(
        allow_null=True, help_text="A meeting segment's booking (reps and pool with names)."
    )
    assigned = serializers.CharField(help_text="The assignee or booking in words.")
    is_fallback = serializers.BooleanField()
    monitoring_channel = serializers.CharField(allow_blank=True)


class VersionRuleSettingsSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()
    monitoring_channel = serializers.CharField(allow_blank=True)
    crm_owner_first = serializers.BooleanField()
    notify_crm_owner = serializers.BooleanField()
    owner_duration = serializers.IntegerField(allow_null=True)


class RuleVersionSerializer(RuleVersionListSerializer):
    rule = VersionRuleSettingsSerializer()
    segments = VersionSegmentSerializer(many=True)


def snapshot_segments(snap: dict) -> list[dict]:
    """A snapshot's segments as the API shows them (a version's, the draft's)."""
    segments = []
    for position, seg in enumerate(snap.get("segments", [])):
        assignee = seg.get("assignee") or {}
        segments.append(
            {
                "id": seg["id"],
                "name": seg["name"],
                "position": position,
                "conditions": seg.get("conditions"),
                "summary": versions.conditions_text(seg.get("conditions")),
                "assignee": {
                    "type": assignee.get("type", ""),
                    "id": assignee.get("id"),
                    "name": assignee.get("name"),
                },
                "booking": seg.get("booking"),
                "assigned": versions.assignee_text(seg),
                "is_fallback": bool(seg.get("is_fallback")),
                "monitoring_channel": seg.get("monitoring_channel", ""),
            }
        )
    return segments


def version_data(version) -> dict:
    """A RuleVersion as the API shows it: the rule and its segments as of that version."""
    snap = version.snapshot
    rule = snap.get("rule", {})
    return {
        "version": version.version,
        "created_at": version.created_at,
        "author": version.author,
        "summary": version.summary,
        "rule": {
            "name": rule.get("name", ""),
            "kind": rule.get("kind", ""),
            "monitoring_channel": rule.get("monitoring_channel", ""),
            "crm_owner_first": bool(rule.get("crm_owner_first")),
            "notify_crm_owner": bool(rule.get("notify_crm_owner")),
            "owner_duration": rule.get("owner_duration"),
        },
        "segments": snapshot_segments(snap),
    }


class DiffSideSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="1 = top")
    name = serializers.CharField()
    conditions = serializers.CharField(help_text="In words")
    assignee = serializers.CharField(help_text="The assignee or booking, in words")
    monitoring_channel = serializers.CharField(allow_blank=True)


class DiffRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=["added", "removed", "moved", "changed", "unchanged"])
    what = serializers.ListField(
        child=serializers.CharField(),
        help_text="moved, name, conditions, assignee, booking, monitoring channel",
    )
    before = DiffSideSerializer(allow_null=True)
    after = DiffSideSerializer(allow_null=True)
    changes = serializers.ListField(child=serializers.CharField())


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            {"type": "string", "enum": ["draft"]},
        ],
        "description": 'A version number, or "draft" for the rule\'s draft.',
    }
)
class VersionRefField(serializers.Field):
    """A version number, or "draft" (issue 17 item 2: the diff of any two of them)."""

    default_error_messages = {"invalid": 'A version number or "draft" is required.'}

    def to_internal_value(self, data):
        if data == "draft":
            return data
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("invalid")
        try:
            number = int(data)
        except ValueError:
            self.fail("invalid")
        if not 1 <= number <= MAX_ID:
            self.fail("invalid")
        return number

    def to_representation(self, value):
        return value


class RuleDiffSerializer(serializers.Serializer):
    segments = DiffRowSerializer(many=True, help_text="In the new order; removed ones in place.")
    settings = serializers.ListField(child=serializers.CharField())
    summary = serializers.CharField()

    def get_fields(self):
        # "from" is a Python keyword: declared here instead of in the class body.
        fields = super().get_fields()
        fields["from"] = VersionRefField()
        fields["to"] = VersionRefField()
        return fields


class DiffQuerySerializer(serializers.Serializer):
    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = VersionRefField()
        fields["to"] = VersionRefField()
        return fields


class RollbackSerializer(StrictSerializer):
    version = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The earlier version to make live again."
    )
