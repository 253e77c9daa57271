import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from routing.cache import new_stamp


class Workspace(models.Model):
    """One customer company. Every other row belongs to exactly one workspace."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    default_rep = models.ForeignKey(
        "routing.Rep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_ai_agent = models.ForeignKey(
        "routing.AIAgent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Intent override (SPEC 5): {"support": <chat rule id>, ...}. Validated by actions.
    intent_rules = models.JSONField(default=dict, blank=True)
    # Open chats with no activity for this long are closed (routing.actions.lifecycle).
    auto_close_hours = models.PositiveIntegerField(
        default=24, help_text="Close a chat after this many hours without activity."
    )
    # The console shows times in this zone unless a viewer chose their own
    # (ConsoleProfile.time_zone). An IANA name, checked by actions (routing.timezones).
    time_zone = models.CharField(
        max_length=64, default="UTC", help_text="Times in the console, unless a user picks theirs."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Replaced by every write that changes how this workspace routes (routing/cache.py):
    # the key of the per-process caches of links, rules and settings.
    routing_stamp = models.CharField(max_length=32, default=new_stamp, editable=False)

    class Meta:
        # The switcher lists workspaces by name: two "Acme Inc" would be indistinguishable.
        constraints = [models.UniqueConstraint(Lower("name"), name="uniq_workspace_name_ci")]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A console user's access to a workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="knock_memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="uniq_membership")
        ]

    def __str__(self):
        return f"{self.user} in {self.workspace}"


class ConsoleProfile(models.Model):
    """Per-user console state that must outlive a session (a log-out flushes it)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="knock_profile"
    )
    last_workspace = models.ForeignKey(
        Workspace, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The zone the console shows this user's times in; "" = the workspace's zone.
    time_zone = models.CharField(max_length=64, blank=True, default="")

    def __str__(self):
        return f"Console profile of {self.user}"


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """An API key bound to one workspace. Only its SHA-256 is stored."""

    PREFIX = "knk_"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="default")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise a key.")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.prefix}… ({self.workspace})"

    @classmethod
    def issue(cls, workspace: Workspace, name: str = "default") -> tuple["ApiToken", str]:
        key = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            workspace=workspace, name=name, key_hash=hash_token(key), prefix=key[:10]
        )
        return token, key
