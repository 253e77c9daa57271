"""The CRM forms: settings (admin, and the console's settings page), the contacts
upload and the owner override of the console's CRM page.

Credentials are write-only: a blank input keeps the stored value, nothing
stored is ever rendered back into the page.
"""

from __future__ import annotations

import os

from django import forms

from routing.csv_import.console import UploadForm as CsvUploadForm
from routing.models import Rep

from .backends import CrmError
from .backends.base import KNOCK_FIELDS
from .models import CREDENTIAL_ENV, CrmSettings

# backend -> {credential key: form field}
CREDENTIAL_FIELDS = {
    "salesforce": {
        "username": "salesforce_username",
        "password": "salesforce_password",
        "security_token": "salesforce_security_token",
        "domain": "salesforce_domain",
        "instance_url": "salesforce_instance_url",
        "session_id": "salesforce_session_id",
    },
    "hubspot": {"access_token": "hubspot_access_token"},
    "marketo": {
        "client_id": "marketo_client_id",
        "client_secret": "marketo_client_secret",
        "base_url": "marketo_base_url",
        "identity_url": "marketo_identity_url",
        "owner_field": "marketo_owner_field",
        "lifecycle_field": "marketo_lifecycle_field",
        "status_field": "marketo_status_field",
    },
    "local": {},
}


def _secret(label, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        help_text=help_text or "Leave blank to keep the stored value.",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class CrmSettingsForm(forms.ModelForm):
    salesforce_username = forms.CharField(label="Salesforce username", required=False)
    salesforce_password = _secret("Salesforce password")
    salesforce_security_token = _secret("Salesforce security token")
    salesforce_domain = forms.CharField(
        label="Salesforce login domain",
        required=False,
        help_text="login (production), test (sandbox) or your My Domain, e.g. acme.my.",
    )
    salesforce_instance_url = forms.URLField(
        label="Salesforce instance URL",
        required=False,
        help_text="With a session id instead of a username: https://acme.my.salesforce.com",
    )
    salesforce_session_id = _secret("Salesforce session id / access token")
    hubspot_access_token = _secret("HubSpot private app access token")
    marketo_client_id = forms.CharField(label="Marketo client id", required=False)
    marketo_client_secret = _secret("Marketo client secret")
    marketo_base_url = forms.URLField(
        label="Marketo REST API endpoint",
        required=False,
        help_text="Admin > Web Services, e.g. https://123-ABC-456.mktorest.com",
    )
    marketo_identity_url = forms.URLField(
        label="Marketo identity endpoint",
        required=False,
        help_text="Blank: the REST endpoint + /identity.",
    )
    marketo_owner_field = forms.CharField(
        label="Marketo owner field",
        required=False,
        help_text="The lead field holding the owner's email. Blank: leadOwnerEmail.",
    )
    marketo_lifecycle_field = forms.CharField(
        label="Marketo lifecycle field", required=False, help_text="e.g. a lifecycle stage field."
    )
    marketo_status_field = forms.CharField(
        label="Marketo status field", required=False, help_text="Blank: leadStatus."
    )
    clear_credentials = forms.BooleanField(label="Forget the stored credentials", required=False)

    class Meta:
        model = CrmSettings
        fields = [
            "backend",
            "credentials_source",
            "lookup_timeout",
            "rep_owner_field",
            "responding_rep_field",
            "response_time_field",
            "meeting_owner_field",
            "meeting_status_field",
            "write_to_accounts",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each field says its own default names (not one sentence copied onto all).
        from .backends import BACKENDS, backend_class

        names = {b: backend_class(b).default_field_names for b in BACKENDS}
        for key in KNOCK_FIELDS:
            self.fields[f"{key}_field"].help_text = (
                f"Blank: {names['salesforce'][key]} on Salesforce, {names['hubspot'][key]} on "
                f"HubSpot, {names['marketo'][key]} on Marketo, “{names['local'][key]}” on the "
                "local CRM."
            )
        self._credentials: dict | None = None

    def clean(self):
        cleaned = super().clean()
        backend = cleaned.get("backend") or "local"
        source = cleaned.get("credentials_source") or "database"
        typed = {
            key: cleaned.get(name)
            for key, name in CREDENTIAL_FIELDS.get(backend, {}).items()
            if cleaned.get(name)
        }
        stored = {}
        same_backend = self.instance.pk is not None and self.instance.backend == backend
        if same_backend and not cleaned.get("clear_credentials"):
            try:
                stored = self.instance.credentials
            except CrmError as exc:
                if not typed:
                    self.add_error(None, str(exc))
        credentials = {**stored, **typed}
        self._credentials = credentials

        if source == "environment":
            names = CREDENTIAL_ENV.get(backend, {})
            present = {key for key, var in names.items() if os.environ.get(var)}
            if not _complete(backend, present):
                self.add_error(
                    "credentials_source",
                    f"Set {_requirement(backend, names)} in the server's environment first.",
                )
        elif not _complete(backend, set(credentials)):
            self.add_error(None, f"{backend} needs {_requirement(backend)}.")
        return cleaned

    def save(self, commit=True):
        instance = super().save(commit=False)
        if self._credentials is not None:
            instance.credentials = self._credentials
        if commit:
            instance.save()
        return instance


def _complete(backend: str, present: set[str]) -> bool:
    if backend == "hubspot":
        return "access_token" in present
    if backend == "marketo":
        return {"client_id", "client_secret", "base_url"} <= present
    if backend == "salesforce":
        return {"username", "password"} <= present or {"instance_url", "session_id"} <= present
    return True


def _requirement(backend: str, names: dict | None = None) -> str:
    n = names or {k: k.replace("_", " ") for k in CREDENTIAL_FIELDS.get(backend, {})}
    if backend == "hubspot":
        return n["access_token"]
    if backend == "marketo":
        return f"{n['client_id']}, {n['client_secret']} and {n['base_url']}"
    return (
        f"{n['username']} and {n['password']} (and {n['security_token']}), "
        f"or {n['instance_url']} and {n['session_id']}"
    )


class UploadForm(CsvUploadForm):
    max_mb = 50
    command = "import_crm"
    file = forms.FileField(label="Contacts CSV")


class MappingForm(forms.Form):
    crm_user_id = forms.CharField(max_length=64, required=False, label="CRM user id")
    email = forms.EmailField(required=False, label="CRM user email")
    rep = forms.ModelChoiceField(queryset=Rep.objects.none(), label="Rep")

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = Rep.objects.filter(workspace=workspace)

    def clean(self):
        data = super().clean()
        if not data.get("crm_user_id") and not data.get("email"):
            raise forms.ValidationError("Give the CRM user's id or email.")
        return data
