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


def test_an_email_with_a_comma_is_never_sent_as_two_filter_values(rsps, backend):
    assert backend.lookup('"nina,dana"@globex.com').exists is False
    assert len(rsps.calls) == 0


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


def test_write_fields_create_or_update_on_the_leads_email(rsps, backend):
    token(rsps)
    call = rsps.post(LEADS, json=ok([{"id": 318581, "status": "updated"}]))
    backend.write_fields(
        "lead",
        "318581",
        {"knockRepOwner": "Dana", "knockMeetingOwner": None},
        email="Nina@Globex.com",
    )
    sent = call.calls[0].request
    assert sent.headers["Authorization"] == "Bearer tok-1"
    assert json.loads(sent.body) == {
        "action": "createOrUpdate",
        "lookupField": "email",
        "input": [{"knockRepOwner": "Dana", "knockMeetingOwner": None, "email": "nina@globex.com"}],
    }


def test_a_lead_gone_from_marketo_is_created_with_the_knock_fields(rsps, backend):
    token(rsps)
    rsps.post(LEADS, json=ok([{"id": 400001, "status": "created"}]))
    backend.write_fields("lead", "318581", {"knockRepOwner": "Dana"}, email="nina@globex.com")


def test_a_write_planned_without_an_email_updates_by_id(rsps, backend):
    """Deliveries planned before the email was kept in their target: updateOnly by id."""
    token(rsps)
    call = rsps.post(LEADS, json=ok([{"id": 318581, "status": "updated"}]))
    backend.write_fields("lead", "318581", {"knockRepOwner": "Dana"})
    assert json.loads(call.calls[0].request.body) == {
        "action": "updateOnly",
        "lookupField": "id",
        "input": [{"knockRepOwner": "Dana", "id": 318581}],
    }


@pytest.mark.parametrize("code", ["601", "602"])
def test_a_write_renews_an_invalid_or_expired_token_once(rsps, backend, code):
    token(rsps, "old")
    token(rsps, "new")
    rsps.post(LEADS, json=failed((code, "Access token expired")))
    second = rsps.post(LEADS, json=ok([{"id": 318581, "status": "updated"}]))
    backend.write_fields("lead", "318581", {"knockRepOwner": "Dana"}, email="nina@globex.com")
    writes = [c for c in rsps.calls if c.request.url.startswith(LEADS)]
    assert [c.request.headers["Authorization"] for c in writes] == ["Bearer old", "Bearer new"]
    assert second.call_count == 1


def skipped(code, message):
    return ok([{"status": "skipped", "reasons": [{"code": code, "message": message}]}])


@pytest.mark.parametrize(
    ("answer", "permanent", "code", "text"),
    [
        # Marketo's record-level refusals: HTTP 200, success true, the record skipped.
        (skipped("1006", "Field 'knockRepOwner' not found"), True, "1006", "not found"),
        (skipped("1003", "Invalid value for field 'knockRepOwner'"), True, "1003", "Invalid"),
        (skipped("1004", "Lead not found"), True, "1004", "Lead not found"),
        (skipped("1007", "Multiple leads match the lookup criteria"), True, "1007", "Multiple"),
        # Request-level errors: success false.
        (failed(("1003", "Invalid value for field")), True, "1003", "Invalid value"),
        (failed(("603", "Access denied")), True, "603", "Access denied"),
        (failed(("606", "Max rate limit '100' exceeded with in '20' secs")), False, "606", "rate"),
        (failed(("607", "Daily quota reached")), False, "607", "Daily quota"),
        (failed(("615", "Concurrent access limit reached")), False, "615", "Concurrent"),
    ],
)
def test_write_errors_are_classified_and_shown(rsps, backend, answer, permanent, code, text):
    token(rsps)
    rsps.post(LEADS, json=answer)
    with pytest.raises(CrmError) as exc:
        backend.write_fields("lead", "318581", {"knockRepOwner": "Dana"}, email="nina@globex.com")
    assert (exc.value.permanent, exc.value.code) == (permanent, code)
    assert text in str(exc.value) and code in str(exc.value)


@pytest.mark.parametrize("email", ["not-an-email", "a@b@c", "sp ace@x.com"])
def test_write_fields_refuses_a_bad_email(rsps, backend, email):
    with pytest.raises(CrmError) as exc:
        backend.write_fields("lead", "318581", {"knockRepOwner": "Dana"}, email=email)
    assert exc.value.permanent and exc.value.code == "bad_email" and len(rsps.calls) == 0


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


# -- end to end: a routed chat's write-back through the outbox ---------------------------
@pytest.fixture
def marketo_chat(rsps, crm_settings, make_rep, workspace, api):
    """Nina routed with Marketo as the CRM: her Marketo lead is the write-back target."""
    from outbox.models import Delivery

    crm_settings("marketo", credentials=CREDS)
    make_rep("Dana", email="dana@demo-co.example")
    token(rsps)
    rsps.get(LEADS, json=ok([NINA]))
    response = api.post("/api/v1/chats/", {"lead": {"email": "nina@globex.com"}}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["context"]["crm"]["system"] == "marketo"
    [write] = Delivery.objects.filter(kind="crm.write", chat_id=response.data["id"])
    assert write.target == {
        "record_type": "lead",
        "record_id": "318581",
        "email": "nina@globex.com",
    }
    return write


def test_a_routed_chat_writes_its_knock_fields_with_create_or_update(rsps, marketo_chat):
    from outbox import runner

    call = rsps.post(LEADS, json=ok([{"id": 318581, "status": "updated"}]))
    runner.run(marketo_chat.id)
    marketo_chat.refresh_from_db()
    assert marketo_chat.status == "done"
    body = json.loads(call.calls[0].request.body)
    assert (body["action"], body["lookupField"]) == ("createOrUpdate", "email")
    assert body["input"] == [{"knockRepOwner": "Dana", "email": "nina@globex.com"}]


@pytest.mark.parametrize(("code", "at_least"), [("606", 20), ("607", 3600), ("615", 20)])
def test_rate_quota_and_concurrency_are_retried_with_backoff(rsps, marketo_chat, code, at_least):
    from django.utils import timezone

    from outbox import runner
    from outbox.models import Delivery

    rsps.post(LEADS, json=failed((code, "Limit reached")))
    before = timezone.now()
    runner.run(marketo_chat.id)
    marketo_chat.refresh_from_db()
    assert marketo_chat.status == "pending" and marketo_chat.attempts == 1
    assert code in marketo_chat.last_error
    assert (marketo_chat.next_attempt_at - before).total_seconds() >= at_least
    runner.run(marketo_chat.id)  # too early: the task waits for its time
    marketo_chat.refresh_from_db()
    assert (marketo_chat.status, marketo_chat.attempts) == ("pending", 1)
    # Once the wait is over, the next attempt succeeds: the same delivery, written once.
    Delivery.objects.filter(id=marketo_chat.id).update(next_attempt_at=timezone.now())
    rsps.replace(responses.POST, LEADS, json=ok([{"id": 318581, "status": "updated"}]))
    runner.run(marketo_chat.id)
    marketo_chat.refresh_from_db()
    assert (marketo_chat.status, marketo_chat.attempts, marketo_chat.last_error) == ("done", 2, "")


def test_a_field_error_fails_for_good_and_the_crm_page_shows_it(rsps, marketo_chat, workspace):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from outbox import runner
    from routing.models import Membership

    user = get_user_model().objects.create_user("ops", password="pw-ops-123", is_staff=True)
    Membership.objects.create(workspace=workspace, user=user)
    console = Client()
    console.force_login(user)

    rsps.post(LEADS, json=skipped("1006", "Field 'knockRepOwner' not found"))
    runner.run(marketo_chat.id)
    marketo_chat.refresh_from_db()
    assert marketo_chat.status == "failed" and marketo_chat.next_attempt_at is None
    assert marketo_chat.last_error == "marketo: Marketo 1006 Field 'knockRepOwner' not found"
    page = console.get(f"/w/{marketo_chat.workspace_id}/crm/").content.decode()
    assert "Field &#x27;knockRepOwner&#x27; not found" in page
