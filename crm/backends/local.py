"""The built-in CRM: this workspace's LocalContact / LocalAccount / LocalOpportunity
tables (filled by `manage.py import_crm` or the console upload).

Owners are emails (there are no CRM user ids), so `owner_id` is None and the
rep mapping goes by email. Written fields land in `custom_fields` of the
contact (or account), where the console shows them.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef

from .base import CrmBackend, CrmError, CrmRecord, FieldValue


class LocalBackend(CrmBackend):
    name = "local"
    # Its own database: fast, and a worker thread's connection could not see the
    # caller's transaction, so lookups run inline (crm.lookup).
    needs_time_box = False

    def __init__(self, crm_settings=None):
        super().__init__(crm_settings)
        if crm_settings is None or crm_settings.workspace_id is None:
            raise CrmError(
                "the local CRM needs a workspace (pass its CrmSettings)",
                permanent=True,
                code="configuration",
            )
        self.workspace_id = crm_settings.workspace_id

    def lookup(self, email: str, domain: str | None = None) -> CrmRecord:
        """One query when the contact is known (its account and the account's
        opportunity flags come with it), two when only the domain's account is."""
        from crm.models import LocalAccount, LocalContact, LocalOpportunity

        def flags(account_ref):
            opportunities = LocalOpportunity.objects.filter(account=OuterRef(account_ref))
            return {
                "has_open": Exists(opportunities.filter(is_closed=False)),
                "has_won": Exists(opportunities.filter(is_won=True)),
            }

        email = (email or "").strip().lower()
        contact = (
            LocalContact.objects.filter(workspace_id=self.workspace_id, email=email)
            .select_related("account")
            .annotate(**flags("account_id"))
            .first()
            if email
            else None
        )
        account = contact.account if contact is not None else None
        has_open = bool(contact.has_open) if account is not None else False
        has_won = bool(contact.has_won) if account is not None else False
        if contact is None and domain:
            account = (
                LocalAccount.objects.filter(
                    workspace_id=self.workspace_id, domain=domain.strip().lower()
                )
                .annotate(**flags("pk"))
                .first()
            )
            if account is not None:
                has_open, has_won = bool(account.has_open), bool(account.has_won)
        if contact is None and account is None:
            return CrmRecord.not_found(self.name)

        stages = [r.lifecycle_stage for r in (contact, account) if r is not None]
        is_customer = has_won or "customer" in {(s or "").lower() for s in stages}
        lifecycle = "customer" if is_customer else next((s for s in stages if s), None)

        account_fields = _account_fields(account) if account is not None else None
        if contact is not None:
            fields = {
                **contact.custom_fields,
                "email": contact.email,
                "first_name": contact.first_name,
                "last_name": contact.last_name,
                "company": contact.company or (account.name if account else ""),
            }
            if account_fields is not None:
                fields["account"] = account_fields
            owner_email = contact.owner_email or (account.owner_email if account else "")
            record_type, record_id = "contact", str(contact.pk)
            status = contact.status or (account.status if account else "")
        else:
            fields = account_fields
            owner_email = account.owner_email
            record_type, record_id = "account", str(account.pk)
            status = account.status

        return CrmRecord(
            exists=True,
            system=self.name,
            record_type=record_type,
            record_id=record_id,
            owner_id=None,
            owner_email=owner_email or None,
            lifecycle_stage=lifecycle or None,
            status=status or None,
            fields={k: v for k, v in fields.items() if v not in (None, "")},
            has_open_opportunity=has_open,
            is_customer=is_customer,
            account_id=str(account.pk) if account is not None else None,
            account_name=account.name if account is not None else None,
            account_owner_email=(account.owner_email or None) if account is not None else None,
        )

    def write_fields(
        self,
        record_type: str,
        record_id: str,
        values: dict[str, FieldValue],
        *,
        email: str | None = None,
    ) -> None:
        from crm.models import LocalAccount, LocalContact

        self.check_record_type(record_type)
        if record_type == "lead":
            raise CrmError(
                "the local CRM has no leads, only contacts and accounts",
                permanent=True,
                code="bad_record_type",
            )
        model = LocalContact if record_type == "contact" else LocalAccount
        with transaction.atomic():
            # Lock the row so two write tasks cannot lose each other's keys.
            row = (
                model.objects.select_for_update()
                .filter(workspace_id=self.workspace_id, pk=_int_or_none(record_id))
                .first()
            )
            if row is None:
                raise CrmError(
                    f"local CRM {record_type} {record_id} does not exist",
                    permanent=True,
                    code="not_found",
                )
            custom = dict(row.custom_fields or {})
            for name, value in values.items():
                if value is None:
                    custom.pop(name, None)
                else:
                    custom[name] = value
            row.custom_fields = custom
            row.save(update_fields=["custom_fields", "updated_at"])


def _account_fields(account) -> dict:
    return {
        **account.custom_fields,
        "name": account.name,
        "domain": account.domain,
        "owner_email": account.owner_email,
        "lifecycle_stage": account.lifecycle_stage,
        "status": account.status,
    }


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
