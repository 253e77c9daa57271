"""The HTTP provider's configuration: URL template, headers, JSON-path mapping.

Each parser raises ValueError with a message fit for a form error, so a bad
template or path is refused when it is saved, not when a lead arrives.
"""

from __future__ import annotations

import re
import string
from typing import Any
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from routing.facts import COMPANY_FIELDS

HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$")
PATH = re.compile(r"^[A-Za-z0-9_$@-]+(?:\.[A-Za-z0-9_$@-]+)*$")
INT_FIELDS = ("employees", "revenue")


def check_template(template: str) -> str:
    """A http(s) URL with one or more `{domain}` and no other placeholder."""
    template = (template or "").strip()
    if not template:
        raise ValueError("Give the provider's URL, with {domain} where the domain goes.")
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"Unbalanced braces in the URL template ({exc}).") from exc
    names = [(name, spec, conv) for _, name, spec, conv in parts if name is not None]
    if not any(name == "domain" for name, _, _ in names):
        raise ValueError("The URL template needs {domain}.")
    bad = sorted({f"{{{n}}}" for n, spec, conv in names if n != "domain" or spec or conv})
    if bad:
        raise ValueError(f"Only {{domain}} may appear in braces, not {', '.join(bad)}.")
    try:
        URLValidator(schemes=["http", "https"])(render(template, "example.com"))
    except ValidationError as exc:
        raise ValueError("The URL template is not an http(s) URL.") from exc
    return template


def render(template: str, domain: str) -> str:
    return template.format(domain=quote(domain, safe=""))


def parse_headers(text: str) -> dict[str, str]:
    """ "Name: value" lines (blank lines ignored)."""
    headers: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if not sep or not HEADER_NAME.match(name):
            raise ValueError(f'Line {number}: write a header as "Name: value".')
        if name.lower() in {h.lower() for h in headers}:
            raise ValueError(f"Line {number}: header {name} appears twice.")
        headers[name] = value
    return headers


def check_header_name(name: str) -> str:
    name = (name or "").strip()
    if name and not HEADER_NAME.match(name):
        raise ValueError(f"{name!r} is not an HTTP header name.")
    return name


def parse_mapping(text: str) -> dict[str, str]:
    """ "employees = metrics.employees" lines: our field = the provider's JSON path
    (dots between keys, numbers index lists: "data.0.name")."""
    mapping: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        field, sep, path = line.partition("=")
        field, path = field.strip(), path.strip()
        if not sep:
            raise ValueError(f'Line {number}: write "field = json.path".')
        if field not in COMPANY_FIELDS:
            raise ValueError(
                f"Line {number}: {field!r} is not a company field "
                f"(one of {', '.join(COMPANY_FIELDS)})."
            )
        if field in mapping:
            raise ValueError(f"Line {number}: {field} is mapped twice.")
        if not PATH.match(path):
            raise ValueError(
                f"Line {number}: {path!r} is not a JSON path (keys joined by dots, "
                "e.g. company.metrics.employees)."
            )
        mapping[field] = path
    if not mapping:
        raise ValueError("Map at least one company field, e.g. name = name.")
    return mapping


def mapping_text(mapping: dict) -> str:
    return "\n".join(f"{k} = {v}" for k, v in (mapping or {}).items())


def headers_text(headers: dict) -> str:
    return "\n".join(f"{k}: {v}" for k, v in (headers or {}).items())


def resolve(data: Any, path: str) -> Any:
    node = data
    for part in path.split("."):
        if isinstance(node, dict):
            if part not in node:
                return None
            node = node[part]
        elif isinstance(node, list) and part.isdigit():
            index = int(part)
            if index >= len(node):
                return None
            node = node[index]
        else:
            return None
    return node


def coerce(field: str, value: Any) -> Any:
    """A provider's value in our type, or None (missing) when it does not fit."""
    if value is None or isinstance(value, dict):
        return None
    if field in INT_FIELDS:
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return int(value) if value >= 0 else None
        if isinstance(value, str):
            digits = value.strip().replace(",", "").replace("_", "").removeprefix("$")
            try:
                number = float(digits)
            except ValueError:
                return None  # "51-200" and the like: a range is not a count
            return int(number) if number >= 0 else None
        return None
    if field == "tech":
        if isinstance(value, str):
            items = re.split(r"[;,|]", value)
        elif isinstance(value, list):
            items = [
                (v.get("name") if isinstance(v, dict) else v)
                for v in value
                if isinstance(v, str | dict)
            ]
        else:
            return None
        tech = [str(v).strip() for v in items if v and str(v).strip()]
        return tech or None
    if isinstance(value, list):
        return None
    text = str(value).strip()
    return text[:255] or None


def apply_mapping(data: Any, mapping: dict[str, str]) -> dict:
    out = {}
    for field, path in mapping.items():
        value = coerce(field, resolve(data, path))
        if value is not None:
            out[field] = value
    return out
