"""CRM configuration per workspace, the CRM-user to rep mapping, and the local
CRM (contacts, accounts, opportunities) that is the default backend."""

from __future__ import annotations

import json
import os

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from knock import crypto
from routing import cache
from routing.csv_import.jobs import ImportJob
from routing.models import Rep, Workspace

from .backends.base import KNOCK_FIELDS, CrmError

# Credentials each backend understands, and the environment variable for each
# when CrmSettings.credentials_source == "environment".
CREDENTIAL_ENV = {
    "salesforce": {
        "username": "SALESFORCE_USERNAME",
        "password": "SALESFORCE_PASSWORD",
        "security_token": "SALESFORCE_SECURITY_TOKEN",
        "domain": "SALESFORCE_DOMAIN",
        "instance_url": "SALESFORCE_INSTANCE_URL",
        "session_id": "SALESFORCE_SESSION_ID",
    },
    "hubspot": {"access_token": "HUBSPOT_ACCESS_TOKEN"},
    "marketo": {
        "client_id": "MARKETO_CLIENT_ID",
        "client_secret": "MARKETO_CLIENT_SECRET",
        "base_url": "MARKETO_BASE_URL",
        "identity_url": "MARKETO_IDENTITY_URL",
        "owner_field": "MARKETO_OWNER_FIELD",
        "lifecycle_field": "MARKETO_LIFECYCLE_FIELD",
        "status_field": "MARKETO_STATUS_FIELD",
    },
    "local": {},
}


class CrmSettings(models.Model):
    """One per workspace. With no row, the workspace uses the local CRM with defaults."""

    BACKEND_CHOICES = [
        ("local", "Local CRM (built in)"),
        ("salesforce", "Salesforce"),
        ("hubspot", "HubSpot"),
        ("marketo", "Marketo"),
    ]
    SOURCE_CHOICES = [
        ("database", "Stored in Knock (encrypted)"),
        ("environment", "Environment variables (SALESFORCE_* / HUBSPOT_* / MARKETO_*)"),
    ]

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="crm_settings"
    )
    backend = models.CharField(max_length=20, choices=BACKEND_CHOICES, default="local")
    credentials_source = models.CharField(max_length=20, choices=SOURCE_CHOICES, default="database")
    # Fernet token of a JSON object; never the plaintext (see knock/crypto.py).
    credentials_encrypted = models.TextField(blank=True, default="", editable=False)
    lookup_timeout = models.FloatField(
        default=1.5,
        validators=[MinValueValidator(0.1), MaxValueValidator(30.0)],
        help_text="Seconds a routing decision waits for the CRM before going on without it.",
    )
    # Blank means the backend's default name (see field_names()).
    rep_owner_field = models.CharField(max_length=255, blank=True)
    responding_rep_field = models.CharField(max_length=255, blank=True)
    response_time_field = models.CharField(max_length=255, blank=True)
    meeting_owner_field = models.CharField(max_length=255, blank=True)
    meeting_status_field = models.CharField(max_length=255, blank=True)
    # A chat matched only by its company's account is not about that account: writing
    # Rep Owner there would overwrite the account owner's record with every new lead.
    write_to_accounts = models.BooleanField(
        default=False,
        help_text="Also write the Knock fields to the account when the lead is not a lead or "
        "contact in the CRM (off: only lead and contact records are written).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "CRM settings"
        verbose_name_plural = "CRM settings"

    def __str__(self):
        return f"CRM settings of {self.workspace}"

    @classmethod
    def for_workspace(cls, workspace: Workspace) -> CrmSettings:
        """The workspace's row, or an unsaved default (local CRM) when it has none."""
        try:
            found = cls.objects.get(workspace=workspace)
        except cls.DoesNotExist:
            return cls(workspace=workspace)
        found.workspace = workspace  # spare a query
        return found

    @classmethod
    def cached_for(cls, workspace: Workspace) -> CrmSettings:
        """`for_workspace`, read once per process and workspace stamp (routing/cache.py;
        crm.actions replaces the stamp when they change): the routing path reads them
        on every chat. Shared: never modify or save what this returns."""

        def load():
            found = cls.objects.filter(workspace_id=workspace.pk).first()
            return found if found is not None else cls(workspace_id=workspace.pk)

        return cache.get(workspace, "crm.settings", None, load)

    # -- credentials -------------------------------------------------------------

    @property
    def credentials(self) -> dict:
        """The stored credentials, decrypted. Raises CrmError if undecryptable."""
        if not self.credentials_encrypted:
            return {}
        try:
            return json.loads(crypto.decrypt(self.credentials_encrypted))
        except crypto.UndecryptableSecret as exc:
            raise CrmError(str(exc), permanent=True, code="credentials") from exc

    @credentials.setter
    def credentials(self, value: dict | None) -> None:
        value = {k: v for k, v in (value or {}).items() if v not in (None, "")}
        self.credentials_encrypted = crypto.encrypt(json.dumps(value)) if value else ""

    @property
    def has_stored_credentials(self) -> bool:
        return bool(self.credentials_encrypted)

    def resolved_credentials(self) -> dict:
        """The credentials the backend uses, from the database or the environment."""
        if self.credentials_source == "environment":
            names = CREDENTIAL_ENV.get(self.backend, {})
            return {key: os.environ[var] for key, var in names.items() if os.environ.get(var)}
        return self.credentials

    # -- field names -------------------------------------------------------------

    def field_names(self) -> dict[str, str]:
        """{"rep_owner": ..., "responding_rep": ..., "response_time": ..., "meeting_owner":
        ..., "meeting_status": ...}: the workspace's names, else the backend's defaults."""
        from .backends import backend_class

        defaults = backend_class(self.backend).default_field_names
        return {key: getattr(self, f"{key}_field") or defaults[key] for key in KNOCK_FIELDS}


class CrmUserMapping(models.Model):
    """A CRM user (owner) and, optionally, the rep it is manually mapped to.

    Without a manual `rep`, the owner maps to the rep with the same email, then to
    the rep whose `crm_user_ids` lists the CRM user id (see crm.mapping).
    """

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="crm_user_mappings"
    )
    crm_user_id = models.CharField(max_length=64, blank=True)
    email = models.EmailField(blank=True)
    rep = models.ForeignKey(
        Rep,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="crm_user_mappings",
        help_text="Manual override: this CRM user's leads go to this rep.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["email", "crm_user_id", "id"]
        verbose_name = "CRM user mapping"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "crm_user_id"],
                condition=~models.Q(crm_user_id=""),
                name="uniq_crm_user_id",
            ),
            models.UniqueConstraint(
                fields=["workspace", "email"],
                condition=models.Q(crm_user_id=""),
                name="uniq_crm_user_email_without_id",
            ),
            models.CheckConstraint(
                condition=~models.Q(crm_user_id="", email=""), name="crm_user_id_or_email"
            ),
        ]

    def __str__(self):
        who = self.email or self.crm_user_id
        return f"{who} → {self.rep}" if self.rep_id else who

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        self.crm_user_id = (self.crm_user_id or "").strip()
        super().save(*args, **kwargs)

    def clean(self):
        if not self.crm_user_id and not self.email:
            raise ValidationError("Give the CRM user id, the email, or both.")
        if self.rep_id and self.workspace_id and self.rep.workspace_id != self.workspace_id:
            raise ValidationError({"rep": "This rep belongs to another workspace."})


# --------------------------------------------------------------------- local CRM


class LocalAccount(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="crm_accounts")
    name = models.CharField(max_length=255)
    # Lower case, without scheme or "www." ("acme.com"); blank when unknown.
    domain = models.CharField(max_length=255, blank=True)
    owner_email = models.EmailField(blank=True)
    lifecycle_stage = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=50, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "local CRM account"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "domain"],
                condition=~models.Q(domain=""),
                name="uniq_crm_account_domain",
            )
        ]

    def __str__(self):
        return self.name or self.domain


class LocalContact(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="crm_contacts")
    email = models.EmailField(max_length=254)  # stored lower case
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    company = models.CharField(max_length=255, blank=True)
    account = models.ForeignKey(
        LocalAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    owner_email = models.EmailField(blank=True)
    lifecycle_stage = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=50, blank=True)
    # Extra CSV columns, and the Knock fields written back (SPEC 6).
    custom_fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["email"]
        verbose_name = "local CRM contact"
        constraints = [
            models.UniqueConstraint(fields=["workspace", "email"], name="uniq_crm_contact_email")
        ]

    def __str__(self):
        return self.email

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class LocalOpportunity(models.Model):
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="crm_opportunities"
    )
    account = models.ForeignKey(
        LocalAccount, on_delete=models.CASCADE, related_name="opportunities"
    )
    name = models.CharField(max_length=255)
    stage = models.CharField(max_length=80, blank=True)
    is_closed = models.BooleanField(default=False)
    is_won = models.BooleanField(default=False)
    owner_email = models.EmailField(blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = "local CRM opportunity"
        verbose_name_plural = "local CRM opportunities"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_won=False) | models.Q(is_closed=True),
                name="crm_opportunity_won_is_closed",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.account_id and self.workspace_id and self.account.workspace_id != self.workspace_id:
            raise ValidationError({"account": "This account belongs to another workspace."})


class CrmImport(ImportJob):
    """One contacts CSV upload from the console, imported by a task (progress for the bar)."""

    progress_url_name = "console:crm-import"
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="crm_imports")

    def summary_line(self) -> str:
        accounts = self.summary.get("accounts_created", 0)
        return f"{super().summary_line().removesuffix('.')}; {accounts} accounts created."
