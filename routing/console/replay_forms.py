"""The replay form of a rule (issue 17 item 3): which version, which window."""

from __future__ import annotations

from django import forms

from routing.actions import replay as replay_actions
from routing.models import RuleVersion


class ReplayForm(forms.Form):
    version = forms.ChoiceField(label="Replay")
    since = forms.DateTimeField(
        label="From",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Server time. Empty: 7 days before the end.",
        required=False,
    )
    until = forms.DateTimeField(
        label="To",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Server time. Empty: now.",
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
