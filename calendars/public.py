"""The public booking page of a Knock Link (SPEC 5a, the meeting funnel's step 1).

`/l/<workspace>/<link>/book/`: the lead gives an email (name and company
optional) and the browser's time zone; the page offers the slots of the link's
meeting rule grouped by day; picking one books it. A disqualified lead gets a
polite message and the chat page; a slot taken meanwhile shows fresh slots.
Each step answers a partial for htmx and a whole page without JavaScript.
Everything goes through calendars.actions (offer, book), as the API does.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from routing.actions.errors import ActionError
from routing.models import KnockLink

from . import actions
from .actions.booking import fresh_slots
from .api.serializers import AvailabilityRequestSerializer
from .availability import localize
from .console.forms import AwareTimeField
from .console.slots import by_day
from .models import Availability, Meeting

UTM_KEYS = ("source", "medium", "campaign", "term", "content")
FIRST_DAYS = 5  # shown at once; the later days sit behind a "More days" disclosure


class LeadForm(forms.Form):
    email = forms.EmailField(label="Work email", max_length=254)
    name = forms.CharField(max_length=200, required=False, label="Your name (optional)")
    company = forms.CharField(max_length=200, required=False, label="Company (optional)")
    timezone = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    referrer = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)


class PickForm(forms.Form):
    availability = forms.UUIDField(widget=forms.HiddenInput)
    start = AwareTimeField(widget=forms.HiddenInput)


def _link(workspace: str, slug: str) -> KnockLink:
    """An active link with a meeting rule of its own; anything else is a 404."""
    return get_object_or_404(
        KnockLink.objects.select_related("workspace", "meeting_rule"),
        workspace__slug=workspace.lower(),
        slug=slug.lower(),
        is_active=True,
        meeting_rule__isnull=False,
    )


def _render(request, link, step: str, status: int = 200, **context):
    context.update(link=link, step=step)
    if request.headers.get("HX-Request"):
        return render(request, "calendars/public/_step.html", context, status=status)
    return render(request, "calendars/public/book.html", context, status=status)


def _slots_context(availability: Availability, slots: list[dict]) -> dict:
    days = by_day(slots, availability.timezone)
    return {
        "availability": availability,
        "days": days[:FIRST_DAYS],
        "later_days": days[FIRST_DAYS:],
        "zone": availability.timezone,
    }


def _payload(request, link, data) -> dict:
    payload = {
        "link": link.slug,
        "lead": {"email": data["email"], **({"name": data["name"]} if data.get("name") else {})},
        "timezone": data.get("timezone") or "UTC",
        "referrer": data.get("referrer") or "",
        "utm": {k: request.GET[f"utm_{k}"] for k in UTM_KEYS if request.GET.get(f"utm_{k}")},
        "session": {"page_url": request.build_absolute_uri()[:2000]},
    }
    if data.get("company"):
        payload["company"] = {"name": data["company"]}
    return payload


def _serializer_errors(form, errors, prefix="") -> None:
    """DRF's nested errors -> messages on the lead form (e.g. an unknown time zone)."""
    for key, value in errors.items():
        if isinstance(value, dict):
            _serializer_errors(form, value, prefix=f"{key}.")
            continue
        field = key if key in form.fields else None
        for message in value if isinstance(value, list) else [value]:
            form.add_error(field, f"{prefix}{key}: {message}" if field is None else str(message))


def book_page(request, workspace, slug):
    link = _link(workspace, slug)
    if request.method != "POST":
        initial = {"referrer": request.headers.get("Referer", "")[:2000]}
        return _render(request, link, "lead", form=LeadForm(initial=initial))
    form = LeadForm(request.POST)
    if not form.is_valid():
        return _render(request, link, "lead", status=400, form=form)
    serializer = AvailabilityRequestSerializer(data=_payload(request, link, form.cleaned_data))
    if not serializer.is_valid():
        _serializer_errors(form, serializer.errors)
        return _render(request, link, "lead", status=400, form=form)
    try:
        offer = actions.offer(link.workspace, serializer.validated_data)
    except ActionError as exc:
        form.add_error(None, exc.text())
        return _render(request, link, "lead", status=400, form=form)
    availability = offer.availability
    if not offer.qualified:
        return _render(request, link, "disqualified", lead=offer.lead)
    slots = localize(offer.slots, offer.timezone)
    if not slots:
        return _render(request, link, "no_slots", lead=offer.lead)
    return _render(request, link, "slots", **_slots_context(availability, slots))


def _start_over(request, link, notice: str, email: str = ""):
    form = LeadForm(initial={"email": email} if email else None)
    return _render(request, link, "lead", status=400, form=form, notice=notice)


def _again(request, link, availability, message: str, status: int, slots=None):
    """The slots step again, with a message: `slots` (a 409's) or the offer's still free."""
    if slots is None:
        slots = fresh_slots(availability, now=timezone.now())
    context = _slots_context(availability, slots)
    return _render(request, link, "slots", status=status, message=message, **context)


@require_POST
def book_confirm(request, workspace, slug):
    link = _link(workspace, slug)
    form = PickForm(request.POST)
    form.is_valid()
    availability = None
    if "availability" in form.cleaned_data:
        availability = (
            Availability.objects.filter(
                workspace=link.workspace, link=link, id=form.cleaned_data["availability"]
            )
            .select_related("lead")
            .first()
        )
    if availability is None:
        # Unknown, another link's, or a tampered form: start over, politely.
        return _start_over(
            request, link, "That booking form is no longer valid; please start again."
        )
    if "start" not in form.cleaned_data:
        return _again(request, link, availability, "Please pick one of these times.", 400)
    try:
        meeting = actions.book(link.workspace, availability.id, form.cleaned_data["start"])
    except actions.Conflict as exc:
        message = "Sorry, that time was just taken. Here are the times still free."
        return _again(request, link, availability, message, 409, slots=exc.slots)
    except actions.AlreadyBooked as exc:
        # A second submit of a form that booked already (a double click, the back
        # button): the meeting it booked, when it still stands; else ask again.
        meeting = Meeting.objects.filter(id=exc.meeting_id, status="booked").first()
        if meeting is not None:
            return _booked(request, link, availability, meeting, already=True)
        notice = "That booking form has been used already. Please ask for times again."
        return _start_over(request, link, notice, email=availability.lead.email)
    except ActionError as exc:
        if "start" in exc.errors:  # not one of the offered times: offer the free ones again
            message = "That time is not one we offered. Please pick one of these."
            return _again(request, link, availability, message, 400)
        # An hour-old (or disqualified) availability: ask again, the email kept.
        notice = f"{exc.text()} Please ask for times again."
        return _start_over(request, link, notice, email=availability.lead.email)
    return _booked(request, link, availability, meeting)


def _booked(request, link, availability, meeting, *, already: bool = False):
    zone = ZoneInfo(availability.timezone)
    start, end = meeting.start.astimezone(zone), meeting.end.astimezone(zone)
    others = [r.name for r in meeting.reps.order_by("id") if r.id != meeting.owner_id]
    return _render(
        request,
        link,
        "booked",
        meeting=meeting,
        when=f"{start:%A %-d %B} at {start:%H:%M}–{end:%H:%M}",
        others=others,
        zone=availability.timezone,
        already=already,
    )


urlpatterns = [
    path("book/", book_page, name="public-book"),
    path("book/confirm/", book_confirm, name="public-book-confirm"),
]
