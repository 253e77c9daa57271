"""The console's side of a CSV import, shared by the CRM and Enrichment pages: the
upload form, the upload view (the job and its task, then back to the page) and the
progress partial (`console/partials/_import_job.html`, polled while running).

The slices' views stay theirs (their URL names, `console_view`), and call these.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

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


def upload(
    request,
    *,
    form_class: type[UploadForm],
    start: Callable[..., ImportJob],
    page: Callable,
    page_url: str,
):
    """POST: a bad file re-renders `page(request, upload_form=form, status=400)` with
    the error beside the field; a good one starts the import and redirects to the page."""
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        return page(request, upload_form=form, status=400)
    name, content = form.cleaned_data["file"]
    start(request.workspace, filename=name, content=content)
    messages.success(request, f"Importing {name}…")
    return redirect(page_url, ws=request.workspace.id)


def progress(request, model: type[ImportJob], import_id: int):
    """The job's partial (404 for another workspace's job)."""
    job = get_object_or_404(model, id=import_id, workspace=request.workspace)
    return render(request, PROGRESS_PARTIAL, {"job": job})
