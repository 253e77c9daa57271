"""Issue 10 item 17: write-back goes to the lead or contact record the chat is about,
never to an account (a lead matched only by its company's domain) unless the
workspace's CRM settings turn on write_to_accounts."""

import pytest

from crm.models import CrmSettings, LocalAccount, LocalContact
from outbox import runner
from outbox.models import Delivery
from routing import actions

from .fakes import HS, RATE_HEADERS, FakeSalesforce, hs_object, sf_attributes, sf_user_ref

pytestmark = pytest.mark.django_db

ACCOUNT = "0015g00000Glob0AAA"
CONTACT = "0035g00000Jane0AAA"


def route(api, email):
    response = api.post("/api/v1/chats/", {"lead": {"email": email}}, format="json")
    assert response.status_code == 201, response.data
    return response.data


def writes(chat_id):
    return list(Delivery.objects.filter(kind="crm.write", chat_id=chat_id))


@pytest.fixture
def priya(workspace, make_rep):
    """The fallback gives every chat to Priya; Dana owns the Globex account."""
    priya, dana = make_rep("Priya"), make_rep("Dana", email="dana@acme.test")
    actions.update_workspace(workspace, default_rep=priya.id)
    return priya, dana


# -- the local CRM: the Globex case ---------------------------------------------


@pytest.fixture
def globex(workspace, priya):
    return LocalAccount.objects.create(
        workspace=workspace, name="Globex", domain="globex.com", owner_email="dana@acme.test"
    )


def test_a_lead_matched_only_by_its_account_writes_nothing_to_the_account(api, globex):
    for email in ("ann@globex.com", "bob@globex.com"):
        data = route(api, email)
        assert data["context"]["crm"]["exists"] is True  # the account still informs routing
        assert writes(data["id"]) == []
    globex.refresh_from_db()
    assert globex.custom_fields == {}


def test_a_contact_is_written_and_its_account_is_not(api, globex, workspace):
    LocalContact.objects.create(workspace=workspace, email="ann@globex.com", account=globex)
    data = route(api, "ann@globex.com")
    [write] = writes(data["id"])
    assert write.target["record_type"] == "contact"
    runner.run(write.id)
    write.refresh_from_db()
    assert write.status == Delivery.DONE
    assert LocalContact.objects.get(email="ann@globex.com").custom_fields == {
        "Knock: Rep Owner": "Priya"
    }
    globex.refresh_from_db()
    assert globex.custom_fields == {}


def test_write_to_accounts_turned_on_writes_the_account(api, globex, crm_settings):
    crm_settings("local", write_to_accounts=True)
    data = route(api, "ann@globex.com")
    [write] = writes(data["id"])
    assert write.target == {
        "record_type": "account",
        "record_id": str(globex.id),
        "email": "ann@globex.com",
    }
    runner.run(write.id)
    globex.refresh_from_db()
    assert globex.custom_fields == {"Knock: Rep Owner": "Priya"}


def test_an_account_write_planned_before_the_setting_was_turned_off_is_not_sent(
    api, globex, crm_settings
):
    settings = crm_settings("local", write_to_accounts=True)
    [write] = writes(route(api, "ann@globex.com")["id"])
    settings.write_to_accounts = False
    settings.save()
    runner.run(write.id)
    write.refresh_from_db()
    assert write.status == Delivery.FAILED and "turned off" in write.last_error
    globex.refresh_from_db()
    assert globex.custom_fields == {}


def test_the_setting_is_off_by_default_and_on_the_console_form(workspace):
    from crm.forms import CrmSettingsForm

    assert CrmSettings.for_workspace(workspace).write_to_accounts is False
    form = CrmSettingsForm(
        {"backend": "local", "credentials_source": "database", "lookup_timeout": "1.5",
         "write_to_accounts": "on"},
        instance=CrmSettings.for_workspace(workspace),
    )  # fmt: skip
    assert form.is_valid(), form.errors
    assert form.save().write_to_accounts is True
    assert 'name="write_to_accounts"' in str(CrmSettingsForm())


# -- Salesforce -------------------------------------------------------------------------

SF_AUTH = {"username": "api@acme.com", "password": "pw", "security_token": "TOKEN"}


@pytest.fixture
def salesforce(rsps, crm_settings, priya):
    sf = FakeSalesforce(rsps)
    sf.records["Account"] = [
        {
            "attributes": sf_attributes("Account", ACCOUNT),
            "Id": ACCOUNT,
            "Name": "Globex",
            "Website": "globex.com",
            "OwnerId": "0055g00000Dana0AAA",
            "Owner": sf_user_ref("0055g00000Dana0AAA", "dana@acme.test"),
        }
    ]
    return sf, crm_settings("salesforce", credentials=SF_AUTH)


def test_salesforce_account_is_not_patched(api, salesforce):
    sf, _ = salesforce
    data = route(api, "ann@globex.com")
    assert data["context"]["crm"]["exists"] is True
    assert writes(data["id"]) == []
    assert sf.patches == []


def test_salesforce_account_is_patched_when_turned_on(api, salesforce):
    sf, settings = salesforce
    settings.write_to_accounts = True
    settings.save()
    [write] = writes(route(api, "ann@globex.com")["id"])
    runner.run(write.id)
    assert [p[:3] for p in sf.patches] == [("Account", ACCOUNT, {"Knock_Rep_Owner__c": "Priya"})]


def test_salesforce_contact_is_patched_not_its_account(api, salesforce):
    sf, _ = salesforce
    sf.records["Contact"] = [
        {
            "attributes": sf_attributes("Contact", CONTACT),
            "Id": CONTACT,
            "Email": "ann@globex.com",
            "OwnerId": "0055g00000Dana0AAA",
            "Owner": sf_user_ref("0055g00000Dana0AAA", "dana@acme.test"),
            "AccountId": ACCOUNT,
            "Account": {"attributes": sf_attributes("Account", ACCOUNT), "Name": "Globex"},
        }
    ]
    [write] = writes(route(api, "ann@globex.com")["id"])
    runner.run(write.id)
    assert [p[:2] for p in sf.patches] == [("Contact", CONTACT)]


# -- HubSpot ----------------------------------------------------------------------------


def test_hubspot_company_is_not_patched(api, rsps, crm_settings, priya):
    crm_settings("hubspot", credentials={"access_token": "pat-na1-x"})
    company = hs_object("9001", {"name": "Globex", "domain": "globex.com"})

    def add(method, path, body):
        rsps.add(method, HS + path, json=body, headers=RATE_HEADERS)

    add("POST", "/crm/v3/objects/contacts/search", {"total": 0, "results": []})
    add("POST", "/crm/v3/objects/companies/search", {"total": 1, "results": [company]})
    add("GET", "/crm/v3/objects/companies/9001", company)
    add("PATCH", "/crm/v3/objects/companies/9001", company)
    data = route(api, "ann@globex.com")
    assert data["context"]["crm"]["exists"] is True
    assert writes(data["id"]) == []
    assert not [c for c in rsps.calls if c.request.method == "PATCH"]
