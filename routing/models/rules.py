from django.db import models
from django.db.models.functions import Lower
from ordered_model.models import OrderedModel

from .workspace import Workspace

ASSIGNEE_TYPES = [
    ("rep", "Rep"),
    ("pool", "Pool (round robin or load balanced)"),
    ("ai_agent", "AI agent"),
    ("crm_owner", "CRM owner"),
    ("workspace_default", "Workspace default"),
    # A meeting segment: who is offered is in Segment.booking (routing/booking.py).
    ("booking", "Meeting booking"),
]


class RoutingRule(models.Model):
    KINDS = [("chat", "Chat"), ("meeting", "Meeting")]

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=KINDS)
    is_default = models.BooleanField(default=False, editable=False)
    monitoring_channel = models.CharField(max_length=100, blank=True)
    crm_owner_first = models.BooleanField(default=False)
    notify_crm_owner = models.BooleanField(default=False)
    # Meeting rules: the length of a meeting offered by "CRM owner first" (SPEC 5a).
    owner_duration = models.PositiveIntegerField(default=30)
    # Bumped by routing.actions on every change; RuleVersion keeps each snapshot.
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "-is_default", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind"],
                condition=models.Q(is_default=True),
                name="one_default_rule_per_kind",
            ),
            # Per kind: a link picks its chat rule and its meeting rule from separate lists.
            models.UniqueConstraint(
                "workspace", "kind", Lower("name"), name="uniq_rule_name_per_kind_ci"
            ),
        ]

    def __str__(self):
        return self.name


class RuleVersion(models.Model):
    """An immutable snapshot of a rule and its ordered segments.

    Routing evaluates a snapshot, never the live rows, so a rule being edited
    never half-applies, and a decision can name the exact version it ran on.
    """

    rule = models.ForeignKey(RoutingRule, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    # The audit log: who made this version ("console: ops", "api: token 'ci'",
    # "admin: root"; empty for commands, seeds and versions older than the field)
    # and what changed from the version before, in words (routing/versions.py).
    author = models.CharField(max_length=200, blank=True, default="")
    summary = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["rule", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "version"], name="uniq_rule_version"),
        ]

    def __str__(self):
        return f"{self.rule} v{self.version}"


class Segment(OrderedModel):
    """Conditions plus an assignee; ordered within its rule, fallback pinned last."""

    rule = models.ForeignKey(RoutingRule, on_delete=models.CASCADE, related_name="segments")
    name = models.CharField(max_length=200)
    conditions = models.JSONField(default=dict, blank=True)
    assignee_type = models.CharField(max_length=20, choices=ASSIGNEE_TYPES)
    assignee_rep = models.ForeignKey(
        "routing.Rep", null=True, blank=True, on_delete=models.PROTECT, related_name="segments"
    )
    assignee_pool = models.ForeignKey(
        "routing.Pool", null=True, blank=True, on_delete=models.PROTECT, related_name="segments"
    )
    assignee_agent = models.ForeignKey(
        "routing.AIAgent", null=True, blank=True, on_delete=models.PROTECT, related_name="segments"
    )
    is_fallback = models.BooleanField(default=False, editable=False)
    # Meeting segments only (assignee_type "booking"): SPEC 5a, cleaned by routing/booking.py.
    booking = models.JSONField(null=True, blank=True)
    monitoring_channel = models.CharField(
        max_length=100, blank=True, help_text="Overrides the rule's monitoring channel."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    order_with_respect_to = "rule"

    class Meta(OrderedModel.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["rule"], condition=models.Q(is_fallback=True), name="one_fallback_per_rule"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def assignee_id(self):
        return {
            "rep": self.assignee_rep_id,
            "pool": self.assignee_pool_id,
            "ai_agent": self.assignee_agent_id,
        }.get(self.assignee_type)


class RuleDraft(models.Model):
    """A rule's one draft: a full copy of its segments that routing never reads.

    `segments` is the ordered list (fallback last) in routing/actions/drafts.py's
    stored shape: each {"id", "name", "conditions", "assignee": {"type", "id"}
    or "booking": {... "reps": [ids], "pool": id}, "monitoring_channel",
    "is_fallback"}. A segment copied from the live rule keeps its id (so the
    diff pairs it with the live one); one added in the draft has a negative id
    until it is published. References are ids only: a rep deleted meanwhile
    makes publish a 400, it never half-applies.
    """

    rule = models.OneToOneField(RoutingRule, on_delete=models.CASCADE, related_name="draft")
    segments = models.JSONField(default=list)
    # The live version the draft was started from (the page warns when live moved on).
    base_version = models.PositiveIntegerField()
    author = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.rule} (draft)"
