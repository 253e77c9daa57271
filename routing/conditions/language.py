"""The condition language's vocabulary and its one error: operators, limits, ``ConditionError``.

Shared by every module of the package; imports nothing of it.
"""

from __future__ import annotations

from typing import Any

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
