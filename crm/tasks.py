"""The console's contacts CSV import, run by the task worker with its progress saved."""

from django.tasks import task

from routing.csv_import.jobs import run_job

from .importer import import_csv
from .models import CrmImport


@task()
def run_import(import_id: int) -> None:
    run_job(CrmImport, import_csv, import_id)
