"""The console home: the live assignment feed, today's counters, the per-assignee chart.

Everything on the feed is rendered here, for the viewer (their time zone, their
"today"), by the partials the first page load uses too: rows, counters, the chart's
numbers and the chat activity notes. A websocket event is only a hint: the page asks
`feed_since` for what changed since its cursors and swaps in the HTML it gets
(routing/events.py, static/js/feed.js), so a live update, a catch-up after a reconnect
and a reload all show the same thing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from routing.models import Chat, Decision

from ..access import console_view

WINDOW = 50  # decisions shown (and charted) on the feed
CHANGES = 10  # chat activity notes shown
# A close or a reply is stamped before its transaction commits (and a Slack reply with
# Slack's time): ask for a little before the cursor; the page drops the notes it has.
OVERLAP = timedelta(minutes=10)


def _today_stats(workspace) -> dict:
    """Today's counters; "today" in the viewer's zone (the active one)."""
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
    stats["ai_share"] = round(100 * stats["ai"] / stats["chats"]) if stats["chats"] else 0
    return stats


def _window(workspace) -> list[Decision]:
    """The latest decisions, without their trace (~50 KB each on a 50-segment rule; the
    row never shows it). "meeting": a meeting decision's row shows its meeting's state
    (calendars' reverse one-to-one, named, not imported)."""
    qs = (
        Decision.objects.filter(workspace=workspace)
        .select_related("lead", "link", "pool", "meeting", "chat")
        .defer("trace")
    )
    return list(qs.order_by("-id")[:WINDOW])


def _by_assignee(window) -> list[tuple[str, int]]:
    counts = Counter(d.assignee_name for d in window)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


@dataclass
class ChatChange:
    """One note of the feed's chat activity: a close or a first human reply."""

    change: str  # "closed" | "replied"
    at: datetime
    chat: Chat

    @property
    def key(self) -> str:  # the page keeps one note per key
        return f"{self.change}-{self.chat.id}-{self.at.timestamp():.6f}"


def _chat_changes(workspace, since: datetime | None = None) -> list[ChatChange]:
    chats = Chat.objects.filter(workspace=workspace).select_related("lead", "responding_rep")
    closed = chats.filter(status="closed", closed_at__isnull=False)
    replied = chats.filter(first_response_at__isnull=False, responding_rep__isnull=False)
    if since is not None:
        closed = closed.filter(closed_at__gte=since - OVERLAP)
        replied = replied.filter(first_response_at__gte=since - OVERLAP)
    changes = [
        ChatChange("closed", c.closed_at, c) for c in closed.order_by("-closed_at")[:CHANGES]
    ]
    changes += [
        ChatChange("replied", c.first_response_at, c)
        for c in replied.order_by("-first_response_at")[:CHANGES]
    ]
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes[:CHANGES]


def _feed_context(workspace, window) -> dict:
    return {
        "stats": _today_stats(workspace),
        "window_size": len(window),
        "by_assignee": _by_assignee(window),
    }


@console_view
def overview(request):
    window = _window(request.workspace)
    context = _feed_context(request.workspace, window)
    context.update(
        recent=window,
        chat_changes=_chat_changes(request.workspace),
        as_of=timezone.now().isoformat(),
    )
    return render(request, "console/feed.html", context)


def _row(request, decision) -> str:
    return render_to_string(
        "console/partials/_decision_row.html", {"d": decision, "workspace": request.workspace}
    )


@console_view
def feed_since(request):
    """What changed since the page's cursors, rendered for this viewer.

    `after`: the newest decision id on the page; `since`: the `as_of` of the page's last
    load or refresh (ISO 8601; without it, chat changes are the latest ones). Answers the
    new rows (oldest first, so the page can prepend in order), the rows at or below
    `after` as they are now when they may have changed (meetings; chats closed, replied
    or reopened), the chat activity notes, the counters and the chart's numbers.
    """
    errors = {}
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        errors["after"] = ["Expected a decision id."]
    since = None
    if request.GET.get("since"):
        try:
            since = datetime.fromisoformat(request.GET["since"])
        except ValueError:
            errors["since"] = ["Expected an ISO 8601 time, e.g. 2026-12-01T12:00:00+00:00."]
        else:
            if timezone.is_naive(since):
                errors["since"] = ["Give the time with its offset, e.g. +00:00."]
    if errors:
        return JsonResponse(errors, status=400)
    as_of = timezone.now()
    window = _window(request.workspace)
    changes = _chat_changes(request.workspace, since)
    changed_chats = {c.chat.id for c in changes}
    if since is not None:  # reopened since: the row's "Closed" badge must go
        changed_chats.update(
            Chat.objects.filter(
                workspace=request.workspace,
                status="open",
                last_activity_at__gte=since - OVERLAP,
            ).values_list("id", flat=True)
        )
    new = [d for d in window if d.id > after]
    updated = [
        d
        for d in window
        if d.id <= after and (d.kind == "meeting" or (d.chat_id and d.chat_id in changed_chats))
    ]
    context = _feed_context(request.workspace, window)
    return JsonResponse(
        {
            "decisions": [
                {"decision": {"id": d.id, "kind": d.kind}, "html": _row(request, d)}
                for d in reversed(new)
            ],
            # Rows the page already has, as they are now (moved, cancelled, closed...).
            "updated": [{"decision": d.id, "html": _row(request, d)} for d in updated],
            "chat_changes": [
                {
                    "key": c.key,
                    "html": render_to_string(
                        "console/partials/_chat_change.html",
                        {"c": c, "workspace": request.workspace},
                    ),
                }
                for c in reversed(changes)  # oldest first, as the rows
            ],
            "stats": context["stats"],
            "stats_html": render_to_string("console/partials/_feed_stats.html", context),
            "chart_html": render_to_string("console/partials/_feed_chart_data.html", context),
            "as_of": as_of.isoformat(),
        }
    )
