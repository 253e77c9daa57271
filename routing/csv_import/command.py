"""`manage.py <import> FILE [--workspace slug] [--no-progress]`: the base of the
slices' CSV import commands (crm's import_crm, enrichment's import_companies).

FILE is a path or - for stdin; the workspace may be left out when there is only
one. Progress is a text bar on stderr; every bad row is printed there and the
command fails having written nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError

from routing.models import Workspace

from . import ImportFailed, ImportSummary

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


class ImportCommand(BaseCommand):
    """A slice's command sets `help`, `import_csv` (workspace, fileobj, progress=) and
    `done_message(summary, workspace)`."""

    import_csv: Callable[..., ImportSummary]

    def done_message(self, summary: ImportSummary, workspace: Workspace) -> str:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("csv_path", help="path to the CSV file (UTF-8), or - for stdin")
        parser.add_argument(
            "--workspace", help="workspace slug (optional when there is only one workspace)"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, csv_path, workspace=None, no_progress=False, **options):
        ws = self._workspace(workspace)
        progress = None if no_progress else ProgressBar(self.stderr)
        import_csv = type(self).import_csv
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
        self.stdout.write(self.style.SUCCESS(self.done_message(summary, ws)))

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
