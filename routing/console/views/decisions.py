"""The decision log and one decision's context and trace."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from routing.models import Decision, Rep

from ..access import console_view
from ..forms import DecisionFilterForm

NAMESPACES = [
    "lead",
    "company",
    "session",
    "attribution",
    "intent",
    "crm",
    "signals",
    "link",
    "sources",
]


@console_view
def decision_list(request):
    form = DecisionFilterForm(request.GET or None, workspace=request.workspace)
    # Without the trace (~50 KB a decision on a 50-segment rule; the rows never show it);
    # "meeting": a meeting decision's row shows its meeting (calendars' reverse one-to-one).
    qs = (
        Decision.objects.filter(workspace=request.workspace)
        .select_related("lead", "link", "pool", "chat", "meeting")
        .defer("trace")
    )
    if form.is_bound:
        # A filter that is not valid is shown as a form error over an empty list, never
        # silently dropped (which would show every decision as if filtered).
        qs = form.filter(qs) if form.is_valid() else qs.none()
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
    sections = [(ns, _named_reps(request.workspace, ns, rows)) for ns, rows in sections]
    return render(
        request,
        "console/decision_detail.html",
        {"decision": decision, "sections": sections, "trace": decision.trace},
    )


def _named_reps(workspace, ns, rows):
    """The CRM owner as the rep's name ("Dana Whitfield (rep #3)"), not a bare id."""
    if ns != "crm":
        return rows
    ids = [v for k, v in rows if k == "owner_rep" and isinstance(v, int)]
    names = dict(Rep.objects.filter(workspace=workspace, id__in=ids).values_list("id", "name"))
    return [
        (k, f"{names[v]} (rep #{v})" if k == "owner_rep" and v in names else v) for k, v in rows
    ]


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
