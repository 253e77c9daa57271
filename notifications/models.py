"""Deliveries: every side effect of a decision (Slack posts and DMs, CRM writes).

A Delivery row is written in the same transaction as the decision and its
task is enqueued there too (django-tasks-db stores it in the same database),
so a decision never commits without its side effects, and a rolled-back
decision leaves none. The row is also the ledger that makes a delivery
idempotent (its `result` holds the Slack ts once posted) and the local outbox
the console shows when no Slack workspace is connected.
"""

from django.db import models

from knock.crypto import decrypt, encrypt


class SlackSettings(models.Model):
    workspace = models.OneToOneField(
        "routing.Workspace", on_delete=models.CASCADE, related_name="slack_settings"
    )
    bot_token_encrypted = models.TextField(blank=True)
    default_channel = models.CharField(
        max_length=100, blank=True, help_text="Used when a rule has no monitoring channel."
    )
    team_id = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name_plural = "Slack settings"

    def __str__(self):
        return f"Slack settings of {self.workspace}"

    @property
    def bot_token(self) -> str:
        return decrypt(self.bot_token_encrypted)

    @bot_token.setter
    def bot_token(self, value: str) -> None:
        self.bot_token_encrypted = encrypt(value or "")


class Delivery(models.Model):
    PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
    STATUSES = [(s, s.title()) for s in (PENDING, RUNNING, DONE, FAILED)]
    KINDS = [
        ("slack.alert", "Lead alert in the monitoring channel"),
        ("slack.rep_dm", "DM to the assigned rep"),
        ("slack.owner_dm", "DM to the CRM owner (Join)"),
        ("slack.update", "Update of a Slack message"),
        ("crm.write", "CRM write-back"),
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
    target = models.JSONField(default=dict, help_text="Where it goes: channel, user, record.")
    payload = models.JSONField(default=dict, help_text="What it says or writes.")
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
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="uniq_delivery_key"),
        ]
        indexes = [models.Index(fields=["workspace", "status", "-created_at"])]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.get_kind_display()} ({self.status})"


class SlackEvent(models.Model):
    """Events API deliveries seen, to drop Slack's retries of the same event."""

    event_id = models.CharField(max_length=64, unique=True)
    team_id = models.CharField(max_length=32, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.event_id


class SlackInteraction(models.Model):
    """Interactions (button clicks) seen, so a replayed signed request enqueues nothing.

    `key` is a hash of what identifies one click (team, user, trigger_id, container
    and the action with its action_ts): Slack gives every click a new action_ts and
    trigger_id, so only a replay of the same request has the same key.
    """

    key = models.CharField(max_length=64, unique=True)
    action_id = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.action_id} {self.key[:12]}"


class SlackSync(models.Model):
    """One run of the rep sync started from the console (progress for the bar)."""

    RUNNING, DONE, FAILED = "running", "done", "failed"
    workspace = models.ForeignKey(
        "routing.Workspace", on_delete=models.CASCADE, related_name="slack_syncs"
    )
    status = models.CharField(max_length=10, default=RUNNING)
    seen = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    deactivated = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Slack sync {self.id} ({self.status})"
