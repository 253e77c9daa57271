"""Company enrichment per workspace: the local company table (the default
provider), the provider settings, the per-domain answer cache and CSV imports."""

from __future__ import annotations

import json

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from knock import crypto
from routing import cache
from routing.csv_import.jobs import ImportJob
from routing.models import Workspace


class Company(models.Model):
    """One row of the local company table, matched on a lead's email domain
    or a parent of it (eu.acme.com finds acme.com)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="companies")
    # Lower case, without scheme or "www." ("acme.com").
    domain = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True)
    industry = models.CharField(max_length=120, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    revenue = models.PositiveBigIntegerField(null=True, blank=True, help_text="Yearly, in USD.")
    country = models.CharField(max_length=64, blank=True)
    hq_city = models.CharField(max_length=120, blank=True)
    tech = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["domain"]
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(fields=["workspace", "domain"], name="uniq_company_domain")
        ]

    def __str__(self):
        return self.name or self.domain

    def as_facts(self) -> dict:
        """SPEC 3 `company` fields; unknown ones left out (missing, never empty)."""
        out = {
            "name": self.name,
            "domain": self.domain,
            "industry": self.industry,
            "employees": self.employees,
            "revenue": self.revenue,
            "country": self.country,
            "hq_city": self.hq_city,
            "tech": list(self.tech or []),
        }
        return {k: v for k, v in out.items() if v not in (None, "", [])}


class EnrichmentSettings(models.Model):
    """One per workspace; with no row the workspace uses the local company table."""

    PROVIDER_CHOICES = [
        ("local", "Local company table (built in)"),
        ("http", "JSON-over-HTTP provider"),
    ]

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="enrichment_settings"
    )
    provider = models.CharField(max_length=20, choices=PROVIDER_CHOICES, default="local")
    timeout_ms = models.PositiveIntegerField(
        default=800,
        validators=[MinValueValidator(50), MaxValueValidator(10_000)],
        help_text="Milliseconds a routing decision waits for the provider before going on.",
    )
    cache_ttl_days = models.PositiveIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Days an HTTP provider's answer for a domain is reused.",
    )
    http_url_template = models.CharField(max_length=500, blank=True)
    http_headers = models.JSONField(default=dict, blank=True)  # not secret
    http_secret_header = models.CharField(max_length=100, blank=True)
    # Fernet token of the secret header's value; never the plaintext (knock/crypto.py).
    http_secret_encrypted = models.TextField(blank=True, default="", editable=False)
    http_mapping = models.JSONField(default=dict, blank=True)  # our field -> JSON path
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "enrichment settings"
        verbose_name_plural = "enrichment settings"

    def __str__(self):
        return f"Enrichment settings of {self.workspace}"

    @classmethod
    def for_workspace(cls, workspace: Workspace) -> EnrichmentSettings:
        found = cls.objects.filter(workspace=workspace).first()
        if found is None:
            return cls(workspace=workspace)
        found.workspace = workspace
        return found

    @classmethod
    def cached_for(cls, workspace: Workspace) -> EnrichmentSettings:
        """`for_workspace`, read once per process and workspace stamp (routing/cache.py;
        enrichment.actions replaces the stamp when they change). Never modify it."""

        def load():
            found = cls.objects.filter(workspace_id=workspace.pk).first()
            return found if found is not None else cls(workspace_id=workspace.pk)

        return cache.get(workspace, "enrichment.settings", None, load)

    @property
    def http_secret(self) -> str:
        """The decrypted secret; raises crypto.UndecryptableSecret."""
        return crypto.decrypt(self.http_secret_encrypted)

    @http_secret.setter
    def http_secret(self, value: str) -> None:
        self.http_secret_encrypted = crypto.encrypt(value or "")

    @property
    def has_secret(self) -> bool:
        return bool(self.http_secret_encrypted)

    def fingerprint(self) -> str:
        """What a cached answer depends on: the provider and where it asks."""
        return json.dumps(
            [self.provider, self.http_url_template, self.http_mapping], sort_keys=True
        )


class CachedAnswer(models.Model):
    """A provider's answer for one domain (found or not), reused until `expires_at`
    so that restarts keep it and a paid API is asked once a week per domain."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="enrichment_answers"
    )
    provider = models.CharField(max_length=20)
    domain = models.CharField(max_length=255)
    found = models.BooleanField(default=False)
    company = models.JSONField(default=dict, blank=True)
    fetched_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-fetched_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "provider", "domain"], name="uniq_enrichment_answer"
            )
        ]

    def __str__(self):
        return f"{self.provider}:{self.domain}"


class CompanyImport(ImportJob):
    """One company CSV upload from the console, imported by a task (progress for the bar)."""

    progress_url_name = "enrichment:import"
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="company_imports"
    )
