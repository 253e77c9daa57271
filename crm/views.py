"""The console's CRM page: connection settings, the contacts CSV upload (with progress),
owner mappings, the write-back log. Every write goes through crm.actions."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from outbox.models import Delivery
from routing.console.access import console_view
from routing.console.vanished import deleted_meanwhile
from routing.csv_import import console as csv_console

from . import actions
from .forms import CrmSettingsForm, MappingForm, UploadForm
from .models import CrmImport, CrmSettings, CrmUserMapping, LocalContact


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
    actions.save_settings(form.save(commit=False))
    messages.success(request, "CRM settings saved.")
    return redirect("console:crm", ws=request.workspace.id)


crm_upload = csv_console.upload_view(
    form_class=UploadForm, start=actions.start_import, page=_page, page_url="console:crm"
)
crm_import_progress = csv_console.progress_view(CrmImport)


def _crm(request, **_) -> str:
    return reverse("console:crm", kwargs={"ws": request.workspace.id})


@console_view
@deleted_meanwhile(_crm)
@require_POST
def crm_mapping(request):
    form = MappingForm(request.POST, workspace=request.workspace)
    if not form.is_valid():
        return _page(request, mapping_form=form, status=400)
    data = form.cleaned_data
    actions.map_owner(
        request.workspace,
        rep=data["rep"],
        crm_user_id=data["crm_user_id"],
        email=data.get("email") or "",
    )
    messages.success(request, f"Leads of that CRM owner now go to {data['rep'].name}.")
    return redirect("console:crm", ws=request.workspace.id)
