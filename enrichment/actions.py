"""Writes to a workspace's enrichment settings, company table and cache."""

from __future__ import annotations

from django.db import transaction

from routing import cache
from routing.csv_import.jobs import start_job

from .models import CachedAnswer, CompanyImport, EnrichmentSettings
from .tasks import run_import


def save_settings(settings: EnrichmentSettings) -> EnrichmentSettings:
    """Saved from the validated EnrichmentSettingsForm. A change of provider, URL
    or mapping drops the cached answers: they were the old configuration's."""
    with transaction.atomic():
        before = None
        if settings.pk is not None:
            before = EnrichmentSettings.objects.filter(pk=settings.pk).first()
        settings.save()
        cache.touch(settings.workspace_id)  # routing caches the settings (routing/cache.py)
        if before is not None and before.fingerprint() != settings.fingerprint():
            CachedAnswer.objects.filter(workspace_id=settings.workspace_id).delete()
    return settings


def clear_cache(workspace) -> int:
    deleted, _ = CachedAnswer.objects.filter(workspace=workspace).delete()
    return deleted


def start_import(workspace, *, filename: str, content: str) -> CompanyImport:
    """The console's upload: the import row and its task, in one transaction."""
    return start_job(CompanyImport, run_import, workspace, filename=filename, content=content)
