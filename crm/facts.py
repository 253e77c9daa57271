"""The CRM fact provider (settings.KNOCK_FACT_PROVIDERS["crm"]), called by
routing.seams.fetch_facts before the routing transaction opens.

The lookup is time-boxed (crm.lookup); a slow or dead CRM yields an error
string for the trace, never an exception, so every lead still gets an owner.
"""

from __future__ import annotations

from routing import cache
from routing.facts import CrmFacts

from .backends.base import CrmError, CrmRecord, website_host
from .lookup import lookup_for_workspace
from .mapping import rep_for_owner


def fetch(workspace, *, email: str, domain: str | None) -> CrmFacts:
    try:
        record = lookup_for_workspace(workspace, email, domain)
    except CrmError as exc:
        reason = "timeout" if exc.code == "timeout" else str(exc)
        return CrmFacts(error=reason)
    owner_rep_id = None
    if record.exists and (record.owner_id or record.owner_email):
        owner_rep_id = owner_rep(workspace, record.owner_id, record.owner_email)
    return facts_from(record, owner_rep_id)


def owner_rep(workspace, owner_id: str | None, owner_email: str | None) -> int | None:
    """The id of the rep a CRM owner maps to (crm.mapping), cached under the workspace's
    routing stamp: mappings and reps are written through actions that replace it."""

    def load():
        rep = rep_for_owner(workspace, owner_id, owner_email)
        return rep.id if rep is not None else None

    return cache.get(workspace, "crm.owner", (owner_id or "", owner_email or ""), load)


def facts_from(record: CrmRecord, owner_rep_id: int | None = None) -> CrmFacts:
    """A CRM answer in routing's terms."""
    namespace = record.as_context()
    if owner_rep_id is not None:  # absent, not None, when the owner is not a rep (missing)
        namespace["owner_rep"] = owner_rep_id
    return CrmFacts(
        namespace=namespace,
        record_type=record.record_type,
        record_id=record.record_id,
        owner_rep_id=owner_rep_id,
        exists=record.exists,
        is_customer=record.is_customer,
        has_open_opportunity=record.has_open_opportunity,
        company=account_company(record),
    )


# The CRM account's company facts (SPEC 3 names), read from the vendors' usual
# account fields: the second source of `company.*`, after the caller's.
ACCOUNT_FIELDS = {
    "name": ("name", "Name"),
    "domain": ("domain", "Website", "website"),
    "industry": ("industry", "Industry"),
    "employees": ("employees", "Employees", "NumberOfEmployees", "numberofemployees"),
    "revenue": ("revenue", "Revenue", "AnnualRevenue", "annualrevenue"),
    "country": ("country", "Country", "BillingCountry"),
    "hq_city": ("hq_city", "city", "City", "BillingCity"),
}


def account_company(record: CrmRecord) -> dict | None:
    if not record.exists:
        return None
    fields = record.fields or {}
    if record.record_type == "account":
        account = fields
    else:  # a person's account, nested as each backend does (local, Salesforce, HubSpot)
        account = next(
            (
                fields[k]
                for k in ("account", "Account", "company")
                if isinstance(fields.get(k), dict)
            ),
            {},
        )
    company = {}
    for ours, names in ACCOUNT_FIELDS.items():
        value = next((account[n] for n in names if account.get(n) not in (None, "")), None)
        if value is None:
            continue
        if ours in ("employees", "revenue"):
            try:
                value = int(float(str(value).replace(",", "")))
            except ValueError:
                continue
        elif ours == "domain":
            value = website_host(str(value))
            if not value:
                continue
        company[ours] = value
    if "name" not in company and record.account_name:
        company["name"] = record.account_name
    return company or None
