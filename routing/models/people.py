from django.db import models
from django.db.models.functions import Lower

from .workspace import Workspace


class Rep(models.Model):
    """A human seller (normally synced from Slack)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="reps")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    slack_user_id = models.CharField(max_length=32, blank=True)
    crm_user_ids = models.JSONField(default=list, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    # {"mon": [["09:00", "17:00"]], ...}; empty means always available.
    working_hours = models.JSONField(default=dict, blank=True)
    out_of_office_until = models.DateTimeField(null=True, blank=True)
    max_open_chats = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "email"], name="uniq_rep_email"),
        ]

    def __str__(self):
        return self.name


class AIAgent(models.Model):
    SPECIALTIES = [
        ("buying", "Buying"),
        ("support", "Support"),
        ("hiring", "Hiring (job seekers)"),
        ("partnership", "Partnership"),
        ("auto", "Auto (by intent)"),
    ]

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="ai_agents")
    name = models.CharField(max_length=200)
    specialty = models.CharField(max_length=20, choices=SPECIALTIES, default="auto")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "AI agent"
        constraints = [
            models.UniqueConstraint("workspace", Lower("name"), name="uniq_ai_agent_name_ci"),
        ]

    def __str__(self):
        return self.name


class Pool(models.Model):
    STRATEGIES = [("round_robin", "Round robin"), ("load_balanced", "Load balanced")]

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="pools")
    name = models.CharField(max_length=200)
    strategy = models.CharField(max_length=20, choices=STRATEGIES, default="round_robin")
    respect_working_hours = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint("workspace", Lower("name"), name="uniq_pool_name_ci"),
        ]

    def __str__(self):
        return self.name


class PoolMember(models.Model):
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="members")
    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="pool_memberships")
    weight = models.PositiveIntegerField(default=1)
    is_paused = models.BooleanField(default=False)
    # Smooth weighted round robin state (nginx's algorithm): see routing/pools.py.
    current_weight = models.BigIntegerField(default=0)
    assigned_count = models.PositiveIntegerField(default=0)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "rep"], name="uniq_pool_rep"),
            models.CheckConstraint(condition=models.Q(weight__gte=1), name="pool_weight_min_1"),
        ]

    def __str__(self):
        return f"{self.rep} in {self.pool}"
