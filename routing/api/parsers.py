"""Request parsers: DRF's, made safe at the edge so no endpoint has to repeat it.

* a too-deeply nested JSON body is a 400, not a 500;
* a string or key holding NUL (Postgres cannot store it in text or jsonb) or a
  lone UTF-16 surrogate (``"\\udfff"``: not Unicode, so it cannot be encoded as
  UTF-8 and every later answer showing it would be a 500) is a 400 naming the
  field, before any view sees the data.
"""

import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError, UnsupportedMediaType, ValidationError

# NUL, and the surrogate range: a str holding one came from a "\ud8xx" escape.
_BAD_CHAR = re.compile("[\x00\ud800-\udfff]")


def _problem(text: str, what: str = "This value") -> str:
    char = _BAD_CHAR.search(text).group()
    if char == "\x00":
        return f"{what} contains a NUL character (\\u0000), which is not allowed."
    return (
        f"{what} contains a lone UTF-16 surrogate (\\u{ord(char):04x}), which is not valid Unicode."
    )


def _escaped(text: str) -> str:
    return _BAD_CHAR.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def find_bad_string(doc) -> tuple[list, str] | None:
    """The path to the first string or key with NUL or a lone surrogate, and why.

    Iterative, so a deep document cannot exhaust the stack. A bad key is named
    by its escaped text (it cannot be echoed back as it is).
    """
    stack = [([], doc)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, str):
            if _BAD_CHAR.search(node):
                return path, _problem(node)
        elif isinstance(node, dict):
            children = []
            for key, value in node.items():
                if isinstance(key, str) and _BAD_CHAR.search(key):
                    return [*path, _escaped(key)], _problem(key, "This key")
                children.append(([*path, key], value))
            stack.extend(reversed(children))
        elif isinstance(node, list | tuple):
            stack.extend(reversed([([*path, i], v) for i, v in enumerate(node)]))
    return None


def error_at(path: list, message: str) -> dict | list:
    """{"custom": {"x": [message]}}: DRF's nested field-error shape for `path`."""
    detail: dict | list = [message]
    for key in reversed(path):
        detail = {key: detail}
    if isinstance(detail, list):  # the whole body is one bad string
        detail = {"non_field_errors": detail}
    return detail


def refuse_bad_strings(doc) -> None:
    found = find_bad_string(doc)
    if found is not None:
        raise ValidationError(error_at(*found))


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:  # json.loads on e.g. [[[[...]]]] nested 100k deep
            raise ParseError("JSON parse error - the document is nested too deeply.") from exc
        refuse_bad_strings(data)
        return data


# Form and multipart bodies are flat: name=value pairs. The API takes them for flat
# input (a rep, a link, a close with no body); anything nested (a chat's lead, its
# custom fields, a pool's members) must be JSON. Nested notation in a form body
# ("lead.email", "lead[email]") or a value that is JSON text ('{"email": ...}') is a
# 415 that says so, rather than a confusing "This field is required." for `lead`.
NESTED_KEY = re.compile(r"[.\[\]]")
JSON_ONLY = (
    "Nested input needs a JSON body: send Content-Type: application/json "
    "(form and multipart bodies are for flat fields only)."
)


def refuse_nested_form(data) -> None:
    for key, values in data.lists():
        looks_like_json = any(
            isinstance(v, str) and v.strip()[:1] in ("{", "[") and v.strip()[-1:] in ("}", "]")
            for v in values
        )
        if NESTED_KEY.search(key) or looks_like_json:
            raise UnsupportedMediaType(media_type="", detail=f"{key}: {JSON_ONLY}")


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        refuse_bad_strings(dict(data.lists()))
        refuse_nested_form(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        refuse_bad_strings(dict(parsed.data.lists()))
        refuse_nested_form(parsed.data)
        return parsed


PARSER_CLASSES = [JSONParser, FormParser, MultiPartParser]
