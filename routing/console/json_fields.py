"""JSON pasted into a console textarea: parsed, and refused like the API refuses it.

`json.loads` turns the escapes "\\u0000" and "\\ud800" into a NUL (Postgres cannot
store it in text or jsonb) and a lone surrogate (not Unicode: every page showing it
would fail to encode). The API's parsers refuse both at the edge
(routing.api.parsers); a console form does the same, as an error beside its field.
"""

from __future__ import annotations

from django import forms

from routing.api.parsers import find_bad_string


def where(path: list) -> str:
    """["all", 0, "value"] -> "all[0].value", as an ops person reads a JSON path."""
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def refuse_bad_strings(value, what: str = "The JSON") -> None:
    """A forms.ValidationError naming where the NUL or lone surrogate is."""
    found = find_bad_string(value)
    if found is None:
        return
    path, problem = found
    problem = problem.removeprefix("This value ").removeprefix("This key ")
    at = f" (at {where(path)})" if path else ""
    raise forms.ValidationError(f"{what}{at} {problem}")
