"""The console home: the live assignment feed, today's counters, the per-rep chart."""

from statistics import median

from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from routing.events import decision_payload, render_decision_row
from routing.models import Chat, Decision

from ..access import console_view

WINDOW = 50  # decisions shown (and charted) on the feed


def _today_stats(workspace) -> dict:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today = Decision.objects.filter(workspace=workspace, created_at__gte=start)
    stats = today.aggregate(
        # A reassignment is a decision too, but not a chat routed.
        chats=Count("id", filter=Q(kind="chat") & ~Q(via="reassigned")),
        ai=Count("id", filter=Q(kind="chat", assignee_type="ai_agent") & ~Q(via="reassigned")),
    )
    times = list(
        Chat.objects.filter(
            workspace=workspace, created_at__gte=start, response_time_minutes__isnull=False
        ).values_list("response_time_minutes", flat=True)
    )
    stats["median_response"] = round(median(times), 1) if times else None
    return stats


def _recent(workspace, after: int | None = None):
    # "meeting": a meeting decision's row shows its meeting's state (calendars' reverse
    # one-to-one, named, not imported).
    qs = Decision.objects.filter(workspace=workspace).select_related(
        "lead", "link", "pool", "workspace", "meeting", "chat"
    )
    if after is not None:
        qs = qs.filter(id__gt=after)
    return list(qs.order_by("-id")[:WINDOW])


@console_view
def overview(request):
    return render(
        request,
        "console/feed.html",
        {"stats": _today_stats(request.workspace), "recent": _recent(request.workspace)},
    )


@console_view
def feed_since(request):
    """Catch-up after a reconnect: every decision newer than `after`, the meeting rows
    at or below it as they are now, and today's counters."""
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        return JsonResponse({"after": ["Expected a decision id."]}, status=400)
    rows = _recent(request.workspace, after=after)
    older = [d for d in _recent(request.workspace) if d.kind == "meeting" and d.id <= after]
    return JsonResponse(
        {
            "decisions": [
                {"decision": decision_payload(d), "html": render_decision_row(d)}
                for d in reversed(rows)  # oldest first, so the page can prepend in order
            ],
            # The meeting rows the page already has, as they are now (moved, cancelled).
            "meetings": [{"decision": d.id, "html": render_decision_row(d)} for d in older],
            "stats": _today_stats(request.workspace),
        }
    )
