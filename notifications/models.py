"""Slack: settings, the events and interactions seen, the rep syncs.

The Delivery ledger (every Slack post, DM and update is one) is outbox.models.Delivery.
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
