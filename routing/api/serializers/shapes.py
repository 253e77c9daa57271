"""What the request fields that hold JSON (or a checked name) accept, for the OpenAPI schema.

The server checks these in routing.actions (working hours, a condition tree, an
assignee, a booking, UTM defaults, a time zone); drf-spectacular only sees a
JSONField or a CharField. The fields below are those fields with a
`request_schema`: routing/api/schema.py puts it on the request components, so a
schema client (or `make fuzz`) knows the shape. Validation is unchanged: the
schema describes it, and says nothing the server does not check.

Responses keep the loose shape: a stored value may predate a check, or be in a
form the server also accepts (a condition's numeric string, "09:00:00").
"""

from __future__ import annotations

from rest_framework import serializers

from routing import booking, catalog
from routing.availability import DAYS
from routing.conditions.language import (
    _NO_VALUE_OPS,
    MAX_FIELD_LENGTH,
    MAX_LIST_ITEMS,
    MAX_NUMBER,
    MAX_PATTERN_LENGTH,
    OPERATORS,
)
from routing.timezones import ZONES

MAX_ID = 2**63 - 1
_NONE = {"nullable": True, "enum": [None]}  # null only (the same as leaving the key out)
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
# A JSON body's strings and keys hold no NUL (nor a lone surrogate: routing/api/parsers.py).
# The pattern says NUL only: `\x00` reads the same in ECMA, Python and Rust regexes, a
# surrogate range does not (and a lone surrogate cannot be written in UTF-8 anyway).
PLAIN_TEXT = r"^[^\x00]*$"
TEXT = {"type": "string", "pattern": PLAIN_TEXT}

# Not an enum of the ~600 names: schemathesis's coverage phase sends every value of an
# enum to every operation that has one (6 minutes of a 7-minute `make fuzz`); the
# action refuses a name that is not a zone with a 400 naming the field.
TIME_ZONE = {
    "type": "string",
    "pattern": r"^(UTC|GMT|[A-Z][A-Za-z_]+(/[A-Za-z0-9_+-]+){1,2})$",
    "example": "Europe/Berlin",
    "description": f"An IANA time zone name ({len(ZONES)} of them: Europe/Berlin, "
    "America/New_York, UTC...).",
}

_HH_MM = {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$"}
WORKING_HOURS = {
    "type": "object",
    "description": 'Per day, [start, end] pairs: {"mon": [["09:00", "17:00"]]}. A day left out '
    "is a day off; {} means always available; an end before its start runs past midnight.",
    "properties": {
        day: {
            "type": "array",
            "items": {"type": "array", "items": _HH_MM, "minItems": 2, "maxItems": 2},
        }
        for day in DAYS
    },
    "additionalProperties": False,
}

UTM_DEFAULTS = {
    "type": "object",
    "properties": {k: TEXT for k in ("source", "medium", "campaign", "term", "content")},
    "additionalProperties": False,
}

# -- condition trees (routing.conditions; saved ones name catalog fields) ----------------
CONDITION_REF = {"$ref": "#/components/schemas/Condition"}
_FIELD = {
    "anyOf": [
        {"type": "string", "enum": sorted(catalog.FIELDS)},
        {
            "type": "string",
            "maxLength": MAX_FIELD_LENGTH,
            "pattern": r"^(custom|crm\.fields)(\.[A-Za-z0-9_-]+)+$",
            "description": "A field under an open prefix: custom.* or crm.fields.*",
        },
    ]
}
_NUMBER = {"type": "number", "minimum": -MAX_NUMBER, "maximum": MAX_NUMBER}
_SCALAR = {"anyOf": [TEXT, {"type": "boolean"}, _NUMBER]}
_DOMAIN = {"type": "string", "maxLength": 253, "pattern": r"^[a-z0-9-]+(\.[a-z0-9-]+)+$"}
_LEAF_VALUES = [
    (("eq", "neq", "contains", "not_contains"), _SCALAR),
    (("in", "not_in"), {"type": "array", "items": _SCALAR, "minItems": 1,
                        "maxItems": MAX_LIST_ITEMS}),
    (("starts_with", "ends_with"), TEXT),
    (("gt", "gte", "lt", "lte"), _NUMBER),
    (("between",), {"type": "array", "items": _NUMBER, "minItems": 2, "maxItems": 2,
                    "description": "[low, high], low <= high"}),
    (("matches",), {**TEXT, "maxLength": MAX_PATTERN_LENGTH,
                    "description": "An RE2 regular expression (case-insensitive)."}),
    (("domain_in",), {"type": "array", "items": _DOMAIN, "minItems": 1,
                      "maxItems": MAX_LIST_ITEMS}),
]  # fmt: skip


def _op_value(ops, value) -> dict:
    """Which value an operator takes (none: exists, is_true...; null is the same as none)."""
    if value is None:
        return {"properties": {"op": {"enum": list(ops)}, "value": _NONE}}
    return {"properties": {"op": {"enum": list(ops)}, "value": value}, "required": ["value"]}


# The field once, then the operator's value (one schema per operator group): the same
# leaves as one branch per group, in fewer cases for a schema fuzzer's coverage phase.
_LEAF = {
    "type": "object",
    "properties": {"field": _FIELD, "op": {"type": "string", "enum": list(OPERATORS)}, "value": {}},
    "required": ["field", "op"],
    "additionalProperties": False,
    "oneOf": [
        _op_value(sorted(_NO_VALUE_OPS), None),
        *(_op_value(ops, value) for ops, value in _LEAF_VALUES),
    ],
}


def _group(kind: str, body: dict) -> dict:
    return {
        "type": "object",
        "properties": {kind: body},
        "required": [kind],
        "additionalProperties": False,
    }


# A group's children are conditions too; the schema spells out the first level only (a
# recursive schema multiplies the cases a schema fuzzer's coverage phase walks through).
_CHILD = {"type": "object", "description": "A condition (a group or a leaf)."}
CONDITION = {
    "description": "A condition: a group (all / any: a list of conditions; not: one) or a "
    "leaf {field, op, value}. At most 10 levels and 200 leaves.",
    "oneOf": [
        _group("all", {"type": "array", "items": _CHILD}),
        _group("any", {"type": "array", "items": _CHILD}),
        _group("not", _CHILD),
        _LEAF,
    ],
}
CONDITIONS = {
    "description": 'A condition tree; {} (or {"all": []}) matches every lead (the fallback).',
    "anyOf": [CONDITION_REF, {"type": "object", "additionalProperties": False}],
}

# -- a chat segment's assignee, a meeting segment's booking --------------------------------
ASSIGNEE = {
    "description": '{"type": "rep" | "pool" | "ai_agent", "id": ...} (of this workspace), or '
    '{"type": "crm_owner" | "workspace_default"}. A chat segment\'s; a meeting segment '
    "takes a booking.",
    "oneOf": [
        {
            "type": "object",
            "properties": {"type": {"type": "string", "enum": ["rep", "pool", "ai_agent"]},
                           "id": ID},
            "required": ["type", "id"],
        },
        {
            "type": "object",
            "properties": {"type": {"type": "string", "enum": ["crm_owner", "workspace_default"]}},
            "required": ["type"],
        },
    ],
}  # fmt: skip

# A new segment (live or in a draft) needs one of them: which one, the rule's kind says.
ASSIGNEE_OR_BOOKING = {
    "anyOf": [
        {"required": ["assignee"], "properties": {"assignee": {"type": "object"}}},
        {"required": ["booking"], "properties": {"booking": {"type": "object"}}},
    ]
}

_NUMBERS = {
    key: {"type": "integer", "minimum": low, "maximum": high, "nullable": default is None}
    for key, (default, low, high) in booking.NUMBERS.items()
}
_REP_IDS = {"type": "array", "items": ID, "uniqueItems": True, "maxItems": booking.MAX_REPS}
_NO_REPS = {"type": "array", "maxItems": 0, "nullable": True}
_NO_REASON = {"type": "string", "maxLength": 0, "nullable": True}


def _people(logic, required: str | None = None, **rules) -> dict:
    """Who a booking of these logics offers: reps, pool, default_rep and reason allowed."""
    rules = {"reps": _NO_REPS, "pool": _NONE, "default_rep": {"type": "boolean", "enum": [False]},
             "reason": _NO_REASON, **rules}  # fmt: skip
    branch = {"properties": {"logic": {"type": "string", "enum": list(logic)}, **rules}}
    return {**branch, "required": [required]} if required else branch


_SHARED = [x for x in booking.LOGICS if x not in ("single_rep", "disqualified")]
BOOKING = {
    "description": "A meeting segment's booking (SPEC 5a): who is offered and the slot "
    "settings (minutes unless named otherwise). Reps are active reps of this workspace.",
    "type": "object",
    "nullable": True,
    "properties": {
        "logic": {"type": "string", "enum": list(booking.LOGICS)},
        "reps": {**_REP_IDS, "nullable": True},
        "pool": {**ID, "nullable": True},
        "default_rep": {"type": "boolean"},
        "reason": {**TEXT, "maxLength": 200, "nullable": True},
        **_NUMBERS,
    },
    "required": ["logic"],
    "additionalProperties": False,
    "oneOf": [
        _people(["single_rep"], "reps", reps={**_REP_IDS, "minItems": 1, "maxItems": 1}),
        _people(["single_rep"], "default_rep", default_rep={"type": "boolean", "enum": [True]}),
        _people(_SHARED, "reps", reps={**_REP_IDS, "minItems": 1}),
        _people(_SHARED, "pool", pool=ID),
        _people(["disqualified"], reason={**TEXT, "maxLength": 200, "nullable": True}),
    ],
}

# Busy blocks and meeting times: ISO 8601 with an offset, years 2000 to 2200.
AWARE_DATE_TIME = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^(20[0-9][0-9]|21[0-9][0-9]|2200)-",
    "description": "ISO 8601 with an offset (Z or +01:00), a year from 2000 to 2200.",
}


class ShapedJSONField(serializers.JSONField):
    """A JSONField whose accepted shape (`request_schema`) is documented."""

    request_schema: dict = {}


class WorkingHoursField(ShapedJSONField):
    request_schema = WORKING_HOURS


class UtmDefaultsField(ShapedJSONField):
    request_schema = UTM_DEFAULTS


class ConditionsField(ShapedJSONField):
    request_schema = CONDITIONS


def refuse_odd_assignee_type(assignee) -> None:
    """An assignee whose "type" is an object or a list: a 400 here, as an unknown type.

    routing.actions.rules.clean_assignee looks the type up in a dict, and an unhashable
    one raised TypeError (a 500); this guard stays until it checks for a string first.
    """
    if isinstance(assignee, dict) and isinstance(assignee.get("type"), dict | list):
        choices = "rep, pool, ai_agent, crm_owner, workspace_default"
        raise serializers.ValidationError(
            {"assignee": [f"Unknown assignee type; use one of {choices}."]}
        )


class AssigneeInField(ShapedJSONField):
    request_schema = ASSIGNEE

    def to_internal_value(self, data):
        try:
            refuse_odd_assignee_type(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError(exc.detail["assignee"]) from exc
        return super().to_internal_value(data)


class BookingField(ShapedJSONField):
    request_schema = BOOKING


class TimeZoneNameField(serializers.CharField):
    """A CharField checked as an IANA zone (by the action, or a subclass)."""

    request_schema = TIME_ZONE
