"""Describe: a tree in words (``describe``, the one wording of a leaf), and what a tree
reads (``fields``, ``leaves``)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from routing import catalog
from routing.conditions.language import _NO_VALUE_OPS, ConditionError
from routing.conditions.validation import _Group, _Leaf, _normalize
from routing.conditions.values import _FALSE, _TRUE

# ---------------------------------------------------------------------- describe


def describe(tree: Any) -> str:
    """A readable one-liner, e.g. ``Company employees > 200 AND (Attribution channel
    is one of LinkedIn Ads, G2)``. Raises ``ConditionError`` for an invalid tree."""
    return _describe(_normalize(tree), nested=False)


def describe_explained_leaf(leaf: dict) -> str:
    """The condition of one leaf of an explain() dict in words ('Company employees > 200').

    The one wording of a leaf: the engine's trace lines and the console's
    condition table both use it. A leaf that no longer validates (a trace stored
    before an operator changed) is shown as its raw field and operator. Memoised: the
    wording depends on the leaf alone (the catalog is static), and the engine words
    every failed leaf of every segment it tries, on every routing.
    """
    value = leaf.get("value")
    field, op = leaf.get("field"), leaf.get("op")
    if not (isinstance(field, str | None) and isinstance(op, str | None)):
        return _worded(field, op, value)
    frozen = _freeze(value)
    if frozen is None:  # not JSON (a hand-made dict): not memoised
        return _worded(field, op, value)
    return _worded_frozen(field, op, frozen)


_SCALARS = (str, int, float, bool)


def _freeze(value) -> tuple | None:
    """A hashable key that tells apart every JSON value (True from 1, 1 from 1.0):
    scalars and lists of scalars directly (the usual values), others as sorted JSON."""
    t = type(value)
    if value is None or t in _SCALARS:
        return ("v", t.__name__, value)
    if t is list and all(type(v) in _SCALARS for v in value):
        return ("l", tuple((type(v).__name__, v) for v in value))
    try:
        return ("j", json.dumps(value, sort_keys=True))
    except (TypeError, ValueError):
        return None


def _thaw(frozen: tuple):
    if frozen[0] == "v":
        return frozen[2]
    if frozen[0] == "l":
        return [v for _, v in frozen[1]]
    return json.loads(frozen[1])


@lru_cache(maxsize=4096)
def _worded_frozen(field, op, frozen: tuple) -> str:
    return _worded(field, op, _thaw(frozen))


def _worded(field, op, value) -> str:
    tree = {"field": field, "op": op}
    if value is not None:
        tree["value"] = value
    try:
        return describe(tree)
    except ConditionError:
        return f"{field} {op}"


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
