"""CRM: connection settings, the contacts CSV upload (with progress), owner mappings, writes."""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from crm.forms import CrmSettingsForm
from crm.models import CrmImport, CrmSettings, CrmUserMapping, LocalContact
from crm.tasks import run_import
from notifications.models import Delivery
from routing.models import Rep

from ..access import console_view

MAX_UPLOAD = 50 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label="Contacts CSV")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(
                "The file is over 50 MB: import it with manage.py import_crm."
            )
        try:
            return upload.name, upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("The file is not UTF-8 text.") from exc


class MappingForm(forms.Form):
    crm_user_id = forms.CharField(max_length=64, required=False, label="CRM user id")
    email = forms.EmailField(required=False, label="CRM user email")
    rep = forms.ModelChoiceField(queryset=Rep.objects.none(), label="Rep")

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = Rep.objects.filter(workspace=workspace)

    def clean(self):
        data = super().clean()
        if not data.get("crm_user_id") and not data.get("email"):
            raise forms.ValidationError("Give the CRM user's id or email.")
        return data


def _page(request, *, settings_form=None, upload_form=None, mapping_form=None, status=200):
    workspace = request.workspace
    crm_settings = CrmSettings.for_workspace(workspace)
    return render(
        request,
        "console/crm.html",
        {
            "crm_settings": crm_settings,
            "settings_form": settings_form or CrmSettingsForm(instance=crm_settings),
            "upload_form": upload_form or UploadForm(),
            "mapping_form": mapping_form or MappingForm(workspace=workspace),
            "imports": CrmImport.objects.filter(workspace=workspace)[:5],
            "mappings": CrmUserMapping.objects.filter(workspace=workspace).select_related("rep"),
            "contacts": LocalContact.objects.filter(workspace=workspace).count(),
            "writes": Delivery.objects.filter(workspace=workspace, kind="crm.write")
            .select_related("chat__lead")
            .order_by("-created_at")[:20],
        },
        status=status,
    )


@console_view
def crm_page(request):
    return _page(request)


@console_view
@require_POST
def crm_settings(request):
    instance = CrmSettings.for_workspace(request.workspace)
    form = CrmSettingsForm(request.POST, instance=instance)
    if not form.is_valid():
        return _page(request, settings_form=form, status=400)
    form.save()
    messages.success(request, "CRM settings saved.")
    return redirect("console:crm", ws=request.workspace.id)


@console_view
@require_POST
def crm_upload(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, upload_form=form, status=400)
    name, content = form.cleaned_data["file"]
    with transaction.atomic():
        job = CrmImport.objects.create(workspace=request.workspace, filename=name, content=content)
        run_import.enqueue(job.id)
    messages.success(request, f"Importing {name}…")
    return redirect("console:crm", ws=request.workspace.id)


@console_view
def crm_import_progress(request, import_id):
    job = get_object_or_404(CrmImport, id=import_id, workspace=request.workspace)
    return render(request, "console/partials/_crm_import.html", {"job": job})


@console_view
@require_POST
def crm_mapping(request):
    form = MappingForm(request.POST, workspace=request.workspace)
    if not form.is_valid():
        return _page(request, mapping_form=form, status=400)
    data = form.cleaned_data
    lookup = (
        {"crm_user_id": data["crm_user_id"]} if data["crm_user_id"] else {"email": data["email"]}
    )
    CrmUserMapping.objects.update_or_create(
        workspace=request.workspace,
        **lookup,
        defaults={"rep": data["rep"], "email": data.get("email") or "", **lookup},
    )
    messages.success(request, f"Leads of that CRM owner now go to {data['rep'].name}.")
    return redirect("console:crm", ws=request.workspace.id)
