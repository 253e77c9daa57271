"""The segment form of a meeting rule: a booking (SPEC 5a) instead of an assignee.

Field-level checks only (whole numbers, known reps and pool); ranges and the
logic's rules on reps / pool are routing.booking's, reached through the same
action as the API, and their errors come back on these fields.
"""

from __future__ import annotations

from django import forms

from routing.actions import ActionError
from routing.booking import NUMBERS, default_booking
from routing.models import Pool, Rep

from .forms import MonitoringChannelField, SegmentForm

LOGIC_CHOICES = [
    ("round_robin", "Round robin (one rep, chosen up front)"),
    ("any_calendar", "Any calendar (the union; whoever is free)"),
    ("single_rep", "A single rep"),
    ("all_calendars", "All calendars (group meeting)"),
]
OUTCOME_CHOICES = [
    ("qualified", "Qualified: offer a meeting"),
    ("disqualified", "Disqualified: no slots, no meeting"),
]
NUMBER_LABELS = {
    "duration": ("Duration (minutes)", ""),
    "slot_interval": ("Slot interval (minutes)", "Empty: the duration."),
    "min_notice": ("Minimum notice (minutes)", ""),
    "buffer_before": ("Buffer before (minutes)", ""),
    "buffer_after": ("Buffer after (minutes)", ""),
    "horizon_days": ("Horizon (days)", "How far ahead slots are offered."),
    "max_per_day": ("Daily cap (meetings per rep)", "Empty: no cap."),
}


def flatten_booking_errors(action):
    """Wrap an action so {"booking": {"duration": [...]}} errors name the form's fields."""

    def call(*args, **kwargs):
        try:
            return action(*args, **kwargs)
        except ActionError as exc:
            nested = exc.errors.get("booking") if isinstance(exc.errors, dict) else None
            if not isinstance(nested, dict):
                raise
            errors = {k: v for k, v in exc.errors.items() if k != "booking"}
            for key, messages in nested.items():
                errors["__all__" if key == "non_field_errors" else key] = messages
            raise ActionError(errors, node_path=exc.node_path) from exc

    return call


class MeetingSegmentForm(forms.Form):
    name = forms.CharField(max_length=200)
    conditions = forms.CharField(required=False, widget=forms.Textarea)
    outcome = forms.ChoiceField(
        choices=OUTCOME_CHOICES, initial="qualified", required=False, widget=forms.RadioSelect
    )
    logic = forms.ChoiceField(choices=LOGIC_CHOICES, label="Booking logic", required=False)
    reps = forms.ModelMultipleChoiceField(
        queryset=Rep.objects.none(),
        required=False,
        label="Reps",
        widget=forms.CheckboxSelectMultiple,
        help_text="All calendars: the first rep listed owns the meeting.",
    )
    pool = forms.ModelChoiceField(
        queryset=Pool.objects.none(), required=False, label="Or a pool", empty_label="No pool"
    )
    default_rep = forms.BooleanField(
        required=False, label="The workspace default rep (single rep only)"
    )
    reason = forms.CharField(
        max_length=200, required=False, label="Reason", help_text="Shown in the trace."
    )
    monitoring_channel = MonitoringChannelField(
        help_text="Overrides the rule's monitoring channel."
    )
    clean_conditions = SegmentForm.clean_conditions

    def __init__(self, *args, workspace, is_fallback=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_fallback = is_fallback
        self.fields["reps"].queryset = Rep.objects.filter(workspace=workspace, is_active=True)
        self.fields["pool"].queryset = Pool.objects.filter(workspace=workspace)
        for key, (label, help_text) in NUMBER_LABELS.items():
            default = NUMBERS[key][0]
            self.fields[key] = forms.IntegerField(
                required=False, label=label, help_text=help_text, initial=default
            )

    def number_fields(self):
        return [self[key] for key in NUMBER_LABELS]

    @classmethod
    def initial_for(cls, segment=None) -> dict:
        booking = (segment.booking if segment is not None else None) or default_booking(
            logic="round_robin"
        )
        initial = {key: booking.get(key) for key in NUMBER_LABELS}
        disqualified = booking.get("logic") == "disqualified"
        initial.update(
            logic=booking["logic"] if not disqualified else "round_robin",
            outcome="disqualified" if disqualified else "qualified",
            reps=list(booking.get("reps") or []),
            pool=booking.get("pool"),
            default_rep=bool(booking.get("default_rep")),
            reason=booking.get("reason") or "",
        )
        if segment is not None:
            initial.update(name=segment.name, monitoring_channel=segment.monitoring_channel)
        return initial

    def clean(self):
        data = super().clean()
        # "Disqualified" is its own switch (SPEC 5a: the fallback is Qualified or
        # Disqualified), not a logic in the list, so a booking's fields can hide.
        disqualified = data.get("outcome") == "disqualified"
        if not disqualified and not data.get("logic"):
            self.add_error("logic", "Pick a booking logic.")
        data["disqualified"] = disqualified
        return data

    def booking(self) -> dict:
        d = self.cleaned_data
        if d["disqualified"]:
            # Hidden fields of a qualified booking are not sent: a disqualified one has none.
            return {"logic": "disqualified", "reason": d.get("reason") or ""}
        booking = {
            "logic": d["logic"],
            "reps": [r.id for r in d.get("reps") or []],
            "pool": d["pool"].id if d.get("pool") else None,
            "default_rep": bool(d.get("default_rep")),
        }
        for key, (default, _, _) in NUMBERS.items():
            value = d.get(key)
            booking[key] = default if value is None else value
        return booking

    def action_kwargs(self) -> dict:
        kwargs = {
            "name": self.cleaned_data["name"],
            "booking": self.booking(),
            "monitoring_channel": self.cleaned_data.get("monitoring_channel") or "",
        }
        if not self.is_fallback:
            kwargs["conditions"] = self.cleaned_data["conditions"]
        return kwargs
