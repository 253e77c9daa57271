"""Creating a workspace and its day-one defaults (SPEC 2)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from routing import cache
from routing.models import AIAgent, ApiToken, ConsoleProfile, RoutingRule, Workspace
from routing.timezones import is_zone

from .errors import ActionError
from .lifecycle import clean_auto_close_hours
from .names import check_unique, save_unique
from .rules import create_rule


def _unique_slug(name: str) -> str:
    base = slugify(name)[:60] or "workspace"
    slug, n = base, 1
    while Workspace.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_workspace(name: str) -> tuple[Workspace, str]:
    """Workspace + default AI agent + default chat and meeting rules + an API token.

    Returns the workspace and the plaintext API key (shown once, stored hashed).
    """
    name = (name or "").strip()
    if not name:
        raise ActionError({"name": ["A workspace needs a name."]})
    zone = settings.TIME_ZONE if is_zone(settings.TIME_ZONE) else "UTC"
    workspace = Workspace(name=name, slug=_unique_slug(name), time_zone=zone)
    _save_workspace(workspace)
    agent = AIAgent.objects.create(workspace=workspace, name="Knock AI", specialty="auto")
    workspace.default_ai_agent = agent
    workspace.save(update_fields=["default_ai_agent"])
    create_rule(workspace, kind="chat", name="Default chat rule", is_default=True)
    create_rule(workspace, kind="meeting", name="Default meeting rule", is_default=True)
    _, key = ApiToken.issue(workspace)
    return workspace, key


def default_rule(workspace: Workspace, kind: str) -> RoutingRule:
    return RoutingRule.objects.get(workspace=workspace, kind=kind, is_default=True)


INTENT_TYPES = ("buying", "partnership", "support", "job_seeker", "unknown")


@transaction.atomic
def update_workspace(workspace: Workspace, **data) -> Workspace:
    workspace = Workspace.objects.select_for_update().get(pk=workspace.pk)
    errors = {}
    if "name" in data:
        if not str(data["name"]).strip():
            errors["name"] = ["A workspace needs a name."]
        workspace.name = str(data["name"]).strip()
    if "default_rep" in data:
        rep_id = data["default_rep"]
        # Locked (no_key): deleted after the check, the foreign key would fail at commit.
        if rep_id is not None and not _still_there(workspace.reps, rep_id):
            errors["default_rep"] = [f"No rep with id {rep_id} in this workspace."]
        workspace.default_rep_id = rep_id
    if "default_ai_agent" in data:
        agent_id = data["default_ai_agent"]
        if agent_id is None or not _still_there(workspace.ai_agents, agent_id):
            errors["default_ai_agent"] = [f"No AI agent with id {agent_id} in this workspace."]
        workspace.default_ai_agent_id = agent_id
    if "intent_rules" in data:
        rules = data["intent_rules"]
        if not isinstance(rules, dict):
            errors["intent_rules"] = ['Expected an object like {"support": 12}.']
        else:
            chat_rules = set(workspace.rules.filter(kind="chat").values_list("id", flat=True))
            for intent, rule_id in rules.items():
                if intent not in INTENT_TYPES:
                    errors["intent_rules"] = [f"Unknown intent type {intent!r}."]
                elif rule_id not in chat_rules:
                    errors["intent_rules"] = [f"{intent}: no chat rule with id {rule_id}."]
            workspace.intent_rules = rules
    if "auto_close_hours" in data:
        try:
            workspace.auto_close_hours = clean_auto_close_hours(data["auto_close_hours"])
        except ActionError as exc:
            errors.update(exc.errors)
    if "time_zone" in data:
        try:
            workspace.time_zone = clean_zone(data["time_zone"])
        except ActionError as exc:
            errors.update(exc.errors)
    known = {
        "name",
        "default_rep",
        "default_ai_agent",
        "intent_rules",
        "auto_close_hours",
        "time_zone",
    }
    unknown = set(data) - known
    for name in unknown:
        errors[name] = ["Unknown field."]
    if errors:
        raise ActionError(errors)
    _save_workspace(workspace)
    return workspace


def _still_there(related, row_id) -> bool:
    return related.select_for_update(no_key=True).filter(id=row_id).first() is not None


NAME_TAKEN = "A workspace with this name already exists."


def _save_workspace(workspace: Workspace) -> None:
    """Workspace names are unique across the installation, whatever their case
    (the console's switcher lists them by name)."""

    def check():
        check_unique(Workspace.objects.all(), workspace, "name", workspace.name, NAME_TAKEN)

    check()
    workspace.routing_stamp = cache.new_stamp()  # its settings may have changed (routing/cache.py)
    save_unique(workspace, {"name": [NAME_TAKEN]}, recheck=check)


def clean_zone(name, *, field: str = "time_zone") -> str:
    """The IANA zone name, or an ActionError on `field`."""
    value = str(name or "").strip()
    if not is_zone(value):
        raise ActionError(
            {field: [f"“{value}” is not a time zone: pick one from the list (e.g. Europe/Berlin)."]}
        )
    return value


def set_viewer_time_zone(user, time_zone: str) -> ConsoleProfile:
    """The zone the console shows this user's times in; "" = the workspace's zone."""
    value = str(time_zone or "").strip()
    if value:
        value = clean_zone(value)
    profile, _ = ConsoleProfile.objects.update_or_create(user=user, defaults={"time_zone": value})
    return profile
