"""OpenAPI postprocessing: the schema says what the server does (issue 10, item 13).

drf-spectacular documents the happy path of each operation. The server also
answers, for every operation, in ways that are the same everywhere:

* 401 without a valid token (every operation needs one);
* 400 with DRF field errors for a bad body or bad query parameters, and for a
  refused change (a DELETE of something still in use...);
* 404 for an id that is unknown or another workspace's (and an unknown link);
* 422 when an Idempotency-Key is reused with another body.

And our input serializers refuse unknown and read-only fields, so their
request schemas say `additionalProperties: false`: a schema fuzzer (`make
fuzz`) then knows that an extra field is invalid input, not valid input the
server "wrongly" refuses. Operations that already document a code (the meeting
API's 409 with fresh slots...) keep their own description.
"""

from __future__ import annotations

ERROR = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": 'DRF\'s error shape: {"detail": "..."} or {"field": ["message", ...]} '
    "(nested like the body for nested fields).",
    "properties": {
        # A string from DRF itself; a list of strings from some refused changes.
        "detail": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    },
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "Bad input or a refused change: DRF field errors, or a `detail`.",
    "401": "No valid API token (`Authorization: Token <key>`).",
    "404": "Unknown, or another workspace's.",
    "422": "This Idempotency-Key was used with another body.",
}
BODY_METHODS = {"post", "put", "patch"}


def _strict(serializer) -> bool:
    """Does this serializer refuse unknown fields? (Imported late: settings load this module.)"""
    from .serializers.chats import StrictSerializer
    from .serializers.resources import StrictModelSerializer

    return isinstance(serializer, StrictSerializer | StrictModelSerializer)


def _error_codes(path: str, method: str, operation: dict) -> list[str]:
    params = operation.get("parameters", [])
    codes = ["401"] if operation.get("security") != [{}] else []
    if method in BODY_METHODS or method == "delete" or any(p["in"] == "query" for p in params):
        codes.append("400")
    # A path id may be unknown; a chat names its link by slug (unknown: 404).
    if "{" in path or (method == "post" and path.endswith("/chats/")):
        codes.append("404")
    if any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in params):
        codes.append("422")
    return codes


def _shape_request_fields(schema: dict, serializer) -> None:
    """A field with a `request_schema` (serializers/shapes.py) documents what it accepts;
    so do a nested list's bounds and a serializer's `request_schema_extra`."""
    from rest_framework.serializers import ListSerializer

    properties = schema.get("properties", {})
    schema.update(getattr(serializer, "request_schema_extra", {}))
    for name, field in getattr(serializer, "fields", {}).items():
        if isinstance(field, ListSerializer) and name in properties and not field.read_only:
            if not field.allow_empty:
                properties[name]["minItems"] = 1
            if field.max_length is not None:
                properties[name]["maxItems"] = field.max_length
        shape = getattr(field, "request_schema", None)
        if shape and name in properties and not field.read_only:
            description = properties[name].get("description")
            properties[name] = {**shape, **({"description": description} if description else {})}
            if getattr(field, "allow_null", False):
                properties[name]["nullable"] = True


def _plain_text(schema: dict) -> None:
    """Strings of a JSON body hold no NUL (parsers.py refuses them)."""
    from .serializers.shapes import PLAIN_TEXT

    for prop in schema.get("properties", {}).values():
        for s in (prop, prop.get("items") or {}):
            if s.get("type") == "string" and not {"pattern", "format", "enum"} & set(s):
                s["pattern"] = PLAIN_TEXT


def document_errors(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry (see knock/settings.py)."""
    from .serializers.shapes import CONDITION

    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR, ERROR_SCHEMA)
    schemas.setdefault("Condition", CONDITION)
    for (name, kind), component in generator.registry._components.items():
        request = kind == "schemas" and name.endswith("Request") and name in schemas
        if request and "properties" in schemas[name]:
            _shape_request_fields(schemas[name], component.object)
            _plain_text(schemas[name])
        if request and "properties" in schemas[name] and _strict(component.object):
            schemas[name]["additionalProperties"] = False
    ref = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR}"}}}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code in _error_codes(path, method, operation):
                if code not in responses:
                    responses[code] = {"description": DESCRIPTIONS[code], "content": ref}
                elif "content" not in responses[code]:
                    responses[code]["content"] = ref
    return result
