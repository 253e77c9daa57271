"""Segments: add, edit, duplicate, delete (each through routing.actions)."""

import json

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from routing import actions
from routing.models import RoutingRule, Segment

from ..access import console_view
from ..builder import catalog_json
from ..forms import SegmentForm, run_action


def _render_form(request, form, rule, segment=None, status=200):
    error = getattr(form, "action_error", None)
    raw = form.data.get("conditions") if form.is_bound else None
    tree = raw if raw is not None else json.dumps(segment.conditions if segment else {"all": []})
    return render(
        request,
        "console/segment_form.html",
        {
            "form": form,
            "rule": rule,
            "segment": segment,
            "conditions_json": tree,
            "catalog": catalog_json(),
            "error_path": error.node_path if error is not None else None,
        },
        status=status,
    )


def _back(request, rule):
    return redirect("console:rule", ws=request.workspace.id, rule_id=rule.id)


@console_view
def segment_create(request, rule_id):
    rule = get_object_or_404(RoutingRule, id=rule_id, workspace=request.workspace)
    if request.method != "POST":
        form = SegmentForm(workspace=request.workspace, initial={"assignee_type": "rep"})
        return _render_form(request, form, rule)
    form = SegmentForm(request.POST, workspace=request.workspace)
    if form.is_valid() and run_action(form, actions.add_segment, rule, **form.action_kwargs()):
        messages.success(request, f"Added segment “{form.cleaned_data['name']}”.")
        return _back(request, rule)
    return _render_form(request, form, rule, status=400)


def _segment(request, segment_id) -> Segment:
    return get_object_or_404(
        Segment.objects.select_related("rule"), id=segment_id, rule__workspace=request.workspace
    )


@console_view
def segment_edit(request, segment_id):
    segment = _segment(request, segment_id)
    rule = segment.rule
    if request.method != "POST":
        form = SegmentForm(
            workspace=request.workspace,
            is_fallback=segment.is_fallback,
            initial={
                "name": segment.name,
                "assignee_type": segment.assignee_type,
                "assignee_rep": segment.assignee_rep_id,
                "assignee_pool": segment.assignee_pool_id,
                "assignee_agent": segment.assignee_agent_id,
                "monitoring_channel": segment.monitoring_channel,
            },
        )
        return _render_form(request, form, rule, segment)
    form = SegmentForm(request.POST, workspace=request.workspace, is_fallback=segment.is_fallback)
    if form.is_valid() and run_action(
        form, actions.update_segment, segment, **form.action_kwargs()
    ):
        messages.success(request, f"Saved segment “{form.cleaned_data['name']}”.")
        return _back(request, rule)
    return _render_form(request, form, rule, segment, status=400)


@console_view
@require_POST
def segment_duplicate(request, segment_id):
    segment = _segment(request, segment_id)
    try:
        actions.duplicate_segment(segment)
    except actions.ActionError as exc:
        messages.error(request, exc.text())
        return _back(request, segment.rule)
    messages.success(request, f"Duplicated “{segment.name}”.")
    return _back(request, segment.rule)


@console_view
@require_POST
def segment_delete(request, segment_id):
    segment = _segment(request, segment_id)
    try:
        actions.delete_segment(segment)
    except actions.ActionError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, f"Deleted segment “{segment.name}”.")
    return _back(request, segment.rule)
