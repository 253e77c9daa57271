"""The CRM's answer for one lead, fetched before the routing transaction opens.

The lookup is time-boxed (crm.lookup); a slow or dead CRM yields an error
string for the trace, never an exception, so every lead still gets an owner.
"""

from __future__ import annotations

from dataclasses import dataclass

from crm.backends.base import CrmError, CrmRecord
from crm.lookup import lookup_for_workspace
from crm.mapping import rep_for_owner


@dataclass(frozen=True)
class CrmFacts:
    record: CrmRecord | None
    owner_rep_id: int | None = None
    error: str | None = None

    def namespace(self) -> dict:
        data = self.record.as_context()
        data["owner_rep"] = self.owner_rep_id  # None: the owner is not a rep (missing)
        if data["owner_rep"] is None:
            del data["owner_rep"]
        return data


def fetch(workspace, email: str, domain: str | None) -> CrmFacts:
    try:
        record = lookup_for_workspace(workspace, email, domain)
    except CrmError as exc:
        reason = "timeout" if exc.code == "timeout" else str(exc)
        return CrmFacts(record=None, error=reason)
    owner = None
    if record.exists and (record.owner_id or record.owner_email):
        owner = rep_for_owner(workspace, record.owner_id, record.owner_email)
    return CrmFacts(record=record, owner_rep_id=owner.id if owner is not None else None)
