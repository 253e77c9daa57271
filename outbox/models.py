"""Deliveries: every side effect of a decision or a meeting (Slack posts and DMs, CRM
writes, calendar events).

A Delivery row is written in the same transaction as the decision and its task is
enqueued there too (django-tasks-db stores it in the same database), so a decision
never commits without its side effects, and a rolled-back decision leaves none. The
row is also the ledger that makes a delivery idempotent (its `result` holds the
Slack ts once posted) and the local outbox the console shows when no Slack
workspace is connected.

The model moved here from notifications/ (issue 11): the table keeps its name,
`notifications_delivery`, so databases kept their rows (a state-only migration).
"""

from django.db import models

from knock.json_fields import OrjsonField


class Delivery(models.Model):
    PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
    STATUSES = [(s, s.title()) for s in (PENDING, RUNNING, DONE, FAILED)]
    # Every kind in settings.KNOCK_OUTBOX_HANDLERS, named for the console.
    KINDS = [
        ("slack.alert", "Lead alert in the monitoring channel"),
        ("slack.rep_dm", "DM to the assigned rep"),
        ("slack.owner_dm", "DM to the CRM owner (Join)"),
        ("slack.update", "Update of a Slack message"),
        ("slack.meeting", "Meeting post in the monitoring channel"),
        ("crm.write", "CRM write-back"),
        ("calendar.insert", "Calendar event for a meeting"),
        ("calendar.patch", "Calendar event moved"),
        ("calendar.delete", "Calendar event deleted"),
    ]

    workspace = models.ForeignKey(
        "routing.Workspace", on_delete=models.CASCADE, related_name="deliveries"
    )
    decision = models.ForeignKey(
        "routing.Decision", null=True, blank=True, on_delete=models.CASCADE,
        related_name="deliveries",
    )  # fmt: skip
    chat = models.ForeignKey(
        "routing.Chat", null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(max_length=20, choices=KINDS)
    # Idempotency: one delivery per (workspace, key), e.g. "decision:812:alert".
    key = models.CharField(max_length=200)
    backend = models.CharField(max_length=20, help_text="slack, local, or a CRM backend name")
    # Encoded by orjson (knock/json_fields.py): every routed chat inserts a few of these.
    target = OrjsonField(default=dict, help_text="Where it goes: channel, user, record.")
    payload = OrjsonField(default=dict, help_text="What it says or writes.")
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=6)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "notifications_delivery"  # the table it had in notifications/
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="uniq_delivery_key"),
        ]
        indexes = [models.Index(fields=["workspace", "status", "-created_at"])]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.get_kind_display()} ({self.status})"
