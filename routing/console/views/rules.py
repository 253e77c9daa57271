"""Rules: list (chat / meeting tabs), create, settings, delete, the editor, reorder, test a lead."""

import json

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from routing import actions, conditions
from routing.actions import drafts
from routing.actions.versions import console_author, history
from routing.models import KnockLink, RoutingRule, Segment
from routing.shadowing import shadowed

from ..access import console_view
from ..forms import RuleCreateForm, RuleSettingsForm, TestLeadForm, run_action, tested_version
from ..vanished import deleted_meanwhile

SEGMENTS = Segment.objects.select_related("assignee_rep", "assignee_pool", "assignee_agent")
HISTORY_ROWS = 50  # the rule page's History card; the API lists them all


def _rule(request, rule_id) -> RoutingRule:
    return get_object_or_404(RoutingRule, id=rule_id, workspace=request.workspace)


def rule_or_rules(request, rule_id=None, **_) -> str:
    """Where a POST whose object vanished goes: the rule's page, else the rules list."""
    ws = request.workspace.id
    if rule_id and RoutingRule.objects.filter(id=rule_id, workspace_id=ws).exists():
        return reverse("console:rule", kwargs={"ws": ws, "rule_id": rule_id})
    return reverse("console:rules", kwargs={"ws": ws})


@console_view
def rule_list(request):
    kind = request.GET.get("kind", "chat")
    if kind not in ("chat", "meeting"):
        kind = "chat"
    rules = (
        RoutingRule.objects.filter(workspace=request.workspace, kind=kind)
        .annotate(segment_count=Count("segments", distinct=True))
        .prefetch_related(
            Prefetch("chat_links", queryset=KnockLink.objects.order_by("name")),
            Prefetch("meeting_links", queryset=KnockLink.objects.order_by("name")),
        )
        .order_by("-is_default", "name")
    )
    form = RuleCreateForm(initial={"kind": kind})
    return render(request, "console/rules.html", {"rules": rules, "kind": kind, "form": form})


@console_view
@require_POST
def rule_create(request):
    form = RuleCreateForm(request.POST)
    if form.is_valid():
        rule = run_action(
            form,
            actions.create_rule,
            request.workspace,
            kind=form.cleaned_data["kind"],
            name=form.cleaned_data["name"],
            author=console_author(request.user),
        )
        if rule is not None:
            messages.success(request, f"Created rule “{rule.name}”. Add segments below.")
            return redirect("console:rule", ws=request.workspace.id, rule_id=rule.id)
    kind = request.POST.get("kind") if request.POST.get("kind") in ("chat", "meeting") else "chat"
    rules = RoutingRule.objects.filter(workspace=request.workspace, kind=kind)
    return render(
        request, "console/rules.html", {"rules": rules, "kind": kind, "form": form}, status=400
    )


def _editor_context(request, rule, settings_form=None, test_form=None):
    segments = list(SEGMENTS.filter(rule=rule).order_by("order"))
    for seg in segments:
        seg.summary = conditions.describe(seg.conditions)
    warnings = shadowed([(s.id, s.name, s.conditions) for s in segments if not s.is_fallback])
    for seg in segments:
        seg.shadowed_by = warnings.get(seg.id)
    links = sorted(
        {*rule.chat_links.values_list("name", flat=True)}
        | {*rule.meeting_links.values_list("name", flat=True)}
    )
    return {
        "rule": rule,
        "segments": segments,
        "links": links,
        "settings_form": settings_form
        or RuleSettingsForm(
            initial={
                "name": rule.name,
                "monitoring_channel": rule.monitoring_channel,
                "crm_owner_first": rule.crm_owner_first,
                "notify_crm_owner": rule.notify_crm_owner,
            }
        ),
        "test_form": test_form or TestLeadForm(workspace=request.workspace),
        "history": history(rule, limit=HISTORY_ROWS),
        # Edit as draft (issue 17): a draft in progress is announced on the live page.
        "pending_draft": drafts.draft_changes(rule),
    }


@console_view
def rule_detail(request, rule_id):
    rule = _rule(request, rule_id)
    return render(request, "console/rule_editor.html", _editor_context(request, rule))


@console_view
@deleted_meanwhile(rule_or_rules)
@require_POST
def rule_settings(request, rule_id):
    rule = _rule(request, rule_id)
    form = RuleSettingsForm(request.POST)
    author = console_author(request.user)
    if form.is_valid() and run_action(
        form, actions.update_rule, rule, **form.cleaned_data, author=author
    ):
        messages.success(request, "Rule settings saved.")
        return redirect("console:rule", ws=request.workspace.id, rule_id=rule.id)
    context = _editor_context(request, rule, settings_form=form)
    return render(request, "console/rule_editor.html", context, status=400)


@console_view
@deleted_meanwhile(rule_or_rules)
@require_POST
def rule_delete(request, rule_id):
    rule = _rule(request, rule_id)
    try:
        actions.delete_rule(rule)
    except actions.NotFound:  # deleted meanwhile (vanished.py)
        raise
    except actions.ActionError as exc:
        messages.error(request, exc.text())
        return redirect("console:rule", ws=request.workspace.id, rule_id=rule.id)
    messages.success(request, f"Deleted rule “{rule.name}”.")
    return redirect(f"/w/{request.workspace.id}/rules/?kind={rule.kind}")


@console_view
@require_POST
def rule_reorder(request, rule_id):
    """The drag-and-drop save: the full ordered list of segment ids, as JSON."""
    rule = _rule(request, rule_id)
    try:
        order = json.loads(request.body or b"{}").get("order")
    except (json.JSONDecodeError, AttributeError, UnicodeDecodeError):
        return HttpResponseBadRequest('Expected a JSON body like {"order": [3, 1, 2]}.')
    try:
        saved = actions.reorder_segments(rule, order, author=console_author(request.user))
    except actions.ActionError as exc:
        return JsonResponse({"errors": exc.errors}, status=exc.status_code)
    rule.refresh_from_db()
    return JsonResponse({"order": [s.id for s in saved], "version": rule.version})


@console_view
@require_POST
def rule_test(request, rule_id):
    """Test a lead: simulate the rule, no side effects; answers an HTML partial for htmx."""
    rule = _rule(request, rule_id)
    form = TestLeadForm(request.POST, workspace=request.workspace)
    routed = None
    if form.is_valid():
        routed = run_action(
            form,
            actions.simulate,
            request.workspace,
            rule,
            version=tested_version(request),
            **form.simulate_kwargs(),
        )
    return render(
        request,
        "console/partials/_test_result.html",
        {"test_form": form, "routed": routed, "rule": rule},
        status=200 if routed else 400,
    )
