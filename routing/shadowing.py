"""Which segments can never match because an earlier one catches their leads (pure).

Segment B is shadowed by an earlier segment A when every lead matching B also
matches A. We detect the cases that can be proven by syntax alone: A has no
conditions, or A's conditions are a subset of B's top-level AND-ed conditions.
(A may still let B's leads through when A's assignee is unavailable, e.g. a
pool with nobody at work; the warning says "usually".)
"""

from __future__ import annotations

import json


def _conjuncts(tree) -> frozenset[str] | None:
    """The set of AND-ed parts of a tree, canonicalised; None if it is not a conjunction."""
    if not isinstance(tree, dict):
        return None
    if set(tree) == {"all"} and isinstance(tree["all"], list):
        parts: set[str] = set()
        for child in tree["all"]:
            sub = _conjuncts(child)
            if sub is None:
                parts.add(json.dumps(child, sort_keys=True))
            else:
                parts |= sub
        return frozenset(parts)
    return frozenset({json.dumps(tree, sort_keys=True)})


def shadowed(segments: list[tuple[int, str, dict]]) -> dict[int, str]:
    """{segment id: name of the earlier segment that catches every lead it would}.

    `segments` are (id, name, conditions) in rule order, fallback excluded.
    """
    result: dict[int, str] = {}
    earlier: list[tuple[str, frozenset[str]]] = []
    for seg_id, name, tree in segments:
        mine = _conjuncts(tree)
        if mine is not None:
            for other_name, theirs in earlier:
                if theirs <= mine:
                    result[seg_id] = other_name
                    break
        if mine is not None:
            earlier.append((name, mine))
    return result
