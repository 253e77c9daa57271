"""The condition language (SPEC sections 4 and 8a): validate, compile, explain, describe.

Pure Python: no Django, no I/O. A condition is a JSON tree::

    {"all": [...]} | {"any": [...]} | {"not": node}
    | {"field": "company.employees", "op": "gt", "value": 200}

and a context is a plain nested dict of the namespaces in ``routing.catalog``.

The package, one module per concern (this module is its public API: import from
``routing.conditions``, not from the modules):

* ``language``: operators, negations, limits and ``ConditionError``;
* ``values``: how an actual value is normalised and read, field access;
* ``operators``: the per-operator tests shared by ``compile`` and ``explain``;
* ``validation``: ``validate``/``normalize``, the tree of checked leaves and groups;
* ``compiler``: ``compile``, the tree as one generated Python function;
* ``explanation``: ``explain``/``explainer`` and their JSON-safe trace
  (``dict_explainer``: the same trace built as dicts, for the engine);
* ``description``: ``describe``, ``describe_explained_leaf``, ``fields``, ``leaves``.

Semantics, precisely (``compile`` and ``explain`` share the per-operator test
functions of ``operators``; compile's fused fast paths only inline their first
line, and the property tests check ``compile(t)(c) == explain(t, c).result``):

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

from routing.conditions.compiler import compile
from routing.conditions.description import describe, describe_explained_leaf, fields, leaves
from routing.conditions.explanation import (
    Explanation,
    GroupExplanation,
    LeafExplanation,
    dict_explainer,
    explain,
    explainer,
)
from routing.conditions.language import (
    MAX_DEPTH,
    MAX_FIELD_LENGTH,
    MAX_LEAVES,
    MAX_LIST_ITEMS,
    MAX_NUMBER,
    MAX_PATTERN_LENGTH,
    NEGATIONS,
    OPERATORS,
    ConditionError,
)
from routing.conditions.validation import normalize, validate

__all__ = [
    "MAX_DEPTH",
    "MAX_FIELD_LENGTH",
    "MAX_LEAVES",
    "MAX_LIST_ITEMS",
    "MAX_NUMBER",
    "MAX_PATTERN_LENGTH",
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
    "dict_explainer",
    "explainer",
    "fields",
    "leaves",
    "normalize",
    "validate",
]
