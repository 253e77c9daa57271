"""Console forms for meetings and reps' calendars: field checks here, domain rules in
calendars.actions (their ActionErrors land on these fields through run_action)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms

from routing.availability import valid_timezone
from routing.console.forms import TestLeadForm
from routing.models import KnockLink, Rep

from ..models import BACKENDS, Meeting

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def parse_aware(value: str) -> datetime:
    """ISO 8601 with an offset (what the slot buttons carry); anything else is a form error."""
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise forms.ValidationError("Not a time; pick one of the slots.") from None
    if parsed.utcoffset() is None:
        raise forms.ValidationError("The time has no offset; pick one of the slots.")
    if not 2000 <= parsed.year <= 2200:
        raise forms.ValidationError("Pick a time between 2000 and 2200.")
    return parsed


class AwareTimeField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        return parse_aware(value) if value else None


class MeetingFilterForm(forms.Form):
    rep = forms.ModelChoiceField(queryset=Rep.objects.none(), required=False, empty_label="Any rep")
    status = forms.ChoiceField(choices=[("", "Any status"), *Meeting.STATUSES], required=False)
    link = forms.ModelChoiceField(
        queryset=KnockLink.objects.none(), required=False, empty_label="Any link"
    )
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = Rep.objects.filter(workspace=workspace)
        self.fields["link"].queryset = KnockLink.objects.filter(workspace=workspace)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", "The end date is before the start date.")
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False, label="Reason (optional)")


class RescheduleForm(forms.Form):
    start = AwareTimeField(label="New time")


class CalendarForm(forms.Form):
    backend = forms.ChoiceField(choices=BACKENDS, label="Calendar")
    calendar_id = forms.CharField(
        max_length=254,
        required=False,
        label="Calendar id",
        help_text="Google: the calendar's id (usually the rep's email); empty uses the email.",
    )


class BusyForm(forms.Form):
    """A local busy block; the times are read on the rep's clock."""

    start = forms.DateTimeField(widget=DATETIME_LOCAL)
    end = forms.DateTimeField(widget=DATETIME_LOCAL)
    title = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, rep, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(rep.timezone if valid_timezone(rep.timezone) else "UTC")

    def _aware(self, key):
        value = self.cleaned_data.get(key)
        if value is None:
            return None
        # datetime-local is naive: it means the rep's wall clock, not the server's.
        return value.replace(tzinfo=None).replace(tzinfo=self.zone)

    def clean_start(self):
        return self._aware("start")

    def clean_end(self):
        return self._aware("end")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", "The end must be after the start.")
        return data


class MeetingTestForm(TestLeadForm):
    """Test a lead on a meeting rule: the chat test's lead fields plus the lead's zone."""

    timezone = forms.CharField(max_length=64, required=False, initial="UTC")

    def clean_timezone(self):
        value = (self.cleaned_data.get("timezone") or "UTC").strip()
        if not valid_timezone(value):
            raise forms.ValidationError(f"Unknown time zone {value!r} (use e.g. Europe/Berlin).")
        return value

    def clean(self):
        data = super().clean()
        if (data.get("context_json") or "").strip():
            self.add_error(
                "context_json",
                "A meeting rule is tested with a lead's fields, not a pasted context.",
            )
        return data

    def payload(self) -> dict:
        payload = dict(self.simulate_kwargs()["payload"])
        payload.pop("message", None)  # a meeting request has no first message
        payload["timezone"] = self.cleaned_data["timezone"]
        return payload
