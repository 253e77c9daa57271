"""The compiler: a normalised tree becomes one Python function (``compile``)."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from routing.conditions.language import NEGATIONS
from routing.conditions.validation import _Group, _Leaf, _normalize

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
