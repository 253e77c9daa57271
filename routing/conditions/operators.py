"""The per-operator tests: one factory per positive operator, returning ``test(v) -> bool``.

``compile`` (its fused fast paths inline only the first line of each) and ``explain``
both use these, which is why ``compile(t)(c) == explain(t, c).result``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from routing.conditions.language import _SEQ
from routing.conditions.values import _FALSE, _TRUE, _domain_match, _key, _num, _text

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
