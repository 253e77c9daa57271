"""Reps: status at a glance, and their availability settings."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_POST

from routing import actions
from routing.availability import describe_hours, unavailable_reason
from routing.models import Rep
from routing.timezones import local_or_utc

from ..access import console_view
from ..forms import RepForm, run_action
from ..vanished import deleted_meanwhile


@console_view
def rep_list(request):
    now = timezone.now()
    reps = list(
        Rep.objects.filter(workspace=request.workspace)
        .annotate(open_chats=Count("owned_chats", filter=Q(owned_chats__status="open")))
        .order_by("-is_active", "name")
    )
    for rep in reps:
        rep.status = unavailable_reason(
            is_active=rep.is_active,
            out_of_office_until=rep.out_of_office_until,
            working_hours=rep.working_hours,
            timezone=rep.timezone,
            max_open_chats=rep.max_open_chats,
            open_chats=rep.open_chats,
            now=now,
        )
        rep.hours = describe_hours(rep.working_hours)
        # In the viewer's zone, or in UTC when it cannot show the time (routing.timezones).
        ooo = rep.out_of_office_until
        rep.away_until = dateformat.format(local_or_utc(ooo), "M j, H:i T") if ooo else ""
    return render(request, "console/reps.html", {"reps": reps})


def _reps(request, **_) -> str:
    return reverse("console:reps", kwargs={"ws": request.workspace.id})


def _form_page(request, form, rep=None, status=200):
    return render(request, "console/rep_form.html", {"form": form, "rep": rep}, status=status)


@console_view
def rep_create(request):
    """Add a rep by hand (a workspace without Slack has no other way)."""
    if request.method != "POST":
        form = RepForm(initial={"is_active": True, "always_available": True, "timezone": "UTC"})
        return _form_page(request, form)
    form = RepForm(request.POST)
    rep = None
    if form.is_valid():
        rep = run_action(form, actions.create_rep, request.workspace, **form.action_kwargs())
    if rep is None:
        return _form_page(request, form, status=400)
    messages.success(request, f"Added {rep.name}.")
    return redirect("console:reps", ws=request.workspace.id)


@console_view
@deleted_meanwhile(_reps)
def rep_edit(request, rep_id):
    rep = get_object_or_404(Rep, id=rep_id, workspace=request.workspace)
    if request.method != "POST":
        return _form_page(request, RepForm(initial=RepForm.initial_for(rep), rep=rep), rep)
    form = RepForm(request.POST, rep=rep)
    if form.is_valid() and run_action(form, actions.update_rep, rep, **form.action_kwargs()):
        messages.success(request, f"Saved {form.cleaned_data['name']}.")
        return redirect("console:reps", ws=request.workspace.id)
    rep.refresh_from_db()  # a refused save must not show half-applied values
    return _form_page(request, form, rep, status=400)


@console_view
@deleted_meanwhile(_reps)
@require_POST
def rep_toggle(request, rep_id):
    """Deactivate (pools and the fallback skip them) or reactivate a rep."""
    rep = get_object_or_404(Rep, id=rep_id, workspace=request.workspace)
    actions.update_rep(rep, is_active=not rep.is_active)
    state = "reactivated" if rep.is_active else "deactivated"
    messages.success(request, f"{rep.name} {state}.")
    return redirect("console:reps", ws=request.workspace.id)
