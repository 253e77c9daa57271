"""Values and normalisation: how an actual value of a context is read (module docstring
of ``routing.conditions``, "Normalised values", "Text form", "Numbers"), and field access
(a dotted path, pre-split, walked through the context's dicts)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from routing import catalog

# --------------------------------------------------------------------- value helpers

_NUMERIC = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NUMERIC_START = frozenset("0123456789+-.")
_MAX_NUMERIC_TEXT = 64  # longer strings are not treated as numbers (and int() stays cheap)
_TRUE, _FALSE = "true", "false"


def _parse_number(text: str) -> int | float | None:
    """The number a string spells (``" 1e3 "`` -> 1000.0), or None."""
    s = text.strip()
    # Cheap first-character test: most strings in a context are not numbers.
    if s[:1] not in _NUMERIC_START or len(s) > _MAX_NUMERIC_TEXT or not _NUMERIC.fullmatch(s):
        return None
    if "." in s or "e" in s or "E" in s:
        f = float(s)
        return f if math.isfinite(f) else None
    return int(s)


def _plain(v: Any) -> Any:
    """Subclasses of str/int/float (enums, Django choices) as their plain base value."""
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return int.__int__(v)
    if isinstance(v, float):
        return float.__float__(v)
    return None


def _num(v: Any) -> int | float | None:
    """The number of an actual value: int, finite float or numeric string; never bool."""
    t = type(v)
    if t is int:
        return v
    if t is float:
        return v if math.isfinite(v) else None
    if t is str:
        return _parse_number(v)
    if t is bool:
        return None
    p = _plain(v)
    return None if p is None else _num(p)


def _key(v: Any) -> str | int | float | None:
    """The normalised value used for equality (see the module docstring)."""
    t = type(v)
    if t is str:
        n = _parse_number(v)
        return v.strip().casefold() if n is None else n
    if t is int:
        return v
    if t is bool:
        return _TRUE if v else _FALSE
    if t is float:
        return v if math.isfinite(v) else None
    p = _plain(v)
    return None if p is None else _key(p)


def _text(v: Any) -> str | None:
    """The text form of a scalar (trimmed, not casefolded), or None for non-scalars."""
    t = type(v)
    if t is str:
        return v.strip()
    if t is bool:
        return _TRUE if v else _FALSE
    if t is int:
        try:
            return int.__repr__(v)
        except ValueError:  # more digits than Python will print (sys.int_info)
            return None
    if t is float:
        return float.__repr__(v)
    p = _plain(v)
    return None if p is None else _text(p)


def _domain_of(text: str) -> str:
    return text[text.rfind("@") + 1 :].strip().casefold().rstrip(".")


def _domain_match(text: str, domains: frozenset[str]) -> bool:
    d = text[text.rfind("@") + 1 :].strip().casefold().rstrip(".")  # _domain_of, inlined
    if d in domains:
        return True
    # Try each parent domain: O(labels) set lookups instead of O(len(domains)).
    i = d.find(".")
    while i != -1:
        if d[i + 1 :] in domains:
            return True
        i = d.find(".", i + 1)
    return False


# -------------------------------------------------------------------- field access


def _walk(d: Any, parts: tuple[str, ...]) -> Any:
    for p in parts:
        if not isinstance(d, dict):
            return None
        d = d.get(p)
    return d


def _getter(path: str) -> Callable[[Any], Any]:
    """A function ``context -> value or None`` with the path pre-split."""
    for prefix in catalog.OPEN_PREFIXES:
        rest = path[len(prefix) :]
        if path.startswith(prefix) and "." in rest:
            return _open_getter(tuple(prefix[:-1].split(".")), rest)
    parts = tuple(path.split("."))
    return lambda ctx: _walk(ctx, parts)


def _open_getter(head: tuple[str, ...], rest: str) -> Callable[[Any], Any]:
    """``crm.fields.Account.Name``: ``rest`` ("Account.Name") as one key first, then walked."""
    tail = tuple(rest.split("."))

    def get_open(ctx: Any) -> Any:
        d = _walk(ctx, head)
        if not isinstance(d, dict):
            return None
        v = d.get(rest)
        return v if v is not None else _walk(d, tail)

    return get_open
