"""Tree validation and normalisation: a JSON tree becomes a tree of ``_Leaf``/``_Group``
(values checked and pre-computed, tests and getters bound), or a ``ConditionError`` naming
the node. ``validate``, ``normalize``; ``_normalize`` is what compile, explain and describe
start from."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import re2

from routing import catalog
from routing.conditions.language import (
    _GROUP_KEYS,
    _LEAF_KEYS,
    _NO_VALUE_OPS,
    _SEQ,
    MAX_DEPTH,
    MAX_FIELD_LENGTH,
    MAX_LEAVES,
    MAX_LIST_ITEMS,
    MAX_NUMBER,
    MAX_PATTERN_LENGTH,
    NEGATIONS,
    OPERATORS,
    ConditionError,
    _clip,
    _show,
)
from routing.conditions.operators import _TESTS
from routing.conditions.values import _domain_of, _getter, _key, _parse_number, _plain, _text

# -------------------------------------------------------------- normalised tree


@dataclass(frozen=True, slots=True)
class _Leaf:
    field: str
    op: str
    value: Any  # the (normalised) value as shown in traces; None for no-value ops
    arg: Any  # the pre-computed argument of the positive twin's test
    test: Callable[[Any], bool] | None  # the positive twin's test; None for exists
    negate: bool  # a negative operator: the result is ``not`` the positive twin's
    get: Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class _Group:
    kind: str  # "all" | "any" | "not" (a "not" has exactly one child)
    children: tuple


def validate(tree: Any) -> None:
    """Raise ``ConditionError`` (and only that) if ``tree`` is not a valid condition."""
    _normalize(tree)


def normalize(tree: Any) -> dict:
    """The validated tree in canonical JSON form (e.g. ``"200"`` -> ``200`` for ``gt``,
    ``"@acme.com"`` -> ``"acme.com"`` for ``domain_in``). Raises ``ConditionError``."""
    return _to_json(_normalize(tree))


def _to_json(node: _Leaf | _Group) -> dict:
    if isinstance(node, _Leaf):
        out = {"field": node.field, "op": node.op}
        if node.op not in _NO_VALUE_OPS:
            out["value"] = list(node.value) if isinstance(node.value, _SEQ) else node.value
        return out
    if node.kind == "not":
        return {"not": _to_json(node.children[0])}
    return {node.kind: [_to_json(c) for c in node.children]}


def _normalize(tree: Any) -> _Leaf | _Group:
    try:
        return _norm_node(tree, "", 1, [0])
    except ConditionError:
        raise
    except Exception as exc:  # noqa: BLE001 - the contract is "only ConditionError"
        # Belt and braces: every rule below raises ConditionError itself; this
        # only turns an unforeseen input (an object with a hostile __eq__, ...)
        # into the documented error instead of a 500.
        raise ConditionError("", f"invalid condition ({type(exc).__name__})") from exc


def _child_path(path: str, step: str) -> str:
    return f"{path}.{step}" if path else step


def _norm_node(node: Any, path: str, depth: int, count: list[int]) -> _Leaf | _Group:
    # Checked before looking inside, so recursion never goes deeper than
    # MAX_DEPTH + 1 frames whatever the input.
    if depth > MAX_DEPTH:
        raise ConditionError(path, f"conditions are nested deeper than {MAX_DEPTH} levels")
    if not isinstance(node, dict):
        raise ConditionError(
            path, f"expected an object with all, any, not or field/op, got {_show(node)}"
        )
    groups = [k for k in _GROUP_KEYS if k in node]
    if groups:
        extra = [k for k in node if k not in _GROUP_KEYS]
        if len(groups) > 1:
            raise ConditionError(path, f"a node takes one of all/any/not, got {', '.join(groups)}")
        if extra:
            raise ConditionError(path, f"unknown key(s) beside {groups[0]!r}: {_keys(extra)}")
        kind = groups[0]
        body = node[kind]
        if kind == "not":
            child = _norm_node(body, _child_path(path, "not"), depth + 1, count)
            return _Group("not", (child,))
        if not isinstance(body, list):
            raise ConditionError(path, f"{kind!r} must be a list of conditions, got {_show(body)}")
        children = tuple(
            _norm_node(c, _child_path(path, f"{kind}[{i}]"), depth + 1, count)
            for i, c in enumerate(body)
        )
        return _Group(kind, children)
    if not node:
        raise ConditionError(path, "empty condition: expected all, any, not or field/op")
    return _norm_leaf(node, path, count)


def _keys(keys: list) -> str:
    return ", ".join(_show(k) for k in keys[:5]) + (", …" if len(keys) > 5 else "")


def _norm_leaf(node: dict, path: str, count: list[int]) -> _Leaf:
    field = node.get("field")
    op = node.get("op")
    shown_field = field if isinstance(field, str) else None
    shown_op = op if isinstance(op, str) else None

    def fail(message: str) -> ConditionError:
        return ConditionError(path, message, shown_field, shown_op)

    extra = [k for k in node if k not in _LEAF_KEYS]
    if extra:
        raise fail(f"unknown key(s): {_keys(extra)}")
    count[0] += 1
    if count[0] > MAX_LEAVES:
        raise fail(f"more than {MAX_LEAVES} conditions")
    if "field" not in node:
        raise fail("'field' is required")
    if "op" not in node:
        raise fail("'op' is required")
    _check_field(field, fail)
    if not isinstance(op, str):
        raise fail(f"'op' must be a string, got {_show(op)}")
    if op not in _OP_SET:
        raise fail(f"unknown operator {_show(op)}")

    field, op = str.__str__(field), str.__str__(op)  # plain str, even from a str subclass
    positive = NEGATIONS.get(op, op)
    value = node.get("value")
    if op in _NO_VALUE_OPS:
        if value is not None:
            raise fail(f"{op} takes no value")
        shown, arg = None, None
    else:
        if value is None:
            raise fail("'value' is required")
        shown, arg = _VALUE_CHECKS[positive](value, fail)
    test = _TESTS[positive](arg) if positive != "exists" else None
    return _Leaf(field, op, shown, arg, test, positive != op, _getter(field))


_OP_SET = frozenset(OPERATORS)
_NAMESPACE_SET = frozenset(catalog.NAMESPACES)


def _check_field(field: Any, fail: Callable[[str], ConditionError]) -> None:
    if not isinstance(field, str):
        raise fail(f"'field' must be a string, got {_show(field)}")
    if not field:
        raise fail("'field' is empty")
    if len(field) > MAX_FIELD_LENGTH:
        raise fail(f"'field' is longer than {MAX_FIELD_LENGTH} characters")
    parts = field.split(".")
    if parts[0] not in _NAMESPACE_SET:
        raise fail(f"'field' must start with one of {', '.join(catalog.NAMESPACES)}")
    # A bare namespace ("company") is a whole dict, not a value to compare.
    if len(parts) < 2:
        raise fail("'field' needs a name after the namespace, e.g. 'company.employees'")
    for part in parts:
        if not part:
            raise fail("'field' has an empty part")
        if part != part.strip():
            raise fail("'field' has a part with leading or trailing spaces")
        if not part.isprintable():
            raise fail("'field' has an unprintable character")


# ------------------------------------------------------------------ value checks
#
# Each returns (value as shown in traces/normalize, argument for the test factory).

_SCALAR_HINT = "text, a number or true/false"


def _number(v: Any, fail: Callable[[str], ConditionError], what: str = "value") -> int | float:
    if isinstance(v, bool):
        raise fail(f"{what} must be a number, not true/false")
    if isinstance(v, str):
        n = _parse_number(v)
        if n is None:
            raise fail(f"{what} must be a number, got {_show(v)}")
        v = n
    elif isinstance(v, (int, float)):
        v = _plain(v)
    else:
        raise fail(f"{what} must be a number, got {_show(v)}")
    if isinstance(v, float) and not math.isfinite(v):
        raise fail(f"{what} must be a finite number")
    if abs(v) > MAX_NUMBER:
        raise fail(f"{what} is out of range (at most {MAX_NUMBER:.0e} in size)")
    return v


def _scalar(v: Any, fail: Callable[[str], ConditionError], what: str = "value") -> Any:
    if isinstance(v, (str, bool)):
        return _plain(v)
    if isinstance(v, (int, float)):
        _number(v, fail, what)
        return _plain(v)
    if v is None:
        raise fail(f"{what} must not be null")
    raise fail(f"{what} must be a single value ({_SCALAR_HINT}), got {_show(v)}")


def _check_eq(v: Any, fail: Callable[[str], ConditionError]) -> tuple:
    v = _scalar(v, fail)
    return v, _key(v)


def _item_list(v: Any, fail: Callable[[str], ConditionError], what: str) -> list:
    if not isinstance(v, list):
        raise fail(f"value must be a list of {what}, got {_show(v)}")
    if not v:
        raise fail("value must not be an empty list")
    if len(v) > MAX_LIST_ITEMS:
        raise fail(f"value has more than {MAX_LIST_ITEMS} items")
    return v


def _check_in(v: Any, fail: Callable[[str], ConditionError]) -> tuple:
    items = [_scalar(x, fail, f"item {i}") for i, x in enumerate(_item_list(v, fail, _SCALAR_HINT))]
    return tuple(items), frozenset(_key(x) for x in items)


def _check_contains(v: Any, fail: Callable[[str], ConditionError]) -> tuple:
    v = _scalar(v, fail)
    return v, (_key(v), _text(v).casefold())


def _check_text(v: Any, fail: Callable[[str], ConditionError]) -> tuple:
    if not isinstance(v, str):
        raise fail(f"value must be text, got {_show(v)}")
    v = _plain(v)
    return v, v.strip().casefold()


def _check_number(v: Any, fail: Callable[[str], ConditionError]) -> tuple:
    n = _number(v, fail)
    return n, n


def _check_between(v: Any, fail: Callable[[str], ConditionError]) -> tuple:
    if not isinstance(v, list) or len(v) != 2:
        raise fail(f"value must be a list of two numbers [low, high], got {_show(v)}")
    lo, hi = _number(v[0], fail, "low bound"), _number(v[1], fail, "high bound")
    if lo > hi:
        raise fail(f"low bound {lo} is greater than high bound {hi}")
    return (lo, hi), (lo, hi)


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.case_sensitive = False
_RE2_OPTIONS.log_errors = False  # RE2 otherwise prints every bad pattern to stderr


@functools.lru_cache(maxsize=512)
def _regex(pattern: str) -> Any:
    return re2.compile(pattern, _RE2_OPTIONS)


def _check_matches(v: Any, fail: Callable[[str], ConditionError]) -> tuple:
    if not isinstance(v, str):
        raise fail(f"value must be a regular expression (text), got {_show(v)}")
    v = _plain(v)
    if len(v) > MAX_PATTERN_LENGTH:
        raise fail(f"pattern is longer than {MAX_PATTERN_LENGTH} characters")
    try:
        rx = _regex(v)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else ""
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise fail(f"invalid pattern: {_clip(str(detail), 120)}") from None
    except Exception:  # noqa: BLE001 - e.g. a lone surrogate that cannot be UTF-8 encoded
        raise fail("invalid pattern") from None
    return v, rx


_DOMAIN = re.compile(r"[^\s@/:\\.]+(?:\.[^\s@/:\\.]+)+")  # labels joined by dots


def _check_domain_in(v: Any, fail: Callable[[str], ConditionError]) -> tuple:
    domains = []
    for i, x in enumerate(_item_list(v, fail, "domains")):
        if not isinstance(x, str):
            raise fail(f"item {i} must be a domain like 'acme.com', got {_show(x)}")
        # "@acme.com" and "bob@acme.com" mean the domain; "acme.com." is a FQDN.
        d = _domain_of(x).strip(".")
        if len(d) > 253 or not _DOMAIN.fullmatch(d):
            raise fail(f"item {i} is not a domain like 'acme.com': {_show(x)}")
        domains.append(d)
    return tuple(domains), frozenset(domains)


_VALUE_CHECKS: dict[str, Callable[[Any, Callable[[str], ConditionError]], tuple]] = {
    "eq": _check_eq,
    "in": _check_in,
    "contains": _check_contains,
    "starts_with": _check_text,
    "ends_with": _check_text,
    "gt": _check_number,
    "gte": _check_number,
    "lt": _check_number,
    "lte": _check_number,
    "between": _check_between,
    "matches": _check_matches,
    "domain_in": _check_domain_in,
}
