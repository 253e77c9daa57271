"""The decision-log filters: one definition for the API and the console.

GET /api/v1/decisions/ and the console's Decisions page both validate their
query string with ``DecisionFilterForm``: an unknown rep, rule, AI agent or link
(another workspace's included), a date that is not one, or ``until`` before
``since`` is a field error (a 400 in the API, a form error in the console),
never silently ignored.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from routing.models import AIAgent, KnockLink, Rep, RoutingRule

MAX_ID = 2**63 - 1
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")


class DateOrDateTimeField(forms.Field):
    """An ISO 8601 date (2030-01-02) or date-time (2030-01-02T09:00:00Z)."""

    widget = forms.DateInput(attrs={"type": "date"})
    default_error_messages = {
        "invalid": "Enter a date (YYYY-MM-DD) or an ISO 8601 date-time.",
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        try:
            parsed = parse_date(text) if len(text) <= 10 else parse_datetime(text)
        except ValueError:  # well-formed but impossible, e.g. 2030-13-45
            parsed = None
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if isinstance(parsed, datetime):
            # In UTC: PostgreSQL refuses an offset beyond +-15:59 that Python parses
            # ("...-19:06"), and near year 1 or 9999 the instant may not exist at all.
            try:
                if timezone.is_naive(parsed):
                    parsed = timezone.make_aware(parsed)
                parsed = parsed.astimezone(UTC)
            except (OverflowError, ValueError):
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return parsed


class IdChoiceField(forms.ModelChoiceField):
    """A row of the caller's workspace by id. Anything else (a foreign or deleted row,
    "abc", 10**20) is a field error; a malformed value never reaches the database."""

    def __init__(self, *args, noun: str, **kwargs):
        self.noun = noun
        super().__init__(*args, **kwargs)

    def lookup(self, text: str):
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ID:
            raise ValidationError("Give the id: a positive whole number.", code="invalid")
        return self.queryset.filter(pk=int(text)).first()

    def to_python(self, value):
        if value in self.empty_values:
            return None
        found = self.lookup(str(value).strip())
        if found is None:
            raise ValidationError(f"No such {self.noun} in this workspace.", code="invalid_choice")
        return found


class LinkChoiceField(IdChoiceField):
    """A link by slug, case-insensitive as slugs are."""

    def lookup(self, text: str):
        if not SLUG.fullmatch(text):
            raise ValidationError("Enter a valid slug.", code="invalid")
        return self.queryset.filter(slug__iexact=text).first()


class DecisionFilterForm(forms.Form):
    field_order = ["link", "rule", "rep", "ai_agent", "kind", "since", "until"]

    since = DateOrDateTimeField(
        required=False, help_text="From this date (its start) or date-time, inclusive."
    )
    until = DateOrDateTimeField(
        required=False, help_text="Up to this date (its end, inclusive) or date-time (exclusive)."
    )
    link = LinkChoiceField(
        KnockLink.objects.none(), noun="link", required=False, empty_label="Any link",
        to_field_name="slug",
    )  # fmt: skip
    rule = IdChoiceField(
        RoutingRule.objects.none(), noun="rule", required=False, empty_label="Any rule"
    )
    rep = IdChoiceField(Rep.objects.none(), noun="rep", required=False, empty_label="Any rep")
    ai_agent = IdChoiceField(
        AIAgent.objects.none(), noun="AI agent", required=False, empty_label="Any AI agent",
        label="AI agent",
    )  # fmt: skip
    kind = forms.ChoiceField(
        choices=[("", "Chats and meetings"), ("chat", "Chats"), ("meeting", "Meetings")],
        required=False,
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].queryset = KnockLink.objects.filter(workspace=workspace)
        self.fields["rule"].queryset = RoutingRule.objects.filter(workspace=workspace)
        self.fields["rep"].queryset = Rep.objects.filter(workspace=workspace)
        self.fields["ai_agent"].queryset = AIAgent.objects.filter(workspace=workspace)

    def clean(self):
        data = super().clean()
        bounds = {}
        for name, edge, message in (
            ("since", self.start, "Too early: give a date after 0001-01-01, or leave it out."),
            ("until", self.end, "Too late: give a date before 9999-12-31, or leave it out."),
        ):
            try:
                bounds[name] = edge(data.get(name))
            except OverflowError:  # that day's start or end is not an instant in UTC
                self.add_error(name, message)
        since, until = bounds.get("since"), bounds.get("until")
        if since is not None and until is not None and until <= since:
            self.add_error("until", "Must be after since.")
        return data

    @staticmethod
    def start(value: date | datetime | None) -> datetime | None:
        """In UTC, as a date-time is (DateOrDateTimeField). The start of 0001-01-01 in
        Asia/Tokyo is before year 1 in UTC: an OverflowError here (clean() says so), not in
        the query."""
        if value is None or isinstance(value, datetime):
            return value
        return datetime.combine(value, time.min, timezone.get_current_timezone()).astimezone(UTC)

    @classmethod
    def end(cls, value: date | datetime | None) -> datetime | None:
        """Exclusive: a date-only `until` covers that whole day (up to the next day's start,
        23 or 25 hours on a DST change). 9999-12-31 has no next day: an OverflowError."""
        if value is None or isinstance(value, datetime):
            return value
        return cls.start(value + timedelta(days=1))

    def filter(self, qs):
        """Apply the cleaned filters to a Decision queryset (call after is_valid())."""
        f = self.cleaned_data
        if f.get("since") is not None:
            qs = qs.filter(created_at__gte=self.start(f["since"]))
        if f.get("until") is not None:
            qs = qs.filter(created_at__lt=self.end(f["until"]))
        for name in ("link", "rule", "rep", "ai_agent"):
            if f.get(name) is not None:
                qs = qs.filter(**{name: f[name]})
        if f.get("kind"):
            qs = qs.filter(kind=f["kind"])
        return qs
