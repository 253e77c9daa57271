"""The benchmark rule in the peers' own languages: ``rule-engine`` and JsonLogic.

Each Knock condition tree is translated, once and outside any timing, into
what a user of that engine would write for the same rule:

* **rule-engine** (``rule_engine.Rule``): ``ns&['field']`` reads a field (the
  safe-navigation form gives ``null`` for a missing field or namespace, with
  ``Context(default_value=None)`` for a missing top-level symbol); operators
  that raise on ``null`` (``>``, ``in`` on a missing list, ``ends_with``, ...)
  are guarded with ``!= null``; ``matches`` is ``=~~`` (a regex search) and
  ``domain_in`` an anchored ``=~`` regex.
* **JsonLogic** (``panzi-json-logic``): ``{"var": "ns.field"}``; ``in`` for
  lists and substrings; ``substr`` for prefixes and suffixes; ``domain_in`` as
  ``or`` of equality and suffix tests; a numeric comparison is guarded with
  ``!== null`` only where JsonLogic's null-as-0 would make it true on a
  missing field. JsonLogic has no regular expressions, so ``matches`` is a
  custom operation (JsonLogic's extension mechanism) doing a case-insensitive
  ``re.search``.

Neither peer can compare strings case-insensitively without extra operations,
so the benchmark's contexts are canonical (lower case, trimmed); on them the
translations give exactly Knock's answers, which ``conditions_bench`` checks
for every context before it times anything.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from routing.conditions import NEGATIONS

# ------------------------------------------------------------------ rule-engine


def _re_str(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _re_lit(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _re_str(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_re_lit(v) for v in value) + "]"
    raise TypeError(value)


def _domain_regex(domains: list[str]) -> str:
    """The text after the last ``@`` is one of ``domains`` or a subdomain of one."""
    alternatives = "|".join(re.escape(d) for d in domains)
    return rf"(?:.*@)?(?:[^@]*\.)?(?:{alternatives})\Z"


def to_rule_engine(tree: dict) -> str:
    """The rule-engine expression for a Knock condition tree."""
    if "all" in tree:
        parts = [to_rule_engine(c) for c in tree["all"]]
        return "(" + " and ".join(parts) + ")" if parts else "true"
    if "any" in tree:
        parts = [to_rule_engine(c) for c in tree["any"]]
        return "(" + " or ".join(parts) + ")" if parts else "false"
    if "not" in tree:
        return f"(not {to_rule_engine(tree['not'])})"
    op = tree["op"]
    positive = NEGATIONS.get(op, op)
    text = _re_leaf(tree["field"], positive, tree.get("value"))
    return f"(not {text})" if positive != op else text


def _re_leaf(field: str, op: str, value: Any) -> str:
    ns, name = field.split(".", 1)
    x = f"{ns}&[{_re_str(name)}]"  # null when the namespace or the field is missing
    y = f"{ns}[{_re_str(name)}]"  # the same, once known to be present
    if op == "exists":
        return f"({x} != null)"
    if op == "is_true":
        return f"({x} == true)"
    if op == "is_false":
        return f"({x} == false)"
    if op == "eq":
        return f"({x} == {_re_lit(value)})"
    if op == "in":
        return f"({x} in {_re_lit(value)})"
    if op == "contains":
        return f"({x} != null and {_re_lit(value)} in {y})"
    if op == "starts_with":
        return f"({x} != null and {y}.starts_with({_re_lit(value)}))"
    if op == "ends_with":
        return f"({x} != null and {y}.ends_with({_re_lit(value)}))"
    if op in ("gt", "gte", "lt", "lte"):
        sign = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
        return f"({x} != null and {y} {sign} {_re_lit(value)})"
    if op == "between":
        lo, hi = value
        return f"({x} != null and {y} >= {_re_lit(lo)} and {y} <= {_re_lit(hi)})"
    if op == "matches":
        return f"({x} =~~ {_re_str('(?i)' + value)})"
    if op == "domain_in":
        return f"({x} =~ {_re_str(_domain_regex(value))})"
    raise ValueError(op)


def rule_engine_predicates(trees: list[dict]) -> list:
    """One ``Rule.matches`` per segment."""
    import rule_engine

    context = rule_engine.Context(default_value=None)
    return [rule_engine.Rule(to_rule_engine(t), context=context).matches for t in trees]


# -------------------------------------------------------------------- JsonLogic


@functools.lru_cache(maxsize=256)
def _rx(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


def _op_matches(data=None, value=None, pattern=None, *_ignored) -> bool:
    return isinstance(value, str) and _rx(pattern).search(value) is not None


def _null_is_true(op: str, value: Any) -> bool:
    """Whether JsonLogic's comparison would be true for a missing field (null is 0)."""
    if op == "between":
        lo, hi = value
        return lo <= 0 <= hi
    return {"gt": value < 0, "gte": value <= 0, "lt": value > 0, "lte": value >= 0}[op]


def to_json_logic(tree: dict) -> Any:
    """The JsonLogic expression for a Knock condition tree."""
    if "all" in tree:
        parts = [to_json_logic(c) for c in tree["all"]]
        return {"and": parts} if parts else True
    if "any" in tree:
        parts = [to_json_logic(c) for c in tree["any"]]
        return {"or": parts} if parts else False
    if "not" in tree:
        return {"!": [to_json_logic(tree["not"])]}
    op = tree["op"]
    positive = NEGATIONS.get(op, op)
    logic = _jl_leaf(tree["field"], positive, tree.get("value"))
    return {"!": [logic]} if positive != op else logic


def _jl_leaf(field: str, op: str, value: Any) -> Any:
    x = {"var": field}
    if op == "exists":
        return {"!==": [x, None]}
    if op == "is_true":
        return {"===": [x, True]}
    if op == "is_false":
        return {"===": [x, False]}
    if op == "eq":
        return {"===": [x, value]}
    if op == "in":
        return {"in": [x, list(value)]}
    if op == "contains":
        return {"in": [value, x]}
    if op == "starts_with":
        return {"===": [{"substr": [x, 0, len(value)]}, value]}
    if op == "ends_with":
        return {"===": [{"substr": [x, -len(value)]}, value]}
    if op in ("gt", "gte", "lt", "lte", "between"):
        if op == "between":
            compare = {"<=": [value[0], x, value[1]]}
        else:
            compare = {{"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]: [x, value]}
        if _null_is_true(op, value):
            return {"and": [{"!==": [x, None]}, compare]}
        return compare
    if op == "matches":
        return {"matches": [x, value]}
    if op == "domain_in":
        tests = []
        for d in value:
            tests.append({"===": [x, d]})
            for suffix in ("@" + d, "." + d):
                tests.append({"===": [{"substr": [x, -len(suffix)]}, suffix]})
        return {"or": tests}
    raise ValueError(op)


def json_logic_predicates(trees: list[dict]) -> list:
    """One ``jsonLogic(logic, data)`` per segment, with the ``matches`` operation added."""
    from json_logic import jsonLogic
    from json_logic.builtins import BUILTINS

    operations = {**BUILTINS, "matches": _op_matches}
    return [functools.partial(jsonLogic, to_json_logic(t), operations=operations) for t in trees]
