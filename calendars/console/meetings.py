"""The Meetings page: list with filters, a meeting with its decision and trace,
cancel, reschedule, no-show (every change through calendars.actions)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
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
from ..actions.meetings import booking_of, reschedule_slots
from ..models import Meeting
from .forms import CancelForm, MeetingFilterForm, RescheduleForm
from .slots import by_day

PAGE = 50
MEETINGS = Meeting.objects.select_related(
    "owner", "lead", "link", "decision", "availability"
).prefetch_related(Prefetch("reps", queryset=Rep.objects.order_by("id")))


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def _decorate(meeting: Meeting) -> Meeting:
    """Times on the owner's clock (the console's reader) and on the lead's."""
    owner_zone = _zone(meeting.owner.timezone if meeting.owner else "UTC")
    lead_zone = _zone(meeting.availability.timezone if meeting.availability else "UTC")
    meeting.owner_start = meeting.start.astimezone(owner_zone)
    meeting.owner_end = meeting.end.astimezone(owner_zone)
    meeting.lead_start = meeting.start.astimezone(lead_zone)
    meeting.lead_zone = str(lead_zone)
    return meeting


def _day_start(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@console_view
def meeting_list(request):
    form = MeetingFilterForm(request.GET or None, workspace=request.workspace)
    qs = MEETINGS.filter(workspace=request.workspace).order_by("-start", "-id")
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400  # a bad filter is a form error, never silently ignored
        qs = qs.none()
    elif form.is_bound:
        f = form.cleaned_data
        if f.get("rep"):
            # A rep attends a meeting once: one row per meeting, no DISTINCT (which
            # PostgreSQL can't do over the availability's json trace).
            qs = qs.filter(reps=f["rep"])
        if f.get("status"):
            qs = qs.filter(status=f["status"])
        if f.get("link"):
            qs = qs.filter(link=f["link"])
        if f.get("since"):
            qs = qs.filter(start__gte=_day_start(f["since"]))
        if f.get("until"):
            qs = qs.filter(start__lt=_day_start(f["until"]) + timedelta(days=1))
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    for meeting in page:
        _decorate(meeting)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "calendars/meetings.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=status,
    )


def _meeting(request, meeting_id) -> Meeting:
    return get_object_or_404(MEETINGS, id=meeting_id, workspace=request.workspace)


def _meeting_or_meetings(request, meeting_id, **_) -> str:
    """Where a POST whose object vanished goes: the meeting's page, else the list."""
    ws = request.workspace.id
    if Meeting.objects.filter(id=meeting_id, workspace_id=ws).exists():
        return reverse("calendars:meeting", kwargs={"ws": ws, "meeting_id": meeting_id})
    return reverse("calendars:meetings", kwargs={"ws": ws})


def _reschedule_slots(meeting: Meeting, fresh=None) -> list[dict]:
    """The owner's (and attendees') free slots, on the owner's clock."""
    if meeting.status != "booked":
        return []
    if fresh is None:
        attendees = list(meeting.reps.select_related("calendar_connection"))
        fresh = reschedule_slots(meeting, attendees, booking_of(meeting), timezone.now())
    tz = meeting.owner.timezone if meeting.owner else "UTC"
    return by_day(fresh, str(_zone(tz)))


def _detail(
    request, meeting, *, cancel_form=None, reschedule_form=None, slots=None, error=None, status=200
):
    meeting = _decorate(meeting)
    trace = meeting.decision.trace or {}
    return render(
        request,
        "calendars/meeting_detail.html",
        {
            "meeting": meeting,
            "trace": trace,
            "rep_entries": (trace.get("booking") or {}).get("reps", []),
            "attendees": list(meeting.reps.all()),
            "cancel_form": cancel_form or CancelForm(),
            "reschedule_form": reschedule_form or RescheduleForm(),
            "days": _reschedule_slots(meeting, slots),
            "now": timezone.now(),
            "error": error,
        },
        status=status,
    )


@console_view
def meeting_detail(request, meeting_id):
    return _detail(request, _meeting(request, meeting_id))


@console_view
@deleted_meanwhile(_meeting_or_meetings)
@require_POST
def meeting_cancel(request, meeting_id):
    meeting = _meeting(request, meeting_id)
    form = CancelForm(request.POST)
    if form.is_valid() and run_action(
        form, actions.cancel, meeting, form.cleaned_data.get("reason", "")
    ):
        messages.success(request, "Meeting cancelled; the slot is free again.")
        return redirect("calendars:meeting", ws=request.workspace.id, meeting_id=meeting.id)
    return _detail(request, _meeting(request, meeting_id), cancel_form=form, status=400)


@console_view
@deleted_meanwhile(_meeting_or_meetings)
@require_POST
def meeting_reschedule(request, meeting_id):
    meeting = _meeting(request, meeting_id)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        return _detail(request, meeting, reschedule_form=form, status=400)
    unmoved = form.cleaned_data["start"] == meeting.start
    try:
        moved = actions.reschedule(meeting, form.cleaned_data["start"])
    except actions.Conflict as exc:
        # Taken meanwhile: say so and offer the owner's fresh slots (the API's 409).
        form.add_error(None, str(exc.errors["detail"]))
        meeting = _meeting(request, meeting_id)
        return _detail(request, meeting, reschedule_form=form, slots=exc.slots, status=409)
    except ActionError as exc:
        for field, errs in exc.errors.items():
            for message in errs if isinstance(errs, list) else [errs]:
                form.add_error(field if field in form.fields else None, str(message))
        return _detail(request, _meeting(request, meeting_id), reschedule_form=form, status=400)
    local = moved.start.astimezone(_zone(meeting.owner.timezone if meeting.owner else "UTC"))
    when = f"{local:%a %-d %b %H:%M} ({local.tzname()})"
    if unmoved:
        messages.info(request, f"The meeting is at {when} already: nothing changed.")
    else:
        messages.success(request, f"Moved to {when}.")
    return redirect("calendars:meeting", ws=request.workspace.id, meeting_id=meeting.id)


@console_view
@deleted_meanwhile(_meeting_or_meetings)
@require_POST
def meeting_no_show(request, meeting_id):
    meeting = _meeting(request, meeting_id)
    try:
        actions.no_show(meeting)
    except ActionError as exc:
        return _detail(request, meeting, error=exc.text(), status=400)
    messages.success(request, "Marked as a no-show.")
    return redirect("calendars:meeting", ws=request.workspace.id, meeting_id=meeting.id)
