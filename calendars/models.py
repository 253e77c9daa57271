"""Reps' calendars, local busy blocks, offered availabilities and booked meetings."""

import uuid
from datetime import timedelta

from django.db import models

from knock.crypto import decrypt, encrypt
from knock.json_fields import DocumentField
from routing.models import Decision, KnockLink, Lead, Rep, RoutingRule, Segment, Workspace

BACKENDS = [("none", "No calendar"), ("local", "Local calendar"), ("google", "Google Calendar")]
# A rep without a CalendarConnection row has the embedded default (SPEC 7).
DEFAULT_BACKEND = "local"
AVAILABILITY_TTL = timedelta(hours=1)


class CalendarConnection(models.Model):
    """Where a rep's busy time comes from.

    `none`: no calendar. The rep is still offered on working hours minus
    meetings booked in Knock (an explicit choice by an admin, not an unreadable
    calendar), but never by CRM owner first, which needs a connected calendar.
    """

    rep = models.OneToOneField(Rep, on_delete=models.CASCADE, related_name="calendar_connection")
    backend = models.CharField(max_length=20, choices=BACKENDS, default=DEFAULT_BACKEND)
    calendar_id = models.CharField(max_length=254, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.rep}: {self.backend}"


class BusyBlock(models.Model):
    """A busy stretch on a rep's local calendar."""

    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="busy_blocks")
    start = models.DateTimeField()
    end = models.DateTimeField()
    title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["rep", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="busy_end_after_start"
            )
        ]

    def __str__(self):
        return f"{self.rep} busy {self.start:%Y-%m-%d %H:%M}"


class Availability(models.Model):
    """What one lead was offered: booking must pick one of these slots within the hour."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="availabilities")
    link = models.ForeignKey(
        KnockLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.ForeignKey(RoutingRule, null=True, on_delete=models.SET_NULL, related_name="+")
    rule_name = models.CharField(max_length=200)
    rule_version = models.PositiveIntegerField()
    segment = models.ForeignKey(
        Segment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    segment_name = models.CharField(max_length=200, blank=True)
    via = models.CharField(max_length=20)  # "segment" | "crm_owner"
    logic = models.CharField(max_length=20)
    booking = models.JSONField()  # the booking rules used (duration, buffers, ...)
    timezone = models.CharField(max_length=64, default="UTC")
    slots = models.JSONField(default=list)  # [{"start", "end", "reps"}] in UTC ISO 8601
    rep_ids = models.JSONField(default=list)  # who was offered, in booking order
    context = models.JSONField()
    trace = DocumentField()  # written once, read whole: PostgreSQL json, not jsonb
    qualified = models.BooleanField()
    # The CRM record the lead matched when the facts were fetched for this offer: the
    # booking's write-back (Knock: Meeting Owner / Status) goes there, with no new lookup.
    crm_record_type = models.CharField(max_length=20, blank=True)
    crm_record_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "availabilities"

    def __str__(self):
        return f"Availability {self.id} for {self.lead}"

    def expired(self, now) -> bool:
        return self.created_at < now - AVAILABILITY_TTL


class Meeting(models.Model):
    STATUSES = [("booked", "Booked"), ("cancelled", "Cancelled"), ("no_show", "No-show")]

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="meetings")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="meetings")
    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="meeting")
    availability = models.ForeignKey(
        Availability, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    owner = models.ForeignKey(
        Rep, null=True, on_delete=models.SET_NULL, related_name="owned_meetings"
    )
    reps = models.ManyToManyField(
        Rep, related_name="attended_meetings", help_text="Every attending rep, the owner included."
    )
    rule = models.ForeignKey(RoutingRule, null=True, on_delete=models.SET_NULL, related_name="+")
    segment = models.ForeignKey(
        Segment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    link = models.ForeignKey(
        KnockLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=10, choices=STATUSES, default="booked")
    calendar_backend = models.CharField(max_length=20, choices=BACKENDS, default=DEFAULT_BACKEND)
    calendar_event_ids = models.JSONField(default=dict, blank=True)  # {"<rep id>": "<event id>"}
    # Google Calendar: filled by the calendar.insert delivery from Google's answer.
    meet_link = models.CharField(max_length=500, blank=True)
    calendar_link = models.CharField(max_length=1000, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)
    # Copied from the availability at booking: where the CRM write-back goes.
    crm_record_type = models.CharField(max_length=20, blank=True)
    crm_record_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "start"]),
            models.Index(fields=["workspace", "start"]),
            models.Index(fields=["status", "start", "end"]),
        ]

    def __str__(self):
        return f"Meeting {self.pk} {self.start:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def duration(self) -> int:
        return round((self.end - self.start).total_seconds() / 60)


class GoogleSettings(models.Model):
    """A workspace's Google Calendar connection: a service account with domain-wide
    delegation (stored encrypted, never shown back) and the free/busy time box.
    Without a row (or with no key pasted), GOOGLE_SERVICE_ACCOUNT_FILE is used."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="google_settings"
    )
    service_account_encrypted = models.TextField(blank=True)
    client_email = models.CharField(max_length=254, blank=True)  # shown: not a secret
    # Seconds a free/busy lookup may take; null: CALENDAR_LOOKUP_TIMEOUT.
    lookup_timeout = models.FloatField(null=True, blank=True)
    # Whom free/busy impersonates (one request covers up to 50 reps); empty: the
    # first rep of each request.
    freebusy_subject = models.EmailField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "Google settings"

    def __str__(self):
        return f"Google settings of {self.workspace}"

    @property
    def service_account(self) -> str:
        return decrypt(self.service_account_encrypted)

    @service_account.setter
    def service_account(self, value: str) -> None:
        self.service_account_encrypted = encrypt(value or "")
