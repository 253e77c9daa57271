"""SPEC 5a: a booking writes `Knock: Meeting Owner` and `Knock: Meeting Status` (booked /
cancelled / no_show) back to the lead's CRM record, the one its availability matched,
as durable deliveries; on the local CRM, Salesforce and HubSpot; never to an account
unless write_to_accounts is on; the field names are the workspace's."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from calendars.models import Meeting
from crm.forms import CrmSettingsForm
from crm.models import CrmSettings, LocalAccount, LocalContact
from outbox import runner
from outbox.models import Delivery
from tests.calendars.conftest import (  # noqa: F401 - fixtures
    MEETINGS,
    ask,
    book,
    meeting_rule,
    rep_factory,
    with_booking,
)

from .fakes import HS, RATE_HEADERS, FakeSalesforce, hs_object, sf_attributes

pytestmark = pytest.mark.django_db

CONTACT = "0035g00000Lee00AAA"


@pytest.fixture
def dana(rep_factory, with_booking):  # noqa: F811
    dana = rep_factory("Dana")
    with_booking(logic="single_rep", reps=[dana.id])
    return dana


def booked(api, email="lee@bigco.com"):
    offer = ask(api, email=email).json()
    made = book(api, offer["id"], offer["slots"][0]["start"])
    assert made.status_code == 201, made.json()
    return Meeting.objects.get(pk=made.json()["id"])


def writes(meeting):
    return list(Delivery.objects.filter(kind="crm.write", decision=meeting.decision).order_by("id"))


def run_all(meeting):
    for write in writes(meeting):
        runner.run(write.id)
    return [w.status for w in writes(meeting)]


def test_local_crm_contact_gets_owner_and_status_through_the_meeting_life(api, workspace, dana):
    contact = LocalContact.objects.create(workspace=workspace, email="lee@bigco.com")
    meeting = booked(api)
    assert (meeting.crm_record_type, meeting.crm_record_id) == ("contact", str(contact.id))
    [write] = writes(meeting)
    assert write.key == f"meeting:{meeting.id}:crm:booked"
    assert write.target == {
        "record_type": "contact",
        "record_id": str(contact.id),
        "email": "lee@bigco.com",  # what Marketo writes by
    }
    assert run_all(meeting) == ["done"]
    contact.refresh_from_db()
    assert contact.custom_fields == {
        "Knock: Meeting Owner": "Dana",
        "Knock: Meeting Status": "booked",
    }

    runner.run(write.id)  # a retry writes the same values: nothing changes
    assert api.post(f"{MEETINGS}{meeting.id}/cancel/").status_code == 200
    assert run_all(meeting) == ["done", "done"]
    contact.refresh_from_db()
    assert contact.custom_fields["Knock: Meeting Status"] == "cancelled"


def test_no_show_and_reschedule(api, workspace, dana):
    contact = LocalContact.objects.create(workspace=workspace, email="lee@bigco.com")
    meeting = booked(api)
    offer = ask(api, email="lee@bigco.com").json()
    moved = api.post(
        f"{MEETINGS}{meeting.id}/reschedule/", {"start": offer["slots"][1]["start"]}, format="json"
    )
    assert moved.status_code == 200, moved.json()
    assert len(writes(meeting)) == 1  # a move changes neither owner nor status
    Meeting.objects.filter(pk=meeting.pk).update(
        start=timezone.now() - timedelta(hours=1), end=timezone.now() - timedelta(minutes=30)
    )
    assert api.post(f"{MEETINGS}{meeting.id}/no-show/").status_code == 200
    assert run_all(meeting) == ["done", "done"]
    contact.refresh_from_db()
    assert contact.custom_fields["Knock: Meeting Status"] == "no_show"


def test_an_account_only_match_writes_nothing_unless_turned_on(api, workspace, dana, crm_settings):
    account = LocalAccount.objects.create(workspace=workspace, name="BigCo", domain="bigco.com")
    assert writes(booked(api)) == []
    crm_settings("local", write_to_accounts=True)
    meeting = booked(api, email="kim@bigco.com")
    assert run_all(meeting) == ["done"]
    account.refresh_from_db()
    assert account.custom_fields["Knock: Meeting Owner"] == "Dana"


def test_a_lead_not_in_the_crm_and_a_failed_booking_write_nothing(api, workspace, dana):
    LocalContact.objects.create(workspace=workspace, email="kim@bigco.com")
    kim = ask(api, email="kim@bigco.com").json()  # offered the same slot as Lee
    meeting = booked(api)
    assert writes(meeting) == [] and meeting.crm_record_id == ""
    assert book(api, kim["id"], kim["slots"][0]["start"]).status_code == 409
    assert book(api, kim["id"], "2031-01-01T09:00:00+00:00").status_code == 400
    assert not Delivery.objects.filter(kind="crm.write").exists()


def test_salesforce_contact_is_patched_with_the_configured_names(
    api, rsps, crm_settings, dana, workspace
):
    sf = FakeSalesforce(rsps)
    sf.records["Contact"] = [
        {"attributes": sf_attributes("Contact", CONTACT), "Id": CONTACT, "Email": "lee@bigco.com"}
    ]
    crm_settings(
        "salesforce",
        credentials={"username": "api@acme.com", "password": "pw", "security_token": "T"},
        meeting_status_field="Meeting_State__c",
    )
    meeting = booked(api)
    assert run_all(meeting) == ["done"]
    assert [p[:3] for p in sf.patches] == [
        ("Contact", CONTACT, {"Knock_Meeting_Owner__c": "Dana", "Meeting_State__c": "booked"})
    ]


def test_hubspot_contact_is_patched(api, rsps, crm_settings, dana):
    crm_settings("hubspot", credentials={"access_token": "pat-na1-x"})
    lee = hs_object("512", {"email": "lee@bigco.com", "lifecyclestage": "lead"})

    def add(method, path, body):
        rsps.add(method, HS + path, json=body, headers=RATE_HEADERS)

    add("POST", "/crm/v3/objects/contacts/search", {"total": 1, "results": [lee]})
    add("GET", "/crm/v3/objects/contacts/512", lee)
    add("PATCH", "/crm/v3/objects/contacts/512", lee)
    meeting = booked(api)
    api.post(f"{MEETINGS}{meeting.id}/cancel/")
    assert run_all(meeting) == ["done", "done"]
    patches = [json.loads(c.request.body) for c in rsps.calls if c.request.method == "PATCH"]
    assert patches == [
        {"properties": {"knock_meeting_owner": "Dana", "knock_meeting_status": "booked"}},
        {"properties": {"knock_meeting_owner": "Dana", "knock_meeting_status": "cancelled"}},
    ]


@pytest.fixture
def console(workspace):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from routing.models import Membership

    user = get_user_model().objects.create_user("ops", password="pw-ops-123", is_staff=True)
    Membership.objects.create(workspace=workspace, user=user)
    client = Client()
    client.force_login(user)
    return client


def test_the_status_field_name_is_on_the_settings_form_and_the_crm_page(workspace, console):
    form = CrmSettingsForm(
        {"backend": "local", "credentials_source": "database", "lookup_timeout": "1.5",
         "meeting_status_field": "Meeting state"},
        instance=CrmSettings.for_workspace(workspace),
    )  # fmt: skip
    assert form.is_valid(), form.errors
    assert form.save().field_names()["meeting_status"] == "Meeting state"
    page = console.get(f"/w/{workspace.id}/crm/")
    assert page.status_code == 200 and 'name="meeting_status_field"' in page.content.decode()
