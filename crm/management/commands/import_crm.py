"""manage.py import_crm contacts.csv [--workspace slug]"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from crm.importer import ImportFailed, import_csv
from routing.models import Workspace

BAR_WIDTH = 30


class ProgressBar:
    """A text bar on a command's OutputWrapper, redrawn at most once per percent."""

    def __init__(self, stream):
        self.stream = stream
        self.last_percent = -1
        self.redraw = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        percent = 100 if total == 0 else done * 100 // total
        if percent == self.last_percent:
            return
        # Not a terminal (a log, CI): one line per 10 % instead of 100 redraws.
        if not self.redraw and percent % 10 and percent != 100:
            return
        self.last_percent = percent
        filled = BAR_WIDTH * percent // 100
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        text = f"[{bar}] {percent:3d}% {done:,}/{total:,} rows"
        if self.redraw:
            self.stream.write("\r" + text, ending="\n" if percent == 100 else "")
        else:
            self.stream.write(text)
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import contacts into a workspace's local CRM from a CSV (columns email, first_name, "
        "last_name, company, domain, owner_email, lifecycle_stage, status; any other column "
        "becomes a custom field). All or nothing: any bad row aborts the import."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_path", help="path to the CSV file (UTF-8), or - for stdin")
        parser.add_argument(
            "--workspace", help="workspace slug (optional when there is only one workspace)"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, csv_path, workspace=None, no_progress=False, **options):
        ws = self._workspace(workspace)
        progress = None if no_progress else ProgressBar(self.stderr)
        try:
            if csv_path == "-":
                summary = import_csv(ws, sys.stdin.buffer, progress=progress)
            else:
                try:
                    fileobj = open(csv_path, "rb")  # noqa: SIM115 - closed below
                except OSError as exc:
                    raise CommandError(f"cannot read {csv_path}: {exc.strerror}") from exc
                with fileobj:
                    summary = import_csv(ws, fileobj, progress=progress)
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(exc.errors)} bad row(s) in {csv_path}; nothing was imported."
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {summary.rows:,} rows into {ws.slug}: {summary.created:,} contacts "
                f"created, {summary.updated:,} updated, {summary.unchanged:,} unchanged; "
                f"{summary.accounts_created:,} accounts created, "
                f"{summary.accounts_updated:,} updated."
            )
        )

    def _workspace(self, slug: str | None) -> Workspace:
        if slug:
            try:
                return Workspace.objects.get(slug=slug)
            except Workspace.DoesNotExist:
                raise CommandError(f"no workspace with slug {slug!r}") from None
        slugs = list(Workspace.objects.order_by("slug").values_list("slug", flat=True)[:20])
        if len(slugs) == 1:
            return Workspace.objects.get(slug=slugs[0])
        if not slugs:
            raise CommandError("there is no workspace yet (manage.py create_workspace)")
        raise CommandError(f"several workspaces: pick one with --workspace ({', '.join(slugs)})")
