"""A rep's calendar page: the connection (none / local / Google) and its status,
and the local busy blocks (add, delete), through calendars.actions."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from routing.actions.errors import ActionError
from routing.console.access import console_view
from routing.console.forms import run_action
from routing.console.vanished import deleted_meanwhile
from routing.models import Rep

from .. import actions
from ..models import DEFAULT_BACKEND, BusyBlock, CalendarConnection
from .forms import BusyForm, CalendarForm


def _rep(request, rep_id) -> Rep:
    return get_object_or_404(
        Rep.objects.select_related("calendar_connection"), id=rep_id, workspace=request.workspace
    )


def _calendar_or_reps(request, rep_id=None, **_) -> str:
    """Where a POST whose object vanished goes: the rep's calendar, else the reps list."""
    ws = request.workspace.id
    if rep_id and Rep.objects.filter(id=rep_id, workspace_id=ws).exists():
        return reverse("calendars:rep-calendar", kwargs={"ws": ws, "rep_id": rep_id})
    return reverse("console:reps", kwargs={"ws": ws})


def _connection(rep: Rep) -> CalendarConnection | None:
    try:
        return rep.calendar_connection
    except CalendarConnection.DoesNotExist:
        return None


def _page(request, rep, *, calendar_form=None, busy_form=None, status=200):
    connection = _connection(rep)
    blocks = BusyBlock.objects.filter(rep=rep, end__gt=timezone.now()).order_by("start")[:200]
    initial = {
        "backend": connection.backend if connection else DEFAULT_BACKEND,
        "calendar_id": connection.calendar_id if connection else "",
    }
    return render(
        request,
        "calendars/rep_calendar.html",
        {
            "rep": rep,
            "connection": connection,
            "backend": initial["backend"],
            "calendar_form": calendar_form or CalendarForm(initial=initial),
            "busy_form": busy_form or BusyForm(rep=rep),
            "blocks": blocks,
        },
        status=status,
    )


@console_view
@deleted_meanwhile(_calendar_or_reps)
def rep_calendar(request, rep_id):
    rep = _rep(request, rep_id)
    if request.method != "POST":
        return _page(request, rep)
    form = CalendarForm(request.POST)
    if form.is_valid() and run_action(form, _set_calendar, rep, form.cleaned_data):
        messages.success(request, f"Saved {rep.name}'s calendar.")
        return redirect("calendars:rep-calendar", ws=request.workspace.id, rep_id=rep.id)
    return _page(request, rep, calendar_form=form, status=400)


def _set_calendar(rep, data):
    """set_calendar nests its field errors under "calendar": lift them to the form's fields."""
    try:
        return actions.set_calendar(rep, data)
    except ActionError as exc:
        nested = exc.errors.get("calendar") if isinstance(exc.errors, dict) else None
        if isinstance(nested, dict):
            raise ActionError(nested) from exc
        raise


@console_view
@deleted_meanwhile(_calendar_or_reps)
@require_POST
def busy_add(request, rep_id):
    rep = _rep(request, rep_id)
    form = BusyForm(request.POST, rep=rep)
    if form.is_valid() and run_action(
        form,
        actions.add_busy,
        rep,
        start=form.cleaned_data["start"],
        end=form.cleaned_data["end"],
        title=form.cleaned_data.get("title") or "",
    ):
        messages.success(request, "Busy block added.")
        return redirect("calendars:rep-calendar", ws=request.workspace.id, rep_id=rep.id)
    return _page(request, rep, busy_form=form, status=400)


@console_view
@require_POST
def busy_delete(request, block_id):
    block = get_object_or_404(
        BusyBlock.objects.select_related("rep"), id=block_id, rep__workspace=request.workspace
    )
    actions.delete_busy(block)
    messages.success(request, "Busy block removed.")
    return redirect("calendars:rep-calendar", ws=request.workspace.id, rep_id=block.rep_id)
