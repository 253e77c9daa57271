"""Marketo: the lead by email, its owner from an owner field (the SFDC-synced
leadOwnerEmail unless configured), lifecycle and status from configured
fields; write-back is `createOrUpdate` on the lead's email (the key Marketo dedupes
leads on), so a lead merged or re-created in Marketo since the lookup still gets the
Knock fields. https://developers.marketo.com/rest-api/lead-database/leads/#create_and_update
"""

from __future__ import annotations

import re

from crm.clients.marketo import MarketoClient

from .base import CrmBackend, CrmError, CrmRecord, FieldValue

LEAD_ID = re.compile(r"^[0-9]{1,18}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")
BASE_FIELDS = ["id", "email", "firstName", "lastName", "company", "title", "updatedAt"]
DEFAULTS = {"owner_field": "leadOwnerEmail", "status_field": "leadStatus", "lifecycle_field": ""}


class MarketoBackend(CrmBackend):
    name = "marketo"
    default_field_names = {
        "rep_owner": "knockRepOwner",
        "responding_rep": "knockRespondingRep",
        "response_time": "knockRepResponseTime",
        "meeting_owner": "knockMeetingOwner",
        "meeting_status": "knockMeetingStatus",
    }

    def __init__(self, crm_settings=None, *, client: MarketoClient | None = None):
        super().__init__(crm_settings)
        credentials = crm_settings.resolved_credentials() if crm_settings is not None else {}
        self.options = {k: credentials.get(k) or v for k, v in DEFAULTS.items()}
        if client is None:
            client = MarketoClient(
                credentials.get("client_id"),
                credentials.get("client_secret"),
                credentials.get("base_url"),
                identity_url=credentials.get("identity_url"),
                timeout=self.lookup_timeout,
            )
        self.client = client

    def lookup(self, email: str, domain: str | None = None) -> CrmRecord:
        self.client.timeout = self.lookup_timeout
        email = (email or "").strip().lower()
        if not email or "," in email:
            # filterValues is a comma-separated list: a (quoted) comma in an address
            # would ask for two other leads. Marketo cannot hold such an address.
            return CrmRecord.not_found(self.name)
        owner_f, status_f, stage_f = (
            self.options["owner_field"],
            self.options["status_field"],
            self.options["lifecycle_field"],
        )
        knock = [n for n in self.field_names().values() if n]
        wanted = list(dict.fromkeys([*BASE_FIELDS, owner_f, status_f, stage_f, *knock]))
        lead = self.client.lead_by_email(email, [f for f in wanted if f])
        if lead is None:
            return CrmRecord.not_found(self.name)
        fields = {k: v for k, v in lead.items() if v not in (None, "")}
        owner_email = str(lead.get(owner_f) or "").strip().lower() or None
        lifecycle = (str(lead.get(stage_f) or "").strip() or None) if stage_f else None
        is_customer = (lifecycle or "").lower() == "customer"
        return CrmRecord(
            exists=True,
            system=self.name,
            record_type="lead",
            record_id=str(lead["id"]),
            owner_email=owner_email if owner_email and "@" in owner_email else None,
            lifecycle_stage=lifecycle.lower() if is_customer else lifecycle,
            status=str(lead.get(status_f) or "").strip() or None,
            fields=fields,
            is_customer=is_customer,
            account_name=str(lead.get("company") or "") or None,
        )

    def write_fields(
        self,
        record_type: str,
        record_id: str,
        values: dict[str, FieldValue],
        *,
        email: str | None = None,
    ) -> None:
        self.check_record_type(record_type)
        if record_type != "lead":
            raise CrmError(
                "Marketo lookups return leads; cannot write to a " + record_type,
                permanent=True,
                code="bad_record_type",
            )
        email = (email or "").strip().lower()
        if email and not EMAIL.match(email):
            raise CrmError(f"{email!r} is not an email address", permanent=True, code="bad_email")
        if not email and not LEAD_ID.match(str(record_id or "")):
            raise CrmError(f"{record_id!r} is not a Marketo lead id", permanent=True, code="bad_id")
        if not values:
            return
        self.client.timeout = self.write_timeout
        # Marketo clears a field given null.
        if email:
            self.client.upsert_lead_by_email(email, dict(values))
        else:
            # A delivery planned before the email was recorded in its target: by id
            # (Marketo allows only updateOnly when the lookup field is id).
            self.client.update_lead(int(record_id), dict(values))
