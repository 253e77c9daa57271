"""The CRM fact provider (settings.KNOCK_FACT_PROVIDERS["crm"]), called by
routing.seams.fetch_facts before the routing transaction opens.

The lookup is time-boxed (crm.lookup); a slow or dead CRM yields an error
string for the trace, never an exception, so every lead still gets an owner.
"""

from __future__ import annotations

from routing.facts import CrmFacts

from .backends.base import CrmError, CrmRecord
from .lookup import lookup_for_workspace
from .mapping import rep_for_owner


def fetch(workspace, *, email: str, domain: str | None) -> CrmFacts:
    try:
        record = lookup_for_workspace(workspace, email, domain)
    except CrmError as exc:
        reason = "timeout" if exc.code == "timeout" else str(exc)
        return CrmFacts(error=reason)
    owner = None
    if record.exists and (record.owner_id or record.owner_email):
        owner = rep_for_owner(workspace, record.owner_id, record.owner_email)
    return facts_from(record, owner.id if owner is not None else None)


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
    )
