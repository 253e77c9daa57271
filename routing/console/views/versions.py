"""A rule's versions in the console: one version's segments, the diff of two
(or of the draft and a version), roll back."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from routing import actions, versions
from routing.actions import drafts
from routing.actions import versions as version_actions
from routing.models import RoutingRule, RuleVersion

from ..access import console_view
from ..vanished import deleted_meanwhile
from .rules import rule_or_rules


def _rule(request, rule_id) -> RoutingRule:
    return get_object_or_404(RoutingRule, id=rule_id, workspace=request.workspace)


def _number(value):
    """A query or form value as a version number; anything else stays as given
    so the action's 400 names it."""
    if value == drafts.DRAFT:
        return value
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


def _label(ref) -> str:
    return "Draft" if ref == drafts.DRAFT else f"v{ref}"


@console_view
def rule_diff(request, rule_id):
    """Any two of {the draft, any version} side by side (?from=&to=, a number or
    "draft"); a bad pair is a 400 that says why."""
    rule = _rule(request, rule_id)
    old, new = _number(request.GET.get("from")), _number(request.GET.get("to"))
    error, result = None, None
    try:
        result = drafts.diff_any(rule, old, new)
    except actions.ActionError as exc:
        error = exc.text()
    draft = drafts.get_draft(rule)
    choices = [("draft", "Draft")] if draft is not None else []
    choices += [(str(v["version"]), f"v{v['version']}") for v in version_actions.history(rule)]
    context = {
        "rule": rule,
        "diff": result,
        "error": error,
        "old": old,
        "new": new,
        "old_label": _label(old),
        "new_label": _label(new),
        "choices": choices,
        "has_draft": draft is not None,
    }
    return render(request, "console/rule_diff.html", context, status=400 if error else 200)


@console_view
@deleted_meanwhile(rule_or_rules)
@require_POST
def rule_rollback(request, rule_id):
    rule = _rule(request, rule_id)
    number = _number(request.POST.get("version"))
    try:
        created = actions.rollback(
            rule, number, author=version_actions.console_author(request.user)
        )
    except actions.NotFound:  # deleted meanwhile (vanished.py)
        raise
    except actions.ActionError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, f"Rolled back to v{number}: now live as v{created.version}.")
    return redirect("console:rule", ws=request.workspace.id, rule_id=rule.id)
