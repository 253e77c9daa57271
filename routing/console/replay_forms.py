"""The replay form of a rule (issue 17 item 3): which version, which window."""

from __future__ import annotations

from datetime import UTC, datetime

from django import forms
from django.utils import timezone

from routing.actions import replay as replay_actions
from routing.models import RuleVersion
from routing.timezones import wall_time


class InstantField(forms.DateTimeField):
    """A datetime-local time (in the active zone) as its instant in UTC. Near year 1 or
    9999 there may be none (0001-01-01T00:00 in Asia/Tokyo): the form error the API's
    DateTimeField answers with, not an OverflowError in the query."""

    default_error_messages = {"overflow": "Datetime value out of range."}

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return value.astimezone(UTC) if value is not None else None
        except OverflowError:
            raise forms.ValidationError(self.error_messages["overflow"], code="overflow") from None

    def prepare_value(self, value):
        # Shown in the viewer's zone, or in UTC when that zone cannot show it (a window
        # another viewer started at year 1): a page, not an OverflowError.
        if isinstance(value, datetime) and timezone.is_aware(value):
            return wall_time(value)
        return super().prepare_value(value)


class ReplayForm(forms.Form):
    version = forms.ChoiceField(label="Replay")
    since = InstantField(
        label="From",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="On your clock (your time zone). Empty: 7 days before the end.",
        required=False,
    )
    until = InstantField(
        label="To",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="On your clock (your time zone). Empty: now.",
        required=False,
    )
    limit = forms.IntegerField(
        label="At most",
        min_value=1,
        max_value=replay_actions.MAX_DECISIONS,
        required=False,
        help_text=f"decisions, the newest of the window (up to {replay_actions.MAX_DECISIONS:,}).",
    )

    def __init__(self, *args, rule, has_draft: bool, **kwargs):
        super().__init__(*args, **kwargs)
        numbers = RuleVersion.objects.filter(rule=rule).order_by("-version")
        choices = [("draft", "The draft")] if has_draft else []
        for number in numbers.values_list("version", flat=True):
            live = " (live)" if number == rule.version else ""
            choices.append((str(number), f"v{number}{live}"))
        self.fields["version"].choices = choices
        if not self.is_bound:
            # The window stays empty by default: "the last 7 days up to now" is then
            # worked out when the replay runs (a prefilled minute would cut off the
            # leads of the current minute).
            self.initial.setdefault("version", choices[0][0] if choices else "")

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since >= until:
            self.add_error("until", "Must be after From.")
        return data

    def version_value(self):
        value = self.cleaned_data["version"]
        return value if value == "draft" else int(value)
