"""Salesforce: Contact, else Lead, by email; Account by the contact or by website
domain; open and closed-won Opportunities on the account; owners to emails.

Every value that goes into SOQL is quoted by simple-salesforce's `format_soql`
(https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm).
"""

from __future__ import annotations

import re

from simple_salesforce.format import format_soql

from crm.clients.salesforce import SalesforceClient

from .base import OWNER_EMAILS, CrmBackend, CrmError, CrmRecord, FieldValue, website_host

SOBJECTS = {"lead": "Lead", "contact": "Contact", "account": "Account"}
RECORD_ID = re.compile(r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$")

CONTACT_SOQL = (
    "SELECT Id, Email, FirstName, LastName, Title, OwnerId, Owner.Email, AccountId, "
    "Account.Name, Account.Website, Account.Type, Account.OwnerId, Account.Owner.Email, "
    "FIELDS(CUSTOM) FROM Contact WHERE Email = {email} ORDER BY LastModifiedDate DESC LIMIT 1"
)
LEAD_SOQL = (
    "SELECT Id, Email, FirstName, LastName, Company, Title, Status, OwnerId, Owner.Email, "
    "FIELDS(CUSTOM) FROM Lead WHERE Email = {email} AND IsConverted = false "
    "ORDER BY LastModifiedDate DESC LIMIT 1"
)
# Website holds what people typed ("https://www.acme.com/", "acme.com"): narrow
# with LIKE, then compare hosts exactly in Python so "notacme.com" never matches.
ACCOUNT_BY_DOMAIN_SOQL = (
    "SELECT Id, Name, Website, Type, OwnerId, Owner.Email, FIELDS(CUSTOM) FROM Account "
    "WHERE Website LIKE '%{domain:like}%' ORDER BY LastModifiedDate DESC LIMIT 20"
)
OPPORTUNITIES_SOQL = (
    "SELECT Id, Name, StageName, IsClosed, IsWon, Amount, CloseDate, OwnerId FROM Opportunity "
    "WHERE AccountId = {account_id} AND (IsClosed = false OR IsWon = true) "
    "ORDER BY CloseDate DESC LIMIT 50"
)
USER_SOQL = "SELECT Id, Email FROM User WHERE Id = {owner_id} LIMIT 1"


class SalesforceBackend(CrmBackend):
    name = "salesforce"
    default_field_names = {
        "rep_owner": "Knock_Rep_Owner__c",
        "responding_rep": "Knock_Responding_Rep__c",
        "response_time": "Knock_Rep_Response_Time__c",
        "meeting_owner": "Knock_Meeting_Owner__c",
        "meeting_status": "Knock_Meeting_Status__c",
    }

    def __init__(self, crm_settings=None, *, client: SalesforceClient | None = None):
        super().__init__(crm_settings)
        if client is None:
            credentials = crm_settings.resolved_credentials() if crm_settings is not None else {}
            client = SalesforceClient(
                username=credentials.get("username"),
                password=credentials.get("password"),
                security_token=credentials.get("security_token"),
                domain=credentials.get("domain"),
                instance_url=credentials.get("instance_url"),
                session_id=credentials.get("session_id"),
                timeout=self.lookup_timeout,
            )
        self.client = client

    # -- lookup --------------------------------------------------------------------

    def lookup(self, email: str, domain: str | None = None) -> CrmRecord:
        self.client.timeout = self.lookup_timeout
        email = (email or "").strip()
        person, record_type = None, None
        if email:
            rows = self.client.query(format_soql(CONTACT_SOQL, email=email))
            if rows:
                person, record_type = rows[0], "contact"
            else:
                rows = self.client.query(format_soql(LEAD_SOQL, email=email))
                if rows:
                    person, record_type = rows[0], "lead"

        account = None
        if person is not None and person.get("AccountId"):
            account = {"Id": person["AccountId"], **(person.get("Account") or {})}
        elif domain:
            account = self._account_by_domain(domain)
        if person is None and account is None:
            return CrmRecord.not_found(self.name)

        opportunities = []
        if account is not None:
            opportunities = self.client.query(
                format_soql(OPPORTUNITIES_SOQL, account_id=account["Id"])
            )
        has_open = any(not o.get("IsClosed") for o in opportunities)
        has_won = any(o.get("IsWon") for o in opportunities)
        account_type = str((account or {}).get("Type") or "")
        # Account.Type's standard picklist has "Customer - Direct" / "Customer - Channel".
        is_customer = has_won or account_type.lower().startswith("customer")
        if is_customer:
            lifecycle = "customer"
        elif has_open:
            lifecycle = "opportunity"
        else:
            lifecycle = "lead" if record_type == "lead" else None

        main = person if person is not None else account
        fields = _clean(main)
        if account is not None:
            fields["Account"] = _clean(account)
        owner_id = main.get("OwnerId")
        owner_email = self._owner_email(main)
        account_owner_id = (account or {}).get("OwnerId")
        return CrmRecord(
            exists=True,
            system=self.name,
            record_type=record_type or "account",
            record_id=main["Id"],
            owner_id=owner_id,
            owner_email=owner_email,
            lifecycle_stage=lifecycle,
            status=person.get("Status") if record_type == "lead" else None,
            fields=fields,
            has_open_opportunity=has_open,
            is_customer=is_customer,
            account_id=(account or {}).get("Id"),
            account_name=(account or {}).get("Name"),
            account_owner_id=account_owner_id,
            account_owner_email=self._owner_email(account) if account else None,
        )

    def _account_by_domain(self, domain: str) -> dict | None:
        domain = domain.strip().lower().removeprefix("www.")
        if not domain:
            return None
        for row in self.client.query(format_soql(ACCOUNT_BY_DOMAIN_SOQL, domain=domain)):
            if website_host(row.get("Website")) == domain:
                return row
        return None

    def _owner_email(self, row: dict | None) -> str | None:
        if not row:
            return None
        owner_id = row.get("OwnerId")
        email = (row.get("Owner") or {}).get("Email")
        if email:
            if owner_id:
                OWNER_EMAILS.set((self.name, self.client.fingerprint, owner_id), email)
            return email
        return self.owner_email_for(owner_id) if owner_id else None

    def owner_email_for(self, owner_id: str) -> str | None:
        if not owner_id or not RECORD_ID.match(owner_id):
            return None
        key = (self.name, self.client.fingerprint, owner_id)
        email = OWNER_EMAILS.get(key)
        if email is None:
            rows = self.client.query(format_soql(USER_SOQL, owner_id=owner_id))
            email = (rows[0].get("Email") if rows else None) or ""
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
        if not RECORD_ID.match(str(record_id or "")):
            raise CrmError(
                f"{record_id!r} is not a Salesforce record id", permanent=True, code="bad_id"
            )
        if not values:
            return
        self.client.timeout = self.write_timeout
        self.client.update(SOBJECTS[record_type], record_id, dict(values))


def _clean(row: dict | None) -> dict:
    """A record without Salesforce's `attributes`, relationships cleaned too."""
    out = {}
    for key, value in (row or {}).items():
        if key == "attributes":
            continue
        out[key] = _clean(value) if isinstance(value, dict) else value
    return out
