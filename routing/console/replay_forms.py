"""The replay form of a rule (issue 17 item 3): which version, which window."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from routing.actions import replay as replay_actions
from routing.models import RuleVersion


class ReplayForm(forms.Form):
    version = forms.ChoiceField(label="Replay")
    since = forms.DateTimeField(
        label="From",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="UTC. Default: 7 days before the end.",
        required=False,
    )
    until = forms.DateTimeField(
        label="To",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="UTC. Default: now.",
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
            now = timezone.now()
            self.initial.setdefault("version", choices[0][0] if choices else "")
            self.initial.setdefault("until", now)
            self.initial.setdefault("since", now - timedelta(days=replay_actions.DEFAULT_DAYS))

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since >= until:
            self.add_error("until", "Must be after From.")
        return data

    def version_value(self):
        value = self.cleaned_data["version"]
        return value if value == "draft" else int(value)
