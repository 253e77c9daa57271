"""HubSpot: contact by email (search API), company by the contact's primary
company or by domain, the company's (else the contact's) deals, owners."""

from __future__ import annotations

import re

from crm.clients.hubspot import HubSpotClient

from .base import OWNER_EMAILS, CrmBackend, CrmError, CrmRecord, FieldValue

OBJECT_TYPES = {"contact": "contacts", "account": "companies"}
OBJECT_ID = re.compile(r"^[0-9]{1,20}$")

CONTACT_PROPERTIES = [
    "email",
    "firstname",
    "lastname",
    "company",
    "jobtitle",
    "lifecyclestage",
    "hs_lead_status",
    "hubspot_owner_id",
    "associatedcompanyid",
]
COMPANY_PROPERTIES = [
    "name",
    "domain",
    "industry",
    "lifecyclestage",
    "hs_lead_status",
    "hubspot_owner_id",
]
DEAL_PROPERTIES = [
    "dealname",
    "dealstage",
    "pipeline",
    "amount",
    "closedate",
    "hubspot_owner_id",
    "hs_is_closed",
    "hs_is_closed_won",
]


class HubSpotBackend(CrmBackend):
    name = "hubspot"
    default_field_names = {
        "rep_owner": "knock_rep_owner",
        "responding_rep": "knock_responding_rep",
        "response_time": "knock_rep_response_time",
        "meeting_owner": "knock_meeting_owner",
        "meeting_status": "knock_meeting_status",
    }

    def __init__(self, crm_settings=None, *, client: HubSpotClient | None = None):
        super().__init__(crm_settings)
        if client is None:
            credentials = crm_settings.resolved_credentials() if crm_settings is not None else {}
            client = HubSpotClient(credentials.get("access_token"), timeout=self.lookup_timeout)
        self.client = client

    # -- lookup --------------------------------------------------------------------

    def lookup(self, email: str, domain: str | None = None) -> CrmRecord:
        self.client.timeout = self.lookup_timeout
        email = (email or "").strip().lower()
        # The Knock fields are shown with the record, so ask for them too.
        knock = [n for n in self.field_names().values() if n]
        contact = (
            self.client.search("contacts", "email", email, CONTACT_PROPERTIES + knock)
            if email
            else None
        )

        company = None
        contact_props = (contact or {}).get("properties") or {}
        company_id = contact_props.get("associatedcompanyid")
        if company_id:
            company = self.client.get(
                "companies", company_id, COMPANY_PROPERTIES + knock, associations=["deals"]
            )
        elif contact is None and domain:
            found = self.client.search(
                "companies", "domain", domain.strip().lower(), COMPANY_PROPERTIES
            )
            if found is not None:
                company = self.client.get(
                    "companies", found["id"], COMPANY_PROPERTIES + knock, associations=["deals"]
                )
        if contact is None and company is None:
            return CrmRecord.not_found(self.name)

        if company is not None:
            deal_ids = _associated_ids(company, "deals")
        else:  # a contact with no company may still have deals of its own
            with_deals = self.client.get(
                "contacts", contact["id"], ["email"], associations=["deals"]
            )
            deal_ids = _associated_ids(with_deals or {}, "deals")
        deals = self.client.batch_read("deals", deal_ids, DEAL_PROPERTIES)
        has_open = any(not _deal_closed(d) for d in deals)
        has_won = any(_deal_won(d) for d in deals)

        company_props = (company or {}).get("properties") or {}
        stages = [
            (p.get("lifecyclestage") or "").lower()
            for p in (contact_props, company_props)
            if p.get("lifecyclestage")
        ]
        is_customer = has_won or "customer" in stages
        lifecycle = "customer" if is_customer else (stages[0] if stages else None)

        main, main_props = (contact, contact_props) if contact else (company, company_props)
        fields = _present(main_props)
        if company is not None and contact is not None:
            fields["company"] = _present(company_props) | {"id": company["id"]}
        owner_id = main_props.get("hubspot_owner_id") or None
        account_owner_id = company_props.get("hubspot_owner_id") or None
        return CrmRecord(
            exists=True,
            system=self.name,
            record_type="contact" if contact else "account",
            record_id=str(main["id"]),
            owner_id=owner_id,
            owner_email=self.owner_email_for(owner_id) if owner_id else None,
            lifecycle_stage=lifecycle,
            status=main_props.get("hs_lead_status") or None,
            fields=fields,
            has_open_opportunity=has_open,
            is_customer=is_customer,
            account_id=str(company["id"]) if company else None,
            account_name=company_props.get("name") or None,
            account_owner_id=account_owner_id,
            account_owner_email=(
                self.owner_email_for(account_owner_id) if account_owner_id else None
            ),
        )

    def owner_email_for(self, owner_id: str) -> str | None:
        owner_id = str(owner_id or "")
        if not OBJECT_ID.match(owner_id):
            return None
        key = (self.name, self.client.fingerprint, owner_id)
        email = OWNER_EMAILS.get(key)
        if email is None:
            owner = self.client.owner(owner_id)
            email = ((owner or {}).get("email") or "").lower()
            OWNER_EMAILS.set(key, email)
        return email or None

    # -- write-back ----------------------------------------------------------------

    def write_fields(
        self,
        record_type: str,
        record_id: str,
        values: dict[str, FieldValue],
        *,
        email: str | None = None,
    ) -> None:
        self.check_record_type(record_type)
        if record_type not in OBJECT_TYPES:
            raise CrmError(
                "HubSpot lookups return contacts and companies; cannot write to a lead",
                permanent=True,
                code="bad_record_type",
            )
        if not OBJECT_ID.match(str(record_id or "")):
            raise CrmError(
                f"{record_id!r} is not a HubSpot object id", permanent=True, code="bad_id"
            )
        if not values:
            return
        # HubSpot property values are strings; an empty string clears a property.
        properties = {k: "" if v is None else str(v) for k, v in values.items()}
        self.client.timeout = self.write_timeout
        self.client.update(OBJECT_TYPES[record_type], str(record_id), properties)


def _associated_ids(obj: dict, kind: str) -> list[str]:
    results = ((obj.get("associations") or {}).get(kind) or {}).get("results") or []
    seen: dict[str, None] = {}
    for item in results:
        if item.get("id") is not None:
            seen[str(item["id"])] = None
    return list(seen)


def _deal_won(deal: dict) -> bool:
    props = deal.get("properties") or {}
    if props.get("hs_is_closed_won") not in (None, ""):
        return str(props["hs_is_closed_won"]).lower() == "true"
    return props.get("dealstage") == "closedwon"


def _deal_closed(deal: dict) -> bool:
    props = deal.get("properties") or {}
    if props.get("hs_is_closed") not in (None, ""):
        return str(props["hs_is_closed"]).lower() == "true"
    return props.get("dealstage") in ("closedwon", "closedlost")


def _present(props: dict) -> dict:
    return {k: v for k, v in props.items() if v not in (None, "")}
