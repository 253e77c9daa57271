"""A console CSV upload imported by a task: the abstract model of its row (status,
progress for the bar, errors, summary) and the task's body, shared by crm's
CrmImport and enrichment's CompanyImport. Each concrete model declares its own
`workspace` foreign key (their related names differ: crm_imports, company_imports)
and the URL name of its progress partial."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable

from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from . import ImportFailed, ImportSummary

MAX_ERRORS = 500  # kept on the row; the partial shows the first 20


class ImportJob(models.Model):
    """One CSV upload from the console, imported by a task (progress for the bar)."""

    RUNNING, DONE, FAILED = "running", "done", "failed"
    progress_url_name = ""  # "<namespace>:<name>" taking ws and import_id

    filename = models.CharField(max_length=255)
    content = models.TextField()
    status = models.CharField(max_length=10, default=RUNNING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.filename} ({self.status})"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def progress_url(self) -> str:
        return reverse(
            self.progress_url_name, kwargs={"ws": self.workspace_id, "import_id": self.pk}
        )

    def summary_line(self) -> str:
        """What a finished import did, for the partial."""
        rows, created, updated, unchanged = (
            self.summary.get(k, 0) for k in ("rows", "created", "updated", "unchanged")
        )
        return f"{rows} rows: {created} created, {updated} updated, {unchanged} unchanged."


def start_job(model: type[ImportJob], task, workspace, *, filename: str, content: str):
    """The console's upload: the job's row and its task (`task.enqueue(job.id)`), in one
    transaction (no task without its row, no row without its task)."""
    with transaction.atomic():
        job = model.objects.create(workspace=workspace, filename=filename, content=content)
        task.enqueue(job.id)
    return job


def run_job(
    model: type[ImportJob],
    import_csv: Callable[..., ImportSummary],
    import_id: int,
) -> None:
    """The task: import the job's content with `import_csv(workspace, fileobj, progress=)`,
    saving progress as it goes, then done (with the summary's counts) or failed (with
    the errors); the content is dropped either way. A job not running is left alone."""
    job = model.objects.select_related("workspace").filter(id=import_id).first()
    if job is None or job.status != model.RUNNING:
        return
    rows = model.objects.filter(id=job.id)

    def progress(done, total):
        rows.update(done=done, total=total)

    try:
        summary = import_csv(job.workspace, io.StringIO(job.content), progress=progress)
    except ImportFailed as exc:
        # The rows read, for "3 rows read, 2 errors" (a bad file fails before any progress).
        read = {} if exc.rows_read is None else {"total": exc.rows_read, "done": 0}
        rows.update(
            status=model.FAILED,
            errors=[str(e) for e in exc.errors[:MAX_ERRORS]],
            finished_at=timezone.now(),
            content="",
            **read,
        )
        return
    data = {k: v for k, v in dataclasses.asdict(summary).items() if isinstance(v, int)}
    rows.update(status=model.DONE, summary=data, finished_at=timezone.now(), content="")
