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


def document_errors(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry (see knock/settings.py)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR, ERROR_SCHEMA)
    for (name, kind), component in generator.registry._components.items():
        request = kind == "schemas" and name.endswith("Request") and name in schemas
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
