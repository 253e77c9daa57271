"""A condition error in the page's words: the node named by its catalog labels.

The actions speak the API's notation ("all[0] (company.employees gt): value must
be a number"); the console shows the same refusal as "The condition “Company
employees >”: value must be a number", once, beside the highlighted node.
"""

from __future__ import annotations

import re

from routing import catalog

_STEP = re.compile(r"^(all|any)\[(\d+)\]$")
_GROUPS = {"all": "“all of”", "any": "“any of”", "not": "“not”"}


def _node_at(tree, path: str):
    node = tree
    for step in path.split(".") if path else []:
        match = _STEP.match(step)
        try:
            node = node["not"] if step == "not" else node[match[1]][int(match[2])]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _subject(node) -> str:
    if isinstance(node, dict) and "field" in node:
        field, op = node.get("field"), node.get("op")
        words = " ".join(
            x for x in (catalog.label(field), catalog.OPERATOR_LABELS.get(op, op)) if x
        )
        return f"The condition “{words}”"
    if isinstance(node, dict):
        kind = next((k for k in ("all", "any", "not") if k in node), None)
        if kind:
            return f"The {_GROUPS[kind]} group"
    return "The condition"


def _bare(message: str, path: str) -> str:
    """The message without its 'all[0] (field op): ' prefix."""
    where = path or "root"
    if not message.startswith(where):
        return message
    rest = message[len(where) :]
    if rest.startswith(" ("):
        end = rest.find("): ")
        return rest[end + 3 :] if end != -1 else message
    return rest[2:] if rest.startswith(": ") else message


def in_words(tree, path: str, message: str) -> str:
    if not path and not (isinstance(tree, dict) and "field" in tree):
        return f"The conditions: {_bare(message, path)}"
    node = _node_at(tree, path)
    rest = _bare(message, path)
    field = node.get("field") if isinstance(node, dict) else None
    if isinstance(field, str) and rest.startswith(f"{field}: unknown field"):
        guess = catalog.nearest(field)
        hint = f"did you mean {catalog.label(guess)}?" if guess else "pick one from the list."
        return f"{_subject(node)}: “{field}” is not a field we know; {hint}"
    return f"{_subject(node)}: {rest}"
