"""The CRM models in the Django admin."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client

from crm.models import CrmSettings, CrmUserMapping, LocalAccount, LocalContact, LocalOpportunity


@pytest.fixture
def root(db):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "root@x.test", "pw"))
    return client


@pytest.fixture
def data(workspace, crm_settings, make_rep):
    settings = crm_settings("hubspot", credentials={"access_token": "pat-na1-visible?"})
    account = LocalAccount.objects.create(workspace=workspace, name="Acme", domain="acme.com")
    LocalContact.objects.create(workspace=workspace, email="jane@acme.com", account=account)
    LocalOpportunity.objects.create(workspace=workspace, account=account, name="Deal")
    CrmUserMapping.objects.create(workspace=workspace, crm_user_id="41", rep=make_rep())
    return settings


def test_every_crm_model_is_registered():
    registered = {m for m in admin.site._registry if m._meta.app_label == "crm"}
    assert registered == {CrmSettings, CrmUserMapping, LocalAccount, LocalContact, LocalOpportunity}


@pytest.mark.parametrize(
    "model", ["crmsettings", "crmusermapping", "localaccount", "localcontact", "localopportunity"]
)
def test_changelists_and_change_pages_render(root, data, model):
    response = root.get(f"/admin/crm/{model}/?q=a")
    assert response.status_code == 200
    obj_id = {
        "crmsettings": data.id,
        "crmusermapping": CrmUserMapping.objects.get().id,
        "localaccount": LocalAccount.objects.get().id,
        "localcontact": LocalContact.objects.get().id,
        "localopportunity": LocalOpportunity.objects.get().id,
    }[model]
    response = root.get(f"/admin/crm/{model}/{obj_id}/change/")
    assert response.status_code == 200


def test_the_settings_page_never_shows_the_secret(root, data):
    page = root.get(f"/admin/crm/crmsettings/{data.id}/change/").content.decode()
    assert "pat-na1-visible?" not in page
    assert "access_token (values hidden)" in page


def test_settings_saved_in_the_admin_are_encrypted(root, workspace):
    response = root.post(
        "/admin/crm/crmsettings/add/",
        {
            "workspace": workspace.id,
            "backend": "salesforce",
            "lookup_timeout": "2.5",
            "credentials_source": "database",
            "salesforce_username": "api@acme.com",
            "salesforce_password": "hunter2",
            "salesforce_security_token": "TOKEN123",
            "rep_owner_field": "Owner_Rep__c",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    settings = CrmSettings.objects.get(workspace=workspace)
    assert settings.credentials == {
        "username": "api@acme.com",
        "password": "hunter2",
        "security_token": "TOKEN123",
    }
    assert "hunter2" not in settings.credentials_encrypted
    assert settings.field_names()["rep_owner"] == "Owner_Rep__c"
    assert settings.field_names()["responding_rep"] == "Knock_Responding_Rep__c"
