"""JSON bodies carry the types the schema documents.

DRF's fields coerce: a BooleanField takes 0, "yes" or "on", an IntegerField
"5" or 5.0, a CharField 42. For a form post that is what one wants (every
value is a string); for a JSON body it means a client that sends the wrong
type is never told, and the OpenAPI schema (`"type": "boolean"`) is not what
the server does. So a value in a JSON object must have the JSON type of its
field; form data (a QueryDict) keeps DRF's coercion.
"""

from __future__ import annotations

from django.http import QueryDict
from rest_framework import serializers

# Most specific first: an EmailField is a CharField, a ChoiceField is neither.
_EXPECTED = (
    (serializers.BooleanField, (bool,), "Must be true or false."),
    (serializers.IntegerField, (int,), "A whole number is required"),
    (serializers.FloatField, (int, float), "A number is required"),
    (serializers.CharField, (str,), "Not a valid string."),
    (serializers.ChoiceField, (str,), "Not a valid string."),
    (serializers.DateTimeField, (str,), "Expected an ISO 8601 date-time string."),
    (serializers.DateField, (str,), "Expected an ISO 8601 date string."),
    (serializers.ListField, (list,), "Expected a list."),
    (serializers.ListSerializer, (list,), "Expected a list."),
    (serializers.DictField, (dict,), "Expected an object."),
    (serializers.Serializer, (dict,), "Expected an object."),
)


# What a number field got instead, in JSON's words.
_GOT = ((bool, "true or false"), (str, "a string"), (float, "a decimal number"),
        (list, "a list"), (dict, "an object"))  # fmt: skip


def _type_error(field, value) -> str | None:
    for kind, types, message in _EXPECTED:
        if isinstance(field, kind):
            # bool is an int in Python, but true is not the number 1 in JSON.
            wrong_bool = isinstance(value, bool) and bool not in types
            if not wrong_bool and isinstance(value, types):
                return None
            if message.endswith("."):
                return message
            got = next((words for t, words in _GOT if isinstance(value, t)), None)
            return f"{message} (not {got})." if got else f"{message}."
    return None


def json_type_errors(fields, data) -> dict:
    """{name: [message]} for each value of a JSON object whose type its field refuses;
    {name: {index: [message]}} for the items of a list whose child field refuses them
    (["a", 0] for a list of strings: the 0 is not turned into "0")."""
    if not isinstance(data, dict) or isinstance(data, QueryDict):
        return {}
    errors = {}
    for name, value in data.items():
        field = fields.get(name)
        if field is None or field.read_only or value is None:
            continue  # unknown, read-only and null values have their own messages
        message = _type_error(field, value)
        if message is not None:
            errors[name] = [message]
        elif isinstance(field, serializers.ListField) and isinstance(value, list):
            items = {
                i: [m]
                for i, item in enumerate(value)
                if item is not None and (m := _type_error(field.child, item)) is not None
            }
            if items:
                errors[name] = items
    return errors
