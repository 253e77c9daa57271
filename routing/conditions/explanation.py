"""Explain: every node of a tree evaluated on a context, as a JSON-safe trace."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from routing.conditions.language import _clip
from routing.conditions.validation import _Group, _Leaf, _normalize
from routing.conditions.values import _plain, _text

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


def dict_explainer(tree: Any) -> Callable[[Any], dict]:
    """``explainer`` that returns the trace as ``Explanation.to_dict()`` does, built
    straight as dicts (no Explanation objects in between): what the engine stores for
    every segment it tries, on every routing. ``dict_explainer(t)(c) ==
    explain(t, c).to_dict()`` always."""
    node = _normalize(tree)
    return lambda ctx: _explain_dict(node, ctx)


def _explain_dict(node: _Leaf | _Group, ctx: Any) -> dict:
    if isinstance(node, _Leaf):
        v, missing, result = _leaf(node, ctx)
        value = node.value
        return {
            "field": node.field,
            "op": node.op,
            "value": list(value) if isinstance(value, tuple) else value,
            "actual": _jsonable(v, [_JSON_BUDGET], 0),
            "missing": missing,
            "result": result,
        }
    children = [_explain_dict(c, ctx) for c in node.children]
    result = _group_result(node.kind, [c["result"] for c in children])
    return {"group": node.kind, "result": result, "children": children}


def _leaf(node: _Leaf, ctx: Any) -> tuple[Any, bool, bool]:
    """(the value seen, whether it is missing, the leaf's result): both explainers'."""
    v = node.get(ctx)
    missing = v is None
    positive = not missing and (node.test is None or node.test(v))
    return v, missing, (not positive) if node.negate else positive


def _group_result(kind: str, results: list[bool]) -> bool:
    if kind == "not":
        return not results[0]
    return all(results) if kind == "all" else any(results)


def _explain(node: _Leaf | _Group, ctx: Any) -> Explanation:
    if isinstance(node, _Leaf):
        v, missing, result = _leaf(node, ctx)
        return LeafExplanation(result, node.field, node.op, node.value, v, missing)
    children = tuple(_explain(c, ctx) for c in node.children)
    return GroupExplanation(
        _group_result(node.kind, [c.result for c in children]), node.kind, children
    )


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
