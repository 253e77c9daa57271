"""The rule editor's "Edit as draft" mode (issue 17 item 1): every change goes to the draft.

The same editor page, cards and segment form as the live rule, pointed at the
draft's actions (routing.actions.drafts); the live version keeps routing until
Publish. Draft segments added here have negative ids until they are published.
"""

import json
from types import SimpleNamespace

from django.contrib import messages
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from routing import actions, versions
from routing.actions import drafts
from routing.actions.versions import console_author, history
from routing.models import RoutingRule, RuleDraft, Segment
from routing.shadowing import shadowed

from ..access import console_view
from ..booking_forms import MeetingSegmentForm
from ..forms import TestLeadForm, run_action
from ..vanished import deleted_meanwhile
from .rules import HISTORY_ROWS, rule_or_rules
from .segments import _action, _form_class, _render_form


def _rule(request, rule_id) -> RoutingRule:
    return get_object_or_404(RoutingRule, id=rule_id, workspace=request.workspace)


def _draft_or_rule(request, rule_id, **_) -> str:
    """Where a draft POST whose object vanished goes: the draft editor while the
    draft exists, else the rule's page, else the rules list."""
    if RuleDraft.objects.filter(rule_id=rule_id, rule__workspace=request.workspace).exists():
        return reverse(
            "console:rule-draft", kwargs={"ws": request.workspace.id, "rule_id": rule_id}
        )
    return rule_or_rules(request, rule_id)


def _editor(request, rule):
    return redirect("console:rule-draft", ws=request.workspace.id, rule_id=rule.id)


def _cards(snapshot: dict) -> list:
    """The draft's segments as the editor's cards read them (no query per card)."""
    cards = []
    for seg in snapshot["segments"]:
        assignee = seg.get("assignee") or {}
        kind = assignee.get("type")
        named = SimpleNamespace(name=assignee.get("name"))
        cards.append(
            SimpleNamespace(
                id=seg["id"],
                name=seg["name"],
                is_fallback=seg["is_fallback"],
                conditions=seg["conditions"],
                summary=versions.conditions_text(seg["conditions"]),
                assignee_type=kind,
                assignee_rep=named if kind == "rep" else None,
                assignee_pool=named if kind == "pool" else None,
                assignee_agent=named if kind == "ai_agent" else None,
                booking_line=versions.booking_text(seg.get("booking")),
                monitoring_channel=seg.get("monitoring_channel", ""),
                shadowed_by=None,
            )
        )
    warnings = shadowed([(c.id, c.name, c.conditions) for c in cards if not c.is_fallback])
    for card in cards:
        card.shadowed_by = warnings.get(card.id)
    return cards


@console_view
def draft_editor(request, rule_id):
    rule = _rule(request, rule_id)
    draft = drafts.get_draft(rule)
    if draft is None:
        messages.info(request, "This rule has no draft: “Edit as draft” starts one.")
        return redirect("console:rule", ws=request.workspace.id, rule_id=rule.id)
    snapshot = drafts.snapshot_of(rule, draft)
    changes = drafts.draft_changes(rule, snapshot)
    links = sorted(
        {*rule.chat_links.values_list("name", flat=True)}
        | {*rule.meeting_links.values_list("name", flat=True)}
    )
    context = {
        "rule": rule,
        "draft": draft,
        "changes": changes,
        "segments": _cards(snapshot),
        "links": links,
        "history": history(rule, limit=HISTORY_ROWS),
        "test_form": TestLeadForm(workspace=request.workspace),  # runs the draft
        "reorder_url": reverse(
            "console:rule-draft-reorder", kwargs={"ws": request.workspace.id, "rule_id": rule.id}
        ),
    }
    return render(request, "console/rule_editor.html", context)


@console_view
@deleted_meanwhile(rule_or_rules)
@require_POST
def draft_start(request, rule_id):
    """ "Edit as draft": a copy of the live segments (or the draft there already is)."""
    rule = _rule(request, rule_id)
    if drafts.get_draft(rule) is None:
        try:
            drafts.start_draft(rule, author=console_author(request.user))
        except actions.NotFound:  # deleted meanwhile (vanished.py)
            raise
        except actions.ActionError:
            pass  # started meanwhile (another tab): edit that one
        else:
            messages.success(request, "Draft started: changes here do not route until you publish.")
    return _editor(request, rule)


@console_view
@deleted_meanwhile(rule_or_rules)
@require_POST
def draft_publish(request, rule_id):
    rule = _rule(request, rule_id)
    try:
        created = drafts.publish_draft(rule, author=console_author(request.user))
    except actions.NotFound:  # deleted meanwhile (vanished.py)
        raise
    except actions.ActionError as exc:
        messages.error(request, exc.text())
        if drafts.get_draft(rule) is not None:
            return _editor(request, rule)
    else:
        messages.success(request, f"Published the draft: live as v{created.version}.")
    return redirect("console:rule", ws=request.workspace.id, rule_id=rule.id)


@console_view
@deleted_meanwhile(rule_or_rules)
@require_POST
def draft_discard(request, rule_id):
    rule = _rule(request, rule_id)
    try:
        drafts.discard_draft(rule)
    except actions.NotFound:  # deleted meanwhile (vanished.py)
        raise
    except actions.ActionError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, "Discarded the draft; the live rule is unchanged.")
    return redirect("console:rule", ws=request.workspace.id, rule_id=rule.id)


@console_view
@require_POST
def draft_reorder(request, rule_id):
    """The editor's drag-and-drop save, into the draft; answers the new change count."""
    rule = _rule(request, rule_id)
    try:
        order = json.loads(request.body or b"{}").get("order")
    except (json.JSONDecodeError, AttributeError, UnicodeDecodeError):
        return HttpResponseBadRequest('Expected a JSON body like {"order": [3, 1, 2]}.')
    try:
        saved = drafts.reorder_draft(rule, order, author=console_author(request.user))
    except actions.ActionError as exc:
        return JsonResponse({"errors": exc.errors}, status=exc.status_code)
    changes = drafts.draft_changes(rule)
    return JsonResponse(
        {
            "order": [s["id"] for s in saved],
            "version": rule.version,
            "draft_changes": changes["count"],
        }
    )


# -- one segment of the draft: the live editor's form and views, pointed at the draft --
def _draft_segment(rule, seg_id) -> Segment:
    """A draft segment as an unsaved Segment, so the live segment form can show it."""
    draft = drafts.get_draft(rule)
    item = next((i for i in (draft.segments if draft else []) if i["id"] == seg_id), None)
    if item is None:  # a 404 for a page; a POST goes back to the draft (vanished.py)
        raise actions.NotFound({"detail": f"The draft has no segment {seg_id}."})
    assignee = item.get("assignee") or {}
    kind = assignee.get("type") or "booking"
    target = assignee.get("id")
    return Segment(
        id=item["id"],
        rule=rule,
        name=item["name"],
        conditions=item["conditions"],
        assignee_type=kind,
        assignee_rep_id=target if kind == "rep" else None,
        assignee_pool_id=target if kind == "pool" else None,
        assignee_agent_id=target if kind == "ai_agent" else None,
        booking=item.get("booking"),
        monitoring_channel=item.get("monitoring_channel", ""),
        is_fallback=bool(item.get("is_fallback")),
    )


def _extra(request, rule) -> dict:
    url = reverse("console:rule-draft", kwargs={"ws": request.workspace.id, "rule_id": rule.id})
    return {"draft_mode": True, "back_url": url}


@console_view
@deleted_meanwhile(_draft_or_rule)
def draft_segment_create(request, rule_id):
    rule = _rule(request, rule_id)
    if drafts.get_draft(rule) is None:
        return _editor(request, rule)
    form_class = _form_class(rule)
    if request.method != "POST":
        initial = (
            MeetingSegmentForm.initial_for() if rule.kind == "meeting" else {"assignee_type": "rep"}
        )
        form = form_class(workspace=request.workspace, initial=initial)
        return _render_form(request, form, rule, extra=_extra(request, rule))
    form = form_class(request.POST, workspace=request.workspace)
    add = _action(rule, drafts.add_draft_segment)
    author = console_author(request.user)
    if form.is_valid() and run_action(form, add, rule, **form.action_kwargs(), author=author):
        messages.success(request, f"Added “{form.cleaned_data['name']}” to the draft.")
        return _editor(request, rule)
    return _render_form(request, form, rule, status=400, extra=_extra(request, rule))


@console_view
@deleted_meanwhile(_draft_or_rule)
def draft_segment_edit(request, rule_id, seg_id):
    rule = _rule(request, rule_id)
    segment = _draft_segment(rule, seg_id)
    form_class = _form_class(rule)
    extra = _extra(request, rule)
    if request.method != "POST":
        if rule.kind == "meeting":
            initial = MeetingSegmentForm.initial_for(segment)
        else:
            initial = {
                "name": segment.name,
                "assignee_type": segment.assignee_type,
                "assignee_rep": segment.assignee_rep_id,
                "assignee_pool": segment.assignee_pool_id,
                "assignee_agent": segment.assignee_agent_id,
                "monitoring_channel": segment.monitoring_channel,
            }
        form = form_class(
            workspace=request.workspace, is_fallback=segment.is_fallback, initial=initial
        )
        return _render_form(request, form, rule, segment, extra=extra)
    form = form_class(request.POST, workspace=request.workspace, is_fallback=segment.is_fallback)
    update = _action(rule, drafts.update_draft_segment)
    author = console_author(request.user)
    if form.is_valid() and run_action(
        form, update, rule, segment.id, **form.action_kwargs(), author=author
    ):
        messages.success(request, f"Saved “{form.cleaned_data['name']}” in the draft.")
        return _editor(request, rule)
    return _render_form(request, form, rule, segment, status=400, extra=extra)


@console_view
@deleted_meanwhile(_draft_or_rule)
@require_POST
def draft_segment_duplicate(request, rule_id, seg_id):
    rule = _rule(request, rule_id)
    try:
        copy = drafts.duplicate_draft_segment(rule, seg_id, author=console_author(request.user))
    except actions.NotFound:  # deleted meanwhile (vanished.py)
        raise
    except actions.ActionError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, f"Duplicated into “{copy['name']}” in the draft.")
    return _editor(request, rule)


@console_view
@deleted_meanwhile(_draft_or_rule)
@require_POST
def draft_segment_delete(request, rule_id, seg_id):
    rule = _rule(request, rule_id)
    try:
        drafts.delete_draft_segment(rule, seg_id, author=console_author(request.user))
    except actions.NotFound:  # deleted meanwhile (vanished.py)
        raise
    except actions.ActionError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, "Deleted the segment from the draft.")
    return _editor(request, rule)
