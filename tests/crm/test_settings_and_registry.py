"""The backend registry, CrmSettings (encryption at rest, env credentials, field names)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings

from crm.backends import BACKENDS, UnknownBackend, backend_for_workspace, get_backend
from crm.backends.base import CrmError, CrmRecord
from crm.backends.hubspot import HubSpotBackend
from crm.backends.local import LocalBackend
from crm.backends.salesforce import SalesforceBackend
from crm.forms import CrmSettingsForm
from crm.models import CrmSettings

# ------------------------------------------------------------------------- registry


@pytest.mark.parametrize("name", ["pipedrive", "", "Local", "salesforce ", None, "default"])
def test_registry_refuses_unknown_names(name):
    with pytest.raises(UnknownBackend) as info:
        get_backend(name)
    # Both kinds of caller catch it: the routing path (CrmError) and start-up code.
    assert isinstance(info.value, CrmError)
    assert isinstance(info.value, ImproperlyConfigured)
    assert info.value.permanent is True
    assert "unknown CRM backend" in str(info.value)
    assert "hubspot, local, marketo, salesforce" in str(info.value)


def test_model_choices_are_exactly_the_registry():
    assert {value for value, _ in CrmSettings.BACKEND_CHOICES} == set(BACKENDS)


def test_get_backend_returns_the_named_class(crm_settings):
    local = get_backend("local", crm_settings("local"))
    assert isinstance(local, LocalBackend)
    sf = get_backend("salesforce", _unsaved("salesforce", session_id="S", inst=True))
    assert isinstance(sf, SalesforceBackend)
    hs = get_backend("hubspot", _unsaved("hubspot", access_token="pat-na1-x"))
    assert isinstance(hs, HubSpotBackend)


def _unsaved(backend, access_token=None, session_id=None, inst=False):
    settings = CrmSettings(backend=backend)
    creds = {"access_token": access_token, "session_id": session_id}
    if inst:
        creds["instance_url"] = "https://acme.my.salesforce.com"
    settings.credentials = creds
    return settings


def test_workspace_without_settings_uses_the_local_crm(workspace):
    backend = backend_for_workspace(workspace)
    assert isinstance(backend, LocalBackend)
    assert backend.lookup_timeout == 1.5
    assert backend.lookup("nobody@acme.test", "acme.test") == CrmRecord.not_found("local")


def test_local_backend_needs_a_workspace():
    with pytest.raises(CrmError) as info:
        get_backend("local", None)
    assert info.value.permanent


@pytest.mark.parametrize("backend", ["salesforce", "hubspot"])
def test_missing_credentials_are_a_permanent_error(crm_settings, backend):
    with pytest.raises(CrmError) as info:
        get_backend(backend, crm_settings(backend))
    assert info.value.permanent
    assert info.value.code == "credentials"


# ----------------------------------------------------------------- encryption at rest


def _raw_column(settings_id) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT credentials_encrypted FROM crm_crmsettings WHERE id = %s", [settings_id]
        )
        return cursor.fetchone()[0]


def test_credentials_are_encrypted_at_rest(crm_settings):
    secret = "pat-na1-5ecr3t-0000-1111"
    settings = crm_settings("hubspot", credentials={"access_token": secret})

    raw = _raw_column(settings.id)
    assert raw and secret not in raw and "access_token" not in raw
    assert raw.startswith("gAAAA")  # a Fernet token

    reloaded = CrmSettings.objects.get(id=settings.id)
    assert reloaded.credentials == {"access_token": secret}
    assert reloaded.resolved_credentials() == {"access_token": secret}


def test_credentials_do_not_decrypt_under_another_key(crm_settings):
    settings = crm_settings("hubspot", credentials={"access_token": "pat-1"})
    with override_settings(SECRET_KEY="another-" + "y" * 50), pytest.raises(CrmError) as info:
        _ = CrmSettings.objects.get(id=settings.id).credentials
    assert info.value.permanent
    assert "cannot be decrypted" in str(info.value)


def test_secret_key_rotation_keeps_credentials_readable(crm_settings, settings):
    old_key = settings.SECRET_KEY
    stored = crm_settings("hubspot", credentials={"access_token": "pat-1"})
    with override_settings(SECRET_KEY="rotated-" + "z" * 50, SECRET_KEY_FALLBACKS=[old_key]):
        assert CrmSettings.objects.get(id=stored.id).credentials == {"access_token": "pat-1"}


def test_dedicated_encryption_key(crm_settings):
    with override_settings(FIELD_ENCRYPTION_KEY="a-dedicated-crm-key-" + "q" * 30):
        stored = crm_settings("hubspot", credentials={"access_token": "pat-2"})
        assert CrmSettings.objects.get(id=stored.id).credentials == {"access_token": "pat-2"}
    # SECRET_KEY alone cannot read it.
    with pytest.raises(CrmError):
        _ = CrmSettings.objects.get(id=stored.id).credentials


def test_credentials_from_the_environment(crm_settings, monkeypatch):
    monkeypatch.setenv("SALESFORCE_USERNAME", "api@acme.com")
    monkeypatch.setenv("SALESFORCE_PASSWORD", "pw")
    monkeypatch.setenv("SALESFORCE_SECURITY_TOKEN", "tok")
    monkeypatch.delenv("SALESFORCE_DOMAIN", raising=False)
    settings = crm_settings(
        "salesforce", credentials={"username": "stored@acme.com"}, credentials_source="environment"
    )
    assert settings.resolved_credentials() == {
        "username": "api@acme.com",
        "password": "pw",
        "security_token": "tok",
    }


# ----------------------------------------------------------------------- field names


def test_field_name_defaults_follow_the_backend(workspace):
    settings = CrmSettings(workspace=workspace)
    assert settings.field_names() == {
        "rep_owner": "Knock: Rep Owner",
        "responding_rep": "Knock: Responding Rep",
        "response_time": "Knock: Rep Response Time",
        "meeting_owner": "Knock: Meeting Owner",
        "meeting_status": "Knock: Meeting Status",
    }
    settings.backend = "salesforce"
    assert settings.field_names()["meeting_status"] == "Knock_Meeting_Status__c"
    assert settings.field_names()["rep_owner"] == "Knock_Rep_Owner__c"
    assert settings.field_names()["response_time"] == "Knock_Rep_Response_Time__c"
    settings.backend = "hubspot"
    assert settings.field_names()["meeting_owner"] == "knock_meeting_owner"
    settings.responding_rep_field = "first_responder"
    assert settings.field_names()["responding_rep"] == "first_responder"
    assert settings.field_names()["rep_owner"] == "knock_rep_owner"


# ------------------------------------------------------------------------------ form


def test_form_stores_credentials_encrypted_and_keeps_them_when_blank(workspace):
    form = CrmSettingsForm(
        data={
            "backend": "hubspot",
            "credentials_source": "database",
            "lookup_timeout": "2",
            "hubspot_access_token": "pat-na1-abc",
        },
        instance=CrmSettings(workspace=workspace),
    )
    assert form.is_valid(), form.errors
    saved = form.save()
    assert "pat-na1-abc" not in _raw_column(saved.id)
    assert saved.credentials == {"access_token": "pat-na1-abc"}
    # The secret is never rendered back.
    assert "pat-na1-abc" not in str(CrmSettingsForm(instance=saved))

    again = CrmSettingsForm(
        data={"backend": "hubspot", "credentials_source": "database", "lookup_timeout": "1.5"},
        instance=saved,
    )
    assert again.is_valid(), again.errors
    assert again.save().credentials == {"access_token": "pat-na1-abc"}


def test_form_refuses_incomplete_credentials(workspace, monkeypatch):
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)
    form = CrmSettingsForm(
        data={
            "backend": "salesforce",
            "credentials_source": "database",
            "lookup_timeout": "1.5",
            "salesforce_username": "api@acme.com",
        },
        instance=CrmSettings(workspace=workspace),
    )
    assert not form.is_valid()
    assert "password" in str(form.errors)

    form = CrmSettingsForm(
        data={"backend": "hubspot", "credentials_source": "environment", "lookup_timeout": "1.5"},
        instance=CrmSettings(workspace=workspace),
    )
    assert not form.is_valid()
    assert "HUBSPOT_ACCESS_TOKEN" in str(form.errors["credentials_source"])


def test_form_refuses_a_timeout_out_of_range(workspace):
    form = CrmSettingsForm(
        data={"backend": "local", "credentials_source": "database", "lookup_timeout": "0"},
        instance=CrmSettings(workspace=workspace),
    )
    assert not form.is_valid()
    assert "lookup_timeout" in form.errors
