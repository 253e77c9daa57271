"""Segments: add, edit, duplicate, delete (each through routing.actions)."""

import json

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from routing import actions
from routing.actions.versions import console_author
from routing.models import RoutingRule, Segment

from ..access import console_view
from ..booking_forms import MeetingSegmentForm, flatten_booking_errors
from ..builder import catalog_json
from ..condition_errors import in_words
from ..forms import SegmentForm, run_action
from ..vanished import deleted_meanwhile
from .rules import rule_or_rules


def _form_class(rule):
    """A meeting rule's segments carry a booking instead of an assignee (SPEC 5a)."""
    return MeetingSegmentForm if rule.kind == "meeting" else SegmentForm


def _action(rule, action):
    return flatten_booking_errors(action) if rule.kind == "meeting" else action


def _render_form(request, form, rule, segment=None, status=200, extra=None):
    """The segment form page; `extra` is the draft mode's context (drafts.py)."""
    error = getattr(form, "action_error", None)
    raw = form.data.get("conditions") if form.is_bound else None
    if error is not None and error.node_path is not None and "conditions" in form.errors:
        tree = (
            json.loads(raw) if raw else None
        )  # it parsed: the action refused the tree, not the JSON
        form.errors["conditions"] = form.error_class(
            [in_words(tree, error.node_path, str(m)) for m in error.errors.get("conditions", [])]
        )
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
            **(extra or {}),
        },
        status=status,
    )


def _back(request, rule):
    return redirect("console:rule", ws=request.workspace.id, rule_id=rule.id)


@console_view
@deleted_meanwhile(rule_or_rules)
def segment_create(request, rule_id):
    rule = get_object_or_404(RoutingRule, id=rule_id, workspace=request.workspace)
    form_class = _form_class(rule)
    if request.method != "POST":
        initial = (
            MeetingSegmentForm.initial_for() if rule.kind == "meeting" else {"assignee_type": "rep"}
        )
        form = form_class(workspace=request.workspace, initial=initial)
        return _render_form(request, form, rule)
    form = form_class(request.POST, workspace=request.workspace)
    add = _action(rule, actions.add_segment)
    author = console_author(request.user)
    if form.is_valid() and run_action(form, add, rule, **form.action_kwargs(), author=author):
        messages.success(request, f"Added segment “{form.cleaned_data['name']}”.")
        return _back(request, rule)
    return _render_form(request, form, rule, status=400)


def _segment(request, segment_id) -> Segment:
    segment = get_object_or_404(
        Segment.objects.select_related("rule"), id=segment_id, rule__workspace=request.workspace
    )
    request.segment_rule_id = segment.rule_id  # where to go if it vanishes meanwhile
    return segment


def _segment_back(request, segment_id) -> str:
    """The segment's rule page (while the rule exists), else the rules list."""
    return rule_or_rules(request, getattr(request, "segment_rule_id", None))


@console_view
@deleted_meanwhile(_segment_back)
def segment_edit(request, segment_id):
    segment = _segment(request, segment_id)
    rule = segment.rule
    form_class = _form_class(rule)
    if request.method != "POST" and rule.kind == "meeting":
        form = form_class(
            workspace=request.workspace,
            is_fallback=segment.is_fallback,
            initial=MeetingSegmentForm.initial_for(segment),
        )
        return _render_form(request, form, rule, segment)
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
    form = form_class(request.POST, workspace=request.workspace, is_fallback=segment.is_fallback)
    update = _action(rule, actions.update_segment)
    author = console_author(request.user)
    if form.is_valid() and run_action(form, update, segment, **form.action_kwargs(), author=author):
        messages.success(request, f"Saved segment “{form.cleaned_data['name']}”.")
        return _back(request, rule)
    return _render_form(request, form, rule, segment, status=400)


@console_view
@deleted_meanwhile(_segment_back)
@require_POST
def segment_duplicate(request, segment_id):
    segment = _segment(request, segment_id)
    try:
        actions.duplicate_segment(segment, author=console_author(request.user))
    except actions.NotFound:  # deleted meanwhile (vanished.py)
        raise
    except actions.ActionError as exc:
        messages.error(request, exc.text())
        return _back(request, segment.rule)
    messages.success(request, f"Duplicated “{segment.name}”.")
    return _back(request, segment.rule)


@console_view
@deleted_meanwhile(_segment_back)
@require_POST
def segment_delete(request, segment_id):
    segment = _segment(request, segment_id)
    try:
        actions.delete_segment(segment, author=console_author(request.user))
    except actions.NotFound:  # deleted meanwhile (vanished.py)
        raise
    except actions.ActionError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, f"Deleted segment “{segment.name}”.")
    return _back(request, segment.rule)
