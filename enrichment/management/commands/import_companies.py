"""manage.py import_companies FILE --workspace SLUG: the company table from CSV."""

from django.core.management.base import BaseCommand, CommandError

from enrichment.importer import ImportFailed, import_csv
from routing.models import Workspace


class Command(BaseCommand):
    help = (
        "Import companies (domain, name, industry, employees, revenue, country, hq_city, "
        "tech) into a workspace's enrichment table. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--workspace", help="Workspace slug (optional when there is only one workspace)."
        )

    def handle(self, *args, file, workspace=None, **options):
        if workspace:
            ws = Workspace.objects.filter(slug=workspace).first()
            if ws is None:
                raise CommandError(f"No workspace with slug {workspace!r}.")
        else:
            found = list(Workspace.objects.all()[:2])
            if len(found) != 1:
                raise CommandError("Give --workspace SLUG (there is not exactly one workspace).")
            ws = found[0]
        try:
            with open(file, "rb") as fh:
                summary = import_csv(
                    ws,
                    fh,
                    progress=lambda done, total: self.stdout.write(f"{done}/{total}\r", ending=""),
                )
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"\n{summary.rows} rows: {summary.created} created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged (workspace {ws.slug})."
        )
