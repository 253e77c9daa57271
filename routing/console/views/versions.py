"""A rule's versions in the console: one version's segments, the diff of two, roll back."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from routing import actions, versions
from routing.actions import versions as version_actions
from routing.models import RoutingRule, RuleVersion

from ..access import console_view


def _rule(request, rule_id) -> RoutingRule:
    return get_object_or_404(RoutingRule, id=rule_id, workspace=request.workspace)


def _number(value):
    """A query or form value as a version number; anything else stays as given
    so the action's 400 names it."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


@console_view
def rule_version(request, rule_id, number):
    """Version `number` of a rule as it routed: its segments, read-only (a decision links here)."""
    rule = _rule(request, rule_id)
    found = RuleVersion.objects.filter(rule=rule, version=number).first()
    if found is None:
        raise Http404("No such version.")
    segments = [
        {
            "name": seg["name"],
            "is_fallback": seg.get("is_fallback"),
            "conditions": versions.conditions_text(seg.get("conditions")),
            "assigned": versions.assignee_text(seg),
            "monitoring_channel": seg.get("monitoring_channel", ""),
        }
        for seg in found.snapshot.get("segments", [])
    ]
    return render(
        request,
        "console/rule_version.html",
        {"rule": rule, "version": found, "segments": segments, "settings": found.snapshot["rule"]},
    )


@console_view
def rule_diff(request, rule_id):
    """Two versions side by side (?from=&to=); a bad pair is a 400 that says why."""
    rule = _rule(request, rule_id)
    old, new = _number(request.GET.get("from")), _number(request.GET.get("to"))
    error, result = None, None
    try:
        result = version_actions.diff_versions(rule, old, new)
    except actions.ActionError as exc:
        error = exc.text()
    return render(
        request,
        "console/rule_diff.html",
        {"rule": rule, "diff": result, "error": error, "old": old, "new": new},
        status=400 if error else 200,
    )


@console_view
@require_POST
def rule_rollback(request, rule_id):
    rule = _rule(request, rule_id)
    number = _number(request.POST.get("version"))
    try:
        created = actions.rollback(
            rule, number, author=version_actions.console_author(request.user)
        )
    except actions.ActionError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, f"Rolled back to v{number}: now live as v{created.version}.")
    return redirect("console:rule", ws=request.workspace.id, rule_id=rule.id)
