from django.db import models

from .rules import RoutingRule
from .workspace import Workspace


class ReplayRun(models.Model):
    """One replay of a rule version (or its draft) over past decisions (issue 17 item 3).

    Holds the snapshot replayed (frozen when the run was asked for: a draft
    edited meanwhile does not change it), the window, the progress while a
    worker runs it, and the result (routing.replay.replay's dict). It is the
    only row a replay writes: no decision, chat, lead, rotation or delivery.
    """

    STATUSES = [
        ("queued", "Queued"),
        ("running", "Running"),
        ("done", "Done"),
        ("failed", "Failed"),
    ]

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(RoutingRule, on_delete=models.CASCADE, related_name="replay_runs")
    label = models.CharField(max_length=20, help_text='"v7" or "draft"')
    snapshot = models.JSONField()
    since = models.DateTimeField()
    until = models.DateTimeField()
    limit = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=STATUSES, default="queued")
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    author = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Replay {self.pk} of {self.rule} {self.label}"

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(100 * self.processed / self.total) if self.total else 0
