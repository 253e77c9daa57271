"""Console forms for people: reps (with their working hours), pools and their members,
AI agents. Field-level checks here, domain rules in routing.actions."""

from __future__ import annotations

from datetime import time

from django import forms
from django.core.validators import MaxValueValidator

from routing.availability import DAYS
from routing.models import AIAgent, Pool, Rep
from routing.timezones import ZONES, wall_time

TIMEZONES = ZONES  # IANA names, one list (routing.timezones)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY_LABELS = dict(zip(DAYS, WEEKDAYS, strict=True))


def _column_max(model, name: str) -> int:
    """The largest value an integer column holds (2**31 - 1 on PostgreSQL, 2**63 - 1 on
    SQLite): the bound the API's model serializer checks, so a console form checks it too
    rather than the database failing on it."""
    field = model._meta.get_field(name)
    return min(v.limit_value for v in field.validators if isinstance(v, MaxValueValidator))


class PoolForm(forms.Form):
    name = forms.CharField(max_length=200)
    strategy = forms.ChoiceField(choices=Pool.STRATEGIES)
    respect_working_hours = forms.BooleanField(
        required=False, initial=True, help_text="Skip reps outside their working hours."
    )


class AddMemberForm(forms.Form):
    rep = forms.ModelChoiceField(queryset=Rep.objects.none())
    weight = forms.IntegerField(min_value=1, max_value=1000, initial=1)

    def __init__(self, *args, pool, **kwargs):
        super().__init__(*args, **kwargs)
        taken = pool.members.values_list("rep_id", flat=True)
        self.fields["rep"].queryset = Rep.objects.filter(workspace=pool.workspace).exclude(
            id__in=taken
        )


class RepForm(forms.Form):
    """A rep, with any number of working-hours intervals per weekday.

    Interval inputs are repeated `<day>_start` / `<day>_end` pairs (read with
    getlist). Fields the form does not show (Slack user id, CRM user ids) are
    not passed to the action, so they are kept; a stored value the widgets
    cannot show exactly (seconds of an out-of-office time) is kept when the
    submitted value is the same minute.
    """

    name = forms.CharField(max_length=200)
    email = forms.EmailField()
    timezone = forms.ChoiceField(choices=[(tz, tz) for tz in TIMEZONES])
    is_active = forms.BooleanField(required=False, label="Active")
    out_of_office_until = forms.DateTimeField(
        required=False,
        label="Out of office until",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    max_open_chats = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=_column_max(Rep, "max_open_chats"),
        label="Capacity (max open chats)",
        help_text="Empty: no limit. Only open chats count; closing one frees a place.",
    )
    always_available = forms.BooleanField(
        required=False,
        label="Always available (ignore working hours)",
    )

    def __init__(self, *args, rep: Rep | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rep = rep
        current = rep.timezone if rep else None
        if current and current not in TIMEZONES:  # valid for ZoneInfo, not in the list
            self.fields["timezone"].choices = [(current, current), *self.fields["timezone"].choices]
        self.hour_errors: dict[str, list[str]] = {}

    @classmethod
    def initial_for(cls, rep: Rep) -> dict:
        return {
            "name": rep.name,
            "email": rep.email,
            "timezone": rep.timezone,
            "is_active": rep.is_active,
            "out_of_office_until": wall_time(rep.out_of_office_until),
            "max_open_chats": rep.max_open_chats,
            "always_available": not rep.working_hours,
        }

    def _submitted_intervals(self, day: str) -> list[tuple[str, str]]:
        starts = self.data.getlist(f"{day}_start")
        ends = self.data.getlist(f"{day}_end")
        pairs = zip(starts, ends + [""] * (len(starts) - len(ends)), strict=False)
        return [(a.strip(), b.strip()) for a, b in pairs]

    def day_rows(self):
        """(day, label, [(start, end), ...], errors) for the template; always one blank row."""
        if self.is_bound:
            hours = {d: [p for p in self._submitted_intervals(d) if any(p)] for d in DAYS}
        else:
            stored = (self.rep.working_hours if self.rep else {}) or {}
            hours = {d: [tuple(i) for i in stored.get(d, [])] for d in DAYS}
        return [
            (day, DAY_LABELS[day], hours[day] or [("", "")], self.hour_errors.get(day, []))
            for day in DAYS
        ]

    def clean(self):
        data = super().clean()
        original = (self.rep.working_hours if self.rep else {}) or {}
        hours, errors = {}, {}
        for day in DAYS:
            intervals = []
            for start, end in self._submitted_intervals(day):
                if not start and not end:
                    continue
                if not start or not end:
                    errors.setdefault(day, []).append("Give both a start and an end, or neither.")
                    continue
                try:
                    a, b = time.fromisoformat(start), time.fromisoformat(end)
                except ValueError:
                    errors.setdefault(day, []).append(f"{start}-{end} is not a time like 09:00.")
                    continue
                if a == b:
                    errors.setdefault(day, []).append("An interval cannot start and end at once.")
                    continue
                intervals.append([start, end])
            if intervals:
                hours[day] = intervals
            elif day in original:
                hours[day] = []  # an explicit day off stays explicit
        if errors:
            self.hour_errors = {d: list(dict.fromkeys(m)) for d, m in errors.items()}
            self.add_error(None, "Check the working hours below.")
        if data.get("always_available"):
            hours = {}
        elif not hours:
            self.add_error(
                "always_available", "Give at least one interval, or tick Always available."
            )
        data["working_hours"] = hours
        ooo = data.get("out_of_office_until")
        kept = self.rep.out_of_office_until if self.rep else None
        if ooo and kept and ooo == kept.replace(second=0, microsecond=0):
            data["out_of_office_until"] = kept
        return data

    def action_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "email": d["email"],
            "timezone": d["timezone"],
            "is_active": d.get("is_active", False),
            "out_of_office_until": d.get("out_of_office_until"),
            "max_open_chats": d.get("max_open_chats"),
            "working_hours": d["working_hours"],
        }


class AIAgentForm(forms.Form):
    name = forms.CharField(max_length=200)
    specialty = forms.ChoiceField(
        choices=AIAgent.SPECIALTIES,
        help_text="Auto hands each lead to the agent whose specialty fits its intent.",
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    @classmethod
    def initial_for(cls, agent: AIAgent) -> dict:
        return {"name": agent.name, "specialty": agent.specialty, "is_active": agent.is_active}
