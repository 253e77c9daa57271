"""The decision log and one decision's context and trace."""

from datetime import datetime, time, timedelta

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from routing.models import Decision

from ..access import console_view
from ..forms import DecisionFilterForm

NAMESPACES = ["lead", "company", "session", "attribution", "intent", "crm", "signals", "link"]


@console_view
def decision_list(request):
    form = DecisionFilterForm(request.GET or None, workspace=request.workspace)
    qs = Decision.objects.filter(workspace=request.workspace).select_related(
        "lead", "link", "pool", "chat"
    )
    if form.is_bound and form.is_valid():
        f = form.cleaned_data
        if f.get("link"):
            qs = qs.filter(link=f["link"])
        if f.get("rule"):
            qs = qs.filter(rule=f["rule"])
        if f.get("rep"):
            qs = qs.filter(rep=f["rep"])
        tz = timezone.get_current_timezone()
        if f.get("since"):
            qs = qs.filter(created_at__gte=datetime.combine(f["since"], time.min, tz))
        if f.get("until"):
            end = datetime.combine(f["until"], time.min, tz) + timedelta(days=1)
            qs = qs.filter(created_at__lt=end)
    page = Paginator(qs.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "console/decisions.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@console_view
def decision_detail(request, decision_id):
    decision = get_object_or_404(
        Decision.objects.select_related("lead", "link", "rep", "ai_agent", "pool", "chat"),
        id=decision_id,
        workspace=request.workspace,
    )
    context = decision.context or {}
    sections = [(ns, _flatten(context[ns])) for ns in NAMESPACES if context.get(ns)]
    if context.get("custom"):
        sections.append(("custom", _flatten(context["custom"])))
    return render(
        request,
        "console/decision_detail.html",
        {"decision": decision, "sections": sections, "trace": decision.trace},
    )


def _flatten(value, prefix=""):
    rows = []
    if isinstance(value, dict):
        for k, v in value.items():
            rows.extend(_flatten(v, f"{prefix}{k}." if isinstance(v, dict) else f"{prefix}{k}"))
        return rows
    if isinstance(value, bool):
        value = "yes" if value else "no"
    elif isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return [(prefix.rstrip("."), value)]
