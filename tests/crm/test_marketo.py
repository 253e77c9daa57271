"""Marketo over its REST API, against `responses` in Marketo's payload shapes
(HTTP 200 with success:false and errors[] codes), the same matrix as
Salesforce and HubSpot: lookup, owner, not found, write-back, auth renewal,
transient vs permanent errors, time-outs, the time box."""

import json
from urllib.parse import urlsplit

import pytest
import requests
import responses

from crm.backends import get_backend
from crm.backends.base import CrmError
from crm.clients.marketo import forget_tokens
from crm.facts import fetch
from crm.lookup import lookup_with_timeout

BASE = "https://123-abc-456.mktorest.com"
TOKEN_URL = BASE + "/identity/oauth/token"
LEADS = BASE + "/rest/v1/leads.json"
CREDS = {"client_id": "cid-1", "client_secret": "secret-1", "base_url": BASE}


@pytest.fixture(autouse=True)
def _fresh_tokens():
    forget_tokens()
    yield
    forget_tokens()


@pytest.fixture
def backend(crm_settings):
    return get_backend(
        "marketo", crm_settings("marketo", credentials={**CREDS, "lifecycle_field": "lifecycle"})
    )


def token(rsps, value="tok-1", expires_in=3599):
    return rsps.get(
        TOKEN_URL,
        json={
            "access_token": value,
            "token_type": "bearer",
            "expires_in": expires_in,
            "scope": "api@acme.com",
        },
    )


def ok(result):
    return {"requestId": "e42b#14272d07d78", "result": result, "success": True}


def failed(*errors):
    return {
        "requestId": "e42b#14272d07d78",
        "success": False,
        "errors": [{"code": c, "message": m} for c, m in errors],
    }


NINA = {
    "id": 318581,
    "email": "nina@globex.com",
    "firstName": "Nina",
    "lastName": "Park",
    "company": "Globex",
    "updatedAt": "2026-01-05T08:00:00Z",
    "leadOwnerEmail": "Dana@Demo-Co.example",
    "leadStatus": "Working",
    "lifecycle": "MQL",
    "knockRepOwner": None,
}


def test_lead_by_email_with_owner_lifecycle_and_status(rsps, backend):
    token(rsps)
    call = rsps.get(LEADS, json=ok([NINA]))
    record = backend.lookup("Nina@Globex.com", "globex.com")
    assert (record.exists, record.system, record.record_type, record.record_id) == (
        True,
        "marketo",
        "lead",
        "318581",
    )
    assert record.owner_email == "dana@demo-co.example"
    assert (record.lifecycle_stage, record.status) == ("MQL", "Working")
    assert record.fields["company"] == "Globex" and "knockRepOwner" not in record.fields
    sent = call.calls[0].request
    assert sent.headers["Authorization"] == "Bearer tok-1"
    params = urlsplit(sent.url).query
    assert "filterType=email" in params and "filterValues=nina%40globex.com" in params
    assert "leadOwnerEmail" in params and "knockRepOwner" in params


def test_the_owner_maps_to_a_rep_through_the_fact_provider(rsps, crm_settings, make_rep, workspace):
    rep = make_rep("Dana", email="dana@demo-co.example")
    crm_settings("marketo", credentials=CREDS)
    token(rsps)
    rsps.get(LEADS, json=ok([NINA]))
    facts = fetch(workspace, email="nina@globex.com", domain="globex.com")
    assert facts.owner_rep_id == rep.id and facts.namespace["owner_rep"] == rep.id
    assert facts.namespace["system"] == "marketo" and facts.company == {"name": "Globex"}


def test_a_configured_owner_field(rsps, crm_settings):
    backend = get_backend(
        "marketo", crm_settings("marketo", credentials={**CREDS, "owner_field": "ownerEmail__c"})
    )
    token(rsps)
    call = rsps.get(LEADS, json=ok([{**NINA, "ownerEmail__c": "marcus@demo-co.example"}]))
    assert backend.lookup("nina@globex.com").owner_email == "marcus@demo-co.example"
    assert "ownerEmail__c" in call.calls[0].request.url


def test_customer_lifecycle(rsps, backend):
    token(rsps)
    rsps.get(LEADS, json=ok([{**NINA, "lifecycle": "Customer"}]))
    record = backend.lookup("nina@globex.com")
    assert record.is_customer and record.lifecycle_stage == "customer"


def test_not_found(rsps, backend):
    token(rsps)
    rsps.get(LEADS, json=ok([]))
    record = backend.lookup("nobody@globex.com")
    assert record.exists is False and record.system == "marketo"


def test_the_token_is_cached_until_it_expires(rsps, backend, crm_settings):
    grant = token(rsps)
    rsps.get(LEADS, json=ok([]))
    backend.lookup("a@globex.com")
    get_backend("marketo", backend.crm_settings).lookup("b@globex.com")
    assert grant.call_count == 1  # shared by backend instances (process-wide)
    lead_tokens = {
        c.request.headers["Authorization"] for c in rsps.calls if "leads" in c.request.url
    }
    assert lead_tokens == {"Bearer tok-1"}


def test_a_token_about_to_expire_is_not_reused(rsps, backend):
    grant = token(rsps, expires_in=30)  # inside the renewal margin
    rsps.get(LEADS, json=ok([]))
    backend.lookup("a@globex.com")
    backend.lookup("b@globex.com")
    assert grant.call_count == 2


@pytest.mark.parametrize("code", ["601", "602"])
def test_an_invalid_or_expired_token_is_renewed_once(rsps, backend, code):
    # responses answers registrations of one URL in order: old token, then a new one
    token(rsps, "old")
    token(rsps, "new")
    rsps.get(LEADS, json=failed((code, "Access token invalid")))
    rsps.get(LEADS, json=ok([NINA]))
    record = backend.lookup("nina@globex.com")
    assert record.exists
    lead_calls = [c for c in rsps.calls if c.request.url.startswith(LEADS)]
    token_calls = [c for c in rsps.calls if c.request.url.startswith(TOKEN_URL)]
    assert len(lead_calls) == 2 and len(token_calls) == 2
    assert [c.request.headers["Authorization"] for c in lead_calls] == [
        "Bearer old",
        "Bearer new",
    ]


def test_a_token_refused_twice_is_permanent(rsps, backend):
    token(rsps)
    rsps.get(LEADS, json=failed(("601", "Access token invalid")))
    with pytest.raises(CrmError) as exc:
        backend.lookup("nina@globex.com")
    assert exc.value.permanent and exc.value.code == "601"


def test_bad_client_credentials_are_permanent(rsps, backend):
    rsps.get(
        TOKEN_URL,
        status=401,
        json={"error": "invalid_client", "error_description": "Bad client credentials"},
    )
    with pytest.raises(CrmError) as exc:
        backend.lookup("nina@globex.com")
    assert exc.value.permanent and exc.value.code == "credentials"


def test_missing_credentials_are_permanent(crm_settings):
    with pytest.raises(CrmError) as exc:
        get_backend("marketo", crm_settings("marketo", credentials={"client_id": "x"}))
    assert exc.value.permanent


@pytest.mark.parametrize(
    ("code", "retry_after"), [("606", 20.0), ("607", 3600.0), ("615", 20.0), ("611", 30.0)]
)
def test_rate_quota_and_concurrency_limits_are_transient(rsps, backend, code, retry_after):
    token(rsps)
    rsps.get(LEADS, json=failed((code, "Max rate limit '100' exceeded with in '20' secs")))
    with pytest.raises(CrmError) as exc:
        backend.lookup("nina@globex.com")
    assert not exc.value.permanent and exc.value.retry_after == retry_after
    assert exc.value.code == code


def test_write_fields_updates_the_lead_by_id(rsps, backend):
    token(rsps)
    call = rsps.post(LEADS, json=ok([{"id": 318581, "status": "updated"}]))
    backend.write_fields("lead", "318581", {"knockRepOwner": "Dana", "knockMeetingOwner": None})
    body = json.loads(call.calls[0].request.body)
    assert body == {
        "action": "updateOnly",
        "lookupField": "id",
        "input": [{"id": 318581, "knockRepOwner": "Dana", "knockMeetingOwner": None}],
    }


@pytest.mark.parametrize(
    ("answer", "permanent", "code", "text"),
    [
        (failed(("1006", "Field 'knockRepOwner' not found")), True, "1006", "not found"),
        (failed(("1003", "Invalid value for field")), True, "1003", "Invalid value"),
        (
            ok([{"status": "skipped", "reasons": [{"code": "1004", "message": "Lead not found"}]}]),
            True,
            "1004",
            "Lead not found",
        ),
        (failed(("606", "Max rate limit exceeded")), False, "606", "rate limit"),
        (failed(("615", "Concurrent access limit reached")), False, "615", "Concurrent"),
    ],
)
def test_write_errors_are_classified_and_shown(rsps, backend, answer, permanent, code, text):
    token(rsps)
    rsps.post(LEADS, json=answer)
    with pytest.raises(CrmError) as exc:
        backend.write_fields("lead", "318581", {"knockRepOwner": "Dana"})
    assert (exc.value.permanent, exc.value.code) == (permanent, code)
    assert text in str(exc.value)


@pytest.mark.parametrize(("record_type", "record_id"), [("contact", "1"), ("lead", "abc")])
def test_write_fields_refusals(rsps, backend, record_type, record_id):
    with pytest.raises(CrmError) as exc:
        backend.write_fields(record_type, record_id, {"knockRepOwner": "Dana"})
    assert exc.value.permanent and len(rsps.calls) == 0


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_is_transient(rsps, backend, status):
    token(rsps)
    rsps.get(LEADS, status=status, body="upstream down")
    with pytest.raises(CrmError) as exc:
        backend.lookup("nina@globex.com")
    assert not exc.value.permanent and exc.value.status == status


def test_timeouts_and_connection_errors_are_transient(rsps, backend):
    token(rsps)
    rsps.get(LEADS, body=requests.Timeout("slow"))
    with pytest.raises(CrmError) as exc:
        backend.lookup("nina@globex.com")
    assert not exc.value.permanent and exc.value.code == "timeout"
    rsps.replace(responses.GET, LEADS, body=requests.ConnectionError("refused"))
    with pytest.raises(CrmError) as exc:
        backend.lookup("nina@globex.com")
    assert exc.value.code == "connection"


def test_time_boxed_lookup_through_marketo(rsps, backend):
    token(rsps)
    rsps.get(LEADS, json=ok([NINA]))
    assert lookup_with_timeout(backend, "nina@globex.com", timeout=5).exists
