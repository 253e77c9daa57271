from django.db import models
from django.db.models.functions import Lower

from .workspace import Workspace


class KnockLink(models.Model):
    """A touchpoint URL (G2 listing, LinkedIn Ads, pricing CTA...)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="links")
    # Stored lower-case (routing.actions.links); looked up case-insensitively.
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    channel = models.CharField(max_length=100, blank=True)
    utm_defaults = models.JSONField(default=dict, blank=True)
    chat_rule = models.ForeignKey(
        "routing.RoutingRule",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_links",
    )
    meeting_rule = models.ForeignKey(
        "routing.RoutingRule",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_links",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint("workspace", Lower("slug"), name="uniq_link_slug_ci"),
            models.UniqueConstraint("workspace", Lower("name"), name="uniq_link_name_ci"),
        ]

    def __str__(self):
        return self.name
