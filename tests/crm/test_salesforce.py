"""Salesforce through simple-salesforce, against `responses` in Salesforce's wire format."""

import json

import pytest
import requests
import responses

from crm.backends import get_backend
from crm.backends.base import CrmError
from crm.lookup import lookup_with_timeout

from .fakes import (
    SF_DATA,
    SF_LOGIN_FAULT,
    SF_LOGIN_URL,
    FakeSalesforce,
    sf_attributes,
    sf_error,
    sf_user_ref,
)

PASSWORD_AUTH = {"username": "api@acme.com", "password": "pw", "security_token": "TOKEN"}
OWNER = "0055g00000Sam00AAA"
ACCOUNT_OWNER = "0055g00000Olg00AAA"
ACCOUNT = "0015g00000Acme0AAA"
CONTACT = "0035g00000Jane0AAA"
LEAD = "00Q5g00000LeeX0AAA"


def contact_record(**extra):
    return {
        "attributes": sf_attributes("Contact", CONTACT),
        "Id": CONTACT,
        "Email": "jane@acme.com",
        "FirstName": "Jane",
        "LastName": "Doe",
        "Title": "CTO",
        "OwnerId": OWNER,
        "Owner": sf_user_ref(OWNER, "sam@knock.test"),
        "AccountId": ACCOUNT,
        "Account": {
            "attributes": sf_attributes("Account", ACCOUNT),
            "Name": "Acme",
            "Website": "https://www.acme.com",
            "Type": "Prospect",
            "OwnerId": ACCOUNT_OWNER,
            "Owner": sf_user_ref(ACCOUNT_OWNER, "olga@knock.test"),
        },
        "Knock_Rep_Owner__c": None,
        "Segment__c": "Enterprise",
        **extra,
    }


def opportunity(opp_id, *, closed, won, stage):
    return {
        "attributes": sf_attributes("Opportunity", opp_id),
        "Id": opp_id,
        "Name": f"Deal {opp_id}",
        "StageName": stage,
        "IsClosed": closed,
        "IsWon": won,
        "Amount": 12000.0,
        "CloseDate": "2026-03-31",
        "OwnerId": OWNER,
    }


@pytest.fixture
def sf(rsps):
    return FakeSalesforce(rsps)


@pytest.fixture
def backend(crm_settings):
    return get_backend("salesforce", crm_settings("salesforce", credentials=PASSWORD_AUTH))


# ---------------------------------------------------------------------------- lookup


def test_contact_with_account_and_open_opportunity(sf, backend):
    sf.records["Contact"] = [contact_record()]
    sf.records["Opportunity"] = [
        opportunity("0065g0000001000AAA", closed=False, won=False, stage="Proposal")
    ]

    record = backend.lookup("jane@acme.com", "acme.com")

    assert record.exists and record.system == "salesforce"
    assert (record.record_type, record.record_id) == ("contact", CONTACT)
    assert (record.owner_id, record.owner_email) == (OWNER, "sam@knock.test")
    assert record.account_id == ACCOUNT and record.account_name == "Acme"
    assert record.account_owner_email == "olga@knock.test"
    assert record.has_open_opportunity and not record.is_customer
    assert record.lifecycle_stage == "opportunity"
    # Fields as Salesforce names them, without `attributes`, relationships nested.
    assert record.fields["Segment__c"] == "Enterprise"
    assert record.fields["Account"]["Name"] == "Acme"
    assert "attributes" not in record.fields and "attributes" not in record.fields["Account"]

    assert sf.logins == 1
    assert len(sf.queries) == 2
    assert "FROM Contact WHERE Email = 'jane@acme.com'" in sf.queries[0]
    assert f"FROM Opportunity WHERE AccountId = '{ACCOUNT}'" in sf.queries[1]
    assert "IsClosed = false OR IsWon = true" in sf.queries[1]
    assert all(a == "Bearer 00D!SESSION1" for a in sf.auth_headers)


def test_closed_won_opportunity_makes_a_customer(sf, backend):
    sf.records["Contact"] = [contact_record()]
    sf.records["Opportunity"] = [
        opportunity("0065g0000002000AAA", closed=True, won=True, stage="Closed Won")
    ]
    record = backend.lookup("jane@acme.com")
    assert record.is_customer and record.lifecycle_stage == "customer"
    assert not record.has_open_opportunity


def test_lead_when_no_contact_and_account_by_website_domain(sf, backend):
    sf.records["Lead"] = [
        {
            "attributes": sf_attributes("Lead", LEAD),
            "Id": LEAD,
            "Email": "lee@initech.com",
            "Company": "Initech",
            "Status": "Working - Contacted",
            "OwnerId": OWNER,
            "Owner": sf_user_ref(OWNER, "sam@knock.test"),
        }
    ]
    sf.records["Account"] = [
        # LIKE '%initech.com%' also matches this one: the host must be exact.
        {
            "attributes": sf_attributes("Account", "001A"),
            "Id": "0015g00000NotI0AAA",
            "Name": "Notinitech",
            "Website": "notinitech.com",
            "Type": "Prospect",
            "OwnerId": OWNER,
        },
        {
            "attributes": sf_attributes("Account", "001B"),
            "Id": "0015g00000Init0AAA",
            "Name": "Initech",
            "Website": "http://www.Initech.com/en",
            "Type": "Customer - Direct",
            "OwnerId": ACCOUNT_OWNER,
            "Owner": sf_user_ref(ACCOUNT_OWNER, "olga@knock.test"),
        },
    ]

    record = backend.lookup("lee@initech.com", "initech.com")

    assert (record.record_type, record.record_id) == ("lead", LEAD)
    assert record.status == "Working - Contacted"
    assert record.owner_email == "sam@knock.test"
    assert record.account_id == "0015g00000Init0AAA"
    assert record.is_customer  # Account.Type "Customer - Direct"
    assert record.fields["Account"]["Name"] == "Initech"
    assert [q.split(" FROM ")[1].split()[0] for q in sf.queries] == [
        "Contact",
        "Lead",
        "Account",
        "Opportunity",
    ]
    assert "Website LIKE '%initech.com%'" in sf.queries[2]


def test_account_only(sf, backend):
    sf.records["Account"] = [
        {
            "attributes": sf_attributes("Account", ACCOUNT),
            "Id": ACCOUNT,
            "Name": "Acme",
            "Website": "acme.com",
            "Type": "Prospect",
            "OwnerId": ACCOUNT_OWNER,
            "Owner": sf_user_ref(ACCOUNT_OWNER, "olga@knock.test"),
        }
    ]
    record = backend.lookup("new@acme.com", "acme.com")
    assert (record.record_type, record.record_id) == ("account", ACCOUNT)
    assert record.owner_email == "olga@knock.test"
    assert record.lifecycle_stage is None


def test_not_found(sf, backend):
    record = backend.lookup("nobody@globex.com", "globex.com")
    assert not record.exists
    assert len(sf.queries) == 3  # contact, lead, account


def test_soql_input_is_escaped(sf, backend):
    backend.lookup("o'hara\\x@acme.com", "it's%_.com")
    assert "WHERE Email = 'o\\'hara\\\\x@acme.com'" in sf.queries[0]
    # LIKE wildcards in the domain are escaped too
    assert "Website LIKE '%it\\'s\\%\\_.com%'" in sf.queries[2]


def test_owner_email_comes_from_the_user_when_the_relationship_is_empty(sf, backend):
    sf.records["Contact"] = [contact_record(Owner=None, AccountId=None, Account=None)]
    sf.records["User"] = [
        {"attributes": sf_attributes("User", OWNER), "Id": OWNER, "Email": "sam@knock.test"}
    ]
    record = backend.lookup("jane@acme.com")
    assert record.owner_email == "sam@knock.test"
    assert f"FROM User WHERE Id = '{OWNER}'" in sf.queries[-1]
    # cached: a second lookup does not ask again
    backend.lookup("jane@acme.com")
    assert sum("FROM User" in q for q in sf.queries) == 1
    assert backend.owner_email_for(OWNER) == "sam@knock.test"


def test_session_is_reused_across_backend_instances(sf, crm_settings):
    settings = crm_settings("salesforce", credentials=PASSWORD_AUTH)
    get_backend("salesforce", settings).lookup("a@acme.com")
    get_backend("salesforce", settings).lookup("b@acme.com")
    assert sf.logins == 1


def test_requests_carry_a_timeout(sf, backend, rsps):
    backend.lookup("jane@acme.com")
    assert rsps.calls and all(c.request.req_kwargs.get("timeout") == 1.5 for c in rsps.calls)


# ------------------------------------------------------------------------ write-back


def test_write_fields_patches_the_contact(sf, backend, rsps):
    names = backend.field_names()
    backend.write_fields(
        "contact", CONTACT, {names["rep_owner"]: "Sam Seller", names["response_time"]: 4.5}
    )
    assert sf.patches == [
        (
            "Contact",
            CONTACT,
            {"Knock_Rep_Owner__c": "Sam Seller", "Knock_Rep_Response_Time__c": 4.5},
            "Bearer 00D!SESSION1",
        )
    ]
    patch = [c for c in rsps.calls if c.request.method == "PATCH"][0]
    assert patch.request.url == f"{SF_DATA}/sobjects/Contact/{CONTACT}"
    assert patch.response.status_code == 204
    assert patch.request.req_kwargs["timeout"] == 10.0  # CRM_WRITE_TIMEOUT default


def test_write_fields_patches_a_lead_and_clears_with_none(sf, backend):
    backend.write_fields("lead", LEAD, {"Knock_Meeting_Owner__c": None})
    assert sf.patches[0][:3] == ("Lead", LEAD, {"Knock_Meeting_Owner__c": None})


@pytest.mark.parametrize("record_id", ["../User/005", "short", "", "0035g00000JaneAAA/x"])
def test_write_fields_refuses_bad_ids(sf, backend, record_id):
    with pytest.raises(CrmError) as info:
        backend.write_fields("contact", record_id, {"X__c": "y"})
    assert info.value.permanent and not sf.patches


# -------------------------------------------------------------------------- errors


def test_invalid_session_reauthenticates_once_and_retries(sf, backend):
    backend.lookup("warmup@acme.com")  # logged in with SESSION1
    sf.valid_sessions = {"00D!SESSION2"}  # SESSION1 has expired
    backend.write_fields("contact", CONTACT, {"Knock_Rep_Owner__c": "Sam"})
    assert sf.logins == 2
    assert [p[3] for p in sf.patches] == ["Bearer 00D!SESSION1", "Bearer 00D!SESSION2"]


def test_invalid_session_twice_is_permanent(sf, backend):
    sf.valid_sessions = set()  # no session is ever accepted
    with pytest.raises(CrmError) as info:
        backend.write_fields("contact", CONTACT, {"Knock_Rep_Owner__c": "Sam"})
    assert info.value.permanent and info.value.code == "INVALID_SESSION_ID"
    assert sf.logins == 2 and len(sf.patches) == 2  # exactly one re-authentication


def test_invalid_session_with_only_a_session_id_is_permanent(sf, crm_settings):
    settings = crm_settings(
        "salesforce",
        credentials={"instance_url": "https://acme.my.salesforce.com", "session_id": "00D!OLD"},
    )
    sf.valid_sessions = set()
    with pytest.raises(CrmError) as info:
        get_backend("salesforce", settings).lookup("jane@acme.com")
    assert info.value.permanent and "only a session id" in str(info.value)
    assert sf.logins == 0 and sf.auth_headers == ["Bearer 00D!OLD"]


def test_session_id_auth_works_without_login(sf, crm_settings):
    settings = crm_settings(
        "salesforce",
        credentials={"instance_url": "https://acme.my.salesforce.com", "session_id": "00D!DIRECT"},
    )
    sf.records["Contact"] = [contact_record(AccountId=None, Account=None)]
    record = get_backend("salesforce", settings).lookup("jane@acme.com")
    assert record.exists and sf.logins == 0
    assert sf.auth_headers == ["Bearer 00D!DIRECT"]


@pytest.mark.parametrize(
    ("status", "body", "permanent", "code", "text"),
    [
        (
            403,
            sf_error("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
            False,
            "REQUEST_LIMIT_EXCEEDED",
            "TotalRequests Limit exceeded.",
        ),
        (
            503,
            sf_error("SERVER_UNAVAILABLE", "Server unavailable"),
            False,
            "SERVER_UNAVAILABLE",
            "Server unavailable",
        ),
        (
            500,
            sf_error("UNKNOWN_EXCEPTION", "An unexpected error occurred."),
            False,
            "UNKNOWN_EXCEPTION",
            "unexpected error",
        ),
        (
            400,
            sf_error("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record"),
            False,
            "UNABLE_TO_LOCK_ROW",
            "exclusive access",
        ),
        (
            400,
            sf_error(
                "INVALID_FIELD", "No such column 'Knock_Rep_Owner__c' on sobject of type Contact"
            ),
            True,
            "INVALID_FIELD",
            "No such column 'Knock_Rep_Owner__c'",
        ),
        (
            400,
            sf_error(
                "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                "Owner must be a sales rep",
                ["Knock_Rep_Owner__c"],
            ),
            True,
            "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "Owner must be a sales rep (fields: Knock_Rep_Owner__c)",
        ),
        (
            403,
            sf_error("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id"),
            True,
            "INSUFFICIENT_ACCESS_OR_READONLY",
            "insufficient access",
        ),
        (
            404,
            sf_error("NOT_FOUND", "The requested resource does not exist"),
            True,
            "NOT_FOUND",
            "does not exist",
        ),
    ],
)
def test_write_errors_are_classified(sf, backend, status, body, permanent, code, text):
    sf.failures.append((status, body))
    with pytest.raises(CrmError) as info:
        backend.write_fields("contact", CONTACT, {"Knock_Rep_Owner__c": "Sam"})
    error = info.value
    assert error.permanent is permanent
    assert error.code == code and error.status == status
    assert text in str(error) and str(error).startswith(f"Salesforce {code}: ")


def test_query_errors_are_classified_too(sf, backend):
    sf.failures.append((403, sf_error("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")))
    with pytest.raises(CrmError) as info:
        backend.lookup("jane@acme.com")
    assert not info.value.permanent


def test_bad_login_is_permanent(rsps, backend):
    rsps.add(responses.POST, SF_LOGIN_URL, body=SF_LOGIN_FAULT, status=500, content_type="text/xml")
    with pytest.raises(CrmError) as info:
        backend.lookup("jane@acme.com")
    assert info.value.permanent and info.value.code == "INVALID_LOGIN"
    assert "Invalid username, password, security token" in str(info.value)


def test_network_failures_are_transient(sf, backend):
    backend.lookup("warmup@acme.com")
    sf.failures.append(requests.ConnectTimeout("connect timed out"))
    with pytest.raises(CrmError) as info:
        backend.write_fields("contact", CONTACT, {"Knock_Rep_Owner__c": "Sam"})
    assert not info.value.permanent and info.value.code == "timeout"


def test_time_boxed_lookup_through_salesforce(sf, backend):
    sf.records["Contact"] = [contact_record()]
    record = lookup_with_timeout(backend, "jane@acme.com", "acme.com", timeout=5)
    assert record.owner_email == "sam@knock.test"


def test_error_bodies_are_json_arrays_as_salesforce_sends_them():
    # Guard the fake itself: the shape our mapping relies on.
    body = json.loads(json.dumps(sf_error("INVALID_FIELD", "x", ["F__c"])))
    assert body == [{"message": "x", "errorCode": "INVALID_FIELD", "fields": ["F__c"]}]


def test_connection_errors_are_transient(sf, backend):
    sf.failures.append(requests.ConnectionError("connection refused"))
    with pytest.raises(CrmError) as info:
        backend.lookup("jane@acme.com")
    assert not info.value.permanent and info.value.code == "connection"
