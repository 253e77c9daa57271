"""The console's Enrichment page: provider settings, the company table (search,
CSV upload with progress), the cached answers, a "look up a domain" box."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from routing.console.access import console_view
from routing.csv_import import console as csv_console

from . import actions
from .facts import lookup
from .forms import EnrichmentSettingsForm, LookupForm, UploadForm
from .models import CachedAnswer, Company, CompanyImport, EnrichmentSettings


def _page(request, *, status=200, **forms):
    workspace = request.workspace
    settings = EnrichmentSettings.for_workspace(workspace)
    q = (request.GET.get("q") or "").strip()
    companies = Company.objects.filter(workspace=workspace)
    if q:
        companies = companies.filter(Q(domain__icontains=q) | Q(name__icontains=q))
    return render(
        request,
        "enrichment/page.html",
        {
            "enrichment_settings": settings,
            "settings_form": forms.get("settings_form")
            or EnrichmentSettingsForm(instance=settings),
            "upload_form": forms.get("upload_form") or UploadForm(),
            "lookup_form": forms.get("lookup_form") or LookupForm(),
            "result": forms.get("result"),
            "imports": CompanyImport.objects.filter(workspace=workspace)[:3],
            "company_count": Company.objects.filter(workspace=workspace).count(),
            "companies": companies[:50],
            "q": q,
            "cached": CachedAnswer.objects.filter(
                workspace=workspace, expires_at__gt=timezone.now()
            ).count(),
        },
        status=status,
    )


@console_view
def page(request):
    return _page(request)


@console_view
@require_POST
def save_settings(request):
    instance = EnrichmentSettings.for_workspace(request.workspace)
    form = EnrichmentSettingsForm(request.POST, instance=instance)
    if not form.is_valid():
        return _page(request, settings_form=form, status=400)
    actions.save_settings(form.save(commit=False))
    messages.success(request, "Enrichment settings saved.")
    return redirect("enrichment:page", ws=request.workspace.id)


upload = csv_console.upload_view(
    form_class=UploadForm, start=actions.start_import, page=_page, page_url="enrichment:page"
)
import_progress = csv_console.progress_view(CompanyImport)


@console_view
@require_POST
def lookup_domain(request):
    form = LookupForm(request.POST)
    if not form.is_valid():
        return _page(request, lookup_form=form, status=400)
    settings = EnrichmentSettings.for_workspace(request.workspace)
    domain = form.cleaned_data["domain"]
    facts = lookup(settings, domain)
    rows = [
        (k, ", ".join(v) if isinstance(v, list) else v) for k, v in (facts.company or {}).items()
    ]
    return _page(request, lookup_form=form, result={"domain": domain, "facts": facts, "rows": rows})


@console_view
@require_POST
def clear_cache(request):
    count = actions.clear_cache(request.workspace)
    messages.success(request, f"Forgot {count} cached answer{'s' if count != 1 else ''}.")
    return redirect("enrichment:page", ws=request.workspace.id)
