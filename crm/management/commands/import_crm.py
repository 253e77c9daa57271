"""manage.py import_crm contacts.csv [--workspace slug] [--no-progress]"""

from __future__ import annotations

from crm.importer import import_csv
from routing.csv_import.command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import contacts into a workspace's local CRM from a CSV (columns email, first_name, "
        "last_name, company, domain, owner_email, lifecycle_stage, status; any other column "
        "becomes a custom field). All or nothing: any bad row aborts the import."
    )
    import_csv = staticmethod(import_csv)

    def done_message(self, summary, workspace) -> str:
        return (
            f"Imported {summary.rows:,} rows into {workspace.slug}: {summary.created:,} contacts "
            f"created, {summary.updated:,} updated, {summary.unchanged:,} unchanged; "
            f"{summary.accounts_created:,} accounts created, "
            f"{summary.accounts_updated:,} updated."
        )
