"""The console home: today's numbers and the latest decisions."""

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from routing.models import Decision

from ..access import console_view


@console_view
def overview(request):
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today = Decision.objects.filter(workspace=request.workspace, created_at__gte=start)
    stats = today.aggregate(
        chats=Count("id", filter=Q(kind="chat")),
        ai=Count("id", filter=Q(assignee_type="ai_agent")),
        pooled=Count("id", filter=Q(pool__isnull=False)),
        fallback=Count("id", filter=Q(segment__is_fallback=True) | Q(via="last_resort")),
    )
    total = stats["chats"] or 0
    stats["ai_share"] = round(100 * stats["ai"] / total) if total else 0
    by_rep = list(
        today.values("assignee_name").annotate(n=Count("id")).order_by("-n", "assignee_name")[:12]
    )
    recent = (
        Decision.objects.filter(workspace=request.workspace)
        .select_related("lead", "link")
        .order_by("-created_at", "-id")[:25]
    )
    return render(
        request,
        "console/overview.html",
        {"stats": stats, "by_rep": by_rep, "recent": recent},
    )
