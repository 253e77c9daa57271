"""Writes to a workspace's CRM settings, owner mappings and local CRM records.

The admin saves through these (knock/admin_actions.py); they refuse what would
tie one workspace's rows to another's (a contact on another workspace's account,
a mapping to another workspace's rep) with an ActionError, as routing.actions do.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from routing import cache
from routing.actions import ActionError
from routing.actions.rows import locked
from routing.csv_import.jobs import start_job

from .models import (
    CrmImport,
    CrmSettings,
    CrmUserMapping,
    LocalAccount,
    LocalContact,
    LocalOpportunity,
)
from .tasks import run_import

# What routing caches per workspace stamp (routing/cache.py): the settings and the
# owner mappings; a write to either must replace the stamp in its transaction.
CACHED = (CrmSettings, CrmUserMapping)


def _save(obj, message: str):
    try:
        with transaction.atomic():
            obj.save()
            if isinstance(obj, CACHED):
                cache.touch(obj.workspace_id)
    except IntegrityError as exc:
        raise ActionError({"detail": [message]}) from exc
    return obj


def save_settings(crm_settings: CrmSettings) -> CrmSettings:
    """Validated (and the credentials encrypted) by crm.forms.CrmSettingsForm."""
    return _save(crm_settings, f"{crm_settings.workspace} already has CRM settings.")


def save_user_mapping(mapping: CrmUserMapping) -> CrmUserMapping:
    if not (mapping.crm_user_id or "").strip() and not (mapping.email or "").strip():
        raise ActionError({"detail": ["Give the CRM user id, the email, or both."]})
    if mapping.rep_id and mapping.rep.workspace_id != mapping.workspace_id:
        raise ActionError({"rep": ["This rep belongs to another workspace."]})
    return _save(mapping, "This CRM user is already mapped in this workspace.")


def save_local_record(record: LocalAccount | LocalContact | LocalOpportunity):
    """A local CRM account, contact or opportunity; its account must be its workspace's."""
    account = getattr(record, "account", None)
    if account is not None and account.workspace_id != record.workspace_id:
        raise ActionError({"account": ["This account belongs to another workspace."]})
    if isinstance(record, LocalContact):
        record.email = (record.email or "").strip().lower()
    if isinstance(record, LocalAccount):
        record.domain = (record.domain or "").strip().lower()
    return _save(record, f"Another {record._meta.verbose_name} of this workspace has that "
                 f"{'email' if isinstance(record, LocalContact) else 'domain'}.")  # fmt: skip


def delete_record(record) -> None:
    with transaction.atomic():
        record.delete()
        if isinstance(record, CACHED):
            cache.touch(record.workspace_id)


def start_import(workspace, *, filename: str, content: str) -> CrmImport:
    """The console's contacts CSV upload: the import row and its task, in one transaction."""
    return start_job(CrmImport, run_import, workspace, filename=filename, content=content)


def map_owner(workspace, *, rep, crm_user_id: str = "", email: str = "") -> CrmUserMapping:
    """The console's owner override: leads of this CRM user (by id, else email) go to `rep`."""
    if rep.workspace_id != workspace.id:
        raise ActionError({"rep": ["This rep belongs to another workspace."]})
    if not crm_user_id and not email:
        raise ActionError({"detail": ["Give the CRM user id, the email, or both."]})
    lookup = {"crm_user_id": crm_user_id} if crm_user_id else {"email": email}
    with transaction.atomic():
        rep = locked(rep)  # deleted meanwhile: Rep.DoesNotExist, not an IntegrityError
        mapping, _ = CrmUserMapping.objects.update_or_create(
            workspace=workspace, **lookup, defaults={"rep": rep, "email": email or "", **lookup}
        )
        cache.touch(workspace.pk)
    return mapping
