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
    """One note of the feed's chat activity: a close, a reopen, a first human reply or a
    reassignment (its decision)."""

    change: str  # "closed" | "reopened" | "replied" | "reassigned"
    at: datetime
    chat: Chat
    owner: str = ""  # reassigned: the new owner

    @property
    def key(self) -> str:  # the page keeps one note per key
        return f"{self.change}-{self.chat.id}-{self.at.timestamp():.6f}"


def _chat_changes(workspace, since: datetime | None = None) -> list[ChatChange]:
    """The latest chat changes, or those since `since` (less OVERLAP), newest first."""
    chats = Chat.objects.filter(workspace=workspace).select_related("lead", "responding_rep")
    sources = [
        ("closed", "closed_at", chats.filter(status="closed")),
        ("reopened", "reopened_at", chats.filter(status="open")),
        ("replied", "first_response_at", chats.filter(responding_rep__isnull=False)),
    ]
    changes = []
    for change, field, qs in sources:
        qs = qs.filter(**{f"{field}__isnull": False})
        if since is not None:
            qs = qs.filter(**{f"{field}__gte": since - OVERLAP})
        changes += [
            ChatChange(change, getattr(c, field), c) for c in qs.order_by(f"-{field}")[:CHANGES]
        ]
    moves = Decision.objects.filter(workspace=workspace, via="reassigned").select_related(
        "reassigned_chat__lead"
    )
    if since is not None:
        moves = moves.filter(created_at__gte=since - OVERLAP)
    changes += [
        ChatChange("reassigned", d.created_at, d.reassigned_chat, owner=d.assignee_name)
        for d in moves.only(
            "created_at", "assignee_name", "reassigned_chat__id", "reassigned_chat__lead__email"
        ).order_by("-created_at")[:CHANGES]
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
