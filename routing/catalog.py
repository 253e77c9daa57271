"""The routing-context field catalog (SPEC section 3).

Pure data and a few lookups: no Django, no I/O. The condition builder in the UI
offers exactly these fields, with their types; ``routing.conditions`` uses the
namespaces to validate paths and the labels to describe trees in plain words.

Fields that are not listed here but live under a known namespace are still
valid in conditions (enrichment adds fields over time); only the two *open*
prefixes, ``crm.fields.`` and ``custom.``, get synthesized catalog entries.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

__all__ = [
    "FIELDS",
    "NAMESPACES",
    "OPEN_PREFIXES",
    "OPERATORS_BY_TYPE",
    "OPERATOR_LABELS",
    "TYPES",
    "Field",
    "field_info",
    "is_known",
    "label",
    "nearest",
    "operators_for",
]

TYPES = ("string", "int", "bool", "list", "email", "choice")

NAMESPACES = (
    "lead",
    "company",
    "session",
    "attribution",
    "intent",
    "crm",
    "signals",
    "link",
    "custom",
)

# Prefixes under which any further name is accepted (a CRM's own fields, the
# workspace's qualification fields). The remainder may itself contain dots.
OPEN_PREFIXES = ("crm.fields.", "custom.")


@dataclass(frozen=True)
class Field:
    path: str
    label: str
    type: str
    choices: tuple[str, ...] = ()
    help: str = ""


def _f(path: str, label: str, type: str = "string", choices=(), help: str = "") -> Field:
    return Field(path=path, label=label, type=type, choices=tuple(choices), help=help)


_CATALOG = (
    # lead: from the request
    _f("lead.email", "Lead email", "email"),
    _f("lead.name", "Lead name"),
    _f("lead.domain", "Lead domain", help="The domain of the lead's email address."),
    _f(
        "lead.is_personal_email",
        "Lead personal email",
        "bool",
        help="True for free-mail addresses (gmail.com, outlook.com, ...).",
    ),
    _f("lead.country", "Lead country"),
    _f("lead.title", "Lead job title"),
    # company: real-time enrichment
    _f("company.name", "Company name"),
    _f("company.domain", "Company domain"),
    _f("company.industry", "Company industry"),
    _f("company.employees", "Company employees", "int"),
    _f("company.revenue", "Company revenue", "int", help="Annual revenue."),
    _f("company.country", "Company country"),
    _f("company.hq_city", "Company HQ city"),
    _f("company.tech", "Company tech stack", "list", help="Technologies the company uses."),
    # session: from the request
    _f("session.device", "Session device", "choice", ("desktop", "mobile", "tablet")),
    _f("session.country", "Session country"),
    _f("session.city", "Session city"),
    _f("session.page_url", "Session page URL"),
    _f("session.referrer", "Session referrer"),
    _f("session.pages_viewed", "Session pages viewed", "int"),
    _f("session.time_on_site", "Session time on site", "int", help="In seconds."),
    _f("session.is_returning", "Session returning visitor", "bool"),
    # attribution: first touch (SPEC section 6)
    _f("attribution.source", "Attribution source"),
    _f("attribution.medium", "Attribution medium"),
    _f("attribution.campaign", "Attribution campaign"),
    _f("attribution.term", "Attribution term"),
    _f("attribution.content", "Attribution content"),
    _f("attribution.channel", "Attribution channel"),
    _f("attribution.referrer_domain", "Attribution referrer domain"),
    # intent: detected from the first message and session
    _f(
        "intent.type",
        "Intent type",
        "choice",
        ("buying", "partnership", "support", "job_seeker", "unknown"),
    ),
    _f("intent.score", "Intent score", "choice", ("high", "medium", "low")),
    # crm: CRM lookup
    _f("crm.exists", "CRM record exists", "bool"),
    _f("crm.system", "CRM system", "choice", ("salesforce", "hubspot", "marketo", "local")),
    _f("crm.record_type", "CRM record type", "choice", ("lead", "contact", "account")),
    _f("crm.owner_email", "CRM owner email", "email"),
    _f("crm.owner_rep", "CRM owner rep", "int", help="The rep id of the CRM owner, if any."),
    _f("crm.lifecycle_stage", "CRM lifecycle stage"),
    _f("crm.status", "CRM status"),
    # signals: computed (SPEC section 6)
    _f(
        "signals.funnel_stage",
        "Funnel stage",
        "choice",
        ("first_seen", "existing", "opportunity", "customer"),
    ),
    _f("signals.crm_status", "CRM match", "choice", ("exists", "not_found")),
    _f("signals.engagement_score", "Engagement score", "int", help="0 to 100."),
    # link: the Knock Link the lead came through
    _f("link.slug", "Knock Link slug"),
    _f("link.channel", "Knock Link channel"),
    _f("link.name", "Knock Link name"),
)

FIELDS: dict[str, Field] = {f.path: f for f in _CATALOG}

_COMMON = ("exists", "not_exists")
_TEXT = ("eq", "neq", "in", "not_in", "contains", "not_contains", "starts_with", "ends_with")

# Which operators the condition builder offers for each field type. The
# language itself does not enforce these (a value's runtime type wins), they
# keep the UI's menus short and sensible.
OPERATORS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "string": (*_TEXT, "matches", *_COMMON),
    "email": (*_TEXT, "domain_in", "matches", *_COMMON),
    "int": ("eq", "neq", "gt", "gte", "lt", "lte", "between", "in", "not_in", *_COMMON),
    "bool": ("is_true", "is_false", *_COMMON),
    "list": ("contains", "not_contains", "in", "not_in", *_COMMON),
    "choice": ("eq", "neq", "in", "not_in", *_COMMON),
}

OPERATOR_LABELS: dict[str, str] = {
    "eq": "is",
    "neq": "is not",
    "in": "is one of",
    "not_in": "is not one of",
    "contains": "contains",
    "not_contains": "does not contain",
    "starts_with": "starts with",
    "ends_with": "ends with",
    "gt": ">",
    "gte": ">=",
    "lt": "<",
    "lte": "<=",
    "between": "is between",
    "exists": "is known",
    "not_exists": "is unknown",
    "is_true": "is true",
    "is_false": "is false",
    "matches": "matches",
    "domain_in": "domain is one of",
}


def _open_remainder(path: str) -> tuple[str, str] | None:
    """(prefix, remainder) when ``path`` is under an open prefix with a non-empty name."""
    for prefix in OPEN_PREFIXES:
        if path.startswith(prefix) and len(path) > len(prefix):
            return prefix, path[len(prefix) :]
    return None


def field_info(path: str) -> Field:
    """The catalog entry for ``path``.

    Paths under ``crm.fields.`` / ``custom.`` get a synthesized string field
    (their type is unknown until a value arrives). Anything else that is not in
    the catalog raises ``KeyError``.
    """
    if not isinstance(path, str):
        raise KeyError(path)
    if path in FIELDS:
        return FIELDS[path]
    open_ = _open_remainder(path)
    if open_ is None:
        raise KeyError(path)
    prefix, name = open_
    text = f"CRM field: {name}" if prefix == "crm.fields." else f"Custom: {name}"
    return Field(path=path, label=text, type="string")


def is_known(path) -> bool:
    """True for a catalog field or a named field under an open prefix."""
    try:
        field_info(path)
    except KeyError:
        return False
    return True


def nearest(path: str) -> str | None:
    """The catalog field closest to a mistyped ``path`` ("company.employes" ->
    "company.employees"), or None when nothing is close."""
    if not isinstance(path, str):
        return None
    matches = difflib.get_close_matches(path.lower(), FIELDS, n=1, cutoff=0.6)
    return matches[0] if matches else None


def label(path: str) -> str:
    """A human label for ``path``; never raises, falls back to the path itself."""
    try:
        return field_info(path).label
    except KeyError:
        return path if isinstance(path, str) else f"<{type(path).__name__}>"


def operators_for(path: str) -> tuple[str, ...]:
    """The operators the condition builder offers for ``path``.

    Like ``OPERATORS_BY_TYPE[type]``, plus ``domain_in`` for string fields that
    hold a domain (``lead.domain``, ``company.domain``, ...), since "is one of
    these domains or their subdomains" is what ops people ask of them.
    """
    try:
        info = field_info(path)
    except KeyError:
        return OPERATORS_BY_TYPE["string"]
    ops = OPERATORS_BY_TYPE[info.type]
    if info.type == "string" and info.path.endswith("domain") and "domain_in" not in ops:
        ops = (*ops[:-2], "domain_in", *ops[-2:])
    return ops
