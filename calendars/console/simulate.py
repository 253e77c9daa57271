"""Test a lead on a meeting rule (the rule editor posts here with htmx): the segment,
the slots grouped by day with who is free, every rep's reason, and the trace.
Nothing is written (calendars.actions.simulate)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from routing.console.access import console_view
from routing.console.forms import run_action, tested_version
from routing.models import RoutingRule

from .. import actions
from ..availability import localize
from .forms import MeetingTestForm
from .slots import by_day

SHOWN_DAYS = 5  # the test shows the first days; the count says how many there are


@console_view
@require_POST
def meeting_rule_test(request, rule_id):
    rule = get_object_or_404(RoutingRule, id=rule_id, workspace=request.workspace, kind="meeting")
    form = MeetingTestForm(request.POST, workspace=request.workspace)
    offer = None
    if form.is_valid():
        offer = run_action(
            form,
            actions.simulate,
            request.workspace,
            rule,
            form.payload(),
            version=tested_version(request),
        )
    context = {"test_form": form, "offer": offer, "rule": rule}
    if offer is not None:
        names = {rep_id: rep.name for rep_id, rep in offer.reps.items()}
        days = by_day(localize(offer.slots, offer.timezone), names=names)
        context.update(
            days=days[:SHOWN_DAYS],
            more_days=max(0, len(days) - SHOWN_DAYS),
            slot_count=len(offer.slots),
            rep_entries=offer.trace.get("booking", {}).get("reps", []),
        )
    return render(
        request,
        "calendars/partials/_meeting_test_result.html",
        context,
        status=200 if offer is not None else 400,
    )
