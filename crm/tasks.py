"""The console's CSV import, run by the task worker with its progress saved."""

import dataclasses
import io

from django.tasks import task
from django.utils import timezone

from .importer import ImportFailed, import_csv
from .models import CrmImport


@task()
def run_import(import_id: int) -> None:
    job = CrmImport.objects.select_related("workspace").filter(id=import_id).first()
    if job is None or job.status != CrmImport.RUNNING:
        return

    def progress(done, total):
        CrmImport.objects.filter(id=job.id).update(done=done, total=total)

    try:
        summary = import_csv(job.workspace, io.StringIO(job.content), progress=progress)
    except ImportFailed as exc:
        CrmImport.objects.filter(id=job.id).update(
            status=CrmImport.FAILED,
            errors=[str(e) for e in exc.errors[:500]],
            finished_at=timezone.now(),
            content="",
        )
        return
    data = {k: v for k, v in dataclasses.asdict(summary).items() if isinstance(v, int)}
    CrmImport.objects.filter(id=job.id).update(
        status=CrmImport.DONE, summary=data, finished_at=timezone.now(), content=""
    )
