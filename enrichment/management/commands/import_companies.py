"""manage.py import_companies FILE [--workspace slug] [--no-progress]: the company table."""

from __future__ import annotations

from enrichment.importer import import_csv
from routing.csv_import.command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import companies (domain, name, industry, employees, revenue, country, hq_city, "
        "tech) into a workspace's enrichment table. All or nothing."
    )
    import_csv = staticmethod(import_csv)

    def done_message(self, summary, workspace) -> str:
        return (
            f"{summary.rows} rows: {summary.created} created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged (workspace {workspace.slug})."
        )
