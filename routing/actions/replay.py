"""Replay a rule version (or its draft) over the rule's past decisions (issue 17 item 3).

Reads only: the stored decisions of the window, today's people and pools, and
each pool's rotation state at the start of the window, worked out from the
decisions before it; then `routing.replay.replay` (pure) does the rest in
memory. Nothing here writes a decision, chat, lead, rotation or delivery; the
one row a console replay writes is its ReplayRun (progress and result).

Pool state at the start of the window (the replay page says so):
round robin continues from the member assigned least recently before the
window (members never assigned first, then by member id), the stored
current_weight being today's, not then's; load balanced starts from each
member's chats that were open at the window's start (created before it and
not closed by then). Leads that other rules gave to the same pools during the
window rotate them at their time, as they did.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from routing import engine, replay
from routing.models import (
    AIAgent,
    Chat,
    Decision,
    Pool,
    PoolMember,
    Rep,
    ReplayRun,
    RoutingRule,
)

from .errors import ActionError
from .rules import _locked_rule
from .versions import get_version

DEFAULT_DAYS = 7
MAX_DECISIONS = 50_000
# A console replay of at most this many decisions runs in the request; a longer
# one is a task with a progress bar (settings.KNOCK_REPLAY_INLINE_MAX overrides).
INLINE_MAX = 2_000
NO_DRAFT = "This rule has no draft."


# -- what is replayed ---------------------------------------------------------
def _draft_snapshot(rule: RoutingRule) -> dict | None:
    """The rule's draft as a snapshot, from the drafts action when it exists.

    Imported here, lazily: drafts are another part of issue 17; without them a
    rule simply has no draft.
    """
    try:
        from routing.actions.drafts import draft_snapshot
    except ImportError:
        return None
    return draft_snapshot(rule)


def target(rule: RoutingRule, version) -> tuple[str, dict]:
    """("v7" | "draft", the snapshot to replay); a 400 on "version" otherwise."""
    if version == "draft":
        snapshot = _draft_snapshot(rule)
        if snapshot is None:
            raise ActionError({"version": [NO_DRAFT]})
        return "draft", {**snapshot, "version": "draft"}
    found = get_version(rule, version)
    return f"v{found.version}", found.snapshot


def window(since, until, limit, *, now: datetime | None = None) -> tuple[datetime, datetime, int]:
    """The window and limit, with their defaults (the last 7 days, 50,000)."""
    now = now or timezone.now()
    until = until or now
    try:
        since = since or until - timedelta(days=DEFAULT_DAYS)
    except OverflowError:  # until in the first week of year 1
        raise ActionError({"until": ["Too early: give since as well."]}) from None
    if since >= until:
        raise ActionError({"until": ["Must be after since."]})
    if limit is None:
        limit = MAX_DECISIONS
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_DECISIONS:
        raise ActionError({"limit": [f"Must be a whole number from 1 to {MAX_DECISIONS:,}."]})
    return since, until, limit


def check_rule(rule: RoutingRule) -> None:
    if rule.kind != "chat":
        raise ActionError(
            {"version": ["Replay runs chat rules; a meeting rule's leads book slots instead."]}
        )


# -- reading the past -----------------------------------------------------------
# A stored trace is ~30 KB on a 50-segment rule (every segment explained); the
# replay needs only its result, gaps, CRM-owner-first entry and the reasons that
# name who was away: the decision's trace_digest (routing.replay.digest), written
# with it, a few hundred bytes.
_FIELDS = ("id", "created_at", "context", "segment_id", "segment_name", "via", "trace_digest")
_FIELDS += ("assignee_type", "rep_id", "ai_agent_id", "assignee_name", "lead_id", "lead__email")


def _decisions(rule: RoutingRule, since, until, limit) -> list[dict]:
    """The rule's routed chats in the window, the newest `limit` of them, oldest first
    (reassignments are a person's choice, not the rule's: left out)."""
    rows = (
        Decision.objects.filter(rule=rule, kind="chat", created_at__gte=since, created_at__lt=until)
        .exclude(via="reassigned")
        .order_by("-created_at", "-id")
        .values(*_FIELDS)
    )
    return list(reversed(rows[:limit]))


def stored(row: dict) -> replay.StoredDecision:
    trace = replay.from_digest(row["trace_digest"] or {})
    result = trace.get("result") or {}
    who = result.get("assignee") or {}
    assignee = {
        "type": who.get("type") or row["assignee_type"],
        "id": who.get("id", row["rep_id"] or row["ai_agent_id"]),
        "name": who.get("name") or row["assignee_name"],
    }
    segment = None
    if row["via"] == "segment":
        segment = {"id": result.get("segment", row["segment_id"]), "name": row["segment_name"]}
    return replay.StoredDecision(
        id=row["id"],
        at=row["created_at"],
        context=row["context"] or {},
        trace=trace,
        segment=segment,
        assignee=assignee,
        lead={"id": row["lead_id"], "email": row["lead__email"]},
        gaps=trace.get("gaps") or {},
    )


def people(workspace) -> replay.People:
    reps = {
        r.id: replay.RepInfo(r.id, r.name, r.is_active, r.working_hours or {}, r.timezone)
        for r in Rep.objects.filter(workspace=workspace)
    }
    agents = tuple(
        replay.AgentInfo(a.id, a.name, a.specialty, a.is_active)
        for a in AIAgent.objects.filter(workspace=workspace).order_by("id")
    )
    return replay.People(reps, agents, workspace.default_rep_id, workspace.default_ai_agent_id)


def pool_states(workspace, pool_ids, at: datetime) -> dict[int, replay.PoolState]:
    """Each pool's rotation state at `at` (see the module docstring)."""
    pools = {p.id: p for p in Pool.objects.filter(workspace=workspace, id__in=pool_ids)}
    members = list(PoolMember.objects.filter(pool_id__in=pools).order_by("pool_id", "id"))
    last = {
        (row["pool_id"], row["rep_id"]): row["last"]
        for row in Decision.objects.filter(pool_id__in=pools, created_at__lt=at)
        .values("pool_id", "rep_id")
        .annotate(last=Max("created_at"))
    }
    open_at = dict(
        Chat.objects.filter(
            workspace=workspace,
            rep_owner_id__in={m.rep_id for m in members},
            created_at__lt=at,
        )
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=at))
        .values("rep_owner_id")
        .annotate(n=Count("id"))
        .values_list("rep_owner_id", "n")
    )
    states = {
        p.id: replay.PoolState(p.id, p.name, p.strategy, p.respect_working_hours, [])
        for p in pools.values()
    }
    for m in members:
        states[m.pool_id].members.append(
            replay.MemberState(
                member_id=m.id,
                rep_id=m.rep_id,
                weight=m.weight,
                last_assigned_at=last.get((m.pool_id, m.rep_id)),
                open_chats=open_at.get(m.rep_id, 0),
            )
        )
    for state in states.values():
        # Next in line: least recently assigned before the window (never assigned first).
        ordered = sorted(
            state.members,
            key=lambda m: (m.last_assigned_at is not None, m.last_assigned_at or at, m.member_id),
        )
        for rank, member in enumerate(ordered):
            member.current_weight = -rank
    return states


def _outside_picks(rule, pool_ids, start, until) -> list[replay.OutsidePick]:
    """Leads other rules gave to these pools in the window: they rotate the pools too."""
    if not pool_ids:
        return []
    rows = (
        Decision.objects.filter(
            workspace=rule.workspace,
            pool_id__in=pool_ids,
            rep_id__isnull=False,
            created_at__gte=start,
            created_at__lt=until,
        )
        .exclude(rule=rule)
        .order_by("created_at", "id")
        .values_list("created_at", "pool_id", "rep_id")[:MAX_DECISIONS]
    )
    return [replay.OutsidePick(at, pool_id, rep_id) for at, pool_id, rep_id in rows]


def run(
    rule: RoutingRule,
    version,
    *,
    since=None,
    until=None,
    limit=None,
    snapshot: dict | None = None,
    label: str | None = None,
    progress=None,
) -> dict:
    """Replay and return the result (routing.replay.replay's, plus the window)."""
    check_rule(rule)
    if snapshot is None:
        label, snapshot = target(rule, version)
    since, until, limit = window(since, until, limit)
    compiled = engine.compile_rule(snapshot)
    rows = [stored(d) for d in _decisions(rule, since, until, limit)]
    start = rows[0].at if rows else since
    pool_ids = sorted(
        {s.assignee["id"] for s in compiled.segments if s.assignee.get("type") == "pool"}
    )
    outside = _outside_picks(rule, pool_ids, start, until)
    result = replay.replay(
        compiled, people(rule.workspace), pool_states(rule.workspace, pool_ids, start), rows,
        outside=outside, progress=progress,
    )  # fmt: skip
    result.update(
        {
            "version": label,
            "since": since.isoformat(),
            "until": until.isoformat(),
            "start": start.isoformat(),
            "limit": limit,
            "limited": len(rows) == limit,
            "outside_picks": len(outside),
        }
    )
    return result


# -- console runs (a task when long) ----------------------------------------------
def start(
    rule: RoutingRule, version, *, since=None, until=None, limit=None, author: str = ""
) -> ReplayRun:
    """Check the input, record a ReplayRun, and run it now (small) or as a task (long)."""
    check_rule(rule)
    label, snapshot = target(rule, version)
    since, until, limit = window(since, until, limit)
    total = min(
        limit,
        Decision.objects.filter(rule=rule, kind="chat", created_at__gte=since, created_at__lt=until)
        .exclude(via="reassigned")
        .count(),
    )
    inline = total <= getattr(settings, "KNOCK_REPLAY_INLINE_MAX", INLINE_MAX)
    with transaction.atomic():
        _locked_rule(rule)  # deleted meanwhile: a NotFound, not an IntegrityError at commit
        replay_run = ReplayRun.objects.create(
            workspace=rule.workspace,
            rule=rule,
            label=label,
            snapshot=snapshot,
            since=since,
            until=until,
            limit=limit,
            total=total,
            author=author,
        )
        if not inline:
            from routing.tasks import replay_run as replay_task

            replay_task.enqueue(replay_run.id)
    if inline:
        execute(replay_run.id)
        replay_run.refresh_from_db()
    return replay_run


def execute(run_id: int) -> str:
    """Run a recorded ReplayRun (the task, or inline); returns its final status."""
    found = ReplayRun.objects.select_related("rule__workspace").filter(id=run_id).first()
    if found is None or found.status in ("done", "failed"):
        return found.status if found else "gone"
    ReplayRun.objects.filter(id=run_id).update(status="running")

    def progress(done: int, total: int) -> None:
        ReplayRun.objects.filter(id=run_id).update(processed=done, total=total)

    try:
        result = run(
            found.rule,
            None,
            since=found.since,
            until=found.until,
            limit=found.limit,
            snapshot=found.snapshot,
            label=found.label,
            progress=progress,
        )
    except Exception as exc:  # recorded on the run, shown on the page
        ReplayRun.objects.filter(id=run_id).update(
            status="failed", error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now()
        )
        return "failed"
    ReplayRun.objects.filter(id=run_id).update(
        status="done",
        result=result,
        processed=result["decisions"],
        total=result["decisions"],
        finished_at=timezone.now(),
    )
    return "done"
