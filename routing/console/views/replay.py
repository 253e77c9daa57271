"""A rule's replay page (issue 17 item 3): the form, a run's progress, its results.

A short replay runs in the request; a long one is a task (routing.tasks.replay_run)
and the page polls its progress with htmx until the results replace the bar.
"""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from routing import actions
from routing.actions import replay as replay_actions
from routing.actions import versions as version_actions
from routing.models import Decision, ReplayRun, RoutingRule

from ..access import console_view
from ..replay_forms import ReplayForm
from ..vanished import deleted_meanwhile
from .rules import rule_or_rules


def _rule(request, rule_id) -> RoutingRule:
    return get_object_or_404(RoutingRule, id=rule_id, workspace=request.workspace)


def _run(request, rule, run_id) -> ReplayRun:
    return get_object_or_404(ReplayRun, id=run_id, rule=rule, workspace=request.workspace)


def _page(request, rule, form, run=None, status=200):
    runs = ReplayRun.objects.filter(rule=rule).only(
        "id", "label", "status", "created_at", "since", "until", "total", "author"
    )
    if run is not None:
        runs = runs.exclude(id=run.id)  # shown above, live
    runs = runs[:8]
    return render(
        request,
        "console/rule_replay.html",
        {"rule": rule, "form": form, "run": run, "runs": runs, **_results(run)},
        status=status,
    )


def _results(run: ReplayRun | None) -> dict:
    """What the results partial shows: shares with percentages, the matrix, the chart data."""
    if run is None or run.status != "done" or not run.result:
        return {}
    result = dict(run.result)
    result["start"] = datetime.fromisoformat(result["start"])
    result["changes"] = [{**c, "at": datetime.fromisoformat(c["at"])} for c in result["changes"]]
    total = result["decisions"] or 1
    shares = [
        {
            **row,
            "before_pct": round(100 * row["before"] / total, 1),
            "after_pct": round(100 * row["after"] / total, 1),
            "delta": row["after"] - row["before"],
        }
        for row in result["by_assignee"]
    ]
    names = [row["assignee"]["name"] for row in result["by_assignee"]]
    keys = [(r["assignee"]["type"], r["assignee"]["id"]) for r in result["by_assignee"]]
    cells = {
        ((m["from"]["type"], m["from"]["id"]), (m["to"]["type"], m["to"]["id"])): m["count"]
        for m in result["moves"]
    }
    sources = [k for k in keys if any(a == k for a, _ in cells)]
    targets = [k for k in keys if any(b == k for _, b in cells)]
    label = dict(zip(keys, names, strict=True))
    matrix = {
        "columns": [label[k] for k in targets],
        "rows": [
            {"name": label[a], "cells": [cells.get((a, b), 0) for b in targets]} for a in sources
        ],
    }
    chart = {
        "labels": names,
        "before": [s["before_pct"] for s in shares],
        "after": [s["after_pct"] for s in shares],
    }
    return {
        "result": result,
        "shares": shares,
        "matrix": matrix,
        "chart": chart,
        "changed_pct": round(100 * result["changed"] / total, 1),
        "moved_pct": round(100 * result["assignee_changed"] / total, 1),
    }


@console_view
@deleted_meanwhile(rule_or_rules)
def rule_replay(request, rule_id):
    rule = _rule(request, rule_id)
    has_draft = replay_actions._draft_snapshot(rule) is not None
    if request.method != "POST":
        # "Replay the draft" on the draft editor links here with ?version=draft.
        wants_draft = has_draft and request.GET.get("version") == "draft"
        initial = {"version": "draft"} if wants_draft else {}
        return _page(request, rule, ReplayForm(rule=rule, has_draft=has_draft, initial=initial))
    form = ReplayForm(request.POST, rule=rule, has_draft=has_draft)
    if not form.is_valid():
        return _page(request, rule, form, status=400)
    data = form.cleaned_data
    try:
        run = replay_actions.start(
            rule,
            form.version_value(),
            since=data.get("since"),
            until=data.get("until"),
            limit=data.get("limit"),
            author=version_actions.console_author(request.user),
        )
    except actions.NotFound:  # deleted meanwhile (vanished.py)
        raise
    except actions.ActionError as exc:
        for field, messages in exc.errors.items():
            for message in messages if isinstance(messages, list) else [messages]:
                form.add_error(field if field in form.fields else None, str(message))
        return _page(request, rule, form, status=400)
    return redirect(
        "console:rule-replay-run", ws=request.workspace.id, rule_id=rule.id, run_id=run.id
    )


@console_view
def replay_run(request, rule_id, run_id):
    rule = _rule(request, rule_id)
    run = _run(request, rule, run_id)
    has_draft = replay_actions._draft_snapshot(rule) is not None
    initial = {"since": run.since, "until": run.until, "limit": run.limit}
    initial["version"] = "draft" if run.label == "draft" else run.label.lstrip("v")
    form = ReplayForm(rule=rule, has_draft=has_draft, initial=initial)
    return _page(request, rule, form, run=run)


@console_view
def replay_progress(request, rule_id, run_id):
    """The run's card alone: the progress bar (polling again) or, once done, the results."""
    rule = _rule(request, rule_id)
    run = _run(request, rule, run_id)
    return render(
        request, "console/partials/_replay_run.html", {"rule": rule, "run": run, **_results(run)}
    )


@console_view
def replay_trace(request, rule_id, run_id, decision_id):
    """One changed lead: the stored trace and the replay's, side by side."""
    rule = _rule(request, rule_id)
    run = _run(request, rule, run_id)
    traces = (run.result or {}).get("traces") or {}
    trace = traces.get(str(decision_id))
    if trace is None:
        raise Http404("This lead is not among the run's listed changes.")
    decision = get_object_or_404(
        Decision.objects.select_related("lead"), id=decision_id, workspace=request.workspace
    )
    change = next(c for c in run.result["changes"] if c["decision"] == decision_id)
    return render(
        request,
        "console/replay_trace.html",
        {"rule": rule, "run": run, "decision": decision, "after": trace, "change": change},
    )


__all__ = ["replay_progress", "replay_run", "replay_trace", "rule_replay"]
