"""The benchmark rule's hand-written twins: ten representative segments of
``bench/rule50.json`` plus the fallback, in plain Python (see ``bench/rule50.py``).

``TWINS`` maps a segment's name to its twin; ``rule50.TWIN_SEGMENTS`` and
``rule50.HAND_WRITTEN`` are the two sides ``conditions_bench`` compares.
"""

from __future__ import annotations

import re

# --------------------------------------------------------- a representative ten, by hand
#
# One function per segment, written for speed: each field is read once, strings
# are trimmed and casefolded inline (as the language's contract says), and the
# tests are ordered as in the tree. Contexts built by Knock always hold the lead,
# company, session, attribution, intent, signals and custom namespaces (possibly
# empty); crm may be absent. Together the ten use every operator:
#
#   Job seekers                  any, eq, ends_with, not(in), lte
#   Strategic accounts           domain_in, in, gte
#   CRM opportunities            is_true, eq, ends_with (crm may be absent)
#   Fintech mid-market           eq, between, any(in, eq)
#   Healthcare compliance        eq, any(contains, matches)
#   Salesforce shops, mid-market contains (a list), between, gt
#   HubSpot SMB buyers           contains, lt, not_contains, eq (five leaves)
#   Summit leads                 eq, starts_with, neq
#   Owned MQLs and SQLs          in, exists, not(domain_in), not_in
#   Unknown company, engaged     not_exists, between, is_false


def _under(text, domains: frozenset) -> bool:
    """``domain_in``: the text after the last @ is one of, or under one of, ``domains``."""
    if text is None:
        return False
    d = text[text.rfind("@") + 1 :].strip().casefold().rstrip(".")
    if d in domains:
        return True
    i = d.find(".")
    while i != -1:
        if d[i + 1 :] in domains:
            return True
        i = d.find(".", i + 1)
    return False


def _has(items, value: str) -> bool:
    """``contains`` on a list of strings."""
    if items is None:
        return False
    for e in items:  # noqa: SIM110 - a plain loop: no generator per call
        if e.strip().casefold() == value:
            return True
    return False


_STRATEGIC = frozenset({"acme.com", "globex.io", "initech.com"})
_PARTNER = frozenset({"partner.example"})
_RX_COMPLIANCE = re.compile("(compliance|security|ciso)", re.IGNORECASE)


def job_seekers(c):
    v = c["intent"].get("type")
    if v is not None and v.strip().casefold() == "job_seeker":
        return True
    s = c["session"]
    v = s.get("page_url")
    if v is None or not v.strip().casefold().endswith("/careers"):
        return False
    v = c["lead"].get("title")
    if v is not None and v.strip().casefold() in {"vp sales", "cto", "ceo", "founder"}:
        return False
    v = s.get("pages_viewed")
    return v is not None and v <= 3


def strategic_accounts(c):
    if not _under(c["lead"].get("email"), _STRATEGIC):
        return False
    v = c["intent"].get("score")
    if v is None or v.strip().casefold() not in {"high", "medium"}:
        return False
    v = c["company"].get("employees")
    return v is not None and v >= 1000


def crm_opportunities(c):
    crm = c.get("crm")
    if crm is None or crm.get("exists") is not True:
        return False
    v = crm.get("lifecycle_stage")
    if v is None or v.strip().casefold() != "opportunity":
        return False
    v = crm.get("owner_email")
    return v is not None and v.strip().casefold().endswith("@knock.app")


def fintech_mid_market(c):
    co = c["company"]
    v = co.get("industry")
    if v is None or v.strip().casefold() != "fintech":
        return False
    v = co.get("employees")
    if v is None or not 200 <= v <= 4999:
        return False
    v = c["attribution"].get("channel")
    if v is not None and v.strip().casefold() in {"linkedin ads", "g2"}:
        return True
    v = c["intent"].get("score")
    return v is not None and v.strip().casefold() == "high"


def healthcare_compliance(c):
    v = c["company"].get("industry")
    if v is None or v.strip().casefold() != "healthcare":
        return False
    v = c["session"].get("page_url")
    if v is not None and "/security" in v.strip().casefold():
        return True
    v = c["lead"].get("title")
    return v is not None and _RX_COMPLIANCE.search(v.strip()) is not None


def salesforce_shops(c):
    co = c["company"]
    if not _has(co.get("tech"), "salesforce"):
        return False
    v = co.get("employees")
    if v is None or not 500 <= v <= 4999:
        return False
    v = co.get("revenue")
    return v is not None and v > 100_000_000


def hubspot_smb_buyers(c):
    co = c["company"]
    tech = co.get("tech")
    if not _has(tech, "hubspot"):
        return False
    v = co.get("employees")
    if v is None or v >= 200 or _has(tech, "salesforce"):
        return False
    i = c["intent"]
    v = i.get("type")
    if v is None or v.strip().casefold() != "buying":
        return False
    v = i.get("score")
    return v is not None and v.strip().casefold() == "high"


def summit_leads(c):
    a = c["attribution"]
    v = a.get("channel")
    if v is None or v.strip().casefold() != "event":
        return False
    v = a.get("campaign")
    if v is None or not v.strip().casefold().startswith("summit-"):
        return False
    v = c["intent"].get("score")
    return v is None or v.strip().casefold() != "low"


def owned_mqls_and_sqls(c):
    crm = c.get("crm")
    if crm is None:
        return False
    v = crm.get("lifecycle_stage")
    if v is None or v.strip().casefold() not in {"mql", "sql"}:
        return False
    v = crm.get("owner_email")
    if v is None or _under(v, _PARTNER):
        return False
    v = c["intent"].get("type")
    return v is None or v.strip().casefold() not in {"job_seeker", "support"}


def unknown_company_engaged(c):
    if c["company"].get("name") is not None:
        return False
    v = c["signals"].get("engagement_score")
    if v is None or not 80 <= v <= 100:
        return False
    return c["lead"].get("is_personal_email") is False


def fallback(c):
    return True


# Segment name -> its hand-written twin, in the rule's order (rule50 checks it).
TWINS = {
    "Job seekers": job_seekers,
    "Strategic accounts": strategic_accounts,
    "CRM opportunities": crm_opportunities,
    "Fintech mid-market": fintech_mid_market,
    "Healthcare compliance": healthcare_compliance,
    "Salesforce shops, mid-market": salesforce_shops,
    "HubSpot SMB buyers": hubspot_smb_buyers,
    "Summit leads": summit_leads,
    "Owned MQLs and SQLs": owned_mqls_and_sqls,
    "Unknown company, engaged": unknown_company_engaged,
    "Fallback": fallback,
}
