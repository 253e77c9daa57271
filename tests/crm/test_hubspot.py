"""HubSpot over its REST API, against `responses` in HubSpot's payload shapes."""

import json

import pytest
import requests
import responses

from crm.backends import get_backend
from crm.backends.base import CrmError

from .fakes import HS, RATE_HEADERS, hs_error, hs_object, hs_owner

TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"


@pytest.fixture
def backend(crm_settings):
    return get_backend("hubspot", crm_settings("hubspot", credentials={"access_token": TOKEN}))


def search_result(*objects):
    return {"total": len(objects), "results": list(objects)}


JANE = hs_object(
    "512",
    {
        "email": "jane@acme.com",
        "firstname": "Jane",
        "lastname": "Doe",
        "lifecyclestage": "salesqualifiedlead",
        "hs_lead_status": "IN_PROGRESS",
        "hubspot_owner_id": "41",
        "associatedcompanyid": "9001",
        "jobtitle": None,
        "knock_rep_owner": None,
    },
)


def company(deal_ids=(), **props):
    return hs_object(
        "9001",
        {"name": "Acme", "domain": "acme.com", "hubspot_owner_id": "42", **props},
        associations={"deals": ("company_to_deal", list(deal_ids))} if deal_ids else None,
    )


def deal(deal_id, stage, closed, won):
    return hs_object(
        deal_id,
        {
            "dealname": f"Deal {deal_id}",
            "dealstage": stage,
            "pipeline": "default",
            "amount": "12000",
            "hubspot_owner_id": "41",
            "hs_is_closed": "true" if closed else "false",
            "hs_is_closed_won": "true" if won else "false",
        },
    )


def batch(*objects):
    return {
        "status": "COMPLETE",
        "results": list(objects),
        "startedAt": "2026-01-05T08:00:00.100Z",
        "completedAt": "2026-01-05T08:00:00.150Z",
    }


def add_json(rsps, method, path, body, status=200, headers=None):
    rsps.add(
        method, HS + path, json=body, status=status, headers={**RATE_HEADERS, **(headers or {})}
    )


def body_of(call):
    return json.loads(call.request.body)


# ---------------------------------------------------------------------------- lookup


def test_contact_with_company_deals_and_owners(rsps, backend):
    add_json(rsps, "POST", "/crm/v3/objects/contacts/search", search_result(JANE))
    add_json(rsps, "GET", "/crm/v3/objects/companies/9001", company(["77", "78"]))
    add_json(
        rsps,
        "POST",
        "/crm/v3/objects/deals/batch/read",
        batch(deal("77", "closedlost", True, False), deal("78", "contractsent", False, False)),
    )
    add_json(rsps, "GET", "/crm/v3/owners/41", hs_owner("41", "Sam@Knock.test"))
    add_json(rsps, "GET", "/crm/v3/owners/42", hs_owner("42", "olga@knock.test"))

    record = backend.lookup("Jane@Acme.com", "acme.com")

    assert record.exists and record.system == "hubspot"
    assert (record.record_type, record.record_id) == ("contact", "512")
    assert (record.owner_id, record.owner_email) == ("41", "sam@knock.test")
    assert record.lifecycle_stage == "salesqualifiedlead"
    assert record.status == "IN_PROGRESS"
    assert record.has_open_opportunity and not record.is_customer
    assert (record.account_id, record.account_name) == ("9001", "Acme")
    assert record.account_owner_email == "olga@knock.test"
    assert record.fields["firstname"] == "Jane" and "jobtitle" not in record.fields
    assert record.fields["company"]["domain"] == "acme.com"

    search = body_of(rsps.calls[0])
    assert search["filterGroups"] == [
        {"filters": [{"propertyName": "email", "operator": "EQ", "value": "jane@acme.com"}]}
    ]
    assert "knock_rep_owner" in search["properties"]  # the write-back fields come back too
    assert rsps.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "associations=deals" in rsps.calls[1].request.url
    assert body_of(rsps.calls[2])["inputs"] == [{"id": "77"}, {"id": "78"}]
    assert all(c.request.req_kwargs["timeout"] == 1.5 for c in rsps.calls)


def test_closed_won_deal_makes_a_customer(rsps, backend):
    add_json(rsps, "POST", "/crm/v3/objects/contacts/search", search_result(JANE))
    add_json(rsps, "GET", "/crm/v3/objects/companies/9001", company(["77"]))
    add_json(
        rsps, "POST", "/crm/v3/objects/deals/batch/read", batch(deal("77", "closedwon", True, True))
    )
    add_json(rsps, "GET", "/crm/v3/owners/41", hs_owner("41", "sam@knock.test"))
    add_json(rsps, "GET", "/crm/v3/owners/42", hs_owner("42", "olga@knock.test"))
    record = backend.lookup("jane@acme.com")
    assert record.is_customer and record.lifecycle_stage == "customer"
    assert not record.has_open_opportunity


def test_company_by_domain_when_the_contact_is_unknown(rsps, backend):
    add_json(rsps, "POST", "/crm/v3/objects/contacts/search", search_result())
    add_json(
        rsps,
        "POST",
        "/crm/v3/objects/companies/search",
        search_result(company(lifecyclestage="customer")),
    )
    add_json(rsps, "GET", "/crm/v3/objects/companies/9001", company(lifecyclestage="customer"))
    add_json(rsps, "GET", "/crm/v3/owners/42", hs_owner("42", "olga@knock.test"))

    record = backend.lookup("new@acme.com", "acme.com")

    assert (record.record_type, record.record_id) == ("account", "9001")
    assert record.owner_email == "olga@knock.test"
    assert record.is_customer and record.lifecycle_stage == "customer"
    assert body_of(rsps.calls[1])["filterGroups"][0]["filters"][0] == {
        "propertyName": "domain",
        "operator": "EQ",
        "value": "acme.com",
    }
    # no deals associated: no batch read
    assert not any("batch/read" in c.request.url for c in rsps.calls)


def test_contact_without_company_uses_its_own_deals(rsps, backend):
    lone = hs_object("600", {"email": "kim@gmail.com", "lifecyclestage": "lead"})
    add_json(rsps, "POST", "/crm/v3/objects/contacts/search", search_result(lone))
    add_json(
        rsps,
        "GET",
        "/crm/v3/objects/contacts/600",
        hs_object(
            "600", {"email": "kim@gmail.com"}, associations={"deals": ("contact_to_deal", ["90"])}
        ),
    )
    add_json(
        rsps,
        "POST",
        "/crm/v3/objects/deals/batch/read",
        batch(deal("90", "appointmentscheduled", False, False)),
    )
    record = backend.lookup("kim@gmail.com", None)
    assert record.has_open_opportunity and record.owner_email is None
    assert record.lifecycle_stage == "lead"


def test_not_found(rsps, backend):
    add_json(rsps, "POST", "/crm/v3/objects/contacts/search", search_result())
    add_json(rsps, "POST", "/crm/v3/objects/companies/search", search_result())
    record = backend.lookup("nobody@globex.com", "globex.com")
    assert not record.exists and len(rsps.calls) == 2


def test_owner_emails_are_cached(rsps, backend):
    add_json(rsps, "GET", "/crm/v3/owners/41", hs_owner("41", "sam@knock.test"))
    assert backend.owner_email_for("41") == "sam@knock.test"
    assert backend.owner_email_for("41") == "sam@knock.test"
    assert len(rsps.calls) == 1
    add_json(
        rsps, "GET", "/crm/v3/owners/43", hs_error(404, "OBJECT_NOT_FOUND", "not found"), status=404
    )
    assert backend.owner_email_for("43") is None
    assert backend.owner_email_for("../contacts") is None  # never put in a URL


# ------------------------------------------------------------------------ write-back


def test_write_fields_patches_the_contact(rsps, backend):
    add_json(
        rsps,
        "PATCH",
        "/crm/v3/objects/contacts/512",
        hs_object("512", {"knock_rep_owner": "Sam Seller"}),
    )
    names = backend.field_names()
    backend.write_fields(
        "contact",
        "512",
        {
            names["rep_owner"]: "Sam Seller",
            names["response_time"]: 4.5,
            names["meeting_owner"]: None,
        },
    )
    call = rsps.calls[0]
    assert call.request.method == "PATCH"
    assert body_of(call) == {
        "properties": {
            "knock_rep_owner": "Sam Seller",
            "knock_rep_response_time": "4.5",
            "knock_meeting_owner": "",  # HubSpot clears a property with ""
        }
    }
    assert call.request.req_kwargs["timeout"] == 10.0


def test_write_fields_on_a_company(rsps, backend):
    add_json(rsps, "PATCH", "/crm/v3/objects/companies/9001", company())
    backend.write_fields("account", "9001", {"knock_rep_owner": "Olga"})
    assert rsps.calls[0].request.url == HS + "/crm/v3/objects/companies/9001"


@pytest.mark.parametrize(("record_type", "record_id"), [("lead", "1"), ("contact", "../owners")])
def test_write_fields_refusals(rsps, backend, record_type, record_id):
    with pytest.raises(CrmError) as info:
        backend.write_fields(record_type, record_id, {"x": "y"})
    assert info.value.permanent and not rsps.calls


# ----------------------------------------------------------------- errors and limits


def test_429_is_transient_with_retry_after_and_pauses_calls(rsps, backend):
    rsps.add(
        responses.PATCH,
        HS + "/crm/v3/objects/contacts/512",
        status=429,
        json={
            "status": "error",
            "message": "You have reached your ten_secondly_rolling limit.",
            "errorType": "RATE_LIMIT",
            "correlationId": "c0ffee",
            "policyName": "TEN_SECONDLY_ROLLING",
            "groupName": "publicapi:private-app:burst:1234",
        },
        headers={**RATE_HEADERS, "X-HubSpot-RateLimit-Remaining": "0", "Retry-After": "7"},
    )
    with pytest.raises(CrmError) as info:
        backend.write_fields("contact", "512", {"knock_rep_owner": "Sam"})
    error = info.value
    assert not error.permanent and error.status == 429 and error.code == "RATE_LIMIT"
    assert error.retry_after == 7.0
    assert "ten_secondly_rolling limit" in str(error)

    # Within the window we do not even call HubSpot.
    with pytest.raises(CrmError) as info:
        backend.lookup("jane@acme.com")
    assert not info.value.permanent and 0 < info.value.retry_after <= 7.0
    assert len(rsps.calls) == 1


def test_429_without_retry_after_waits_for_the_window(rsps, backend):
    add_json(
        rsps,
        "POST",
        "/crm/v3/objects/contacts/search",
        hs_error(429, "RATE_LIMITS", "secondly limit"),
        status=429,
    )
    with pytest.raises(CrmError) as info:
        backend.lookup("jane@acme.com")
    assert info.value.retry_after == 10.0  # X-HubSpot-RateLimit-Interval-Milliseconds


def test_exhausted_window_header_pauses_before_a_429(rsps, backend):
    add_json(
        rsps,
        "GET",
        "/crm/v3/owners/41",
        hs_owner("41", "sam@knock.test"),
        headers={
            "X-HubSpot-RateLimit-Remaining": "0",
            "X-HubSpot-RateLimit-Interval-Milliseconds": "2000",
        },
    )
    assert backend.owner_email_for("41") == "sam@knock.test"
    with pytest.raises(CrmError) as info:
        backend.owner_email_for("42")
    assert not info.value.permanent and 0 < info.value.retry_after <= 2.0
    assert len(rsps.calls) == 1


def test_the_pause_is_per_token(rsps, backend, workspace):
    from crm.backends.hubspot import HubSpotBackend
    from crm.clients.hubspot import HubSpotClient

    add_json(
        rsps,
        "GET",
        "/crm/v3/owners/41",
        hs_owner("41", "sam@knock.test"),
        headers={"X-HubSpot-RateLimit-Remaining": "0"},
    )
    backend.owner_email_for("41")
    other = HubSpotBackend(None, client=HubSpotClient("pat-na1-other"))
    assert other.owner_email_for("41") == "sam@knock.test"  # served by HubSpot, not refused


def test_401_is_permanent(rsps, backend):
    add_json(
        rsps,
        "POST",
        "/crm/v3/objects/contacts/search",
        hs_error(
            401,
            "INVALID_AUTHENTICATION",
            "Authentication credentials not found. This API supports OAuth 2.0 "
            "authentication and you can find more details at "
            "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        ),
        status=401,
    )
    with pytest.raises(CrmError) as info:
        backend.lookup("jane@acme.com")
    assert info.value.permanent and info.value.status == 401
    assert info.value.code == "INVALID_AUTHENTICATION"
    assert "Authentication credentials not found" in str(info.value)


def test_validation_error_is_permanent_and_shown(rsps, backend):
    message = (
        "Property values were not valid: "
        '[{"isValid":false,"message":"Property \\"knock_rep_owner\\" does not exist",'
        '"error":"PROPERTY_DOESNT_EXIST","name":"knock_rep_owner"}]'
    )
    add_json(
        rsps,
        "PATCH",
        "/crm/v3/objects/contacts/512",
        hs_error(400, "VALIDATION_ERROR", message),
        status=400,
    )
    with pytest.raises(CrmError) as info:
        backend.write_fields("contact", "512", {"knock_rep_owner": "Sam"})
    assert info.value.permanent and info.value.code == "VALIDATION_ERROR"
    assert 'Property \\"knock_rep_owner\\" does not exist' in str(info.value)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_transient(rsps, backend, status):
    rsps.add(
        responses.PATCH,
        HS + "/crm/v3/objects/contacts/512",
        status=status,
        body="<html>Bad gateway</html>",
        content_type="text/html",
    )
    with pytest.raises(CrmError) as info:
        backend.write_fields("contact", "512", {"knock_rep_owner": "Sam"})
    assert not info.value.permanent and info.value.status == status


def test_timeouts_are_transient(rsps, backend):
    rsps.add(
        responses.POST,
        HS + "/crm/v3/objects/contacts/search",
        body=requests.ReadTimeout("read timed out"),
    )
    with pytest.raises(CrmError) as info:
        backend.lookup("jane@acme.com")
    assert not info.value.permanent and info.value.code == "timeout"
