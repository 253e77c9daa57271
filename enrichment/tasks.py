"""The console's company CSV import, run by the task worker with its progress saved."""

import dataclasses
import io

from django.tasks import task
from django.utils import timezone

from .importer import ImportFailed, import_csv
from .models import CompanyImport


@task()
def run_import(import_id: int) -> None:
    job = CompanyImport.objects.select_related("workspace").filter(id=import_id).first()
    if job is None or job.status != CompanyImport.RUNNING:
        return

    def progress(done, total):
        CompanyImport.objects.filter(id=job.id).update(done=done, total=total)

    try:
        summary = import_csv(job.workspace, io.StringIO(job.content), progress=progress)
    except ImportFailed as exc:
        CompanyImport.objects.filter(id=job.id).update(
            status=CompanyImport.FAILED,
            errors=[str(e) for e in exc.errors[:500]],
            finished_at=timezone.now(),
            content="",
        )
        return
    CompanyImport.objects.filter(id=job.id).update(
        status=CompanyImport.DONE,
        summary=dataclasses.asdict(summary),
        finished_at=timezone.now(),
        content="",
    )
