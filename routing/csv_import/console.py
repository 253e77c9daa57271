"""The console's side of a CSV import, shared by the CRM and Enrichment pages: the
upload form, the upload view (the job and its task, then back to the page) and the
progress partial (`console/partials/_import_job.html`, polled while running).

Each slice makes its two views with `upload_view(...)` and `progress_view(model)`
and mounts them under its own URL names.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from routing.console.access import console_view

from .jobs import ImportJob

PROGRESS_PARTIAL = "console/partials/_import_job.html"


class UploadForm(forms.Form):
    """A UTF-8 CSV of at most `max_mb` MB; a larger one is for `command` (manage.py)."""

    max_mb = 20
    command = ""
    file = forms.FileField(label="CSV")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_mb * 1024 * 1024:
            raise forms.ValidationError(
                f"The file is over {self.max_mb} MB: import it with manage.py {self.command}."
            )
        try:
            return upload.name, upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("The file is not UTF-8 text.") from exc


def upload_view(
    *,
    form_class: type[UploadForm],
    start: Callable[..., ImportJob],
    page: Callable,
    page_url: str,
):
    """The console view (POST) of a slice's upload: a bad file re-renders
    `page(request, upload_form=form, status=400)` with the error beside the field;
    a good one is `start(workspace, filename=, content=)`, then back to `page_url`."""

    @console_view
    @require_POST
    def upload(request):
        form = form_class(request.POST, request.FILES)
        if not form.is_valid():
            return page(request, upload_form=form, status=400)
        name, content = form.cleaned_data["file"]
        start(request.workspace, filename=name, content=content)
        messages.success(request, f"Importing {name}…")
        return redirect(page_url, ws=request.workspace.id)

    return upload


def progress_view(model: type[ImportJob]):
    """The console view of a job's partial (404 for another workspace's job)."""

    @console_view
    def progress(request, import_id):
        job = get_object_or_404(model, id=import_id, workspace=request.workspace)
        return render(request, PROGRESS_PARTIAL, {"job": job})

    return progress
