"""The condition language (SPEC sections 4 and 8a): validate, compile, explain, describe.

Pure Python: no Django, no I/O. A condition is a JSON tree::

    {"all": [...]} | {"any": [...]} | {"not": node}
    | {"field": "company.employees", "op": "gt", "value": 200}

and a context is a plain nested dict of the namespaces in ``routing.catalog``.

Semantics, precisely (``compile`` and ``explain`` share the per-operator test
functions below; compile's fused fast paths only inline their first line, and
the property tests check ``compile(t)(c) == explain(t, c).result``):

* **Missing.** A field is resolved by walking dicts along its dotted path. It
  is *missing* when a part is absent, a step meets something that is not a
  dict (a context that is not a dict has every field missing), or the final
  value is ``None``. An empty string is present. Under the
  open prefixes ``crm.fields.`` and ``custom.`` the rest of the path may itself
  contain dots: the rest is first looked up as one key (used when present and
  not ``None``), otherwise walked part by part.
* **Positive operators are false on a missing field**; ``neq``, ``not_in``,
  ``not_contains`` and ``not_exists`` are always exactly ``not`` of ``eq``,
  ``in``, ``contains`` and ``exists`` (missing field, wrong type, anything).
* **Normalised values** (used by ``eq``/``in``/list ``contains``): a string
  that spells a finite decimal number (``"250"``, ``" 1e3 "``, ``"-2.5"``;
  ASCII digits, at most 64 characters; not ``"1_000"``, ``"inf"``, ``"nan"``)
  *is* that number, so ``"007"`` equals ``7``; any other string is trimmed and
  casefolded; ``int``/``float`` are numbers (NaN and infinities match nothing);
  a list, dict or other object has no normalised value and equals nothing.
  Subclasses of str/int/float (enums, Django choices) count as their value.
* **Booleans are not numbers.** ``True`` normalises to the string ``"true"``
  and ``False`` to ``"false"``: ``eq true`` matches ``True`` and ``" TRUE "``,
  never ``1``; ``gt``/``lt``/``between`` are false for booleans.
* **Lists.** ``eq`` on a list actual is false (use ``contains`` or ``in``).
  ``in``: a list actual matches when ANY element is one of the values.
  ``contains``: a list actual matches when an element equals the value
  (normalised); a scalar actual matches when the value's text is a substring of
  the actual's text. ``domain_in``: a list matches when any element does.
  Only one level of list is looked into.
* **Text form** (``contains`` on scalars, ``starts_with``, ``ends_with``,
  ``matches``): strings trimmed; booleans ``"true"``/``"false"``; numbers as
  Python writes them (``250``, ``2.5``). Comparisons casefold both sides;
  ``matches`` is an RE2 ``search`` with case-insensitive matching.
* **Numbers** (``gt``/``gte``/``lt``/``lte``/``between``, inclusive): the
  actual must be an int, a finite float or a numeric string; anything else is
  false.
* **is_true / is_false**: the actual is ``True``/``False`` or the string
  ``"true"``/``"false"`` (trimmed, any case). Nothing else (not 1/0, not
  "yes"). A missing field is neither true nor false.
* **domain_in**: the actual (email or domain) is reduced to the text after its
  last ``@``, trimmed, casefolded, trailing dots dropped; it matches a listed
  domain ``d`` when equal to ``d`` or ending in ``"." + d`` (so
  ``evilacme.com`` is not under ``acme.com``).
"""

from __future__ import annotations

import builtins
import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import re2

from routing import catalog

__all__ = [
    "MAX_DEPTH",
    "MAX_LEAVES",
    "NEGATIONS",
    "OPERATORS",
    "ConditionError",
    "Explanation",
    "GroupExplanation",
    "LeafExplanation",
    "compile",
    "describe",
    "describe_explained_leaf",
    "explain",
    "fields",
    "leaves",
    "normalize",
    "validate",
]

MAX_DEPTH = 10  # the root is depth 1
MAX_LEAVES = 200
MAX_LIST_ITEMS = 500  # in / not_in / domain_in
MAX_PATTERN_LENGTH = 500
MAX_FIELD_LENGTH = 200
# Values in a tree stay within what a browser's JSON numbers (doubles) and a
# human can hold; this also keeps str()/json of tree values from ever failing
# on thousand-digit integers.
MAX_NUMBER = 10**18

OPERATORS = (
    "eq",
    "neq",
    "in",
    "not_in",
    "contains",
    "not_contains",
    "starts_with",
    "ends_with",
    "gt",
    "gte",
    "lt",
    "lte",
    "between",
    "exists",
    "not_exists",
    "is_true",
    "is_false",
    "matches",
    "domain_in",
)
# Each negative operator is evaluated as exactly ``not`` of its positive twin.
NEGATIONS = {"neq": "eq", "not_in": "in", "not_contains": "contains", "not_exists": "exists"}
_NO_VALUE_OPS = frozenset({"exists", "not_exists", "is_true", "is_false"})
_GROUP_KEYS = ("all", "any", "not")
_LEAF_KEYS = frozenset({"field", "op", "value"})
_SEQ = (list, tuple)


# --------------------------------------------------------------------------- errors


class ConditionError(ValueError):
    """An invalid condition tree. ``path`` names the node ("" is the root)."""

    def __init__(
        self, path: str, message: str, field: str | None = None, op: str | None = None
    ) -> None:
        self.path = path
        self.message = message
        self.field = field
        self.op = op
        where = path or "root"
        node = " ".join(_printable(_clip(x)) for x in (field, op) if x is not None)
        if node:
            where = f"{where} ({node})"
        super().__init__(f"{where}: {message}")

    def __reduce__(self):  # keep pickling (e.g. across processes) working
        return (type(self), (self.path, self.message, self.field, self.op))


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _printable(text: str) -> str:
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def _show(value: Any) -> str:
    """A short, never-failing rendering of a user-supplied value for messages."""
    if isinstance(value, str):
        return repr(_clip(value))
    if value is None or isinstance(value, (bool, float)):
        return repr(value)
    if isinstance(value, int):
        return repr(value) if abs(value) < 10**30 else "a huge integer"
    return f"a {type(value).__name__}"


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


# ------------------------------------------------------------- per-operator tests
#
# Each factory returns ``test(v) -> bool`` for a *present* (non-None) actual
# value. Missing values and negative twins are handled once, in the leaf.


def _test_eq(k: str | int | float) -> Callable[[Any], bool]:
    if isinstance(k, str):

        def test(v: Any) -> bool:
            # Fast path. Equivalent to ``_key(v) == k``: a numeric string's key is
            # a number, never equal to a non-numeric str key, and no character
            # outside ASCII casefolds into the digits/sign/dot/e of a number.
            if type(v) is str:
                return v.strip().casefold() == k
            return _key(v) == k

    else:

        def test(v: Any) -> bool:
            t = type(v)
            if t is int or t is float:
                return v == k  # NaN/inf never equal a (finite) tree value
            return _key(v) == k

    return test


def _test_in(keys: frozenset) -> Callable[[Any], bool]:
    def test(v: Any) -> bool:
        if isinstance(v, _SEQ):
            return any(_key(e) in keys for e in v)
        return _key(v) in keys

    return test


def _test_contains(arg: tuple) -> Callable[[Any], bool]:
    needle_key, needle_text = arg
    if isinstance(needle_key, str):

        def test_text(v: Any) -> bool:
            if isinstance(v, _SEQ):
                # Equivalent to ``any(_key(e) == needle_key for e in v)`` (see _test_eq
                # for why a str element's key may be taken as its casefolded text).
                for e in v:
                    if type(e) is str:
                        if e.strip().casefold() == needle_key:
                            return True
                    elif _key(e) == needle_key:
                        return True
                return False
            t = _text(v)
            return t is not None and needle_text in t.casefold()

        return test_text

    def test(v: Any) -> bool:
        if isinstance(v, _SEQ):
            return any(_key(e) == needle_key for e in v)
        t = _text(v)
        return t is not None and needle_text in t.casefold()

    return test


def _test_starts_with(prefix: str) -> Callable[[Any], bool]:
    def test(v: Any) -> bool:
        t = _text(v)
        return t is not None and t.casefold().startswith(prefix)

    return test


def _test_ends_with(suffix: str) -> Callable[[Any], bool]:
    def test(v: Any) -> bool:
        t = _text(v)
        return t is not None and t.casefold().endswith(suffix)

    return test


def _test_gt(x: int | float) -> Callable[[Any], bool]:
    def test(v: Any) -> bool:
        if type(v) is int:
            return v > x
        n = _num(v)
        return n is not None and n > x

    return test


def _test_gte(x: int | float) -> Callable[[Any], bool]:
    def test(v: Any) -> bool:
        if type(v) is int:
            return v >= x
        n = _num(v)
        return n is not None and n >= x

    return test


def _test_lt(x: int | float) -> Callable[[Any], bool]:
    def test(v: Any) -> bool:
        if type(v) is int:
            return v < x
        n = _num(v)
        return n is not None and n < x

    return test


def _test_lte(x: int | float) -> Callable[[Any], bool]:
    def test(v: Any) -> bool:
        if type(v) is int:
            return v <= x
        n = _num(v)
        return n is not None and n <= x

    return test


def _test_between(bounds: tuple) -> Callable[[Any], bool]:
    lo, hi = bounds

    def test(v: Any) -> bool:
        if type(v) is int:
            return lo <= v <= hi
        n = _num(v)
        return n is not None and lo <= n <= hi

    return test


def _test_is_true(_: Any) -> Callable[[Any], bool]:
    def test(v: Any) -> bool:
        return v is True or (isinstance(v, str) and v.strip().casefold() == _TRUE)

    return test


def _test_is_false(_: Any) -> Callable[[Any], bool]:
    def test(v: Any) -> bool:
        return v is False or (isinstance(v, str) and v.strip().casefold() == _FALSE)

    return test


def _test_matches(rx: Any) -> Callable[[Any], bool]:
    def test(v: Any) -> bool:
        t = v.strip() if type(v) is str else _text(v)
        if t is None:
            return False
        try:
            return rx.search(t) is not None
        except Exception:  # noqa: BLE001 - e.g. lone surrogates cannot be UTF-8 encoded for RE2
            return False

    return test


def _test_domain_in(domains: frozenset[str]) -> Callable[[Any], bool]:
    def test(v: Any) -> bool:
        if isinstance(v, str):
            return _domain_match(v, domains)
        if isinstance(v, _SEQ):
            return any(isinstance(e, str) and _domain_match(e, domains) for e in v)
        return False

    return test


_TESTS: dict[str, Callable[[Any], Callable[[Any], bool]]] = {
    "eq": _test_eq,
    "in": _test_in,
    "contains": _test_contains,
    "starts_with": _test_starts_with,
    "ends_with": _test_ends_with,
    "gt": _test_gt,
    "gte": _test_gte,
    "lt": _test_lt,
    "lte": _test_lte,
    "between": _test_between,
    "is_true": _test_is_true,
    "is_false": _test_is_false,
    "matches": _test_matches,
    "domain_in": _test_domain_in,
}


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


# ----------------------------------------------------------------------- compile
#
# compile() turns the normalised tree into the source of ONE Python function
# and compiles that with the built-in compiler, so a predicate call runs the
# whole tree as straight-line bytecode: no call per node, as if written by
# hand. Nothing from the tree is ever pasted into the source as code: field
# parts and values of type str/int/float appear as ``repr`` literals (always a
# valid literal of the same value), and everything else (test functions,
# frozensets, getters) is passed in as a named constant of the function's own
# globals. Per leaf:
#
# * a leaf on a plain "namespace.name" path (nearly all of them) walks the two
#   dicts inline; the namespace dict is fetched once and kept in a local for
#   every later leaf that is sure to run after the one that fetched it;
# * its operator's fast path (an int against gt, a str against eq/in, ...) is
#   inlined; every fast path is exactly the first line of the matching
#   ``_test_*`` function, and any other value goes to that function;
# * other paths (three parts, open prefixes) call the leaf's getter;
# * a negative operator is ``not`` of its positive twin (false on missing, so
#   the negation is true on missing), ``not`` groups are ``not``, and nested
#   groups of the same kind are flattened.
#
# Every sub-expression is a real bool, so ``and``/``or`` chains return one too.

_builtin_compile = builtins.compile  # this module's own ``compile`` shadows the built-in
_EMPTY: dict = {}  # what a non-dict context is read as (never mutated)


def _true(ctx: Any) -> bool:
    return True


def _false(ctx: Any) -> bool:
    return False


def compile(tree: Any) -> Callable[[Any], bool]:  # noqa: A001 - the public name in SPEC 8a
    """Validate ``tree`` and return a predicate ``f(context) -> bool``.

    All parsing happens here: paths are pre-split, values normalised, regexes
    compiled, ``in`` lists turned into frozensets, and the tree is turned into
    one function. The predicate never raises, whatever the context holds (a
    non-dict context has every field missing).
    """
    root = _normalize(tree)
    if isinstance(root, _Group) and not root.children and root.kind != "not":
        return _true if root.kind == "all" else _false  # the fallback, and its mirror
    return _Codegen().build(root)


def _flatten(kind: str, children: tuple) -> list:
    """all(all(a, b), c) == all(a, b, c), and likewise for any; an empty group of
    the same kind is its kind's identity, so it simply disappears."""
    out: list = []
    for c in children:
        if isinstance(c, _Group) and c.kind == kind:
            out.extend(_flatten(kind, c.children))
        else:
            out.append(c)
    return out


_LITERAL_TYPES = (str, int, float)


class _Codegen:
    def __init__(self) -> None:
        # The generated code needs only these built-ins.
        names = {"isinstance": isinstance, "type": type, "dict": dict, "str": str, "int": int}
        self.globals: dict[str, Any] = {"__builtins__": {**names, "bool": bool}}
        self.namespaces: dict[str, str] = {}  # namespace key -> local variable name

    def build(self, root: _Leaf | _Group) -> Callable[[Any], bool]:
        body = self.expr(root, frozenset(), frozenset())[0]
        source = (
            "def predicate(ctx):\n"
            "    if not isinstance(ctx, dict):\n"
            "        ctx = _EMPTY\n"
            f"    return {body}\n"
        )
        self.globals["_EMPTY"] = _EMPTY
        code = _builtin_compile(source, "<routing.conditions>", "exec")
        exec(code, self.globals)  # noqa: S102 - our own source; tree data only as literals/constants
        return self.globals["predicate"]

    def const(self, value: Any) -> str:
        """A name for ``value`` in the function's globals, or its literal."""
        if type(value) in _LITERAL_TYPES:
            return repr(value)
        name = f"_c{len(self.globals)}"
        self.globals[name] = value
        return name

    def expr(self, node: _Leaf | _Group, bound: frozenset, dicts: frozenset) -> tuple:
        """``(source, bound_after, if_true, if_false)`` for ``node``.

        ``bound`` holds the namespaces whose local is certainly assigned before
        ``node`` runs, ``dicts`` those whose local is also known to be a dict.
        ``bound_after`` is ``bound`` plus what ``node`` certainly assigns;
        ``if_true``/``if_false`` are the namespaces known to be dicts once the
        node came out true/false (a positive two-part leaf that is true has
        walked through its namespace, so it was a dict).
        """
        if isinstance(node, _Leaf):
            return self.leaf(node, bound, dicts)
        if node.kind == "not":
            text, after, if_true, if_false = self.expr(node.children[0], bound, dicts)
            return f"(not {text})", after, if_false, if_true
        children = _flatten(node.kind, node.children)
        if not children:
            return ("True" if node.kind == "all" else "False"), bound, frozenset(), frozenset()
        # In ``a and b and c``, c runs only once a and b came out true (for
        # ``or``: false), so what their outcome tells holds inside c.
        is_all = node.kind == "all"
        parts, after_first = [], None
        passed: frozenset = frozenset()  # known from the children passed so far
        stopped: frozenset | None = None  # known when the chain stops early
        for child in children:
            text, bound, if_true, if_false = self.expr(child, bound, dicts | passed)
            parts.append(text)
            if after_first is None:
                after_first = bound  # only the first child is sure to be evaluated
            stop, go = (if_false, if_true) if is_all else (if_true, if_false)
            stop = stop | passed
            stopped = stop if stopped is None else stopped & stop
            passed = passed | go
        joiner = " and " if is_all else " or "
        text = "(" + joiner.join(parts) + ")"
        # all: true when every child passed, false when one stopped it; any: mirrored.
        return (
            (text, after_first, passed, stopped) if is_all else (text, after_first, stopped, passed)
        )

    def leaf(self, leaf: _Leaf, bound: frozenset, dicts: frozenset) -> tuple:
        positive = NEGATIONS.get(leaf.op, leaf.op)
        test = self.const(leaf.test) if leaf.test is not None else None
        if leaf.field.count(".") != 1:
            get = self.const(leaf.get)
            if test is None:
                text = f"({get}(ctx) is not None)"
            else:
                text = f"((v := {get}(ctx)) is not None and {test}(v))"
            none = frozenset()
            return (f"(not {text})" if leaf.negate else text), bound, none, none
        # An open-prefix path has at least two dots, so this is a plain two-step walk.
        a, b = leaf.field.split(".")
        var = self.namespaces.setdefault(a, f"n{len(self.namespaces)}")
        if a in dicts:
            walk = ""
        elif a in bound:
            walk = f"isinstance({var}, dict) and "
        else:
            walk = f"isinstance(({var} := ctx.get({self.const(a)})), dict) and "
        if test is None:  # exists
            text = f"({walk}{var}.get({self.const(b)}) is not None)"
        else:
            fast = _fast_path(positive, leaf.arg, test, self.const)
            text = f"({walk}(v := {var}.get({self.const(b)})) is not None and {fast})"
        # The positive twin is true only after walking through the namespace dict.
        walked, none = frozenset({a}), frozenset()
        if leaf.negate:
            return f"(not {text})", bound | walked, none, walked
        return text, bound | walked, walked, none


def _fast_path(op: str, arg: Any, test: str, const: Callable[[Any], str]) -> str:
    """The expression for a present value ``v``: the operator's fast path for the
    common type, else its test function. Each fast path is exactly the first
    line of the matching ``_test_*`` function."""
    if op == "eq":
        if isinstance(arg, str):
            return f"(v.strip().casefold() == {const(arg)} if type(v) is str else {test}(v))"
        return f"(v == {const(arg)} if type(v) is int else {test}(v))"
    if op == "in" and all(isinstance(k, str) for k in arg):
        # With only text keys, a string's key can be taken as its casefolded text:
        # a numeric string's key is a number and would not be in the set either way.
        return f"(v.strip().casefold() in {const(arg)} if type(v) is str else {test}(v))"
    if op in _COMPARISONS:
        return f"(v {_COMPARISONS[op]} {const(arg)} if type(v) is int else {test}(v))"
    if op == "between":
        lo, hi = arg
        return f"({const(lo)} <= v <= {const(hi)} if type(v) is int else {test}(v))"
    if op == "is_true":
        return f"(v if type(v) is bool else {test}(v))"
    if op == "is_false":
        return f"((not v) if type(v) is bool else {test}(v))"
    if op == "contains":
        needle = const(arg[1])
        return f"({needle} in v.strip().casefold() if type(v) is str else {test}(v))"
    if op in ("starts_with", "ends_with"):
        method = "startswith" if op == "starts_with" else "endswith"
        return f"(v.strip().casefold().{method}({const(arg)}) if type(v) is str else {test}(v))"
    return f"{test}(v)"  # in (mixed keys), matches, domain_in


_COMPARISONS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


# ----------------------------------------------------------------------- explain


@dataclass(frozen=True)
class Explanation:
    """One evaluated node of a condition tree."""

    result: bool

    def to_dict(self) -> dict:  # pragma: no cover - overridden
        raise NotImplementedError


@dataclass(frozen=True)
class LeafExplanation(Explanation):
    field: str
    op: str
    value: Any  # the tree's (normalised) value; None for exists/is_true/...
    actual: Any  # the raw value seen in the context; None when missing
    missing: bool

    def to_dict(self) -> dict:
        return {
            "field": self.field,
            "op": self.op,
            "value": list(self.value) if isinstance(self.value, tuple) else self.value,
            "actual": _jsonable(self.actual, [_JSON_BUDGET], 0),
            "missing": self.missing,
            "result": self.result,
        }


@dataclass(frozen=True)
class GroupExplanation(Explanation):
    group: str  # "all" | "any" | "not"
    children: tuple[Explanation, ...]

    def to_dict(self) -> dict:
        return {
            "group": self.group,
            "result": self.result,
            "children": [c.to_dict() for c in self.children],
        }


def explain(tree: Any, context: Any) -> Explanation:
    """Evaluate every node of ``tree`` on ``context`` (no short-circuit) and return
    the trace. ``explain(t, c).result == compile(t)(c)`` always."""
    return _explain(_normalize(tree), context)


def explainer(tree: Any) -> Callable[[Any], Explanation]:
    """``explain`` with the tree validated and normalised once, for repeated use
    (the engine keeps one per segment of a compiled rule version)."""
    node = _normalize(tree)
    return lambda ctx: _explain(node, ctx)


def _explain(node: _Leaf | _Group, ctx: Any) -> Explanation:
    if isinstance(node, _Leaf):
        v = node.get(ctx)
        missing = v is None
        positive = not missing and (node.test is None or node.test(v))
        result = (not positive) if node.negate else positive
        return LeafExplanation(result, node.field, node.op, node.value, v, missing)
    children = tuple(_explain(c, ctx) for c in node.children)
    if node.kind == "not":
        result = not children[0].result
    elif node.kind == "all":
        result = all(c.result for c in children)
    else:
        result = any(c.result for c in children)
    return GroupExplanation(result, node.kind, children)


# Traces are stored as JSON (Postgres jsonb rejects NaN), so the actual values
# seen are made strictly JSON-safe, with bounds against huge or cyclic values.
_JSON_BUDGET = 2000  # container items rendered per actual value
_TRACE_TEXT = 200  # characters of a string value shown in a trace
_JSON_DEPTH = 20
_MAX_INT_BITS = 1000


def _jsonable(v: Any, budget: list[int], depth: int) -> Any:
    t = type(v)
    if v is None or t is bool:
        return v
    if t is str:
        # Clipped in the trace only (the evaluation saw the whole value): a long value
        # read by several segments would otherwise be copied into the trace each time.
        v = _clip(v, _TRACE_TEXT)
        try:
            v.encode("utf-8")
            return v
        except UnicodeEncodeError:  # lone surrogates
            return v.encode("utf-8", "replace").decode("utf-8")
    if t is int:
        return v if v.bit_length() <= _MAX_INT_BITS else f"<int of {v.bit_length()} bits>"
    if t is float:
        return v if math.isfinite(v) else repr(v)
    p = _plain(v)
    if p is not None:
        return _jsonable(p, budget, depth)
    if isinstance(v, (dict, list, tuple, set, frozenset)):
        if depth >= _JSON_DEPTH or budget[0] <= 0:
            return "…"
        if isinstance(v, dict):
            out = {}
            for k, x in v.items():
                budget[0] -= 1
                if budget[0] < 0:
                    out["…"] = "…"
                    break
                out[_json_key(k)] = _jsonable(x, budget, depth + 1)
            return out
        items = []
        for x in v:
            budget[0] -= 1
            if budget[0] < 0:
                items.append("…")
                break
            items.append(_jsonable(x, budget, depth + 1))
        return items
    try:
        return _clip(str(v), _TRACE_TEXT)
    except Exception:  # noqa: BLE001 - an object whose __str__ fails is still traced
        return f"<{type(v).__name__}>"


def _json_key(k: Any) -> str:
    if isinstance(k, str):
        return _jsonable(k, [0], 0)
    text = _text(k)
    return text if text is not None else f"<{type(k).__name__}>"


# ---------------------------------------------------------------------- describe


def describe(tree: Any) -> str:
    """A readable one-liner, e.g. ``Company employees > 200 AND (Attribution channel
    is one of LinkedIn Ads, G2)``. Raises ``ConditionError`` for an invalid tree."""
    return _describe(_normalize(tree), nested=False)


def describe_explained_leaf(leaf: dict) -> str:
    """The condition of one leaf of an explain() dict in words ('Company employees > 200').

    The one wording of a leaf: the engine's trace lines and the console's
    condition table both use it. A leaf that no longer validates (a trace stored
    before an operator changed) is shown as its raw field and operator.
    """
    tree = {"field": leaf.get("field"), "op": leaf.get("op")}
    if leaf.get("value") is not None:
        tree["value"] = leaf["value"]
    try:
        return describe(tree)
    except ConditionError:
        return f"{leaf.get('field')} {leaf.get('op')}"


_MAX_LISTED = 10


def _describe(node: _Leaf | _Group, nested: bool) -> str:
    if isinstance(node, _Leaf):
        return _describe_leaf(node)
    if node.kind == "not":
        return f"NOT ({_describe(node.children[0], nested=False)})"
    if not node.children:
        return "Everyone" if node.kind == "all" else "Nobody"
    joiner = " AND " if node.kind == "all" else " OR "
    text = joiner.join(_describe(c, nested=True) for c in node.children)
    return f"({text})" if nested else text


def _describe_leaf(leaf: _Leaf) -> str:
    name = catalog.label(leaf.field)
    op_label = catalog.OPERATOR_LABELS[leaf.op]
    op, value = leaf.op, leaf.value
    if op in _NO_VALUE_OPS:
        return f"{name} {op_label}"
    if op == "between":
        return f"{name} {op_label} {_fmt(value[0])} and {_fmt(value[1])}"
    if op == "matches":
        return f"{name} {op_label} /{value}/"
    if op == "domain_in" and name.casefold().endswith("domain"):
        op_label = "is one of or under"  # not "Company domain domain is one of"
    if op in ("in", "not_in", "domain_in"):
        shown = ", ".join(_fmt(x) for x in value[:_MAX_LISTED])
        if len(value) > _MAX_LISTED:
            shown += f" and {len(value) - _MAX_LISTED} more"
        return f"{name} {op_label} {shown}"
    return f"{name} {op_label} {_fmt(value)}"


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return _TRUE if v else _FALSE
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, str):
        return v if v.strip() else repr(v)
    return str(v)


# ------------------------------------------------------------------------ helpers


def fields(tree: Any) -> set[str]:
    """The field paths a (valid) tree reads."""
    return {leaf.field for leaf in _iter_leaves(_normalize(tree))}


def leaves(tree: Any) -> int:
    """How many leaf conditions a (valid) tree has."""
    return sum(1 for _ in _iter_leaves(_normalize(tree)))


def _iter_leaves(node: _Leaf | _Group):
    if isinstance(node, _Leaf):
        yield node
    else:
        for c in node.children:
            yield from _iter_leaves(c)
